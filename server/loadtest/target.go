package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"inhouse/server"
	"inhouse/server/chat"
)

// ServerOptions say how the server under test runs.
type ServerOptions struct {
	// Stock runs the real `inhouse serve` with the office limits (20 sends a
	// second per person): in a child, the product binary named by
	// Child.Stock. Otherwise the server runs with the per-person send limit
	// lifted, which a load generator needs.
	Stock bool
	// SyncPerMessage turns group commit off: one disk sync per message.
	SyncPerMessage bool
	// Floor runs the floor server (floor.go) instead of Inhouse.
	Floor bool
	// CPUProfile and MemProfile, if set, are written by a child server
	// (pprof format) when it stops.
	CPUProfile, MemProfile string
}

// LoadLimits are the office limits with the per-person send rate lifted
// and room for many connections; the slow-client queue stays as shipped.
func LoadLimits() chat.Limits {
	l := chat.DefaultLimits
	l.SendRate, l.SendBurst = 1e9, 1e9
	l.ReadRate, l.ReadBurst = 1e9, 1<<30
	l.MaxConns = 1 << 20
	return l
}

// Target is a running server under test.
type Target struct {
	URL    string
	PID    int    // the process whose memory is the server's
	Pinned string // the CPU list it runs on, or "" when unpinned
	stop   func() error
}

// Stop ends the server and waits for it.
func (t *Target) Stop() error { return t.stop() }

// RSS is the server process's resident memory in bytes.
func (t *Target) RSS() (int64, error) { return procRSS(t.PID) }

// CPU is the CPU time the server process has used.
func (t *Target) CPU() time.Duration { return procCPU(t.PID) }

// Launcher starts a server over a provisioned data folder.
type Launcher interface {
	Start(dir string, o ServerOptions) (*Target, error)
}

// Child runs the server as a child process, pinned to CPU with taskset when
// CPU >= 0.
type Child struct {
	// Exe is the inhouse-load binary (normally os.Executable()); its
	// `server` and `floor-server` commands are the servers under test.
	Exe string
	// Stock is the product binary (inhouse) whose `serve` runs when
	// ServerOptions.Stock is set: the load tool no longer lives in it, so
	// the two are separate files.
	Stock string
	CPU   int
	Log   io.Writer // the server's stderr; nil discards it
}

// Start implements Launcher.
func (c Child) Start(dir string, o ServerOptions) (*Target, error) {
	var args []string
	if o.Floor {
		args = []string{c.Exe, "floor-server", "--data", dir}
	} else if o.Stock {
		bin, err := StockBinary(c.Stock)
		if err != nil {
			return nil, err
		}
		args = []string{bin, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--tls", "off"}
	} else {
		args = []string{c.Exe, "server", "--data", dir, "--addr", "127.0.0.1:0"}
		if o.SyncPerMessage {
			args = append(args, "--sync-per-message")
		}
		if o.CPUProfile != "" {
			args = append(args, "--cpuprofile", o.CPUProfile)
		}
		if o.MemProfile != "" {
			args = append(args, "--memprofile", o.MemProfile)
		}
	}
	pinned := ""
	if c.CPU >= 0 {
		ts, err := exec.LookPath("taskset")
		if err != nil {
			return nil, errors.New("taskset is not installed: install util-linux or run with --cpus none")
		}
		pinned = strconv.Itoa(c.CPU)
		// taskset execs the server, so the pid stays the server's.
		args = append([]string{ts, "-c", pinned}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = c.Log
	// If the load tool dies, so does its server.
	cmd.SysProcAttr = dieWithParent()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	waited := make(chan error, 1)
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				u, _, _ := strings.Cut(sc.Text()[i:], " ")
				select {
				case url <- u:
				default:
				}
			}
		}
		waited <- cmd.Wait()
	}()
	t := &Target{PID: cmd.Process.Pid, Pinned: pinned}
	t.stop = func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-waited:
			return err
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-waited
			return errors.New("the server did not stop within 15 s")
		}
	}
	select {
	case t.URL = <-url:
		return t, nil
	case err := <-waited:
		return nil, fmt.Errorf("the server exited before listening: %v", err)
	case <-time.After(2 * time.Minute):
		t.stop()
		return nil, errors.New("the server did not start listening within 2 minutes")
	}
}

// StockBinary checks that path names a runnable product binary for --stock
// and returns it as it will be run. A name without a slash is looked up in
// PATH, as a shell would.
func StockBinary(path string) (string, error) {
	if path == "" {
		return "", errors.New("--stock needs the product binary: pass --inhouse PATH")
	}
	bin, err := exec.LookPath(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
		return "", fmt.Errorf("--stock runs the product binary %s, which does not exist: build it with `make build` or pass --inhouse PATH", path)
	}
	if err != nil {
		return "", fmt.Errorf("--stock runs the product binary %s, which cannot be run: %v", path, err)
	}
	return bin, nil
}

// InProcess runs the server inside this process: no pinning, and memory
// figures include the load generator. Tests and `--inprocess` use it.
type InProcess struct{}

// Start implements Launcher.
func (InProcess) Start(dir string, o ServerOptions) (*Target, error) {
	if o.Floor {
		fl, err := startFloor(dir)
		if err != nil {
			return nil, err
		}
		return &Target{URL: "http://" + fl.ln.Addr().String(), PID: os.Getpid(), stop: fl.stop}, nil
	}
	srv, url, err := openServer(dir, o)
	if err != nil {
		return nil, err
	}
	return &Target{URL: url, PID: os.Getpid(), stop: srv.Shutdown}, nil
}

// openServer opens and starts serving the data folder dir on a free
// loopback port.
func openServer(dir string, o ServerOptions) (*server.Server, string, error) {
	cfg := server.Config{Addr: "127.0.0.1:0", DataDir: dir, TLS: "off", Limits: LoadLimits(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if o.Stock {
		cfg.Limits = chat.DefaultLimits
	}
	srv, err := server.OpenTuned(cfg)
	if err != nil {
		return nil, "", err
	}
	srv.Store().SyncPerWrite.Store(o.SyncPerMessage)
	ln, err := srv.Listen()
	if err != nil {
		srv.Shutdown()
		return nil, "", err
	}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// procRSS is the resident memory of pid in bytes.
func procRSS(pid int) (int64, error) { return procStatus(pid, "VmRSS:") }

// procCPU is utime+stime of pid from /proc/pid/stat.
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields resume after its ')'.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// tempDir makes a fresh data folder under parent ("" for the system's).
func tempDir(parent, scenario string) (string, error) {
	if parent != "" {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return "", err
		}
	}
	return os.MkdirTemp(parent, "inhouse-loadtest-"+scenario+"-")
}
