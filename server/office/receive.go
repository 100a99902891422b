package office

import (
	"crypto/sha256"
	"hash"
	"io"
	"os"
	"runtime"
	"sync"
)

// How a file's bytes are taken in, measured with the load tool (inhouse-load
// upload and latency --uploads, docs/performance.md):
//
//   - Reads and writes of receiveChunk bytes: io.Copy's 32 KiB made the
//     system calls a third of an upload's time.
//   - SHA-256 runs beside the write, on a goroutine of its own: in line it
//     was half of an upload's CPU; beside it, a second core takes it.
//   - Written data is handed to the disk as it comes (writeback, Linux):
//     otherwise a large upload's dirty pages are all flushed by the next
//     database sync, which every message waits for.
//   - At most receivers uploads are taken in at once, and each yields the
//     processor between chunks: the chat's goroutines get their turn.

const (
	receiveChunk = 256 << 10
	receivers    = 4
)

var (
	receiving   = make(chan struct{}, receivers)
	chunkBuffer = sync.Pool{New: func() any { b := make([]byte, receiveChunk); return &b }}
)

// receive copies at most limit+1 bytes of body into f and returns how many
// and their SHA-256.
func receive(f *os.File, body io.Reader, limit int64) (int64, []byte, error) {
	receiving <- struct{}{}
	defer func() { <-receiving }()

	h := sha256.New()
	hashing := newHasher(h)
	defer hashing.stop()
	bufs := [2]*[]byte{chunkBuffer.Get().(*[]byte), chunkBuffer.Get().(*[]byte)}
	defer chunkBuffer.Put(bufs[0])
	defer chunkBuffer.Put(bufs[1])

	src := io.LimitReader(body, limit+1)
	var n, flushed int64
	for i := 0; ; i++ {
		// This buffer's last chunk (two ago) is hashed: add waited for it.
		buf := *bufs[i%2]
		k, rerr := io.ReadFull(src, buf)
		if k > 0 {
			hashing.add(buf[:k])
			if _, err := f.Write(buf[:k]); err != nil {
				return n, nil, err
			}
			n += int64(k)
			if n-flushed >= writebackEvery {
				startWriteback(f, flushed, n-flushed)
				flushed = n
			}
		}
		switch rerr {
		case nil:
			runtime.Gosched()
			continue
		case io.EOF, io.ErrUnexpectedEOF:
			hashing.wait()
			return n, h.Sum(nil), nil
		default:
			return n, nil, rerr
		}
	}
}

// writebackEvery is how much written data may wait before it is handed to
// the disk.
const writebackEvery = 4 << 20

// hasher hashes chunks on its own goroutine, one at a time.
type hasher struct {
	in   chan []byte
	done chan struct{}
	busy bool
}

func newHasher(h hash.Hash) *hasher {
	hs := &hasher{in: make(chan []byte), done: make(chan struct{})}
	go func() {
		for b := range hs.in {
			h.Write(b)
			hs.done <- struct{}{}
		}
	}()
	return hs
}

// add hands a chunk over; wait must come before the chunk's buffer is
// used again.
func (hs *hasher) add(b []byte) {
	hs.wait()
	hs.in <- b
	hs.busy = true
}

// wait returns once the chunk handed over last is hashed.
func (hs *hasher) wait() {
	if hs.busy {
		<-hs.done
		hs.busy = false
	}
}

func (hs *hasher) stop() {
	hs.wait()
	close(hs.in)
}
