package loadtest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"inhouse/server/archive"
)

// Uploads (docs/files.md): how fast one large file goes in compared with
// cp on the same disk, what it costs the server in memory, and whether
// uploads in flight slow the chat down.

// The per-person upload limit the server applies (server/files.go): 30 a
// minute, in bursts of 10. Uploaders here keep under it.
const (
	UploadsPerMinute = 30
	UploadBurst      = 10
)

// Source bytes: a block of ChaCha8 output repeated, every page of it
// stamped with a tag, the page's index and a salt. Nothing compresses it
// (the block is far longer than any compressor's window, the stamps make
// every page unique) and writing it costs a copy, not a cipher.
const (
	patternBlock = 4 << 20
	patternPage  = 4 << 10
	stampLen     = 24
)

// stampTag begins every page: the NUL makes the file binary to anything
// that sniffs it, and no file kind begins this way.
var stampTag = [8]byte{0, 'i', 'h', '-', 'l', 'o', 'a', 'd'}

type pattern struct{ block []byte }

func newPattern() *pattern {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], rand.Uint64())
	p := &pattern{block: make([]byte, patternBlock)}
	rand.NewChaCha8(seed).Read(p.block)
	return p
}

// fill writes into p the bytes at offset off of the file with salt.
func (pt *pattern) fill(p []byte, off int64, salt uint64) {
	for i := 0; i < len(p); {
		i += copy(p[i:], pt.block[(off+int64(i))%patternBlock:])
	}
	end := off + int64(len(p))
	for pg := off / patternPage; pg*patternPage < end; pg++ {
		var st [stampLen]byte
		copy(st[:], stampTag[:])
		binary.LittleEndian.PutUint64(st[8:], uint64(pg))
		binary.LittleEndian.PutUint64(st[16:], salt)
		ps := pg * patternPage
		if lo, hi := max(ps, off), min(ps+stampLen, end); lo < hi {
			copy(p[lo-off:hi-off], st[lo-ps:hi-ps])
		}
	}
}

// writeSource writes size bytes of the pattern with salt to path, synced,
// and returns their SHA-256 in hex.
func (pt *pattern) writeSource(path string, size int64, salt uint64) (string, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, patternBlock)
	for off := int64(0); off < size; {
		b := buf[:min(int64(len(buf)), size-off)]
		pt.fill(b, off, salt)
		h.Write(b)
		if _, err := f.Write(b); err != nil {
			return "", err
		}
		off += int64(len(b))
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

// restamp gives the source file at path a new salt in its first page, so
// its next upload is a file the server has not stored yet.
func restamp(f *os.File, salt uint64) error {
	var b [stampLen]byte
	copy(b[:], stampTag[:])
	binary.LittleEndian.PutUint64(b[16:], salt)
	_, err := f.WriteAt(b[:], 0)
	return err
}

// uploadClient sends uploads: one connection per uploader, kept.
func uploadClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
		WriteBufferSize:     64 << 10,
	}}
}

