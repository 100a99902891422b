package loadtest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// maxSteps bounds the steps of one run (rates tried by the fan-out search).
const maxSteps = 32

// room is one channel whose every member is connected; the first Senders
// members also send.
type room struct {
	w       *world
	channel string
	conns   []*websocket.Conn
	recv    []*receiver
	closed  atomic.Int64
	senders int
	text    string
}

// receiver is what one member's reader saw, per step.
type receiver struct {
	mu     sync.Mutex
	lat    [maxSteps]Latencies
	acks   [maxSteps]int
	errn   [maxSteps]int // error frames answering this step's sends
	errs   map[string]int
	closed error
}

// Step is one rate held for a while.
type Step struct {
	Rate       float64        `json:"rate"`       // messages a second scheduled
	Sent       int            `json:"sent"`       // messages sent
	Acked      int            `json:"acked"`      // of them acknowledged
	Deliveries int            `json:"deliveries"` // messages received, over all members
	PerSecond  float64        `json:"per_second"` // deliveries a second (received / step time)
	Lost       int            `json:"lost"`       // deliveries expected but not received
	Errors     map[string]int `json:"errors"`     // error frames by code
	Latency    Summary        `json:"latency"`    // from scheduled send to receipt
	Behind     time.Duration  `json:"behind"`     // how late the senders fell behind schedule at worst
	Duration   time.Duration  `json:"duration"`
	ServerCPU  float64        `json:"server_cpu"` // cores the server used, on average
	LoadCPU    float64        `json:"load_cpu"`   // cores this load generator used
}

func (s Step) String() string {
	return fmt.Sprintf("%6.0f msg/s -> %8.0f deliveries/s  latency %s  lost %d  errors %v  sender behind %s  CPU: server %.0f%% load %.0f%%",
		s.Rate, s.PerSecond, s.Latency, s.Lost, s.Errors, ms(s.Behind), 100*s.ServerCPU, 100*s.LoadCPU)
}

// openRoom provisions a channel of members people and connects them all.
func openRoom(c Common, name string, members, senders int, so ServerOptions) (*room, error) {
	return openRoomFiles(c, name, members, senders, 0, so)
}

// openRoomFiles is openRoom in an office whose largest file is maxFileMB
// (0: the default).
func openRoomFiles(c Common, name string, members, senders, maxFileMB int, so ServerOptions) (*room, error) {
	RaiseFileLimit(uint64(members) + 4096)
	all := make([]int, members)
	for i := range all {
		all[i] = i
	}
	w, err := start(c, name, Plan{People: members, Channels: []ChannelPlan{{Name: name, Members: all}}, MaxFileMB: maxFileMB}, so)
	if err != nil {
		return nil, err
	}
	conns, err := dialAll(w.target.URL, w.fx.Tokens, 64)
	if err != nil {
		w.stop()
		return nil, err
	}
	r := &room{w: w, channel: w.fx.Channels[0], conns: conns, senders: max(1, min(senders, members)),
		// About the size of an ordinary office message (the peer's
		// figures were taken with 100-byte payloads).
		text: "Could someone check the invoice for the Lisbon order before noon? Thanks, I owe you a coffee."}
	r.recv = make([]*receiver, members)
	for i, conn := range conns {
		rv := &receiver{errs: map[string]int{}}
		r.recv[i] = rv
		go func() {
			err := readFrames(conn, func(f []byte) {
				now := time.Now()
				switch string(field(f, "type")) {
				case "message":
					step, sched, err := parseID(field(f, "id"))
					if err != nil || step >= maxSteps {
						return
					}
					rv.mu.Lock()
					rv.lat[step] = append(rv.lat[step], now.Sub(sched))
					rv.mu.Unlock()
				case "ack":
					if step, _, err := parseID(field(f, "id")); err == nil && step < maxSteps {
						rv.mu.Lock()
						rv.acks[step]++
						rv.mu.Unlock()
					}
				case "error":
					rv.mu.Lock()
					rv.errs[string(field(f, "code"))]++
					if step, _, err := parseID(field(f, "id")); err == nil && step < maxSteps {
						rv.errn[step]++
					}
					rv.mu.Unlock()
				}
			})
			rv.mu.Lock()
			rv.closed = err
			rv.mu.Unlock()
			r.closed.Add(1)
		}()
	}
	return r, nil
}

func (r *room) close() error {
	closeAll(r.conns)
	return r.w.stop()
}

// run holds rate messages a second for d, open loop: message n is due at
// start + n/rate whether or not earlier ones were answered, and its
// latency counts from then, so a stalled server cannot hide its stall by
// slowing the senders down. Then it waits up to drain for the stragglers.
func (r *room) run(step int, rate float64, d, drain time.Duration) Step {
	total := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(20 * time.Millisecond)
	serverCPU, loadCPU := r.w.target.CPU(), procCPU(selfPID)
	var sent atomic.Int64
	var behind atomic.Int64
	var wg sync.WaitGroup
	for k := range r.senders {
		wg.Go(func() {
			conn := r.conns[k]
			for n := k; n < total; n += r.senders {
				due := start.Add(time.Duration(n) * interval)
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait)
				} else if late := -wait; late > time.Duration(behind.Load()) {
					behind.Store(int64(late))
				}
				if sendFrame(conn, r.channel, messageID(step, due, n), r.text) != nil {
					return
				}
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	sentN := int(sent.Load())
	// Wait until every send is answered (ack or error) and every acked
	// message reached every member, or drain passes.
	tally := func() (answered, acked, got int) {
		for _, rv := range r.recv {
			rv.mu.Lock()
			answered += rv.acks[step] + rv.errn[step]
			acked += rv.acks[step]
			got += len(rv.lat[step])
			rv.mu.Unlock()
		}
		return
	}
	waitFor(drain, func() bool {
		answered, acked, got := tally()
		return (answered >= sentN && got >= acked*len(r.recv)) || r.closed.Load() > 0
	})
	elapsed := time.Since(start)
	serverCPU, loadCPU = r.w.target.CPU()-serverCPU, procCPU(selfPID)-loadCPU
	res := Step{ServerCPU: serverCPU.Seconds() / elapsed.Seconds(), LoadCPU: loadCPU.Seconds() / elapsed.Seconds(),
		Rate: rate, Sent: sentN, Errors: map[string]int{}, Behind: time.Duration(behind.Load()), Duration: elapsed}
	var all []Latencies
	for _, rv := range r.recv {
		rv.mu.Lock()
		all = append(all, rv.lat[step])
		res.Acked += rv.acks[step]
		for code, n := range rv.errs {
			res.Errors[code] += n
		}
		clear(rv.errs)
		if rv.closed != nil {
			res.Errors["closed"]++
		}
		rv.mu.Unlock()
	}
	lat := Merge(all...)
	res.Deliveries = len(lat)
	res.Lost = max(0, res.Acked*len(r.recv)-len(lat))
	if answered, _, _ := tally(); answered < sentN {
		res.Errors["unanswered"] = sentN - answered
	}
	// Deliveries a second over the sending time: the rate the server kept
	// up with (a server that falls behind shows in latency and loss).
	res.PerSecond = float64(len(lat)) / max(d.Seconds(), 1e-9)
	res.Latency = lat.Summarize()
	return res
}
