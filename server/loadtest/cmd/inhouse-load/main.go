// Command inhouse-load drives the load-test scenarios of package loadtest
// against a real Inhouse server on this machine's loopback. It is a binary
// of its own, built by `make bench`, so that the product binary (inhouse)
// does not carry the harness. How each scenario works: docs/loadtest.md.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"inhouse/server/loadtest"
)

const usage = `usage: inhouse-load SCENARIO [flags]

scenarios:
  idle     [--conns 10000]                      server memory per idle connection
  fanout   [--members 1000] [--senders 20] [--rates 25,50,...] [--step 3s]
                                                highest deliveries/s with p99 <= 50 ms and no loss
  latency  [--members 1000] [--rate 20] [--duration 10s] [--uploads N] [--upload-size 32MiB]
                                                p50/p99 at a steady rate, open loop; with --uploads,
                                                a step without uploads, then one while N other
                                                members upload files back to back, and the p99 ratio
  upload   [--size 1GiB]                        one large upload against cp on the same disk:
                                                MB/s of both, server RSS before and at peak
  durable  [--senders 64] [--duration 5s] [--compare=true]
                                                acked/s with group commit, and against a sync per message
  floor    [--senders 64] [--duration 5s]       the durable load against a bare TCP+append+fsync
                                                server: the most this machine can do
  archive  [--messages 1000000] [--archive DIR] [--queries 300]
                                                open time, memory and search latency of a big archive
  bench    [--runs 3] [--out docs/performance.md] [--gobench FILE] [--big]
                                                every scenario, median of the runs, written as Markdown

flags for every scenario (after the scenario name):
  --cpus S,L       server on CPU S, this tool on CPU L (default 0,1; "none" leaves both unpinned)
  --inprocess      run the server inside this process (no pinning; memory then includes the load)
  --stock          run the product's own 'inhouse serve', with the office's send limits
  --inhouse PATH   the product binary --stock runs (default bin/inhouse)
  --dir DIR        parent of the throw-away data folders (default: the system's temp)
  --keep           keep those folders afterwards
  --cpuprofile F, --memprofile F   pprof profiles of the server, written when it stops
  --json           print the result as JSON
  --quiet          no progress lines on stderr

server, floor-server and archive-probe are the children this tool starts
itself; they are not meant to be run by hand.`

