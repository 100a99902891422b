package loadtest

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
)

// The scenarios at toy sizes, in-process: a test of the tool, not of the
// server's speed. Nothing here compares a time with a threshold.

func TestSummarize(t *testing.T) {
	var l Latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	s := l.Summarize()
	if s.Count != 100 || s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("summary %+v", s)
	}
	if (Latencies{}).Summarize().Count != 0 {
		t.Fatal("empty summary")
	}
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Fatalf("median %v", m)
	}
	if m := Median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Fatalf("median %v", m)
	}
}

func TestMessageID(t *testing.T) {
	due := time.Unix(1700000000, 123456789)
	step, sched, err := parseID([]byte(messageID(7, due, 42)))
	if err != nil || step != 7 || !sched.Equal(due) {
		t.Fatalf("parse: %d %v %v", step, sched, err)
	}
	if _, _, err := parseID([]byte("k3j4-1")); err == nil {
		t.Fatal("a browser's id parsed")
	}
	f := []byte(`{"type":"message","channel":"c1","seq":3,"id":"s1.abc.2","from":"ana","text":"\"id\":\"x\""}`)
	if string(field(f, "type")) != "message" || string(field(f, "id")) != "s1.abc.2" || field(f, "nope") != nil {
		t.Fatal("field")
	}
}

func common(t *testing.T) Common {
	return Common{Launcher: InProcess{}, Dir: t.TempDir()}
}

