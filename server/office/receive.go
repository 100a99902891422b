package office

import (
	"crypto/sha256"
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
//   - Each upload is taken in on an operating-system thread of its own at
//     the lowest priority (Linux: nice 19): hashing and copying a large file
//     keeps a core busy, and the chat's threads must come first.
//   - At most Receivers uploads are taken in at once; the others wait.
//     Each holds a scheduler slot while it runs, so the server keeps
//     Receivers more slots than it has cores (server.TuneProcess).
//   - Written data is handed to the disk as it comes (writeback, Linux):
//     otherwise a large upload's dirty pages are all flushed by the next
//     database sync, which every message waits for.

// Receivers is how many uploads are taken in at once.
const Receivers = 2

const receiveChunk = 256 << 10

var (
	receiving   = make(chan struct{}, Receivers)
	chunkBuffer = sync.Pool{New: func() any { b := make([]byte, receiveChunk); return &b }}
)

// receive copies at most limit+1 bytes of body into f and returns how many
// and their SHA-256.
func receive(f *os.File, body io.Reader, limit int64) (n int64, sum []byte, err error) {
	receiving <- struct{}{}
	defer func() { <-receiving }()

	// The work runs on a goroutine locked to a thread of its own, whose
	// priority is lowered; the thread ends with it (never locked, it would
	// go back to the runtime's pool with the low priority).
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		lowerPriority()
		n, sum, err = copyHashed(f, body, limit)
	}()
	<-done
	return n, sum, err
}

func copyHashed(f *os.File, body io.Reader, limit int64) (int64, []byte, error) {
	h := sha256.New()
	bp := chunkBuffer.Get().(*[]byte)
	defer chunkBuffer.Put(bp)
	buf := *bp
	src := io.LimitReader(body, limit+1)
	var n, flushed int64
	for {
		k, rerr := io.ReadFull(src, buf)
		if k > 0 {
			h.Write(buf[:k])
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
		case io.EOF, io.ErrUnexpectedEOF:
			return n, h.Sum(nil), nil
		default:
			return n, nil, rerr
		}
	}
}

// writebackEvery is how much written data may wait before it is handed to
// the disk.
const writebackEvery = 4 << 20
