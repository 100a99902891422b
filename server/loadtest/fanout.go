package loadtest

import (
	"fmt"
	"strings"
	"time"
)

// FanoutOptions: one channel of Members, all connected; Senders of them
// send at each of Rates (messages a second, ascending) for Step each. The
// search stops at the first rate whose p99 delivery latency exceeds MaxP99
// or that loses a delivery.
type FanoutOptions struct {
	Common
	Members int
	Senders int
	Rates   []float64
	Step    time.Duration
	Drain   time.Duration
	MaxP99  time.Duration
}

// DefaultFanoutRates are messages a second into the 1,000-member channel:
// 25k to 1M deliveries a second.
var DefaultFanoutRates = []float64{25, 50, 100, 150, 200, 250, 300, 400, 500, 700, 1000}

// FanoutResult is every step tried and the best that passed.
type FanoutResult struct {
	Members int    `json:"members"`
	Steps   []Step `json:"steps"`
	Best    *Step  `json:"best"` // the fastest passing step; nil if none passed
}

func (r FanoutResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fan-out: one channel of %d members\n", r.Members)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	if r.Best != nil {
		fmt.Fprintf(&b, "  best: %.0f deliveries/s at p99 %s, no loss", r.Best.PerSecond, ms(r.Best.Latency.P99))
	} else {
		b.WriteString("  no rate passed")
	}
	return b.String()
}

// passes is the fan-out target's condition.
func (s Step) passes(maxP99 time.Duration) bool {
	return s.Lost == 0 && s.Sent > 0 && s.Acked == s.Sent && len(s.Errors) == 0 && s.Latency.P99 <= maxP99
}

// Fanout runs the fan-out search.
func Fanout(o FanoutOptions) (FanoutResult, error) {
	if o.Members <= 0 {
		o.Members = 1000
	}
	if o.Senders <= 0 {
		o.Senders = 20
	}
	if len(o.Rates) == 0 {
		o.Rates = DefaultFanoutRates
	}
	if o.Step <= 0 {
		o.Step = 3 * time.Second
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Second
	}
	if o.MaxP99 <= 0 {
		o.MaxP99 = 50 * time.Millisecond
	}
	r, err := openRoom(o.Common, "fanout", o.Members, o.Senders, o.Server)
	if err != nil {
		return FanoutResult{}, err
	}
	defer r.close()
	res := FanoutResult{Members: o.Members}
	// A short warm-up (not reported) so the first step does not pay for
	// growing stacks and buffers.
	r.run(0, o.Rates[0], o.Step/3, o.Drain)
	for i, rate := range o.Rates {
		if i+1 >= maxSteps {
			break
		}
		s := r.run(i+1, rate, o.Step, o.Drain)
		o.logf("fan-out: %s", s)
		res.Steps = append(res.Steps, s)
		if !s.passes(o.MaxP99) {
			break
		}
		best := s
		res.Best = &best
	}
	return res, nil
}

// LatencyOptions: one rate, open loop, into the Members channel.
type LatencyOptions struct {
	Common
	Members  int
	Senders  int
	Rate     float64
	Duration time.Duration
}

// Latency runs the latency scenario: by default 20 messages a second for
// 10 s into a channel of 1,000 members, from one sender.
func Latency(o LatencyOptions) (Step, error) {
	if o.Members <= 0 {
		o.Members = 1000
	}
	if o.Senders <= 0 {
		o.Senders = 1
	}
	if o.Rate <= 0 {
		o.Rate = 20
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	r, err := openRoom(o.Common, "latency", o.Members, o.Senders, o.Server)
	if err != nil {
		return Step{}, err
	}
	defer r.close()
	r.run(0, o.Rate, min(o.Duration/4, 2*time.Second), 2*time.Second)
	s := r.run(1, o.Rate, o.Duration, 2*time.Second)
	o.logf("latency: %s", s)
	return s, nil
}
