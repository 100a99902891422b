//go:build windows

package install

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// IsWindowsService tells whether the service manager started this process.
func IsWindowsService() bool {
	ok, err := svc.IsWindowsService()
	return err == nil && ok
}

// windowsHome is %ProgramData%\Inhouse: the default data folder (data\) and
// the service log live there.
func windowsHome() string {
	pd := os.Getenv("ProgramData")
	if pd == "" {
		pd = `C:\ProgramData`
	}
	return filepath.Join(pd, "Inhouse")
}

// ServiceLog is where the service's output goes: a service has no console,
// so the address and the setup link are written here.
func ServiceLog() string { return filepath.Join(windowsHome(), "inhouse.log") }

// logLimit is the size at which the service log is rotated on start.
const logLimit = 10 << 20

// RunWindowsService runs the server under the service manager: run serves
// until stop is closed (on Stop or Shutdown) and writes its output to log.
func RunWindowsService(name string, run func(stop <-chan struct{}, log io.Writer) error) error {
	if err := os.MkdirAll(windowsHome(), 0o700); err != nil {
		return err
	}
	if fi, err := os.Stat(ServiceLog()); err == nil && fi.Size() > logLimit {
		os.Rename(ServiceLog(), ServiceLog()+".1")
	}
	f, err := os.OpenFile(ServiceLog(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	h := &handler{run: run, log: f}
	if err := svc.Run(name, h); err != nil {
		fmt.Fprintf(f, "inhouse: the service manager refused to run the service: %v\n", err)
		return err
	}
	return h.err
}

type handler struct {
	run func(stop <-chan struct{}, log io.Writer) error
	log io.Writer
	err error
}

func (h *handler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- h.run(stop, h.log) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			return h.finish(err)
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				// The server stops within 10 s; the hint covers that.
				status <- svc.Status{State: svc.StopPending, WaitHint: 15000}
				close(stop)
				return h.finish(<-done)
			}
		}
	}
}

// finish reports a failed run with a service-specific exit code, so the
// recovery actions set by install restart it.
func (h *handler) finish(err error) (bool, uint32) {
	h.err = err
	if err != nil {
		fmt.Fprintf(h.log, "inhouse: %v\n", err)
		return true, 1
	}
	return false, 0
}

func connect() (*mgr.Mgr, error) {
	m, err := mgr.Connect()
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return nil, errors.New("this needs an administrator: run it from a prompt opened with \"Run as administrator\"")
	}
	return m, err
}

func installWindows(o Options, out io.Writer) error {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Data == "" {
		o.Data = filepath.Join(windowsHome(), "data")
	}
	if o.Binary == "" {
		o.Binary = filepath.Join(os.Getenv("ProgramFiles"), "Inhouse", "inhouse.exe")
	}
	if err := checkAddr(o.Addr); err != nil {
		return err
	}
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()

	// An upgrade: stop the old service first, Windows will not replace a
	// running executable.
	s, err := m.OpenService(ServiceName)
	if err == nil {
		defer s.Close()
		if err := stopService(s); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(o.Data, 0o700); err != nil {
		return err
	}
	// Only SYSTEM (the service) and Administrators may read the data folder.
	if err := run("icacls", o.Data, "/inheritance:r", "/grant:r", "*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F"); err != nil {
		return err
	}
	if err := placeBinary(o); err != nil {
		return err
	}
	args := []string{"serve", "--addr", o.Addr, "--data", o.Data}
	if o.TLS != "" {
		args = append(args, "--tls", o.TLS)
	}
	if o.Allow != "" {
		args = append(args, "--allow", o.Allow)
	}
	if s == nil {
		s, err = m.CreateService(ServiceName, o.Binary, mgr.Config{
			DisplayName: "Inhouse office messenger",
			Description: "The office messenger: chat, archive and admin console for the office network.",
			StartType:   mgr.StartAutomatic,
		}, args...)
		if err != nil {
			return err
		}
		defer s.Close()
	} else {
		cfg, err := s.Config()
		if err != nil {
			return err
		}
		cfg.BinaryPathName = windows.ComposeCommandLine(append([]string{o.Binary}, args...))
		cfg.StartType = mgr.StartAutomatic
		if err := s.UpdateConfig(cfg); err != nil {
			return err
		}
	}
	restart := mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: 5 * time.Second}
	if err := s.SetRecoveryActions([]mgr.RecoveryAction{restart, restart, restart}, 24*60*60); err != nil {
		return err
	}
	// Let the office network in (domain and private profiles, not public).
	_ = run("netsh", "advfirewall", "firewall", "delete", "rule", "name=Inhouse")
	_, port, _ := net.SplitHostPort(o.Addr)
	if err := run("netsh", "advfirewall", "firewall", "add", "rule", "name=Inhouse", "dir=in", "action=allow",
		"protocol=TCP", "localport="+port, "program="+o.Binary, "profile=domain,private"); err != nil {
		fmt.Fprintf(out, "warning: could not open port %s in Windows Firewall: %v\n", port, err)
	}

	var from int64
	if fi, err := os.Stat(ServiceLog()); err == nil {
		from = fi.Size()
	}
	if err := s.Start(); err != nil {
		return err
	}
	st, err := waitStarted(fileSource(ServiceLog(), from, s), startWait)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Inhouse is installed and running as the Windows service %s (data in %s).\n", ServiceName, o.Data)
	st.print(out)
	fmt.Fprintf(out, "Manage it in services.msc or with: sc.exe stop|start %s   Log: %s\n", ServiceName, ServiceLog())
	return nil
}

