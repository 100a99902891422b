package loadtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/heapfloor"
)

// ArchiveOptions: an archive of Messages in Channels written by People,
// then opened by a fresh process that runs Queries searches.
type ArchiveOptions struct {
	Dir      string // the data folder; reused when it already holds this archive
	Messages int
	Channels int // default 100
	People   int // default 200
	Queries  int // default 300
	// Exe, if set, opens the archive in a child process (`Exe
	// archive-probe`, Exe being the inhouse-load binary), pinned to CPU when
	// CPU >= 0, so the memory is the opening process's own. Otherwise it is
	// opened in-process.
	Exe string
	CPU int
	Log func(format string, a ...any)
}

// ArchiveResult is what opening and searching the archive cost.
type ArchiveResult struct {
	Messages  int           `json:"messages"`
	DiskBytes int64         `json:"disk_bytes"`
	BuildTime time.Duration `json:"build_time"` // 0 when reused
	Probe     ArchiveProbe  `json:"probe"`
}

// ArchiveProbe is measured by the process that opens the archive.
type ArchiveProbe struct {
	Open     time.Duration `json:"open"`
	RSS      int64         `json:"rss"`      // after open
	PeakRSS  int64         `json:"peak_rss"` // VmHWM: the most it held while opening
	HeapLive int64         `json:"heap_live"`
	Search   Summary       `json:"search"`
	Hits     float64       `json:"hits"` // mean hits per query (at most 50)
}

func (r ArchiveResult) String() string {
	p := r.Probe
	return fmt.Sprintf("archive: %d messages (%.0f MiB on disk): open %s, RSS %.0f MiB (peak %.0f MiB, live heap %.0f MiB), search %s, %.1f hits a query",
		r.Messages, mib(r.DiskBytes), p.Open.Round(time.Millisecond), mib(p.RSS), mib(p.PeakRSS), mib(p.HeapLive), p.Search, p.Hits)
}

const archiveMarker = "loadtest-archive.json"

// Archive runs the archive scenario.
func Archive(o ArchiveOptions) (ArchiveResult, error) {
	if o.Channels <= 0 {
		o.Channels = 100
	}
	if o.People <= 0 {
		o.People = 200
	}
	if o.Queries <= 0 {
		o.Queries = 300
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	res := ArchiveResult{Messages: o.Messages}
	// A folder written under another schema would be migrated by the first
	// open, and that open timed: build afresh instead.
	want := fmt.Sprintf(`{"messages":%d,"channels":%d,"people":%d,"schema":%d}`, o.Messages, o.Channels, o.People, archive.SchemaVersion())
	if have, err := os.ReadFile(filepath.Join(o.Dir, archiveMarker)); err != nil || string(have) != want {
		if err := os.RemoveAll(o.Dir); err != nil {
			return res, err
		}
		t0 := time.Now()
		if err := buildArchive(o); err != nil {
			return res, fmt.Errorf("build archive: %w", err)
		}
		res.BuildTime = time.Since(t0)
		o.Log("archive: %d messages written in %s", o.Messages, res.BuildTime.Round(time.Millisecond))
		if err := os.WriteFile(filepath.Join(o.Dir, archiveMarker), []byte(want), 0o600); err != nil {
			return res, err
		}
	}
	if fi, err := os.Stat(filepath.Join(o.Dir, "inhouse.db")); err == nil {
		res.DiskBytes = fi.Size()
	}
	var err error
	if o.Exe == "" {
		res.Probe, err = ProbeArchive(o.Dir, o.Queries)
	} else {
		res.Probe, err = probeChild(o)
	}
	return res, err
}

// buildArchive writes the archive through the store's own write path.
func buildArchive(o ArchiveOptions) error {
	st, err := archive.Open(o.Dir)
	if err != nil {
		return err
	}
	defer st.Close()
	hash := auth.HashPassword(Password)
	names := make([]string, o.People)
	for i := range names {
		names[i] = personName(i)
	}
	if err := parallel(o.People, func(i int) error {
		return st.AddUser(archive.User{Name: names[i], Role: archive.RoleMember, Hash: hash})
	}); err != nil {
		return err
	}
	// Each channel has a quarter of the office, as departments do.
	chans := make([]string, o.Channels)
	if err := parallel(o.Channels, func(i int) error {
		var members []string
		for j := range max(1, o.People/4) {
			members = append(members, names[(i*7+j)%o.People])
		}
		c, err := st.CreateChannel(fmt.Sprintf("archive-%d", i), false, members[0], members)
		chans[i] = c.ID
		return err
	}); err != nil {
		return err
	}
	words := newVocabulary()
	rng := rand.New(rand.NewPCG(1, 2))
	var (
		wg      sync.WaitGroup
		failed  atomic.Pointer[error]
		written atomic.Int64
	)
	// Append queues to the writer and returns; its bounded queue holds the
	// loop back, and many messages share each disk sync.
	for n := range o.Messages {
		if failed.Load() != nil {
			break
		}
		ch := n % o.Channels
		from := names[(ch*7+rng.IntN(max(1, o.People/4)))%o.People]
		wg.Add(1)
		st.Append(archive.Post{Channel: chans[ch], From: from, ClientID: "a" + strconv.Itoa(n), Text: words.sentence(rng)},
			func(_ archive.Message, _ bool, err error) {
				if err != nil {
					failed.CompareAndSwap(nil, &err)
				}
				if c := written.Add(1); c%1_000_000 == 0 {
					o.Log("archive: %d messages written", c)
				}
				wg.Done()
			})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	return st.Close()
}

// vocabulary is a made-up language with a Zipf word distribution, so
// searches meet both long and short posting lists as real text does.
type vocabulary struct {
	words []string
}

func newVocabulary() *vocabulary {
	onsets := strings.Fields("b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl pr sh st tr")
	vowels := strings.Fields("a e i o u ai ea oo ou")
	codas := []string{"", "n", "r", "s", "t", "l", "m", "nd", "st"}
	seen := map[string]bool{}
	v := &vocabulary{}
	rng := rand.New(rand.NewPCG(3, 4))
	for len(v.words) < 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(onsets[rng.IntN(len(onsets))])
			b.WriteString(vowels[rng.IntN(len(vowels))])
		}
		b.WriteString(codas[rng.IntN(len(codas))])
		if w := b.String(); !seen[w] && len(w) > 2 {
			seen[w] = true
			v.words = append(v.words, w)
		}
	}
	return v
}

