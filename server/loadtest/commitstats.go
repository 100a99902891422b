package loadtest

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serverStats are the server's group-commit and allocation counters, read
// from /metrics (which answers this machine without a session), by name.
type serverStats map[string]float64

const (
	statBatches = "inhouse_commit_batches_total"
	statWrites  = "inhouse_commit_writes_total"
	statSync    = "inhouse_disk_sync_seconds_total"
	statAlloc   = "go_memstats_alloc_bytes_total"
	statMallocs = "go_memstats_mallocs_total"
	statGCs     = "go_gc_duration_seconds_count"
	statGCCPU   = "go_gc_cpu_seconds_total"
)

func readServerStats(baseURL string) (serverStats, error) {
	resp, err := http.Get(baseURL + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	c := serverStats{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case statBatches, statWrites, statSync, statAlloc, statMallocs, statGCs, statGCCPU:
			if v, err := strconv.ParseFloat(val, 64); err == nil {
				c[name] = v
			}
		}
	}
	return c, sc.Err()
}

// CommitSummary is what group commit did during a run, and what the
// server allocated and collected for it.
type CommitSummary struct {
	Batches  float64       `json:"batches_per_second"`
	Size     float64       `json:"writes_per_batch"`
	SyncMean time.Duration `json:"sync_mean_ns"` // one disk sync, as the writer saw it
	// Per acknowledged message; allocations barely move between runs of a
	// build, on a shared machine too.
	AllocBytes float64 `json:"alloc_bytes_per_msg"`
	Allocs     float64 `json:"allocs_per_msg"`
	GCs        float64 `json:"gc_cycles"`
	GCShare    float64 `json:"gc_cpu_share"` // of the server's CPU time
}

func (s CommitSummary) String() string {
	return fmt.Sprintf("%.0f batches/s of %.1f, sync %s; %.0f B in %.1f allocs/msg, %.0f GCs (%.0f%% of CPU)",
		s.Batches, s.Size, s.SyncMean.Round(time.Microsecond), s.AllocBytes, s.Allocs, s.GCs, 100*s.GCShare)
}

// summarizeCommits compares the counters before (a) and after (b) a run of
// acked messages that took elapsed and cpu (the server's CPU time).
func summarizeCommits(a, b serverStats, elapsed, cpu time.Duration, acked int) CommitSummary {
	d := func(name string) float64 { return b[name] - a[name] }
	secs := func(name string) time.Duration { return time.Duration(d(name) * float64(time.Second)) }
	n := d(statBatches)
	if n <= 0 || acked <= 0 {
		return CommitSummary{}
	}
	s := CommitSummary{Batches: n / elapsed.Seconds(), Size: d(statWrites) / n,
		SyncMean:   secs(statSync) / time.Duration(n),
		AllocBytes: d(statAlloc) / float64(acked),
		Allocs:     d(statMallocs) / float64(acked),
		GCs:        d(statGCs)}
	if cpu > 0 {
		s.GCShare = float64(secs(statGCCPU)) / float64(cpu)
	}
	return s
}
