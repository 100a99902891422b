package loadtest

import (
	"fmt"
	"sync/atomic"
	"time"
)

// IdleOptions: Conns people, each with one connection, in channels of
// ChannelSize; one message into each channel, then the server's memory.
type IdleOptions struct {
	Common
	Conns       int
	ChannelSize int           // default 1000
	Settle      time.Duration // wait before sampling memory; default 2 s
}

// IdleResult is the server's memory with every connection open.
type IdleResult struct {
	Conns       int           `json:"conns"`
	BaseRSS     int64         `json:"base_rss"` // server after start, before any connection
	RSS         int64         `json:"rss"`      // after every connection got the broadcast
	PerConn     float64       `json:"per_conn"` // bytes per connection
	ConnectTime time.Duration `json:"connect_time"`
	Delivered   int64         `json:"delivered"`
	ClientRSS   int64         `json:"client_rss"` // the load generator's, for scale
}

func (r IdleResult) String() string {
	return fmt.Sprintf("idle: %d connections: server RSS %.1f MiB -> %.1f MiB, %.2f KiB per connection; connected in %s; %d deliveries of the broadcast",
		r.Conns, mib(r.BaseRSS), mib(r.RSS), r.PerConn/1024, r.ConnectTime.Round(time.Millisecond), r.Delivered)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// Idle runs the idle scenario.
func Idle(o IdleOptions) (IdleResult, error) {
	if o.ChannelSize <= 0 {
		o.ChannelSize = 1000
	}
	if o.Settle <= 0 {
		o.Settle = 2 * time.Second
	}
	RaiseFileLimit(uint64(o.Conns) + 4096)
	plan := Plan{People: o.Conns, Channels: groups("idle", o.Conns, o.ChannelSize)}
	w, err := start(o.Common, "idle", plan, o.Server)
	if err != nil {
		return IdleResult{}, err
	}
	defer w.stop()
	res := IdleResult{Conns: o.Conns}
	time.Sleep(o.Settle) // let the server finish starting before the baseline
	if res.BaseRSS, err = w.target.RSS(); err != nil {
		return res, err
	}
	t0 := time.Now()
	conns, err := dialAll(w.target.URL, w.fx.Tokens, 64)
	if err != nil {
		return res, err
	}
	defer closeAll(conns)
	res.ConnectTime = time.Since(t0)
	o.logf("idle: %d connections open in %s", len(conns), res.ConnectTime.Round(time.Millisecond))
	var delivered, closed atomic.Int64
	for _, c := range conns {
		go func() {
			readFrames(c, func(f []byte) {
				if isType(f, "message") {
					delivered.Add(1)
				}
			})
			closed.Add(1)
		}()
	}
	// One message into every channel, from its first member.
	for i, cp := range plan.Channels {
		if err := sendFrame(conns[cp.Members[0]], w.fx.Channels[i], messageID(0, time.Now(), i), "good morning, everyone"); err != nil {
			return res, err
		}
	}
	if !waitFor(60*time.Second, func() bool { return delivered.Load() >= int64(o.Conns) || closed.Load() > 0 }) || closed.Load() > 0 {
		return res, fmt.Errorf("idle: %d of %d deliveries, %d connections closed", delivered.Load(), o.Conns, closed.Load())
	}
	res.Delivered = delivered.Load()
	time.Sleep(o.Settle)
	if res.RSS, err = w.target.RSS(); err != nil {
		return res, err
	}
	res.ClientRSS, _ = procRSS(selfPID)
	res.PerConn = float64(res.RSS-res.BaseRSS) / float64(o.Conns)
	if closed.Load() > 0 {
		return res, fmt.Errorf("idle: %d connections closed while idle", closed.Load())
	}
	// Stop the server while every connection is still open, so a heap
	// profile it writes shows them.
	return res, w.stop()
}
