package loadtest

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"inhouse/server"
)

// Serve runs the server under test for a child process: the data folder
// dir on a free loopback port, the URL printed to out, until SIGTERM or
// SIGINT. Unlike `inhouse serve` it lifts the per-person send limit (unless
// o.Stock) and can turn group commit off, so load generators measure the
// engine rather than the office's abuse limits.
func Serve(dir string, o ServerOptions, out io.Writer) error {
	server.TuneProcess() // as inhouse serve does
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	srv, url, err := openServer(dir, o)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	fmt.Fprintf(out, "load-test server listening at %s (data in %s)\n", url, dir)
	<-sig
	if o.MemProfile != "" {
		// Written before shutdown, so it shows what the connections held.
		if f, err := os.Create(o.MemProfile); err == nil {
			runtime.GC()
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	return srv.Shutdown()
}
