package loadtest

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The floor is the least any durable chat server must do per message on
// this machine: read a frame from a TCP socket, append it to a file, sync
// the file once for all that arrived together, write an ack. No WebSocket,
// JSON, database, hash chain or index. The durable scenario run against it
// says how much of the durable figures is the machine and how much the
// server.

const (
	floorFrame = 120 // bytes a sender sends, about a durable send frame
	floorAck   = 60  // bytes of an ack
)

// FloorServe runs the floor server for a child process: a file in dir, a
// free loopback port printed to out, until SIGTERM or SIGINT.
func FloorServe(dir string, out io.Writer) error {
	// As Inhouse does (server.Open): a sync holds its scheduler slot.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	fl, err := startFloor(dir)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	fmt.Fprintf(out, "floor server listening at http://%s\n", fl.ln.Addr())
	select {
	case <-sig:
		return fl.stop()
	case err := <-fl.failed:
		fl.stop()
		return fmt.Errorf("floor server: %w", err)
	}
}

// floor is a running floor server.
type floor struct {
	ln     net.Listener
	file   *os.File
	done   chan struct{}
	failed chan error
	wg     sync.WaitGroup
}

type floorFrameIn struct {
	conn net.Conn
	data [floorFrame]byte
}

func startFloor(dir string) (*floor, error) {
	f, err := os.OpenFile(filepath.Join(dir, "floor.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Close()
		return nil, err
	}
	fl := &floor{ln: ln, file: f, done: make(chan struct{}), failed: make(chan error, 1)}
	queue := make(chan *floorFrameIn, 4096)
	fl.wg.Go(func() { fl.write(queue) })
	fl.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				for {
					fr := &floorFrameIn{conn: conn}
					if _, err := io.ReadFull(conn, fr.data[:]); err != nil {
						return
					}
					select {
					case queue <- fr:
					case <-fl.done:
						return
					}
				}
			}()
		}
	})
	return fl, nil
}

// write is the floor's writer: group commit, then the acks.
func (fl *floor) write(queue chan *floorFrameIn) {
	batch := make([]*floorFrameIn, 0, 512)
	var buf []byte
	ack := make([]byte, floorAck)
	for {
		select {
		case fr := <-queue:
			batch = append(batch[:0], fr)
		case <-fl.done:
			return
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case fr := <-queue:
				batch = append(batch, fr)
			default:
				break fill
			}
		}
		buf = buf[:0]
		for _, fr := range batch {
			buf = append(buf, fr.data[:]...)
		}
		if _, err := fl.file.Write(buf); err != nil {
			fl.failed <- err
			return
		}
		if err := fl.file.Sync(); err != nil {
			fl.failed <- err
			return
		}
		for _, fr := range batch {
			fr.conn.Write(ack)
		}
	}
}

func (fl *floor) stop() error {
	close(fl.done)
	fl.ln.Close()
	fl.wg.Wait()
	return fl.file.Close()
}

// FloorResult is the floor's rate and ack latency.
type FloorResult struct {
	Senders   int     `json:"senders"`
	Acked     int     `json:"acked"`
	PerSecond float64 `json:"per_second"`
	Ack       Summary `json:"ack"`
}

func (r FloorResult) String() string {
	return fmt.Sprintf("floor: %d senders  %8.0f acked/s  ack %s", r.Senders, r.PerSecond, r.Ack)
}

// Floor runs the durable scenario's load against the floor server.
// Compare is not used: the floor has one mode.
func Floor(o DurableOptions) (FloorResult, error) {
	o.defaults()
	res := FloorResult{Senders: o.Senders}
	dir, err := tempDir(o.Dir, "floor")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	so := o.Server
	so.Floor = true
	launcher := o.Launcher
	if launcher == nil {
		launcher = InProcess{}
	}
	t, err := launcher.Start(dir, so)
	if err != nil {
		return res, err
	}
	defer t.Stop()
	addr := t.URL[len("http://"):]
	conns := make([]net.Conn, o.Senders)
	for i := range conns {
		if conns[i], err = net.Dial("tcp", addr); err != nil {
			return res, err
		}
		defer conns[i].Close()
	}
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		lats    = make([]Latencies, o.Senders)
		errs    atomic.Int64
		started = time.Now()
	)
	for i, conn := range conns {
		wg.Go(func() {
			frame := make([]byte, floorFrame)
			ack := make([]byte, floorAck)
			conn.SetDeadline(time.Now().Add(o.Duration + 10*time.Second))
			for n := uint64(0); !stop.Load(); n++ {
				binary.LittleEndian.PutUint64(frame, n)
				t0 := time.Now()
				if _, err := conn.Write(frame); err != nil {
					errs.Add(1)
					return
				}
				if _, err := io.ReadFull(conn, ack); err != nil {
					errs.Add(1)
					return
				}
				lats[i] = append(lats[i], time.Since(t0))
			}
		})
	}
	time.Sleep(o.Duration)
	stop.Store(true)
	wg.Wait()
	if n := errs.Load(); n > 0 {
		return res, fmt.Errorf("floor: %d senders failed", n)
	}
	all := Merge(lats...)
	res.Acked = len(all)
	res.PerSecond = float64(len(all)) / time.Since(started).Seconds()
	res.Ack = all.Summarize()
	o.logf("%s", res)
	return res, nil
}
