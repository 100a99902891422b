package install

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"inhouse/server/atomicfile"
)

// startWait bounds how long install waits for the server to report its
// address after starting it.
const startWait = 30 * time.Second

// Install puts the binary in place, writes the service definition, starts
// the service and prints its address and, for a new data folder, the
// one-time setup link. Running it again upgrades: the new binary replaces
// the old one and the service restarts; the data folder is kept.
func Install(o Options, out io.Writer) error {
	switch {
	case o.Root != "" || runtime.GOOS == "linux":
		return installSystemd(o, out)
	case runtime.GOOS == "windows":
		return installWindows(o, out)
	}
	return fmt.Errorf("inhouse install knows Linux (systemd) and Windows; on %s run \"inhouse serve\" under the system's own service manager (see docs/operations.md)", runtime.GOOS)
}

// Uninstall stops and removes the service and the installed binary. The data
// folder (and on Linux the user owning it) stays unless purge is set.
func Uninstall(o Options, purge bool, out io.Writer) error {
	switch {
	case o.Root != "" || runtime.GOOS == "linux":
		return uninstallSystemd(o, purge, out)
	case runtime.GOOS == "windows":
		return uninstallWindows(o, purge, out)
	}
	return fmt.Errorf("inhouse uninstall knows Linux (systemd) and Windows, not %s", runtime.GOOS)
}

func (o Options) path(p string) string { return filepath.Join(o.Root, p) }

func installSystemd(o Options, out io.Writer) error {
	o = o.withDefaults()
	if err := o.Check(); err != nil {
		return err
	}
	live := o.Root == ""
	if live {
		if err := systemdHere(); err != nil {
			return err
		}
		if err := ensureUser(o.User, o.Data); err != nil {
			return err
		}
	}
	for _, dir := range []string{o.Data, o.Backups} {
		if err := makeOwnedDir(o, dir, live); err != nil {
			return err
		}
	}
	if err := placeBinary(o); err != nil {
		return err
	}
	if err := writeAtomic(o.path(UnitPath), []byte(Unit(o)), 0o644); err != nil {
		return fmt.Errorf("writing the unit: %w", err)
	}
	if !live {
		fmt.Fprintf(out, "wrote %s, %s, %s and %s under %s (no service started)\n", o.Binary, UnitPath, o.Data, o.Backups, o.Root)
		return nil
	}
	for _, args := range [][]string{{"daemon-reload"}, {"enable", "--quiet", ServiceName}, {"restart", ServiceName}} {
		if err := run("systemctl", args...); err != nil {
			return err
		}
	}
	st, err := waitStarted(journalSource(), startWait)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Inhouse is installed and running as the systemd service %s (user %s, data in %s, scheduled backups may go to %s).\n", ServiceName, o.User, o.Data, o.Backups)
	st.print(out)
	fmt.Fprintf(out, "Manage it with: systemctl status|restart|stop %s   Logs: journalctl -u %s\n", ServiceName, ServiceName)
	return nil
}

func uninstallSystemd(o Options, purge bool, out io.Writer) error {
	o = o.withDefaults()
	live := o.Root == ""
	if live {
		if err := systemdHere(); err != nil {
			return err
		}
	}
	unit := o.path(UnitPath)
	// The folders and user are what the installed unit says.
	if in, ok := Installed(o.Root); ok {
		in.Root, in.Binary = o.Root, o.Binary
		o = in.withDefaults()
	}
	if live {
		// A unit that was never installed or is already gone is not an error.
		if err := run("systemctl", "disable", "--now", "--quiet", ServiceName); err != nil && exists(unit) {
			return err
		}
	}
	for _, p := range []string{unit, o.path(o.Binary)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if live {
		if err := run("systemctl", "daemon-reload"); err != nil {
			return err
		}
		_ = run("systemctl", "reset-failed", ServiceName) // only clears a failed state
	}
	fmt.Fprintf(out, "removed the %s service and %s\n", ServiceName, o.Binary)
	if !purge {
		fmt.Fprintf(out, "kept the data folder %s, the backups in %s and the user %s that owns them; \"inhouse uninstall --purge\" removes the data folder and the user\n", o.Data, o.Backups, o.User)
		return nil
	}
	// Never purge a folder that Check would not accept as a data folder.
	if err := (Options{Data: o.Data}).Check(); err != nil {
		return fmt.Errorf("not purging %s: %w", o.Data, err)
	}
	if err := os.RemoveAll(o.path(o.Data)); err != nil {
		return err
	}
	if live {
		if _, err := user.Lookup(o.User); err == nil {
			if err := run("userdel", o.User); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "purged the data folder %s and the user %s; the backups in %s are kept: delete them yourself once you are sure\n", o.Data, o.User, o.Backups)
	return nil
}

// Installed reads the settings of the unit installed under root ("" for
// this machine), so an upgrade keeps them. ok is false when none is there.
func Installed(root string) (o Options, ok bool) {
	b, err := os.ReadFile(filepath.Join(root, UnitPath))
	if err != nil {
		return Options{}, false
	}
	unit := string(b)
	o = Options{
		Addr:    unitEnv(unit, "INHOUSE_ADDR"),
		Data:    unitEnv(unit, "INHOUSE_DATA"),
		TLS:     unitEnv(unit, "INHOUSE_TLS"),
		Allow:   unitEnv(unit, "INHOUSE_ALLOW"),
		Backups: unitValue(unit, "ReadWritePaths=-"),
		User:    unitValue(unit, "User="),
	}
	o.LowPort = unitValue(unit, "AmbientCapabilities=") == "CAP_NET_BIND_SERVICE" && o.port() >= 1024
	return o, true
}

// systemdHere refuses to go on without root and a running systemd.
func systemdHere() error {
	if os.Geteuid() != 0 {
		return errors.New("this needs root: run it with sudo")
	}
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return errors.New("systemd is not running on this machine: run \"inhouse serve\" under its own service manager instead (see docs/operations.md)")
	}
	return nil
}

// ensureUser creates a system user (and group) with no login shell, unless
// it exists already.
func ensureUser(name, home string) error {
	if _, err := user.Lookup(name); err == nil {
		return nil
	}
	shell := "/usr/sbin/nologin"
	if !exists(shell) {
		shell = "/sbin/nologin"
	}
	if _, err := exec.LookPath("useradd"); err == nil {
		return run("useradd", "--system", "--user-group", "--home-dir", home, "--no-create-home", "--shell", shell, name)
	}
	// Debian's adduser, where useradd is missing.
	return run("adduser", "--system", "--group", "--home", home, "--no-create-home", "--shell", shell, name)
}

// makeOwnedDir creates a folder as 0700 and, on a real install, hands
// everything in it to the service user (a data folder restored by root
// would otherwise be unreadable to the service).
func makeOwnedDir(o Options, dir string, live bool) error {
	dir = o.path(dir)
	// Parents stay traversable for the service user; only the folder is 0700.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if !live {
		return nil
	}
	u, err := user.Lookup(o.User)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// placeBinary copies the binary into place atomically, so a running
// service keeps its old file until it restarts.
func placeBinary(o Options) error {
	src := o.Source
	if src == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		if src, err = filepath.EvalSymlinks(exe); err != nil {
			return err
		}
	}
	dst := o.path(o.Binary)
	if a, err := os.Stat(src); err != nil {
		return err
	} else if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
		return nil // installing from the installed binary
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAtomicFrom(dst, in, 0o755)
}

func writeAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeAtomicFrom(path, bytes.NewReader(data), perm)
}

// writeAtomicFrom makes path's folder and replaces path whole: readers see
// the old file or the whole new one.
func writeAtomicFrom(path string, r io.Reader, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFrom(path, r, perm)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// run runs a system command, folding its output into the error.
func run(name string, args ...string) error {
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		msg := strings.Join(strings.Fields(string(b)), " ")
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), msg)
	}
	return nil
}

func output(name string, args ...string) string {
	b, _ := exec.Command(name, args...).Output()
	return strings.TrimSpace(string(b))
}

// unitEnv finds Environment="NAME=value" in a unit written by Unit.
func unitEnv(unit, name string) string {
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "Environment="); ok {
			rest = strings.Trim(rest, `"`)
			if val, ok := strings.CutPrefix(rest, name+"="); ok {
				return val
			}
		}
	}
	return ""
}

// unitValue is what follows prefix on the first line starting with it.
func unitValue(unit, prefix string) string {
	for _, line := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return v
		}
	}
	return ""
}

// started is what the server printed when it came up.
type started struct {
	URL   string // "Inhouse … is running at URL"
	Setup string // the one-time setup link, when no admin exists yet
}

func (s started) print(out io.Writer) {
	fmt.Fprintf(out, "Address: %s\n", s.URL)
	if s.Setup != "" {
		fmt.Fprintf(out, "No administrator yet. Open this one-time link to create one:\n  %s\n", s.Setup)
	} else {
		fmt.Fprintf(out, "An administrator exists already: sign in at %s\n", s.URL)
	}
}

// parseStarted reads the server's start-up lines (see server/cli/serve.go).
// ok is false until both the address line and the line after it are in.
func parseStarted(log string) (s started, ok bool) {
	signIn := false
	for _, line := range strings.Split(log, "\n") {
		line = strings.TrimSpace(line)
		if _, rest, found := strings.Cut(line, " is running at "); found && strings.HasPrefix(line, "Inhouse ") {
			s.URL, _, _ = strings.Cut(rest, " ")
		}
		if strings.Contains(line, "/setup?token=") && !strings.Contains(line, " ") {
			s.Setup = line
		}
		if strings.HasPrefix(line, "Sign in at ") {
			signIn = true
		}
	}
	return s, s.URL != "" && (s.Setup != "" || signIn)
}

// logSource reads what the current run of the service has logged so far;
// failed is set when that run has ended or been replaced by a restart.
type logSource func() (log string, failed bool)

// journalSource follows this run of the unit in the journal. The server
// prints the setup link only to its standard output, which systemd sends
// to the journal; the invocation ID keeps older runs' links out.
func journalSource() logSource {
	id := output("systemctl", "show", "-p", "InvocationID", "--value", ServiceName)
	return func() (string, bool) {
		args := []string{"-o", "cat", "--no-pager", "-n", "200"}
		if id != "" {
			args = append(args, "_SYSTEMD_INVOCATION_ID="+id)
		} else {
			args = append(args, "-u", ServiceName) // systemd older than 232
		}
		log := output("journalctl", args...)
		state := output("systemctl", "is-active", ServiceName)
		now := output("systemctl", "show", "-p", "InvocationID", "--value", ServiceName)
		return log, state == "failed" || (id != "" && now != id)
	}
}

// waitStarted polls src until the server has printed its address.
func waitStarted(src logSource, within time.Duration) (started, error) {
	deadline := time.Now().Add(within)
	for {
		log, failed := src()
		if s, ok := parseStarted(log); ok {
			return s, nil
		}
		if failed {
			return started{}, fmt.Errorf("the service stopped right after starting: %s", lastLines(log, 3))
		}
		if time.Now().After(deadline) {
			return started{}, fmt.Errorf("the service was started but did not report its address within %s; its log says: %s", within, lastLines(log, 3))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func lastLines(log string, n int) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	s := strings.Join(lines, " / ")
	if strings.TrimSpace(s) == "" {
		return "(nothing)"
	}
	return s
}
