// Package archive is Inhouse's durable store: people, sessions, channels and
// every message, in one BuntDB file inside the data folder.
//
// All writes go through one writer goroutine that applies them as BuntDB
// transactions and then syncs the file once for the whole batch (group
// commit). A write is reported done only after that sync succeeded; a failed
// sync puts the store into a failed state in which it refuses every further
// write, so nothing is ever acknowledged that may not be on disk.
package archive

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/buntdb"
)

// Errors callers match on.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrClosed   = errors.New("archive is closed")
	ErrLocked   = errors.New("the data folder is in use by another inhouse process")
)

// dbFile is the database file's name inside the data folder.
const dbFile = "inhouse.db"

// maxBatch bounds how many writes share one disk sync.
const maxBatch = 512

// Store is the open data folder.
type Store struct {
	dir   string
	db    *buntdb.DB
	syncf *os.File // our own handle on the database file, so sync errors are seen
	lock  *os.File

	ops     chan *op
	stop    chan struct{}
	stopped chan struct{}
	closeMu sync.RWMutex // held for reading while submitting, for writing by Close
	closed  bool

	failed atomic.Pointer[error] // the first sync or write failure; set once

	keyOnce sync.Once // the archive's signing key, loaded on first use
	key     ed25519.PrivateKey
	keyErr  error

	// SyncPerWrite turns group commit off (one sync per write). Benchmarks set
	// it to compare; nothing else should.
	SyncPerWrite atomic.Bool

	// Stats of the group commit, read by metrics.
	Batches   atomic.Uint64
	Writes    atomic.Uint64
	SyncNanos atomic.Uint64

	mu        sync.RWMutex // guards the in-memory directory below
	users     map[string]*User
	channels  map[string]*Channel
	dms       map[string]string   // "a\x00b" -> channel id
	lastSeq   map[string]uint64   // durable last seq per channel
	nextSeq   map[string]uint64   // writer-only: last seq handed out
	heads     map[string]string   // writer-only: each channel's chain head
	cur       map[string]*current // edited and deleted messages
	index     *index
	reads     map[string]uint64 // "channel\x00user" -> last read seq
	ruleState ruleState         // content rules and the open flags (rules_store.go)
	policy    Policy
	accepts   map[string]Acceptance // user -> acceptance
	settings  Settings
}

// op is one write waiting for the group commit.
type op struct {
	exec   func() error              // if set, runs instead of a transaction (compaction)
	apply  func(tx *buntdb.Tx) error // runs inside a write transaction
	commit func()                    // runs after the transaction committed, before the sync
	done   func(error)               // runs after the sync, in submission order
	err    error
}

// Open opens (or creates) the data folder. It fails with ErrLocked when
// another process holds the folder.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, dbFile)
	db, err := buntdb.Open(path)
	if err != nil {
		lock.Close()
		if errors.Is(err, buntdb.ErrInvalid) {
			return nil, fmt.Errorf("the database file %s is damaged in the middle (%w): `inhouse archive repair` keeps everything before the damage", path, err)
		}
		return nil, fmt.Errorf("open database: %w", err)
	}
	var cfg buntdb.Config
	if err := db.ReadConfig(&cfg); err != nil {
		db.Close()
		lock.Close()
		return nil, err
	}
	// We sync ourselves (BuntDB ignores sync errors) and never shrink behind
	// our back: a shrink replaces the file under our sync handle.
	cfg.SyncPolicy = buntdb.Never
	cfg.AutoShrinkDisabled = true
	if err := db.SetConfig(cfg); err != nil {
		db.Close()
		lock.Close()
		return nil, err
	}
	syncf, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		db.Close()
		lock.Close()
		return nil, err
	}
	s := &Store{
		dir: dir, db: db, syncf: syncf, lock: lock,
		ops:     make(chan *op, 4096),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if err := s.load(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("load database: %w", err)
	}
	go s.writer()
	return s, nil
}

// Dir is the data folder.
func (s *Store) Dir() string { return s.dir }

// Healthy reports the first write or sync failure, or nil.
func (s *Store) Healthy() error {
	if p := s.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// Size is the database file's size in bytes.
func (s *Store) Size() int64 {
	fi, err := s.syncf.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Close finishes the writes in flight, syncs and closes the folder.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()
	close(s.stop)
	<-s.stopped
	return s.closeFiles()
}

func (s *Store) closeFiles() error {
	err := s.syncf.Sync()
	s.syncf.Close()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	s.lock.Close()
	return err
}

// submit queues a write. done is always called exactly once.
func (s *Store) submit(o *op) {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		o.done(ErrClosed)
		return
	}
	if err := s.Healthy(); err != nil {
		o.done(err)
		return
	}
	s.ops <- o
}

// write runs fn in a durable transaction and waits for the sync. after, if
// not nil, updates the in-memory directory once the write is durable; it
// runs in the writer goroutine, so such updates happen in commit order.
func (s *Store) write(fn func(tx *buntdb.Tx) error, after func()) error {
	ch := make(chan error, 1)
	s.submit(&op{apply: fn, done: func(err error) {
		if err == nil && after != nil {
			s.mu.Lock()
			after()
			s.mu.Unlock()
		}
		ch <- err
	}})
	return <-ch
}

// writer is the one goroutine that writes: it applies queued writes in
// order, syncs once per batch and then reports each result.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*op, 0, maxBatch)
	for {
		var first *op
		select {
		case first = <-s.ops:
		case <-s.stop:
			// Drain what was queued before Close.
			for {
				select {
				case o := <-s.ops:
					s.run([]*op{o})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch && !s.SyncPerWrite.Load() {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.run(batch)
	}
}

func (s *Store) run(batch []*op) {
	wrote := false
	for _, o := range batch {
		if err := s.Healthy(); err != nil {
			o.err = err
			continue
		}
		if o.exec != nil {
			o.err = o.exec()
		} else {
			o.err = s.db.Update(o.apply)
		}
		if o.err == nil {
			wrote = true
			if o.commit != nil {
				o.commit()
			}
		} else if !isUserError(o.err) {
			// The write itself failed (disk full, I/O error): stop writing.
			s.fail(fmt.Errorf("database write failed: %w", o.err))
		}
	}
	if wrote {
		start := time.Now()
		if err := s.syncf.Sync(); err != nil {
			s.fail(fmt.Errorf("disk sync failed: %w", err))
			for _, o := range batch {
				if o.err == nil {
					o.err = s.Healthy()
				}
			}
		}
		s.SyncNanos.Add(uint64(time.Since(start)))
		s.Batches.Add(1)
	}
	s.Writes.Add(uint64(len(batch)))
	for _, o := range batch {
		o.done(o.err)
	}
}

func (s *Store) fail(err error) {
	s.failed.CompareAndSwap(nil, &err)
}

// UserError is an error caused by the request, not by the disk.
type UserError struct{ error }

func (e UserError) Unwrap() error { return e.error }

func userErr(err error) error { return UserError{err} }

func isUserError(err error) bool {
	var ue UserError
	return errors.As(err, &ue) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists)
}
