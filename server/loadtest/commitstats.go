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
// from /metrics (which answers this machine without a session).
type serverStats struct {
	batches, writes float64
	sync            time.Duration
	allocBytes      float64
	mallocs         float64
	gcs             float64
	gcCPU           time.Duration
}

func readServerStats(baseURL string) (serverStats, error) {
	resp, err := http.Get(baseURL + "/metrics")
	if err != nil {
		return serverStats{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverStats{}, fmt.Errorf("/metrics: %s", resp.Status)
	}
	var c serverStats
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch name {
		case "inhouse_commit_batches_total":
			c.batches = v
		case "inhouse_commit_writes_total":
			c.writes = v
		case "inhouse_disk_sync_seconds_total":
			c.sync = time.Duration(v * float64(time.Second))
		case "go_memstats_alloc_bytes_total":
			c.allocBytes = v
		case "go_memstats_mallocs_total":
			c.mallocs = v
		case "go_gc_duration_seconds_count":
			c.gcs = v
		case "go_gc_cpu_seconds_total":
			c.gcCPU = time.Duration(v * float64(time.Second))
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
	n := b.batches - a.batches
	if n <= 0 || acked <= 0 {
		return CommitSummary{}
	}
	s := CommitSummary{Batches: n / elapsed.Seconds(), Size: (b.writes - a.writes) / n,
		SyncMean:   time.Duration(float64(b.sync-a.sync) / n),
		AllocBytes: (b.allocBytes - a.allocBytes) / float64(acked),
		Allocs:     (b.mallocs - a.mallocs) / float64(acked),
		GCs:        b.gcs - a.gcs}
	if cpu > 0 {
		s.GCShare = float64(b.gcCPU-a.gcCPU) / float64(cpu)
	}
	return s
}
