package cli

import (
	"flag"
	"path/filepath"
	"runtime"

	"inhouse/install"
)

// install: the binary as a system service (systemd on Linux, the service
// manager on Windows). Settings are flags only: INHOUSE_* variables describe
// the shell's server, not the one being installed.
func installCmd(args []string, env Env) error {
	f := newFlags("install")
	var o install.Options
	f.StringVar(&o.Addr, "addr", install.DefaultAddr, "address the service listens on")
	f.StringVar(&o.Data, "data", "", "data folder (default "+install.DefaultData+")")
	f.StringVar(&o.TLS, "tls", "", "auto, off or CERT.pem,KEY.pem (default: the server decides)")
	f.StringVar(&o.Allow, "allow", "", "client networks served, comma-separated CIDRs")
	f.StringVar(&o.Backups, "backups", "", "folder for scheduled backups, the only other one the service may write (default "+install.DefaultBackup+")")
	f.BoolVar(&o.LowPort, "low-port", false, "allow binding ports below 1024 (implied by such a port)")
	f.StringVar(&o.User, "user", install.DefaultUser, "system user the service runs as (Linux)")
	f.StringVar(&o.Root, "root", "", "write the files under this folder and start nothing (for images and tests)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("install takes no arguments (got %q)", pos[0])
	}
	// An upgrade keeps the installed settings that are not given again.
	if in, ok := install.Installed(o.Root); ok && runtime.GOOS != "windows" {
		given := map[string]bool{}
		f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
		keep := func(name string, dst *string, v string) {
			if !given[name] {
				*dst = v
			}
		}
		keep("addr", &o.Addr, in.Addr)
		keep("data", &o.Data, in.Data)
		keep("tls", &o.TLS, in.TLS)
		keep("allow", &o.Allow, in.Allow)
		keep("backups", &o.Backups, in.Backups)
		keep("user", &o.User, in.User)
		if !given["low-port"] {
			o.LowPort = in.LowPort
		}
	}
	if o.Allow != "" {
		if _, err := parseAllow(o.Allow); err != nil {
			return err
		}
	}
	for _, p := range []*string{&o.Data, &o.Backups} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return err
			}
		}
	}
	// Bad settings are bad usage; Windows paths are checked by Windows.
	if runtime.GOOS != "windows" || o.Root != "" {
		if err := o.Check(); err != nil {
			return usagef("%v", err)
		}
	}
	return install.Install(o, env.Stdout)
}

// uninstall: removes the service and binary; --purge also the data.
func uninstallCmd(args []string, env Env) error {
	f := newFlags("uninstall")
	var o install.Options
	purge := f.Bool("purge", false, "also delete the data folder (every message) and the service user")
	f.StringVar(&o.Root, "root", "", "remove what install --root wrote under this folder")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("uninstall takes no arguments (got %q)", pos[0])
	}
	return install.Uninstall(o, *purge, env.Stdout)
}
