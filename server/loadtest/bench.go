package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
)

// BenchOptions: every scenario at a size a 2-core machine runs in a few
// minutes, Runs times each, written to Out as Markdown.
type BenchOptions struct {
	Common
	Runs      int
	Out       string
	GoBench   string // output of `go test -bench` to include, if set
	Big       bool   // also 100,000 connections and 10 million messages
	ServerCPU int
	LoadCPU   int
	Archive   func(messages int) ArchiveOptions
	Command   string
}

// row is one figure against its target.
type row struct {
	scenario, figure, target string
	values                   []float64
	unit                     string
	lowerIsBetter            bool
	limit                    float64
	command                  string
}

func (r row) median() float64 { return Median(r.values) }

func (r row) meets() string {
	if len(r.values) == 0 {
		return "not run"
	}
	m := r.median()
	if (r.lowerIsBetter && m <= r.limit) || (!r.lowerIsBetter && m >= r.limit) {
		return "**yes**"
	}
	return "**no**"
}

func num(v float64, unit string) string {
	switch {
	case v >= 1000 && unit != "ms":
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	default:
		return fmt.Sprintf("%.2f %s", v, unit)
	}
}

// Bench runs the scenarios and writes the report.
func Bench(o BenchOptions, stdout io.Writer) error {
	if o.Runs <= 0 {
		o.Runs = 3
	}
	started := time.Now()
	loadBefore := loadAvg()
	var rows []*row
	var details strings.Builder
	add := func(r *row) *row { rows = append(rows, r); return r }
	say := func(format string, a ...any) {
		if strings.HasPrefix(format, "\n### ") {
			format = strings.TrimSuffix(format, "\n") + "\n\nLoad average before: " + loadAvg() + "\n"
		}
		fmt.Fprintf(stdout, format+"\n", a...)
		fmt.Fprintf(&details, format+"\n", a...)
	}
	failures := 0
	fail := func(what string, err error) {
		failures++
		say("- %s failed: %v", what, err)
	}

	idleSizes := []int{10_000}
	most := 0 // where 100,000 cannot be held: the most the open-file limit allows
	if lim := int(RaiseFileLimit(101_000)); lim > 11_000 && lim < 101_000 {
		most = lim/1000*1000 - 500
	}
	if o.Big {
		idleSizes = append(idleSizes, 100_000)
	} else if most > 0 {
		idleSizes = append(idleSizes, most)
	}
	for _, n := range idleSizes {
		r := add(&row{scenario: fmt.Sprintf("idle, %d connections", n), figure: "server RSS per connection", target: "≤ 12 KiB",
			unit: "KiB", lowerIsBetter: true, limit: 12, command: fmt.Sprintf("inhouse-load idle --conns %d", n)})
		if n == most {
			r.scenario += " (the most this machine's open files allow)"
			r.target, r.limit = "(none set)", 1e18
		}
		say("\n### idle, %d connections\n", n)
		for range o.Runs {
			res, err := Idle(IdleOptions{Common: o.Common, Conns: n})
			if err != nil {
				fail("idle", err)
				continue
			}
			r.values = append(r.values, res.PerConn/1024)
			say("- %s", res)
		}
	}

	say("\n### fan-out, one channel of 1,000 members\n")
	fr := add(&row{scenario: "fan-out, 1,000 members", figure: "deliveries/s at p99 ≤ 50 ms, no loss", target: "≥ 150,000/s",
		unit: "/s", limit: 150_000, command: "inhouse-load fanout --members 1000 --senders 20 --step 2s"})
	fp := add(&row{scenario: "fan-out, 1,000 members", figure: "p99 at that rate", target: "≤ 50 ms", unit: "ms", lowerIsBetter: true,
		limit: 50, command: fr.command})
	for range o.Runs {
		res, err := Fanout(FanoutOptions{Common: o.Common, Members: 1000, Senders: 20, Step: 2 * time.Second})
		if err != nil {
			fail("fan-out", err)
			continue
		}
		say("```\n%s\n```", res)
		if res.Best != nil {
			fr.values = append(fr.values, res.Best.PerSecond)
			fp.values = append(fp.values, msf(res.Best.Latency.P99))
		} else {
			fr.values = append(fr.values, 0)
		}
	}

	say("\n### latency, 20 messages a second into 1,000 members, open loop\n")
	lp50 := add(&row{scenario: "latency, 20 msg/s × 1,000", figure: "p50 delivery", target: "≤ 10 ms", unit: "ms", lowerIsBetter: true,
		limit: 10, command: "inhouse-load latency --members 1000 --rate 20 --duration 10s"})
	lp99 := add(&row{scenario: "latency, 20 msg/s × 1,000", figure: "p99 delivery", target: "≤ 20 ms", unit: "ms", lowerIsBetter: true,
		limit: 20, command: lp50.command})
	for range o.Runs {
		s, err := Latency(LatencyOptions{Common: o.Common, Members: 1000, Rate: 20, Duration: 10 * time.Second})
		if err != nil {
			fail("latency", err)
			continue
		}
		say("- %s", s)
		lp50.values = append(lp50.values, msf(s.Latency.P50))
		lp99.values = append(lp99.values, msf(s.Latency.P99))
	}

	say("\n### latency with 20 uploads, 20 messages a second into 1,000 members\n")
	say("One room per run: a 10 s step without uploads, then a 10 s step of the same rate while 20 other members")
	say("each upload 32 MiB files back to back (fresh bytes every time, at most 30 a minute in bursts of 10, as the")
	say("server allows). The ratio is each run's own (with ÷ without); the row shows the median of those.\n")
	ucmd := "inhouse-load latency --members 1000 --rate 20 --duration 10s --uploads 20"
	u0 := add(&row{scenario: "latency, 20 msg/s × 1,000, 20 uploads", figure: "p99 delivery without uploads", target: "(none set)", unit: "ms",
		lowerIsBetter: true, limit: 1e18, command: ucmd})
	u1 := add(&row{scenario: u0.scenario, figure: "p99 delivery with 20 uploads", target: "(none set)", unit: "ms", lowerIsBetter: true, limit: 1e18, command: ucmd})
	ur := add(&row{scenario: u0.scenario, figure: "p99 with 20 uploads ÷ without", target: "≤ 1.2", unit: "×", lowerIsBetter: true, limit: 1.2, command: ucmd})
	for range o.Runs {
		res, err := LatencyWithUploads(UploadLatencyOptions{LatencyOptions: LatencyOptions{Common: o.Common, Members: 1000, Rate: 20, Duration: 10 * time.Second},
			Uploaders: 20, FileSize: 32 << 20})
		if err != nil {
			fail("latency with uploads", err)
			continue
		}
		say("```\n%s\n```", res)
		u0.values = append(u0.values, msf(res.Without.Latency.P99))
		u1.values = append(u1.values, msf(res.With.Latency.P99))
		ur.values = append(ur.values, res.Ratio)
	}

	say("\n### upload, one file of 1 GiB, against cp\n")
	say("Each run writes a fresh 1 GiB source next to the data folder (the same disk), copies it with cp and syncs the")
	say("copy, then uploads it over HTTP (answered only once the file is synced); twice, with fresh bytes each time,")
	say("and the figures are the second round's (the first warms the caches). The server's RSS is read every 20 ms.\n")
	upcmd := "inhouse-load upload --size 1GiB"
	upr := add(&row{scenario: "upload, 1 GiB", figure: "upload ÷ cp (MB/s)", target: "≥ 0.8", unit: "×", limit: 0.8, command: upcmd})
	upu := add(&row{scenario: upr.scenario, figure: "upload MB/s", target: "(none set)", unit: "MB/s", command: upcmd})
	upc := add(&row{scenario: upr.scenario, figure: "cp MB/s (then fsync)", target: "(none set)", unit: "MB/s", command: upcmd})
	upm := add(&row{scenario: upr.scenario, figure: "server RSS rise while uploading (peak − before)", target: "< 64 MiB", unit: "MiB",
		lowerIsBetter: true, limit: math.Nextafter(64, 0), command: upcmd})
	for range o.Runs {
		res, err := Upload(UploadOptions{Common: o.Common, Size: 1 << 30})
		if err != nil {
			fail("upload", err)
			continue
		}
		say("```\n%s\n```", res)
		l := res.Counted()
		upr.values = append(upr.values, l.Ratio)
		upu.values = append(upu.values, l.UploadMBps)
		upc.values = append(upc.values, l.CPMBps)
		upm.values = append(upm.values, mib(l.RSSRise))
	}

	say("\n### durable, 64 senders, each waiting for its ack\n")
	say("Each run is followed by the floor: the same load against the least any durable server must do")
	say("(read a frame from TCP, append it to a file, one sync per batch, write an ack; no WebSocket,")
	say("JSON, database, hash chain or index). It is this machine's limit for the scenario.\n")
	dcmd := "inhouse-load durable --senders 64 --duration 5s"
	dr := add(&row{scenario: "durable, 64 senders", figure: "acknowledged messages/s", target: "≥ 30,000/s", unit: "/s", limit: 30_000, command: dcmd})
	dp := add(&row{scenario: "durable, 64 senders", figure: "p99 ack", target: "≤ 5 ms", unit: "ms", lowerIsBetter: true, limit: 5, command: dcmd})
	dx := add(&row{scenario: "durable, 64 senders", figure: "group commit ÷ one sync per message", target: "≥ 8×", unit: "×", limit: 8, command: dcmd})
	dc := add(&row{scenario: "durable, 64 senders", figure: "server CPU per acknowledged message", target: "(none set)", unit: "µs", lowerIsBetter: true, limit: 1e18, command: dcmd})
	da := add(&row{scenario: "durable, 64 senders", figure: "allocated per acknowledged message", target: "(none set)", unit: "B", lowerIsBetter: true, limit: 1e18, command: dcmd})
	fcmd := "inhouse-load floor --senders 64 --duration 5s"
	flr := add(&row{scenario: "floor, 64 senders", figure: "acknowledged messages/s", target: "(none set)", unit: "/s", command: fcmd})
	flp := add(&row{scenario: "floor, 64 senders", figure: "p99 ack", target: "(none set)", unit: "ms", lowerIsBetter: true, limit: 1e18, command: fcmd})
	flx := add(&row{scenario: "floor, 64 senders", figure: "durable acked/s ÷ the floor's (same run pair)", target: "(none set)", unit: "×", command: dcmd + "; " + fcmd})
	for range o.Runs {
		res, err := Durable(DurableOptions{Common: o.Common, Senders: 64, Duration: 5 * time.Second, Compare: true})
		if err != nil {
			fail("durable", err)
			continue
		}
		say("```\n%s\n```", res)
		// The floor right after, so each pair shares the machine's mood.
		if fl, err := Floor(DurableOptions{Common: o.Common, Senders: 64, Duration: 5 * time.Second}); err != nil {
			fail("floor", err)
		} else {
			say("```\n%s\n```", fl)
			flr.values = append(flr.values, fl.PerSecond)
			flp.values = append(flp.values, msf(fl.Ack.P99))
			flx.values = append(flx.values, res.Group.PerSecond/fl.PerSecond)
		}
		dr.values = append(dr.values, res.Group.PerSecond)
		dp.values = append(dp.values, msf(res.Group.Ack.P99))
		dx.values = append(dx.values, res.Ratio)
		dc.values = append(dc.values, float64(res.Group.CPUPerMsg)/float64(time.Microsecond))
		da.values = append(da.values, res.Group.Commit.AllocBytes)
	}

	sizes := []int{1_000_000}
	if o.Big {
		sizes = append(sizes, 10_000_000)
	}
	for _, n := range sizes {
		say("\n### archive, %d messages\n", n)
		cmd := fmt.Sprintf("inhouse-load archive --messages %d", n)
		ao := add(&row{scenario: fmt.Sprintf("archive, %d messages", n), figure: "open time", target: "< 10 s", unit: "s", lowerIsBetter: true, limit: 10, command: cmd})
		am := add(&row{scenario: ao.scenario, figure: "peak RSS while opening", target: "< 1 GiB", unit: "MiB", lowerIsBetter: true, limit: 1024, command: cmd})
		as := add(&row{scenario: ao.scenario, figure: "search p99", target: "(none set)", unit: "ms", lowerIsBetter: true, limit: 1e18, command: cmd})
		if n > 1_000_000 {
			ao.target, am.target, ao.limit, am.limit = "(none set)", "(none set)", 1e18, 1e18
		}
		for range o.Runs {
			res, err := Archive(o.Archive(n))
			if err != nil {
				fail("archive", err)
				continue
			}
			say("- %s", res)
			ao.values = append(ao.values, res.Probe.Open.Seconds())
			am.values = append(am.values, mib(res.Probe.PeakRSS))
			as.values = append(as.values, msf(res.Probe.Search.P99))
		}
	}

	var b strings.Builder
	writeReport(&b, o, rows, details.String(), time.Since(started), loadBefore)
	if o.Out == "" || o.Out == "-" {
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	if err := os.WriteFile(o.Out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", o.Out)
	if failures > 0 {
		return fmt.Errorf("%d runs failed (see %s)", failures, o.Out)
	}
	return nil
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadAvg is the 1, 5 and 15 minute load averages: on a shared machine,
// a figure taken under another's load is not the server's own.
func loadAvg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func writeReport(b *strings.Builder, o BenchOptions, rows []*row, details string, took time.Duration, loadBefore string) {
	fmt.Fprintf(b, "# Inhouse performance\n\n")
	fmt.Fprintf(b, "Written by `make bench` (`server/loadtest/bench.sh`) on %s in %s. Each figure is the median of %d runs; "+
		"every run starts a fresh server over a fresh data folder. The server runs as a process of its own (`inhouse-load server`: "+
		"`inhouse serve`'s server with the per-person send limit lifted) pinned to CPU %s, the load generator to CPU %s, "+
		"both on loopback with real accounts, sessions and WebSockets. How each scenario works: `docs/loadtest.md`; "+
		"what was changed to reach these figures, with profiles: `docs/tuning.md`.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), took.Round(time.Second), o.Runs, cpuName(o.ServerCPU), cpuName(o.LoadCPU))
	fmt.Fprintf(b, "## Figures against the targets\n\n")
	fmt.Fprintf(b, "| Scenario | Figure | Target | Median | Runs | Met | Reproduce |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		var vs []string
		for _, v := range r.values {
			vs = append(vs, num(v, r.unit))
		}
		med := "—"
		if len(r.values) > 0 {
			med = num(r.median(), r.unit)
		}
		met := r.meets()
		if r.target == "(none set)" {
			met = "—"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | `%s` |\n", r.scenario, r.figure, r.target, med, strings.Join(vs, ", "), met, r.command)
	}
	if !o.Big {
		fmt.Fprintf(b, "\nNot in this run: 100,000 idle connections and 10 million stored messages (`make bench BENCH_BIG=1`).")
		if lim := RaiseFileLimit(101_000); lim > 0 && lim < 101_000 {
			fmt.Fprintf(b, " This machine cannot hold 100,000 connections at all: the server's open-file limit is %d and cannot be raised here, and every connection is a file; the idle row with the most connections it allows shows how memory grows towards them.", lim)
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintf(b, "\n## Machine\n\n")
	fmt.Fprintf(b, "- CPUs: %d (%s)\n", runtime.NumCPU(), cpuModel())
	fmt.Fprintf(b, "- Kernel: %s\n", strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")))
	fmt.Fprintf(b, "- Go: %s\n", runtime.Version())
	fmt.Fprintf(b, "- Memory: %s\n", memTotal())
	fmt.Fprintf(b, "- Open-file limit during the run: %d\n", RaiseFileLimit(0))
	fmt.Fprintf(b, "- Load average (1, 5, 15 min) at the start: %s; at the end: %s. Above 2 on this machine, other work shared the CPUs and the latencies include waiting for them.\n", loadBefore, loadAvg())
	fmt.Fprintf(b, "- Command: `%s`\n", o.Command)
	fmt.Fprintf(b, "\n## Runs\n%s", details)
	if o.GoBench != "" {
		if data, err := os.ReadFile(o.GoBench); err == nil {
			fmt.Fprintf(b, "\n## Go benchmarks\n\n`go test -run '^$' -bench . -benchtime 2s -count 3 ./server/...` (in-process: server and load share both CPUs):\n\n```\n")
			sc := bufio.NewScanner(strings.NewReader(string(data)))
			for sc.Scan() {
				l := sc.Text()
				if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "goos") || strings.HasPrefix(l, "cpu:") || strings.HasPrefix(l, "pkg:") {
					fmt.Fprintln(b, l)
				}
			}
			fmt.Fprintf(b, "```\n")
		}
	}
}

func cpuName(c int) string {
	if c < 0 {
		return "(not pinned)"
	}
	return fmt.Sprint(c)
}

func readFile(p string) string {
	data, _ := os.ReadFile(p)
	return string(data)
}

func cpuModel() string {
	for line := range strings.Lines(readFile("/proc/cpuinfo")) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown model"
}

func memTotal() string {
	for line := range strings.Lines(readFile("/proc/meminfo")) {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
