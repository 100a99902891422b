// Package cli is the inhouse command line: it parses flags and environment,
// wires the packages together and reports errors in one line.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/install"
	"inhouse/install/firewall"
	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/heapfloor"
)

// Build information, stamped by the Makefile.
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// Env is the process's outside world, so commands can be tested in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	StdinTerminal  bool
	// Console makes the admin console that serve mounts at /admin. main
	// wires it: no package under server/ imports the console.
	Console func(*server.Server) fasthttp.RequestHandler
}

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

const usage = `usage:
  inhouse serve   [--addr HOST:PORT] [--data DIR] [--tls auto|off|CERT.pem,KEY.pem] [--allow CIDR,...]
                  [--admin-allow CIDR,...] [--log text|json]
  inhouse user add NAME [--role member|auditor|admin] [--display "Full Name"] [--data DIR]
  inhouse user list | user disable NAME | user passwd NAME   [--data DIR]
  inhouse archive verify | archive repair | archive export --format jsonl|csv [--from DATE] [--to DATE] [--channel NAME] [--user NAME]
  inhouse backup FILE | restore FILE [--force] [--trust KEY]   [--data DIR]
  inhouse firewall --format FORMAT [--block ID,ID,...|all] [--list]
  inhouse install [--addr HOST:PORT] [--data DIR] [--tls ...] [--allow CIDR,...] [--low-port] | uninstall [--purge]
  inhouse version`

// Run runs one command line and returns the exit status.
func Run(args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		if install.IsWindowsService() {
			err = install.RunWindowsService(install.ServiceName, func(stop <-chan struct{}, log io.Writer) error {
				return serveUntil(args[1:], Env{Stdin: strings.NewReader(""), Stdout: log, Stderr: log}, stop)
			})
			break
		}
		err = serve(args[1:], env)
	case "user":
		err = user(args[1:], env)
	case "backup":
		err = backupCmd(args[1:], env)
	case "restore":
		err = restoreCmd(args[1:], env)
	case "archive":
		err = archiveCmd(args[1:], env)
	case "install":
		err = installCmd(args[1:], env)
	case "uninstall":
		err = uninstallCmd(args[1:], env)
	case "firewall":
		return firewall.Main(args[1:], env.Stdout, env.Stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(env.Stdout, "inhouse %s (commit %s, built %s)\n", Version, Commit, Date)
	case "help", "--help", "-h":
		fmt.Fprintln(env.Stdout, usage)
	default:
		err = usagef("unknown command %q (try: inhouse help)", args[0])
	}
	return report(err, env.Stderr)
}

// report prints err in one line and picks the exit status.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintln(stderr, "inhouse: "+msg)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// flags is a flag set that reads defaults from INHOUSE_* variables and
// accepts flags before or after the positional arguments.
type flags struct {
	*flag.FlagSet
}

func newFlags(name string) flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return flags{fs}
}

// data adds --data (INHOUSE_DATA, default ./data).
func (f flags) data() *string {
	return f.String("data", envOr("INHOUSE_DATA", "./data"), "data folder")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parse parses args, letting flags and positional arguments mix.
func (f flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, usagef("%s: %v", f.Name(), err)
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openStore opens the data folder, explaining a folder held by a server.
func openStore(dir string) (*archive.Store, error) {
	// Opening builds the archive in memory: collecting more often meanwhile
	// keeps a large archive's peak near its final size, as serve does.
	release := heapfloor.Hold(60)
	st, err := archive.Open(dir)
	release()
	if errors.Is(err, archive.ErrLocked) {
		return nil, fmt.Errorf("the data folder %s is in use by a running inhouse server: stop it first, or make the change in the admin console", dir)
	}
	return st, err
}