// usageError is a bad command line; it exits 2 where other failures exit 1.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// scenarios are the names accepted as the first argument; the last three
// are the child processes the tool runs as itself.
var scenarios = map[string]bool{
	"idle": true, "fanout": true, "latency": true, "upload": true, "durable": true, "floor": true, "archive": true, "bench": true,
	"server": true, "floor-server": true, "archive-probe": true,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one command line and returns the exit status, so that every
// error leaves the same way: one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	err := command(args, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "inhouse-load: "+strings.ReplaceAll(err.Error(), "\n", " "))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func command(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usagef("no scenario given")
	}
	scenario := args[0]
	switch {
	case scenario == "help" || scenario == "--help" || scenario == "-h":
		fmt.Fprintln(stdout, usage)
		return nil
	case strings.HasPrefix(scenario, "-"):
		// flag stops at the first non-flag, so the scenario must lead.
		return usagef("the scenario comes first: inhouse-load SCENARIO [flags] (try: inhouse-load help)")
	case !scenarios[scenario]:
		// Checked before anything is pinned or started.
		return usagef("unknown scenario %q (try: inhouse-load help)", scenario)
	}

	f := flag.NewFlagSet("inhouse-load "+scenario, flag.ContinueOnError)
	// The flag package's own error and usage output would bypass the
	// one-line error format; parse errors are reported below instead.
	f.SetOutput(io.Discard)
	cpus := f.String("cpus", "0,1", "server CPU,load CPU or none")
	inproc := f.Bool("inprocess", false, "server in this process")
	stock := f.Bool("stock", false, "the real serve command with office limits")
	inhouse := f.String("inhouse", "bin/inhouse", "the product binary --stock runs")
	dir := f.String("dir", "", "parent of data folders")
	keep := f.Bool("keep", false, "keep data folders")
	cpuprof := f.String("cpuprofile", "", "server CPU profile")
	memprof := f.String("memprofile", "", "server heap profile")
	asJSON := f.Bool("json", false, "JSON output")
	quiet := f.Bool("quiet", false, "no progress lines")
	conns := f.Int("conns", 10000, "idle: connections")
	members := f.Int("members", 1000, "fanout/latency: channel members")
	senders := f.Int("senders", 0, "senders (fanout 20, latency 1, durable 64)")
	rates := f.String("rates", "", "fanout: messages a second to try, ascending")
	step := f.Duration("step", 3*time.Second, "fanout: time at each rate")
	rate := f.Float64("rate", 20, "latency: messages a second")
	uploads := f.Int("uploads", 0, "latency: members uploading during a second step (0: none)")
	uploadSize := f.String("upload-size", "32MiB", "latency --uploads: size of each file")
	size := f.String("size", "1GiB", "upload: size of the file")
	duration := f.Duration("duration", 0, "latency 10s, durable 5s")
	compare := f.Bool("compare", true, "durable: also run with one sync per message")
	messages := f.Int("messages", 1_000_000, "archive: stored messages")
	archiveDir := f.String("archive", "", "archive: data folder, reused if it holds the same archive")
	queries := f.Int("queries", 300, "archive: searches")
	runs := f.Int("runs", 3, "bench: runs of each scenario")
	out := f.String("out", "docs/performance.md", "bench: Markdown file to write")
	gobench := f.String("gobench", "", "bench: 'go test -bench' output to include")
	big := f.Bool("big", false, "bench: also 100,000 idle connections and 10 million messages")
	data := f.String("data", "", "server/floor-server/archive-probe: data folder")
	addr := f.String("addr", "127.0.0.1:0", "server: address")
	syncPer := f.Bool("sync-per-message", false, "server: one disk sync per message")
	if err := f.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		return usagef("%s: %v", scenario, err)
	}
	if f.NArg() > 0 {
		return usagef("%s takes flags only, no arguments (got %q)", scenario, f.Arg(0))
	}
	so := loadtest.ServerOptions{Stock: *stock, SyncPerMessage: *syncPer, CPUProfile: abs(*cpuprof), MemProfile: abs(*memprof)}

	// The children: this same binary, started by the scenarios below.
	switch scenario {
	case "server":
		if *addr != "127.0.0.1:0" {
			return usagef("server listens on a free loopback port only")
		}
		if *data == "" {
			return usagef("server needs --data DIR")
		}
		return loadtest.Serve(*data, so, stdout)
	case "floor-server":
		if *data == "" {
			return usagef("floor-server needs --data DIR")
		}
		return loadtest.FloorServe(*data, stdout)
	case "archive-probe":
		if *data == "" {
			return usagef("archive-probe needs --data DIR")
		}
		p, err := loadtest.ProbeArchive(*data, *queries)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(p)
	}

	// A missing product binary is found now, not after minutes of
	// provisioning. floor and archive never start it.
	if *stock && !*inproc && scenario != "floor" && scenario != "archive" {
		if _, err := loadtest.StockBinary(*inhouse); err != nil {
			return err
		}
	}

	serverCPU, loadCPU := -1, -1
	if *cpus != "none" && !*inproc {
		s, l, ok := strings.Cut(*cpus, ",")
		a, err1 := strconv.Atoi(s)
		b, err2 := strconv.Atoi(l)
		if !ok || err1 != nil || err2 != nil || a < 0 || b < 0 {
			return usagef("--cpus: want SERVER,LOAD such as 0,1, or none")
		}
		serverCPU, loadCPU = a, b
		if err := loadtest.PinSelf(loadCPU); err != nil {
			return err
		}
	}
	// The servers under test are this binary's own child commands.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	c := loadtest.Common{Server: so, Dir: *dir, Keep: *keep}
	if !*quiet {
		c.Log = stderr
	}
	if *inproc {
		c.Launcher = loadtest.InProcess{}
	} else {
		c.Launcher = loadtest.Child{Exe: exe, Stock: *inhouse, CPU: serverCPU}
	}
	archiveOpts := func(n int) loadtest.ArchiveOptions {
		d := *archiveDir
		if d == "" {
			// A fixed name per size, so later runs reuse the archive.
			d = filepath.Join(os.TempDir(), fmt.Sprintf("inhouse-loadtest-archive-%d", n))
		}
		ao := loadtest.ArchiveOptions{Dir: d, Messages: n, Queries: *queries, CPU: serverCPU}
		if !*inproc {
			ao.Exe = exe
		}
		if !*quiet {
			ao.Log = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
		}
		return ao
	}

	var res fmt.Stringer
	switch scenario {
	case "idle":
		res, err = loadtest.Idle(loadtest.IdleOptions{Common: c, Conns: *conns})
	case "fanout":
		fo := loadtest.FanoutOptions{Common: c, Members: *members, Senders: *senders, Step: *step}
		if *rates != "" {
			for _, r := range strings.Split(*rates, ",") {
				v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
				if err != nil || v <= 0 {
					return usagef("--rates: %q is not a rate", r)
				}
				fo.Rates = append(fo.Rates, v)
			}
		}
		res, err = loadtest.Fanout(fo)
	case "latency":
		lo := loadtest.LatencyOptions{Common: c, Members: *members, Senders: *senders, Rate: *rate, Duration: *duration}
		if *uploads > 0 {
			fs, perr := loadtest.ParseSize(*uploadSize)
			if perr != nil {
				return usagef("--upload-size: %v", perr)
			}
			res, err = loadtest.LatencyWithUploads(loadtest.UploadLatencyOptions{LatencyOptions: lo, Uploaders: *uploads, FileSize: fs})
		} else {
			res, err = loadtest.Latency(lo)
		}
	case "upload":
		n, perr := loadtest.ParseSize(*size)
		if perr != nil {
			return usagef("--size: %v", perr)
		}
		res, err = loadtest.Upload(loadtest.UploadOptions{Common: c, Size: n})
	case "durable":
		res, err = loadtest.Durable(loadtest.DurableOptions{Common: c, Senders: *senders, Duration: *duration, Compare: *compare})
	case "floor":
		res, err = loadtest.Floor(loadtest.DurableOptions{Common: c, Senders: *senders, Duration: *duration})
	case "archive":
		res, err = loadtest.Archive(archiveOpts(*messages))
	case "bench":
		// The report records how it was made.
		cmdline := "inhouse-load " + strings.Join(args, " ")
		return loadtest.Bench(loadtest.BenchOptions{Common: c, Runs: *runs, Out: *out, GoBench: *gobench, Big: *big,
			ServerCPU: serverCPU, LoadCPU: loadCPU, Archive: archiveOpts, Command: cmdline}, stdout)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// abs makes a profile path independent of the working folder, so a child
// server writes it where the caller meant.
func abs(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
