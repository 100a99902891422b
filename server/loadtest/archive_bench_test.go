package loadtest

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"inhouse/server/archive"
)

// benchArchive is an archive of n messages, built once and kept in the
// system's temp folder between runs (the scenario's marker says what it
// holds).
func benchArchive(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "inhouse-bench-archive-"+strconv.Itoa(n))
	if _, err := Archive(ArchiveOptions{Dir: dir, Messages: n, Queries: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkArchiveOpen100k opens an archive of 100,000 messages: load, the
// in-memory indexes and the search index. It reports the live heap per
// stored message.
func BenchmarkArchiveOpen100k(b *testing.B) {
	const n = 100_000
	dir := benchArchive(b, n)
	var before, after runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		st, err := archive.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		st.Close()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/msg")
}

// BenchmarkArchiveSearch100k runs the scenario's mix of searches (common,
// rare and two-word queries, some from one person) over 100,000 messages.
func BenchmarkArchiveSearch100k(b *testing.B) {
	st, err := archive.Open(benchArchive(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	qs := newVocabulary().queries(300)
	i := 0
	for b.Loop() {
		st.Search(qs[i%len(qs)])
		i++
	}
}