// sentence is 6 to 20 words, common ones far more often than rare ones.
func (v *vocabulary) sentence(rng *rand.Rand) string {
	z := rand.NewZipf(rng, 1.07, 2, uint64(len(v.words)-1))
	var b strings.Builder
	for i := range 6 + rng.IntN(15) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v.words[z.Uint64()])
	}
	return b.String()
}

// queries are the searches a probe runs: common, middling and rare words,
// two words at once, and a word from one person.
func (v *vocabulary) queries(n int) []archive.Query {
	rng := rand.New(rand.NewPCG(5, 6))
	var out []archive.Query
	for i := range n {
		rank := func() string {
			// Ranks spread from the most common words to the rarest.
			r := int(float64(len(v.words)) * rng.Float64() * rng.Float64() * rng.Float64())
			return v.words[r]
		}
		q := archive.Query{Limit: 50}
		switch i % 3 {
		case 0:
			q.Words = rank()
		case 1:
			q.Words = rank() + " " + rank()
		case 2:
			q.Words = rank()
			q.From = personName(rng.IntN(50))
		}
		out = append(out, q)
	}
	return out
}

// ProbeArchive opens the archive in dir, measures the open and memory, and
// runs searches. The process should do nothing else: its memory is the
// figure.
func ProbeArchive(dir string, queries int) (ArchiveProbe, error) {
	var p ArchiveProbe
	t0 := time.Now()
	// Opened as inhouse serve opens it (server.OpenTuned): collecting more
	// often while the archive loads keeps the peak near its final size.
	release := heapfloor.Hold(60)
	st, err := archive.Open(dir)
	release()
	if err != nil {
		return p, err
	}
	defer st.Close()
	p.Open = time.Since(t0)
	p.RSS, _ = procRSS(selfPID)
	p.PeakRSS, _ = procStatus(selfPID, "VmHWM:")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.HeapLive = int64(ms.HeapAlloc)
	var lat Latencies
	hits := 0
	for _, q := range newVocabulary().queries(queries) {
		t := time.Now()
		h, _ := st.Search(q)
		lat = append(lat, time.Since(t))
		hits += len(h)
	}
	p.Search = lat.Summarize()
	p.Hits = float64(hits) / float64(max(1, queries))
	return p, nil
}

// probeChild runs ProbeArchive in a fresh process and reads its JSON.
func probeChild(o ArchiveOptions) (ArchiveProbe, error) {
	args := []string{o.Exe, "archive-probe", "--data", o.Dir, "--queries", strconv.Itoa(o.Queries)}
	if o.CPU >= 0 {
		ts, err := exec.LookPath("taskset")
		if err != nil {
			return ArchiveProbe{}, errors.New("taskset is not installed: run with --cpus none")
		}
		args = append([]string{ts, "-c", strconv.Itoa(o.CPU)}, args...)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return ArchiveProbe{}, fmt.Errorf("archive probe: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	var p ArchiveProbe
	sc := bufio.NewScanner(&out)
	var last string
	for sc.Scan() {
		last = sc.Text()
	}
	return p, json.Unmarshal([]byte(last), &p)
}

// procStatus reads one kB field of /proc/pid/status in bytes.
func procStatus(pid int, key string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", key)
}
