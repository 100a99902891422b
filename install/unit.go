// Package install puts the appliance into an office machine: a hardened
// systemd service on Linux, a service under the service manager on Windows.
package install

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
)

// Defaults for a Linux install.
const (
	ServiceName   = "inhouse"
	DefaultUser   = "inhouse"
	DefaultData   = "/var/lib/inhouse"
	DefaultBinary = "/usr/local/bin/inhouse"
	DefaultAddr   = ":8080"
	DefaultBackup = "/var/backups/inhouse"
	UnitPath      = "/etc/systemd/system/inhouse.service"
)

// Options describe one installation. Empty fields take the defaults above.
type Options struct {
	Addr    string // INHOUSE_ADDR
	Data    string // the data folder; absolute
	TLS     string // INHOUSE_TLS; empty lets the server choose
	Allow   string // INHOUSE_ALLOW; empty means the server's default ranges
	Backups string // the one folder besides Data the service may write: scheduled backups
	LowPort bool   // grant CAP_NET_BIND_SERVICE even for a port ≥ 1024
	User    string // the system account the service runs as
	Binary  string // where the binary is installed

	// Root, when set, writes every file under this folder and runs no
	// system command (no useradd, systemctl, chown): for tests and for
	// preparing an image.
	Root string
	// Source is the binary to install; empty means the running one.
	Source string
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Data == "" {
		o.Data = DefaultData
	}
	if o.Backups == "" {
		o.Backups = DefaultBackup
	}
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Binary == "" {
		o.Binary = DefaultBinary
	}
	return o
}

// port is the TCP port of Addr, or 0 when it has none.
func (o Options) port() int {
	_, p, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// BindsLowPort tells whether the service gets CAP_NET_BIND_SERVICE: only
// when asked, or when the port needs it.
func (o Options) BindsLowPort() bool {
	o = o.withDefaults()
	return o.LowPort || o.port() < 1024
}

// Check refuses options that would give a broken or unsafe unit. Values go
// into the unit inside double quotes, so quotes, backslashes, % (systemd
// specifiers) and line breaks are refused rather than escaped.
func (o Options) Check() error {
	o = o.withDefaults()
	if err := checkAddr(o.Addr); err != nil {
		return err
	}
	for name, v := range map[string]string{"--addr": o.Addr, "--data": o.Data, "--tls": o.TLS, "--allow": o.Allow, "--backups": o.Backups, "--user": o.User, "binary path": o.Binary} {
		if strings.ContainsAny(v, "\"\\%\n\r'$`") {
			return fmt.Errorf("%s %q: quotes, backslashes, %%, $ and line breaks are not allowed here", name, v)
		}
	}
	for name, p := range map[string]string{"--data": o.Data, "--backups": o.Backups, "binary path": o.Binary} {
		if !filepath.IsAbs(p) || filepath.Clean(p) != p || strings.ContainsAny(p, " \t") {
			return fmt.Errorf("%s %q: want a clean absolute path without spaces", name, p)
		}
	}
	// The unit hides these from the service (ProtectHome, PrivateTmp) or
	// keeps them read-only (ProtectSystem=strict).
	for _, f := range []struct{ flag, path, example string }{{"--data", o.Data, DefaultData}, {"--backups", o.Backups, DefaultBackup}} {
		for _, hidden := range []string{"/home", "/root", "/run/user", "/tmp", "/var/tmp", "/usr", "/etc", "/boot", "/proc", "/sys", "/dev"} {
			if f.path == hidden || strings.HasPrefix(f.path, hidden+"/") {
				return fmt.Errorf("%s %s: the service cannot write under %s; use a folder such as %s", f.flag, f.path, hidden, f.example)
			}
		}
		if strings.Count(f.path, "/") < 2 {
			return fmt.Errorf("%s %s: pick a folder of its own such as %s", f.flag, f.path, f.example)
		}
	}
	if o.Data == o.Backups {
		return errors.New("--backups: keep backups apart from the data folder")
	}
	if cert, key, ok := strings.Cut(o.TLS, ","); ok {
		for _, p := range []string{cert, key} {
			p = strings.TrimSpace(p)
			if !filepath.IsAbs(p) {
				return fmt.Errorf("--tls %q: certificate and key need absolute paths", o.TLS)
			}
			for _, hidden := range []string{"/home/", "/root/", "/run/user/", "/tmp/", "/var/tmp/"} {
				if strings.HasPrefix(p, hidden) {
					return fmt.Errorf("--tls: %s is hidden from the service; put the certificate and key in %s/tls", p, o.Data)
				}
			}
		}
	}
	if !validUser(o.User) {
		return fmt.Errorf("--user %q: want a lower-case system user name", o.User)
	}
	return nil
}

func checkAddr(addr string) error {
	if _, p, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--addr %q: want HOST:PORT or :PORT", addr)
	} else if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("--addr %q: the port must be a number from 1 to 65535", addr)
	}
	return nil
}