// fileSource reads the service log from offset on; the run has failed
// when the service is no longer running.
func fileSource(path string, from int64, s *mgr.Service) logSource {
	return func() (string, bool) {
		var text string
		if f, err := os.Open(path); err == nil {
			f.Seek(from, io.SeekStart)
			b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
			f.Close()
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
		st, err := s.Query()
		return text, err != nil || st.State == svc.Stopped
	}
}

// stopService asks s to stop and waits until it has.
func stopService(s *mgr.Service) error {
	st, err := s.Query()
	if err != nil {
		return err
	}
	if st.State == svc.Stopped {
		return nil
	}
	if st.State != svc.StopPending {
		if _, err := s.Control(svc.Stop); err != nil {
			return fmt.Errorf("stopping the service: %w", err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if st, err := s.Query(); err != nil || st.State == svc.Stopped {
			return err
		}
	}
	return errors.New("the service did not stop within 20 seconds")
}

func uninstallWindows(o Options, purge bool, out io.Writer) error {
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	data := filepath.Join(windowsHome(), "data")
	binary := filepath.Join(os.Getenv("ProgramFiles"), "Inhouse", "inhouse.exe")
	if s, err := m.OpenService(ServiceName); err == nil {
		// The installed command line says where the binary and data are.
		if cfg, err := s.Config(); err == nil {
			if args, err := windows.DecomposeCommandLine(cfg.BinaryPathName); err == nil && len(args) > 0 {
				binary = args[0]
				for i, a := range args {
					if (a == "--data" || a == "-data") && i+1 < len(args) {
						data = args[i+1]
					}
				}
			}
		}
		if err := stopService(s); err != nil {
			s.Close()
			return err
		}
		err = s.Delete()
		s.Close()
		if err != nil {
			return err
		}
	}
	_ = run("netsh", "advfirewall", "firewall", "delete", "rule", "name=Inhouse")
	if err := os.Remove(binary); err != nil && !os.IsNotExist(err) {
		return err
	}
	os.Remove(filepath.Dir(binary)) // only when empty
	fmt.Fprintf(out, "removed the %s service and %s\n", ServiceName, binary)
	if !purge {
		fmt.Fprintf(out, "kept the data folder %s; \"inhouse uninstall --purge\" removes it\n", data)
		return nil
	}
	if len(data) <= len(`C:\x`) {
		return fmt.Errorf("not purging %s: too close to a drive root", data)
	}
	if err := os.RemoveAll(data); err != nil {
		return err
	}
	for _, p := range []string{ServiceLog(), ServiceLog() + ".1"} {
		os.Remove(p)
	}
	os.Remove(windowsHome())
	fmt.Fprintf(out, "purged the data folder %s\n", data)
	return nil
}
