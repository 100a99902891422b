package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"inhouse/server/loadtest"
)

const loadtestUsage = `usage: inhouse loadtest SCENARIO [flags]
scenarios:
  idle     [--conns 10000]                      server memory per idle connection
  fanout   [--members 1000] [--senders 20] [--rates 25,50,...] [--step 3s]
                                                highest deliveries/s with p99 <= 50 ms, no loss
  latency  [--members 1000] [--rate 20] [--duration 10s]   p50/p99 at a steady rate, open loop
  durable  [--senders 64] [--duration 5s] [--compare=true]  acked/s, group commit vs a sync per message
  floor    [--senders 64] [--duration 5s]       the durable load against the least a durable server
                                                does (TCP, append, group fsync, ack): this machine's limit
  archive  [--messages 1000000] [--archive DIR] [--queries 300]   open time, memory, search latency
  bench    [--runs 3] [--out docs/performance.md] [--gobench FILE] [--big]
                                                every scenario, median of runs, written as Markdown
flags for all:
  --cpus S,L       pin the server to CPU S and this tool to CPU L (default 0,1; "none" to not pin)
  --inprocess      run the server inside this process (no pinning; memory figures include the load)
  --stock          run the real 'inhouse serve' with the office's send limits
  --dir DIR        where throw-away data folders go (default: the system's temp)
  --keep           keep them
  --cpuprofile F, --memprofile F   the server's CPU and heap profiles (pprof), written when it stops
  --json           print the result as JSON`

// loadtestCmd runs `inhouse loadtest`.
func loadtestCmd(args []string, env Env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, loadtestUsage)
		return nil
	}
	scenario := args[0]
	f := newFlags("loadtest " + scenario)
	cpus := f.String("cpus", "0,1", "server CPU,load CPU or none")
	inproc := f.Bool("inprocess", false, "server in this process")
	stock := f.Bool("stock", false, "the real serve command with office limits")
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
	duration := f.Duration("duration", 0, "latency 10s, durable 5s")
	compare := f.Bool("compare", true, "durable: also run with one sync per message")
	messages := f.Int("messages", 1_000_000, "archive: stored messages")
	archiveDir := f.String("archive", "", "archive: data folder, reused if it holds the same archive")
	queries := f.Int("queries", 300, "archive: searches")
	runs := f.Int("runs", 3, "bench: runs of each scenario")
	out := f.String("out", "docs/performance.md", "bench: Markdown file to write")
	gobench := f.String("gobench", "", "bench: 'go test -bench' output to include")
	big := f.Bool("big", false, "bench: also 100,000 idle connections and 10 million messages")
	data := f.String("data", "", "server/archive-probe: data folder")
	addr := f.String("addr", "127.0.0.1:0", "server: address")
	syncPer := f.Bool("sync-per-message", false, "server: one disk sync per message")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("loadtest %s takes no arguments (got %q)", scenario, pos[0])
	}
	so := loadtest.ServerOptions{Stock: *stock, SyncPerMessage: *syncPer, CPUProfile: abs(*cpuprof), MemProfile: abs(*memprof)}

	// The two commands the load tool runs as its children.
	switch scenario {
	case "server":
		if *addr != "127.0.0.1:0" {
			return usagef("loadtest server listens on a free loopback port only")
		}
		if *data == "" {
			return usagef("loadtest server needs --data DIR")
		}
		return loadtest.Serve(*data, so, env.Stdout)
	case "floor-server":
		if *data == "" {
			return usagef("loadtest floor-server needs --data DIR")
		}
		return loadtest.FloorServe(*data, env.Stdout)
	case "archive-probe":
		p, err := loadtest.ProbeArchive(*data, *queries)
		if err != nil {
			return err
		}
		return json.NewEncoder(env.Stdout).Encode(p)
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
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	c := loadtest.Common{Server: so, Dir: *dir, Keep: *keep}
	if !*quiet {
		c.Log = env.Stderr
	}
	if *inproc {
		c.Launcher = loadtest.InProcess{}
	} else {
		c.Launcher = loadtest.Child{Exe: exe, CPU: serverCPU}
	}
	archiveOpts := func(n int) loadtest.ArchiveOptions {
		d := *archiveDir
		if d == "" {
			d = filepath.Join(os.TempDir(), fmt.Sprintf("inhouse-loadtest-archive-%d", n))
		}
		ao := loadtest.ArchiveOptions{Dir: d, Messages: n, Queries: *queries, CPU: serverCPU}
		if !*inproc {
			ao.Exe = exe
		}
		if !*quiet {
			ao.Log = func(format string, a ...any) { fmt.Fprintf(env.Stderr, format+"\n", a...) }
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
		res, err = loadtest.Latency(loadtest.LatencyOptions{Common: c, Members: *members, Senders: *senders, Rate: *rate, Duration: *duration})
	case "durable":
		res, err = loadtest.Durable(loadtest.DurableOptions{Common: c, Senders: *senders, Duration: *duration, Compare: *compare})
	case "floor":
		res, err = loadtest.Floor(loadtest.DurableOptions{Common: c, Senders: *senders, Duration: *duration})
	case "archive":
		res, err = loadtest.Archive(archiveOpts(*messages))
	case "bench":
		cmdline := "inhouse loadtest " + strings.Join(args, " ")
		return loadtest.Bench(loadtest.BenchOptions{Common: c, Runs: *runs, Out: *out, GoBench: *gobench, Big: *big,
			ServerCPU: serverCPU, LoadCPU: loadCPU, Archive: archiveOpts, Command: cmdline}, env.Stdout)
	default:
		return usagef("loadtest: unknown scenario %q (try: inhouse loadtest help)", scenario)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintln(env.Stdout, res)
	return nil
}

// abs makes a profile path survive the child's working folder.
func abs(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