func validUser(s string) bool {
	if s == "" || len(s) > 32 || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// stateDir is the StateDirectory= name when the data folder is directly
// under /var/lib: systemd then creates it and repairs its owner, e.g.
// after a restore run as root.
func (o Options) stateDir() string {
	if dir, name := filepath.Split(o.Data); dir == "/var/lib/" && name != "" {
		return name
	}
	return ""
}

var unitTmpl = template.Must(template.New("unit").Parse(`# Inhouse office messenger, written by "inhouse install".
# "inhouse uninstall" removes this file; edit the Environment= lines and run
# "systemctl daemon-reload && systemctl restart inhouse" to change settings.
[Unit]
Description=Inhouse office messenger
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User={{.User}}
Group={{.User}}
ExecStart={{.Binary}} serve
ExecReload=/bin/kill -HUP $MAINPID
Environment="INHOUSE_ADDR={{.Addr}}"
Environment="INHOUSE_DATA={{.Data}}"
{{- if .TLS}}
Environment="INHOUSE_TLS={{.TLS}}"
{{- end}}
{{- if .Allow}}
Environment="INHOUSE_ALLOW={{.Allow}}"
{{- end}}
WorkingDirectory={{.Data}}
{{- if .StateDir}}
StateDirectory={{.StateDir}}
StateDirectoryMode=0700
{{- end}}
UMask=0077
# The server stops within 10 s of SIGTERM; give it a little more.
KillSignal=SIGTERM
TimeoutStopSec=15
Restart=on-failure
RestartSec=2
# One file descriptor per connected browser.
LimitNOFILE=65536

# Hardening: the service writes only its data folder and sees no home
# folders, devices or kernel knobs.
NoNewPrivileges=true
ProtectSystem=strict
ReadWritePaths={{.Data}}
# Scheduled backups (set in the console) may go here; "-": fine if missing.
ReadWritePaths=-{{.Backups}}
ProtectHome=true
PrivateTmp=true
PrivateDevices=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectKernelLogs=true
ProtectControlGroups=true
ProtectClock=true
ProtectHostname=true
ProtectProc=invisible
PrivateMounts=true
RemoveIPC=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=true
RestrictRealtime=true
RestrictSUIDSGID=true
LockPersonality=true
MemoryDenyWriteExecute=true
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
{{- if .LowPort}}
# Binding a port below 1024 needs this one capability; nothing else is granted.
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
{{- else}}
# No capabilities at all.
CapabilityBoundingSet=
AmbientCapabilities=
{{- end}}

[Install]
WantedBy=multi-user.target
`))

// Unit is the systemd unit for o. It is a pure function of o; call Check
// first, since Unit does not refuse bad values.
func Unit(o Options) string {
	o = o.withDefaults()
	var b strings.Builder
	err := unitTmpl.Execute(&b, struct {
		Options
		LowPort  bool
		StateDir string
	}{o, o.BindsLowPort(), o.stateDir()})
	if err != nil {
		panic(err) // the template is fixed and its data plain strings
	}
	return b.String()
}