// uploadAnswer is the server's answer to an upload.
type uploadAnswer struct {
	File struct {
		ID   string `json:"id"`
		Size int64  `json:"size"`
	} `json:"file"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// errUpload is a refused upload; Code is the server's error code.
type errUpload struct {
	Status int
	Code   string
	Msg    string
}

func (e *errUpload) Error() string {
	return fmt.Sprintf("upload refused: %d %s: %s", e.Status, e.Code, e.Msg)
}

// postFile uploads size bytes of body as name into channel as the person
// with token, as the web client does (docs/files.md): the raw bytes,
// Content-Length set, the session cookie, no Origin (so no CSRF token).
// An *os.File body goes out with sendfile.
func postFile(ctx context.Context, hc *http.Client, base, token, channel, name string, body io.Reader, size int64) (uploadAnswer, error) {
	var a uploadAnswer
	u := base + "/api/files?channel=" + url.QueryEscape(channel) + "&name=" + url.QueryEscape(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return a, err
	}
	req.ContentLength = size
	req.Header.Set("Cookie", "inhouse_session="+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := hc.Do(req)
	if err != nil {
		return a, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return a, err
	}
	jerr := json.Unmarshal(data, &a)
	if res.StatusCode != http.StatusCreated {
		return a, &errUpload{Status: res.StatusCode, Code: a.Error, Msg: a.Message}
	}
	if jerr != nil || a.File.ID == "" {
		return a, fmt.Errorf("upload: 201 without a file id: %.200q", data)
	}
	return a, nil
}

// failureCode names a failed upload for the counts: the server's code,
// or what went wrong on the way.
func failureCode(err error) string {
	var eu *errUpload
	switch {
	case errors.As(err, &eu) && eu.Code != "":
		return eu.Code
	case errors.As(err, &eu):
		return "http_" + strconv.Itoa(eu.Status)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "transport"
	}
}

// rssSampler reads the server's RSS every interval until stopped.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	peak int64
	n    int
	err  error
}

func sampleRSS(t *Target, every time.Duration) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if v, err := t.RSS(); err != nil {
				s.err = err
			} else {
				s.peak = max(s.peak, v)
				s.n++
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// end stops sampling (after one last sample) and returns the peak and the
// number of samples.
func (s *rssSampler) end() (peak int64, n int, err error) {
	close(s.stop)
	<-s.done
	return s.peak, s.n, s.err
}

// storedPath is where the content store keeps bytes with that SHA-256
// (archive.Store.FilePath; docs/files.md "In the archive").
func storedPath(dataDir, sha string) string {
	return filepath.Join(dataDir, "files", sha[:2], sha)
}

// syncPath fsyncs a file or folder.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// mbps is bytes over d in MB (10^6 bytes) a second.
func mbps(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / 1e6 / d.Seconds()
}

// maxFileMBFor is the office setting that takes a file of size bytes (0
// when the default does).
func maxFileMBFor(size int64) int {
	mb := int((size + 1<<20 - 1) >> 20)
	if mb <= archive.DefaultMaxFileMB {
		return 0
	}
	return mb
}

// ---- One large upload against cp ----

// UploadOptions: one person uploads one file of Size into a channel of
// their own, Rounds times, each a fresh file; before each upload the same
// source is copied with cp on the same disk.
type UploadOptions struct {
	Common
	Size   int64         // bytes; default 1 GiB
	Rounds int           // default 2: the first warms the caches
	Sample time.Duration // RSS sampling interval; default 20 ms
}

// UploadRound is one round: cp, then the upload of the same source.
type UploadRound struct {
	CP         time.Duration `json:"cp_ns"`       // cp SRC DST, then fsync of DST and its folder
	CPMBps     float64       `json:"cp_mbps"`     // MB (10^6 bytes) a second
	Upload     time.Duration `json:"upload_ns"`   // from the request's start to its 201
	UploadMBps float64       `json:"upload_mbps"` // MB a second
	Ratio      float64       `json:"ratio"`       // upload MB/s ÷ cp MB/s
	RSSBefore  int64         `json:"rss_before"`  // server RSS just before the upload
	RSSPeak    int64         `json:"rss_peak"`    // the most seen while it ran (and just after)
	RSSRise    int64         `json:"rss_rise"`    // peak − before
	Samples    int           `json:"samples"`
	ServerCPU  float64       `json:"server_cpu"` // cores the server used during the upload
	LoadCPU    float64       `json:"load_cpu"`   // cores this tool used
	ID         string        `json:"id"`         // the upload's id
	Stored     bool          `json:"stored"`     // the content store holds the bytes, at their SHA-256, with the size
}

func (r UploadRound) String() string {
	return fmt.Sprintf("cp %.0f MB/s (%s)  upload %.0f MB/s (%s)  upload ÷ cp %.2f  server RSS %.1f -> peak %.1f MiB (+%.1f MiB, %d samples)  CPU: server %.0f%% load %.0f%%  stored %v",
		r.CPMBps, r.CP.Round(time.Millisecond), r.UploadMBps, r.Upload.Round(time.Millisecond), r.Ratio,
		mib(r.RSSBefore), mib(r.RSSPeak), mib(r.RSSRise), r.Samples, 100*r.ServerCPU, 100*r.LoadCPU, r.Stored)
}

// UploadResult is every round. The first warms the caches; the others
// alternate which goes first, cp or the upload (cp first in the odd ones):
// a disk that slows after a burst of writing then weighs on both alike.
type UploadResult struct {
	Size   int64         `json:"size"`
	Rounds []UploadRound `json:"rounds"`
}

// Counted is the figures that count: over the rounds after the first,
// the mean of cp's and the upload's speeds, their ratio, and the largest
// RSS rise. With one round, that round.
func (r UploadResult) Counted() UploadRound {
	if len(r.Rounds) == 0 {
		return UploadRound{}
	}
	rounds := r.Rounds
	if len(rounds) > 1 {
		rounds = rounds[1:]
	}
	var c UploadRound
	for _, rd := range rounds {
		c.CPMBps += rd.CPMBps / float64(len(rounds))
		c.UploadMBps += rd.UploadMBps / float64(len(rounds))
		if rd.RSSRise >= c.RSSRise {
			c.RSSBefore, c.RSSPeak, c.RSSRise = rd.RSSBefore, rd.RSSPeak, rd.RSSRise
		}
	}
	c.Ratio = c.UploadMBps / c.CPMBps
	return c
}

func (r UploadResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "upload: one file of %s, against cp on the same disk (both synced)\n", SizeText(r.Size))
	for i, rd := range r.Rounds {
		note := ""
		switch {
		case i == 0 && len(r.Rounds) > 1:
			note = " (warm-up)"
		case i%2 == 0:
			note = " (the upload first)"
		}
		fmt.Fprintf(&b, "  round %d%s: %s\n", i+1, note, rd)
	}
	c := r.Counted()
	fmt.Fprintf(&b, "  counted (rounds after the first, means): cp %.0f MB/s, upload %.0f MB/s, upload ÷ cp %.2f (target ≥ 0.8); server RSS rise %.1f MiB (target < 64 MiB)",
		c.CPMBps, c.UploadMBps, c.Ratio, mib(c.RSSRise))
	return b.String()
}

// Upload runs the upload scenario.
func Upload(o UploadOptions) (UploadResult, error) {
	if o.Size <= 0 {
		o.Size = 1 << 30
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Sample <= 0 {
		o.Sample = 20 * time.Millisecond
	}
	res := UploadResult{Size: o.Size}
	mb := maxFileMBFor(o.Size)
	if mb > archive.MaxFileMBLimit {
		return res, fmt.Errorf("upload: %s is over the largest file an office may allow (%d MB)", SizeText(o.Size), archive.MaxFileMBLimit)
	}
	cp, err := exec.LookPath("cp")
	if err != nil {
		return res, fmt.Errorf("upload: cp is needed for the comparison: %w", err)
	}
	// GNU cp clones the file where the filesystem can (btrfs, XFS), which
	// copies nothing; --reflink=never makes it copy the bytes.
	var cpArgs []string
	if out, _ := exec.Command(cp, "--version").Output(); strings.Contains(string(out), "GNU coreutils") {
		cpArgs = []string{"--reflink=never"}
	}
	w, err := start(o.Common, "upload", Plan{People: 1, Channels: []ChannelPlan{{Name: "upload", Members: []int{0}}}, MaxFileMB: mb}, o.Server)
	if err != nil {
		return res, err
	}
	defer w.stop()
	// The source and cp's copy sit next to the data folder: the same
	// parent, so the same disk.
	srcDir, err := tempDir(o.Dir, "upload-source")
	if err != nil {
		return res, err
	}
	if !o.Keep {
		defer os.RemoveAll(srcDir)
	}
	pt := newPattern()
	hc := uploadClient()
	defer hc.CloseIdleConnections()
	for round := range o.Rounds {
		src := filepath.Join(srcDir, fmt.Sprintf("source-%d.dat", round))
		t0 := time.Now()
		sha, err := pt.writeSource(src, o.Size, rand.Uint64())
		if err == nil {
			err = syncPath(srcDir)
		}
		if err != nil {
			return res, fmt.Errorf("upload: write the source: %w", err)
		}
		o.logf("upload: round %d: %s source written and synced in %s", round+1, SizeText(o.Size), time.Since(t0).Round(time.Millisecond))
		var rd UploadRound

		// cp, with its copy synced as the server syncs the upload (the
		// file, then its folder).
		copyIt := func() error {
			dst := src + ".copy"
			t0 := time.Now()
			if out, err := exec.Command(cp, append(cpArgs, src, dst)...).CombinedOutput(); err != nil {
				return fmt.Errorf("upload: cp: %v: %s", err, strings.TrimSpace(string(out)))
			}
			if err := syncPath(dst); err != nil {
				return err
			}
			if err := syncPath(srcDir); err != nil {
				return err
			}
			rd.CP = time.Since(t0)
			rd.CPMBps = mbps(o.Size, rd.CP)
			return nil
		}
		// Nothing is removed until the end, so that freeing gigabytes
		// (discarded, on a disk mounted so) never falls inside a
		// measurement.

		// The upload, streamed from the same source.
		var a uploadAnswer
		uploadIt := func() error {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer f.Close()
			if rd.RSSBefore, err = w.target.RSS(); err != nil {
				return err
			}
			sampler := sampleRSS(w.target, o.Sample)
			serverCPU, loadCPU := w.target.CPU(), procCPU(selfPID)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			t0 := time.Now()
			a, err = postFile(ctx, hc, w.target.URL, w.fx.Tokens[0], w.fx.Channels[0], fmt.Sprintf("load-test-%d.dat", round), f, o.Size)
			rd.Upload = time.Since(t0)
			serverCPU, loadCPU = w.target.CPU()-serverCPU, procCPU(selfPID)-loadCPU
			peak, n, serr := sampler.end()
			if err != nil {
				return fmt.Errorf("upload: round %d: %w", round+1, err)
			}
			if serr != nil {
				return fmt.Errorf("upload: server RSS: %w", serr)
			}
			rd.RSSPeak, rd.Samples = max(peak, rd.RSSBefore), n
			rd.ServerCPU, rd.LoadCPU = serverCPU.Seconds()/rd.Upload.Seconds(), loadCPU.Seconds()/rd.Upload.Seconds()
			return nil
		}
		steps := []func() error{copyIt, uploadIt}
		if round%2 == 0 && round > 0 {
			steps[0], steps[1] = uploadIt, copyIt
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return res, err
			}
		}
		rd.UploadMBps = mbps(o.Size, rd.Upload)
		rd.Ratio = rd.UploadMBps / rd.CPMBps
		rd.RSSRise = rd.RSSPeak - rd.RSSBefore
		rd.ID = a.File.ID
		if st, err := os.Stat(storedPath(w.dir, sha)); err == nil && st.Size() == o.Size && a.File.Size == o.Size {
			rd.Stored = true
		}
		o.logf("upload: round %d: %s", round+1, rd)
		res.Rounds = append(res.Rounds, rd)
		if !rd.Stored {
			return res, fmt.Errorf("upload: round %d: the server answered 201 but does not hold the %s file at its SHA-256", round+1, SizeText(o.Size))
		}
	}
	return res, nil
}

// ---- Chat latency while members upload ----

// UploadLatencyOptions: the latency scenario (Rate messages a second
// into a channel of Members, for Duration), once without uploads and once
// while Uploaders other members of the channel each upload files of
// FileSize back to back, as fast as the per-person limit allows.
type UploadLatencyOptions struct {
	LatencyOptions
	Uploaders int   // default 20
	FileSize  int64 // default 32 MiB
}

// UploadLatencyResult compares the two steps.
type UploadLatencyResult struct {
	Members   int     `json:"members"`
	Uploaders int     `json:"uploaders"`
	FileSize  int64   `json:"file_size"`
	Without   Step    `json:"without"`
	With      Step    `json:"with"`
	Ratio     float64 `json:"ratio"` // p99 with uploads ÷ p99 without
	// The uploads started while the step with uploads was sending; those
	// in flight when it ended were let finish.
	Completed int            `json:"completed"`
	Failed    map[string]int `json:"failed"`    // by the server's error code, or timeout/transport
	Bytes     int64          `json:"bytes"`     // of the completed uploads
	MBps      float64        `json:"mbps"`      // MB (10^6 bytes) a second: completed bytes from the first start to the last end
	InFlight  float64        `json:"in_flight"` // completed uploads in flight during the step, on average
	Upload    Summary        `json:"upload"`    // time per completed upload
	// The server's mean disk sync per commit in each step.
	SyncWithout time.Duration `json:"sync_without_ns"`
	SyncWith    time.Duration `json:"sync_with_ns"`
}

func (r UploadLatencyResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "latency with uploads: %d members; the same rate without, then with %d other members uploading %s files back to back\n",
		r.Members, r.Uploaders, SizeText(r.FileSize))
	fmt.Fprintf(&b, "  without uploads: %s\n", r.Without)
	fmt.Fprintf(&b, "  with uploads:    %s\n", r.With)
	fmt.Fprintf(&b, "  uploads: %d completed (%.0f MB/s, %.1f in flight on average, each %s), failed %v\n",
		r.Completed, r.MBps, r.InFlight, r.Upload, r.Failed)
	fmt.Fprintf(&b, "  the server's commits synced in %s on average without uploads, %s with\n",
		r.SyncWithout.Round(time.Microsecond), r.SyncWith.Round(time.Microsecond))
	fmt.Fprintf(&b, "  p99 with uploads ÷ without: %.2f (target ≤ 1.2)", r.Ratio)
	return b.String()
}

// LatencyWithUploads runs the latency scenario twice in one room: a step
// without uploads, then a step of the same rate with uploads.
func LatencyWithUploads(o UploadLatencyOptions) (UploadLatencyResult, error) {
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
	if o.Uploaders <= 0 {
		o.Uploaders = 20
	}
	if o.FileSize <= 0 {
		o.FileSize = 32 << 20
	}
	res := UploadLatencyResult{Members: o.Members, Uploaders: o.Uploaders, FileSize: o.FileSize, Failed: map[string]int{}}
	if o.Members < o.Senders+o.Uploaders {
		return res, fmt.Errorf("latency: %d uploaders besides %d senders need at least %d members", o.Uploaders, o.Senders, o.Senders+o.Uploaders)
	}
	mb := maxFileMBFor(o.FileSize)
	if mb > archive.MaxFileMBLimit {
		return res, fmt.Errorf("latency: %s is over the largest file an office may allow", SizeText(o.FileSize))
	}

	// A source file per uploader, written and synced before either step,
	// so that neither step pays for its writing. Each upload first gives
	// its file a new stamp: every upload is new bytes to the server, and
	// the file still goes out with sendfile.
	srcDir, err := tempDir(o.Dir, "latency-uploads-source")
	if err != nil {
		return res, err
	}
	if !o.Keep {
		defer os.RemoveAll(srcDir)
	}
	pt := newPattern()
	sources := make([]string, o.Uploaders)
	for i := range sources {
		sources[i] = filepath.Join(srcDir, fmt.Sprintf("source-%d.dat", i))
		if _, err := pt.writeSource(sources[i], o.FileSize, rand.Uint64()); err != nil {
			return res, err
		}
	}

	r, err := openRoomFiles(o.Common, "latency", o.Members, o.Senders, mb, o.Server)
	if err != nil {
		return res, err
	}
	defer r.close()
	drain := 2 * time.Second
	r.run(0, o.Rate, min(o.Duration/4, 2*time.Second), drain)
	// The mean sync of the server's commits in each step (from its
	// /metrics): whether the chat waits for a disk busy with files.
	commitSync := func(a, b serverStats) time.Duration {
		if n := b[statBatches] - a[statBatches]; n > 0 {
			return time.Duration((b[statSync] - a[statSync]) / n * float64(time.Second))
		}
		return 0
	}
	before, err := readServerStats(r.w.target.URL)
	if err != nil {
		return res, err
	}
	res.Without = r.run(1, o.Rate, o.Duration, drain)
	after, err := readServerStats(r.w.target.URL)
	if err != nil {
		return res, err
	}
	res.SyncWithout = commitSync(before, after)
	o.logf("latency: without uploads: %s", res.Without)

	// The uploaders: members after the senders.
	hc := uploadClient()
	defer hc.CloseIdleConnections()
	// Cancelled when the step ends: no new upload starts after it, and
	// those in flight finish.
	stop, stopUploads := context.WithCancel(context.Background())
	type done struct {
		start, end time.Time
		err        error
	}
	var (
		mu      sync.Mutex
		uploads []done
		wg      sync.WaitGroup
		firstEr atomic.Pointer[error]
	)
	// Before the room closes, on every way out.
	defer func() {
		stopUploads()
		wg.Wait()
	}()
	for k := range o.Uploaders {
		who := r.senders + k
		wg.Go(func() {
			src, err := os.OpenFile(sources[k], os.O_WRONLY, 0)
			if err != nil {
				firstEr.CompareAndSwap(nil, &err)
				return
			}
			defer src.Close()
			// A little under the server's limit, so that clocks a
			// moment apart never make an upload the server refuses.
			lim := rate.NewLimiter(rate.Limit(0.95*UploadsPerMinute/60.0), UploadBurst)
			for n := 0; ; n++ {
				if stop.Err() != nil || lim.Wait(stop) != nil {
					return
				}
				if err := restamp(src, rand.Uint64()); err != nil {
					firstEr.CompareAndSwap(nil, &err)
					return
				}
				body, err := os.Open(sources[k])
				if err != nil {
					firstEr.CompareAndSwap(nil, &err)
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				d := done{start: time.Now()}
				_, d.err = postFile(ctx, hc, r.w.target.URL, r.w.fx.Tokens[who], r.channel, fmt.Sprintf("load-test-%d-%d.dat", k, n), body, o.FileSize)
				d.end = time.Now()
				cancel()
				body.Close() // the transport closes it too; twice is harmless
				mu.Lock()
				uploads = append(uploads, d)
				mu.Unlock()
			}
		})
	}
	// The uploads get a second's head start, so the step runs with all of
	// them in flight rather than measuring their first bytes.
	time.Sleep(time.Second)
	if before, err = readServerStats(r.w.target.URL); err != nil {
		return res, err
	}
	stepStart := time.Now()
	res.With = r.run(2, o.Rate, o.Duration, drain)
	stepEnd := stepStart.Add(o.Duration)
	if after, err = readServerStats(r.w.target.URL); err != nil {
		return res, err
	}
	res.SyncWith = commitSync(before, after)
	stopUploads()
	wg.Wait()
	if p := firstEr.Load(); p != nil {
		return res, fmt.Errorf("latency: uploads: %w", *p)
	}
	o.logf("latency: with uploads: %s", res.With)

	var times Latencies
	var busy time.Duration
	var first, last time.Time
	for _, d := range uploads {
		if d.err != nil {
			res.Failed[failureCode(d.err)]++
			continue
		}
		res.Completed++
		res.Bytes += o.FileSize
		times = append(times, d.end.Sub(d.start))
		if first.IsZero() || d.start.Before(first) {
			first = d.start
		}
		last = maxTime(last, d.end)
		if lo, hi := maxTime(d.start, stepStart), minTime(d.end, stepEnd); hi.After(lo) {
			busy += hi.Sub(lo)
		}
	}
	res.Upload = times.Summarize()
	res.MBps = mbps(res.Bytes, last.Sub(first))
	res.InFlight = busy.Seconds() / o.Duration.Seconds()
	if res.Without.Latency.P99 > 0 {
		res.Ratio = float64(res.With.Latency.P99) / float64(res.Without.Latency.P99)
	}
	return res, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ---- Sizes ----

// SizeText prints bytes in the largest binary unit that keeps them whole
// enough to read: 1 GiB, 32 MiB, 1.5 KiB.
func SizeText(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.4g %s", v, units[u])
}

// ParseSize reads a size such as 1GiB, 256MiB, 64KiB, 100MB (10^6 bytes)
// or 4096 (bytes).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("%q is not a size (such as 1GiB, 256MiB or 4096)", s)
	}
	return int64(v * float64(mult)), nil
}
