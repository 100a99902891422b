package loadtest

import (
	"fmt"
	"slices"
	"time"
)

// Latencies collects durations. One goroutine owns each; merge them at the
// end rather than share one under a lock on the hot path.
type Latencies []time.Duration

// Merge joins several collections.
func Merge(ls ...Latencies) Latencies { return slices.Concat(ls...) }

// Summary is what a run reports of a latency distribution.
type Summary struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50"`
	P90   time.Duration `json:"p90"`
	P99   time.Duration `json:"p99"`
	P999  time.Duration `json:"p999"`
	Max   time.Duration `json:"max"`
}

// Summarize sorts l in place and reads its percentiles (nearest rank).
func (l Latencies) Summarize() Summary {
	if len(l) == 0 {
		return Summary{}
	}
	slices.Sort(l)
	return Summary{Count: len(l), P50: l.rank(0.50), P90: l.rank(0.90), P99: l.rank(0.99), P999: l.rank(0.999), Max: l[len(l)-1]}
}

// rank is the nearest-rank percentile of sorted l.
func (l Latencies) rank(p float64) time.Duration {
	i := int(p*float64(len(l))+0.999999) - 1
	return l[max(0, min(i, len(l)-1))]
}

func (s Summary) String() string {
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s p99.9=%s max=%s", s.Count, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.P999), ms(s.Max))
}

// ms prints a duration in milliseconds with sensible precision.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// Median of values (the mean of the middle two for an even count).
func Median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	v := slices.Clone(values)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
