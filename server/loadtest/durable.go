package loadtest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// DurableOptions: Senders people, each in a channel of its own, each
// sending its next message as soon as the last one is acknowledged, for
// Duration. With Compare the same run follows with one disk sync per
// message.
type DurableOptions struct {
	Common
	Senders  int
	Duration time.Duration
	Compare  bool
}

// defaults fills in 64 senders for 5 s.
func (o *DurableOptions) defaults() {
	if o.Senders <= 0 {
		o.Senders = 64
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
}

// DurableRun is one server mode's result.
type DurableRun struct {
	Mode      string  `json:"mode"`
	Acked     int     `json:"acked"`
	PerSecond float64 `json:"per_second"`
	Ack       Summary `json:"ack"` // from send to its ack
	// CPUPerMsg is the server's CPU time (user and system) per acknowledged
	// message.
	CPUPerMsg time.Duration  `json:"cpu_per_msg_ns"`
	Commit    CommitSummary  `json:"commit"`
	Errors    map[string]int `json:"errors"`
}

func (r DurableRun) String() string {
	return fmt.Sprintf("%-16s %8.0f acked/s  server CPU %.1f µs/msg  %s  ack %s  errors %v", r.Mode, r.PerSecond,
		float64(r.CPUPerMsg)/float64(time.Microsecond), r.Commit, r.Ack, r.Errors)
}

// DurableResult holds group commit and, when compared, one sync per message.
type DurableResult struct {
	Senders int         `json:"senders"`
	Group   DurableRun  `json:"group"`
	PerSync *DurableRun `json:"per_sync,omitempty"`
	Ratio   float64     `json:"ratio,omitempty"` // group ÷ per-sync acked/s
}

func (r DurableResult) String() string {
	s := fmt.Sprintf("durable: %d senders\n  %s", r.Senders, r.Group)
	if r.PerSync != nil {
		s += fmt.Sprintf("\n  %s\n  group commit is %.1f× one sync per message", *r.PerSync, r.Ratio)
	}
	return s
}

// Durable runs the durable scenario.
func Durable(o DurableOptions) (DurableResult, error) {
	o.defaults()
	res := DurableResult{Senders: o.Senders}
	so := o.Server
	so.SyncPerMessage = false
	g, err := durableRun(o, so, "group commit")
	if err != nil {
		return res, err
	}
	res.Group = g
	o.logf("durable: %s", g)
	if o.Compare {
		so.SyncPerMessage = true
		// The per-sync run gets no CPU profile: it would overwrite the
		// group-commit one.
		so.CPUProfile, so.MemProfile = "", ""
		p, err := durableRun(o, so, "sync per message")
		if err != nil {
			return res, err
		}
		o.logf("durable: %s", p)
		res.PerSync = &p
		if p.PerSecond > 0 {
			res.Ratio = g.PerSecond / p.PerSecond
		}
	}
	return res, nil
}

func durableRun(o DurableOptions, so ServerOptions, mode string) (DurableRun, error) {
	plan := Plan{People: o.Senders}
	for i := range o.Senders {
		plan.Channels = append(plan.Channels, ChannelPlan{Name: fmt.Sprintf("durable-%d", i), Members: []int{i}})
	}
	w, err := start(o.Common, "durable", plan, so)
	if err != nil {
		return DurableRun{}, err
	}
	defer w.stop()
	conns, err := dialAll(w.target.URL, w.fx.Tokens, 64)
	if err != nil {
		return DurableRun{}, err
	}
	defer closeAll(conns)
	run := DurableRun{Mode: mode, Errors: map[string]int{}}
	var (
		mu      sync.Mutex
		lats    = make([]Latencies, o.Senders)
		wg      sync.WaitGroup
		stop    atomic.Bool
		started = time.Now()
		cpu0    = w.target.CPU()
	)
	stats0, err := readServerStats(w.target.URL)
	if err != nil {
		return run, err
	}
	for i, conn := range conns {
		// One goroutine per sender sends and reads until the answer: a
		// lean client, so the figures are the server's.
		wg.Go(func() {
			buf := make([]byte, 0, 512)
			var armed time.Time
			fail := func(what string) {
				mu.Lock()
				run.Errors[what]++
				mu.Unlock()
			}
			for n := 0; !stop.Load(); n++ {
				t0 := time.Now()
				if t0.Sub(armed) > time.Second { // a timer change per second, not per message
					conn.SetReadDeadline(t0.Add(11 * time.Second))
					armed = t0
				}
				if sendFrame(conn, w.fx.Channels[i], messageID(0, t0, n), "a message of ordinary length for an office chat") != nil {
					fail("write")
					return
				}
				code, err := awaitAnswer(conn, &buf)
				switch {
				case err != nil:
					fail("no ack in 10 s")
					return
				case code != "":
					fail(code)
				default:
					lats[i] = append(lats[i], time.Since(t0))
				}
			}
		})
	}
	time.Sleep(o.Duration)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(started)
	cpu := w.target.CPU() - cpu0
	stats1, err := readServerStats(w.target.URL)
	if err != nil {
		return run, err
	}
	all := Merge(lats...)
	run.Acked = len(all)
	if run.Acked > 0 {
		run.CPUPerMsg = cpu / time.Duration(run.Acked)
	}
	run.PerSecond = float64(len(all)) / elapsed.Seconds()
	run.Ack = all.Summarize()
	run.Commit = summarizeCommits(stats0, stats1, elapsed, cpu, run.Acked)
	return run, nil
}

// awaitAnswer reads frames until the ack or error of the one send in
// flight: "" for an ack, else the error's code.
func awaitAnswer(conn *websocket.Conn, buf *[]byte) (string, error) {
	for {
		f, err := nextFrame(conn, *buf)
		*buf = f
		if err != nil {
			return "", err
		}
		switch string(field(f, "type")) {
		case "ack":
			return "", nil
		case "error":
			return string(field(f, "code")), nil
		}
	}
}