func TestIdle(t *testing.T) {
	res, err := Idle(IdleOptions{Common: common(t), Conns: 12, ChannelSize: 5, Settle: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conns != 12 || res.Delivered != 12 || res.RSS == 0 {
		t.Fatalf("%+v", res)
	}
}

func TestFanoutAndLatency(t *testing.T) {
	// A limit no run can miss: the test checks the bookkeeping.
	res, err := Fanout(FanoutOptions{Common: common(t), Members: 10, Senders: 3, Rates: []float64{50, 100},
		Step: 200 * time.Millisecond, Drain: 5 * time.Second, MaxP99: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != 2 || res.Best == nil || res.Best.Rate != 100 {
		t.Fatalf("%s", res)
	}
	for _, s := range res.Steps {
		if s.Lost != 0 || s.Sent == 0 || s.Acked != s.Sent || s.Deliveries != 10*s.Sent || len(s.Errors) != 0 {
			t.Fatalf("step %s", s)
		}
	}
	s, err := Latency(LatencyOptions{Common: common(t), Members: 5, Rate: 40, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if s.Sent != 10 || s.Deliveries != 50 || s.Lost != 0 {
		t.Fatalf("latency %s", s)
	}
}

func TestFanoutStopsAtFirstMiss(t *testing.T) {
	// No latency is at or under a nanosecond, so the first rate fails and
	// the search stops there.
	res, err := Fanout(FanoutOptions{Common: common(t), Members: 3, Senders: 1, Rates: []float64{20, 40},
		Step: 100 * time.Millisecond, Drain: 5 * time.Second, MaxP99: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != 1 || res.Best != nil {
		t.Fatalf("%s", res)
	}
}

func TestStockLimitsShowAsErrors(t *testing.T) {
	// With the office's limits (burst 200), a burst of 300 from one person
	// is partly refused: the tool must count that, not hide it.
	c := common(t)
	c.Server.Stock = true
	res, err := Fanout(FanoutOptions{Common: c, Members: 2, Senders: 1, Rates: []float64{3000},
		Step: 100 * time.Millisecond, Drain: 5 * time.Second, MaxP99: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != nil || res.Steps[0].Errors["rate_limited"] == 0 {
		t.Fatalf("%s", res)
	}
}

func TestDurable(t *testing.T) {
	res, err := Durable(DurableOptions{Common: common(t), Senders: 4, Duration: 200 * time.Millisecond, Compare: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Group.Acked == 0 || res.PerSync == nil || res.PerSync.Acked == 0 || len(res.Group.Errors) != 0 || res.Ratio == 0 {
		t.Fatalf("%s", res)
	}
	// The server's own counters, read from its /metrics.
	if c := res.Group.Commit; c.Batches == 0 || c.Size < 1 || c.AllocBytes == 0 || c.Allocs == 0 || res.Group.CPUPerMsg == 0 {
		t.Fatalf("commit summary %+v, CPU %s", c, res.Group.CPUPerMsg)
	}
	if s := res.PerSync.Commit.Size; s != 1 {
		t.Fatalf("one sync per message made batches of %.2f", s)
	}
}

func TestFloor(t *testing.T) {
	res, err := Floor(DurableOptions{Common: common(t), Senders: 4, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked == 0 || res.Ack.Count != res.Acked || res.Ack.P50 == 0 {
		t.Fatalf("%s", res)
	}
}

// The floor acks a frame only once it is in its file.
func TestFloorWritesWhatItAcks(t *testing.T) {
	dir := t.TempDir()
	fl, err := startFloor(dir)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", fl.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	for i := range 3 {
		if _, err := conn.Write(make([]byte, floorFrame)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(conn, make([]byte, floorAck)); err != nil {
			t.Fatalf("ack %d: %v", i, err)
		}
		st, err := os.Stat(filepath.Join(dir, "floor.log"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() < int64((i+1)*floorFrame) {
			t.Fatalf("after ack %d the file holds %d bytes", i, st.Size())
		}
	}
	if err := fl.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestArchive(t *testing.T) {
	dir := t.TempDir() + "/archive"
	o := ArchiveOptions{Dir: dir, Messages: 3000, Channels: 5, People: 20, Queries: 30}
	res, err := Archive(o)
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildTime == 0 || res.Probe.Search.Count != 30 || res.Probe.Hits == 0 || res.DiskBytes == 0 {
		t.Fatalf("%s", res)
	}
	// The second run reuses the archive.
	if res, err = Archive(o); err != nil || res.BuildTime != 0 {
		t.Fatalf("reuse: %v %s", err, res)
	}
}

func TestUpload(t *testing.T) {
	// An odd size, so the last page and the last read are partial.
	const size = 3<<20 + 12345
	res, err := Upload(UploadOptions{Common: common(t), Size: size, Rounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != size || len(res.Rounds) != 3 {
		t.Fatalf("%s", res)
	}
	for i, r := range res.Rounds {
		if !r.Stored || r.ID == "" || r.CP <= 0 || r.Upload <= 0 || r.CPMBps <= 0 || r.UploadMBps <= 0 || r.Ratio <= 0 ||
			r.RSSBefore <= 0 || r.RSSPeak < r.RSSBefore || r.RSSRise != r.RSSPeak-r.RSSBefore || r.Samples == 0 {
			t.Fatalf("round %d: %+v", i+1, r)
		}
	}
	// The figures count the rounds after the first, one cp first, one the
	// upload first.
	c, r2, r3 := res.Counted(), res.Rounds[1], res.Rounds[2]
	if math.Abs(c.CPMBps-(r2.CPMBps+r3.CPMBps)/2) > 1e-6 || math.Abs(c.UploadMBps-(r2.UploadMBps+r3.UploadMBps)/2) > 1e-6 ||
		math.Abs(c.Ratio-c.UploadMBps/c.CPMBps) > 1e-9 || c.RSSRise != max(r2.RSSRise, r3.RSSRise) {
		t.Fatalf("counted %+v from %+v and %+v", c, r2, r3)
	}
	if !strings.Contains(res.String(), "round 3 (the upload first)") {
		t.Fatalf("the order is not said:\n%s", res)
	}
}

func TestLatencyWithUploads(t *testing.T) {
	res, err := LatencyWithUploads(UploadLatencyOptions{
		LatencyOptions: LatencyOptions{Common: common(t), Members: 6, Rate: 40, Duration: 250 * time.Millisecond},
		Uploaders:      3, FileSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Step{res.Without, res.With} {
		if s.Sent != 10 || s.Deliveries != 60 || s.Lost != 0 || len(s.Errors) != 0 {
			t.Fatalf("step %s", s)
		}
	}
	// The head start alone allows each uploader its burst.
	if res.Completed < 3 || len(res.Failed) != 0 || res.Bytes != int64(res.Completed)<<20 || res.Ratio <= 0 || res.Upload.Count != res.Completed {
		t.Fatalf("%s", res)
	}
	if _, err := LatencyWithUploads(UploadLatencyOptions{LatencyOptions: LatencyOptions{Common: common(t), Members: 5}, Uploaders: 5}); err == nil {
		t.Fatal("5 members held 1 sender and 5 uploaders")
	}
}

// The source bytes are the same however they are read, every page is
// stamped, and a new stamp changes the first page's only.
func TestPattern(t *testing.T) {
	pt := newPattern()
	const n = 3*patternPage + 100
	whole := make([]byte, n)
	pt.fill(whole, 0, 7)
	pieces := make([]byte, n)
	for off := 0; off < n; {
		k := min(n-off, 1+off%37*131) // reads of odd lengths, splitting stamps
		pt.fill(pieces[off:off+k], int64(off), 7)
		off += k
	}
	if !bytes.Equal(whole, pieces) {
		t.Fatal("pieces differ from the whole")
	}
	for pg := range 4 {
		if !bytes.HasPrefix(whole[pg*patternPage:], stampTag[:]) || binary.LittleEndian.Uint64(whole[pg*patternPage+8:]) != uint64(pg) {
			t.Fatalf("page %d not stamped", pg)
		}
	}
	path := filepath.Join(t.TempDir(), "src")
	if _, err := pt.writeSource(path, n, 7); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := restamp(f, 9); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, _ := os.ReadFile(path)
	want := bytes.Clone(whole)
	pt.fill(want[:stampLen], 0, 9)
	if !bytes.Equal(got, want) || bytes.Equal(got, whole) {
		t.Fatal("restamp")
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"1GiB": 1 << 30, "256MiB": 256 << 20, "1.5 KiB": 1536, "100MB": 100e6, "4096": 4096, "10B": 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1MiB", "MiB", "1 PiB", "12 parsecs"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) took it", bad)
		}
	}
	if s := SizeText(1 << 30); s != "1 GiB" {
		t.Error(s)
	}
	if s := SizeText(3<<20 + 512<<10); s != "3.5 MiB" {
		t.Error(s)
	}
	if maxFileMBFor(32<<20) != 0 || maxFileMBFor(1<<30) != 1024 || maxFileMBFor(1<<30+1) != 1025 {
		t.Error("maxFileMBFor")
	}
}

// A plan's largest file becomes the office's setting.
func TestProvisionMaxFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Provision(dir, Plan{People: 1, MaxFileMB: 2048}); err != nil {
		t.Fatal(err)
	}
	st, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := st.Settings().MaxFileBytes(); got != 2048<<20 {
		t.Fatalf("largest file %d", got)
	}
}
