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
	"strings"
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

	seals     chan Seal             // the writer's newest synced state, for the sealer (seal.go)
	sealDone  chan struct{}         // closed when the sealer ends
	sealErr   atomic.Pointer[error] // the last seal that could not be written
	sealDirty atomic.Bool           // something was written since the last seal (set and read by the writer)

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

	mu         sync.RWMutex // guards the in-memory directory below
	users      map[string]*User
	channels   map[string]*Channel
	dms        map[string]string   // dmPair(a, b) -> channel id
	lastSeq    map[string]uint64   // durable last seq per channel
	nextSeq    map[string]uint64   // writer-only: last seq handed out
	heads      map[string]string   // writer-only: each channel's chain head
	idem       map[string]idemRef  // writer-only: idemKey(from, client id) -> the message it made
	lagging    map[string]struct{} // writer-only: channels whose head record is behind
	headsDue   bool                // writer-only: the next batch writes the head records
	undo       []undo              // writer-only: what to restore if a transaction rolls back
	scratch    []byte              // writer-only: where a message is sealed
	migrated   bool                // set at open when a migration ran
	cur        map[string]*current // edited and deleted messages
	fileRefs   map[string]int32    // stored file (sha256) -> how many records name it
	filesBytes int64               // their sizes, each content once
	shared     []sharedBytes       // every message's files, for the reports
	talk       talk                // reactions, pins and threads (talk.go)
	announced  []MsgRef            // messages asking to be confirmed, in commit order (people.go)
	index      *index
	readMarks  map[string]*uint64 // readMarkSlot(channel, user) -> the last seq they read (a pointer: moved in place on every own message)
	ruleState  ruleState          // content rules and the open flags (rules_store.go)
	policy     Policy
	accepts    map[string]Acceptance // user -> acceptance
	settings   Settings
}

// op is one write waiting for the group commit.
type op struct {
	exec  func() error              // if set, runs instead of a transaction (compaction)
	apply func(tx *buntdb.Tx) error // runs inside a write transaction
	done  func(error)               // runs after the sync, in submission order
	err   error
}

// Open opens (or creates) the data folder. It fails with ErrLocked when
// another process holds the folder.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if err := tightenDir(dir); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, dbFile)
	// BuntDB would create the file readable by everyone.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
		f.Close()
	}
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
		ops:      make(chan *op, 4096),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
		seals:    make(chan Seal, 1),
		sealDone: make(chan struct{}),
	}
	if err := s.load(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("load database: %w", err)
	}
	s.checkSealAtOpen() // before anything is written
	s.clearReceiving()
	go s.sealer()
	go s.writer()
	if err := s.markSealed(); err != nil {
		s.Close()
		return nil, fmt.Errorf("start the seal: %w", err)
	}
	if s.migrated {
		// A migration leaves the records it replaced in the file until a
		// compaction; do it now rather than read them at every open.
		if err := s.Compact(); err != nil {
			s.Close()
			return nil, fmt.Errorf("compact the migrated database: %w", err)
		}
	}
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
	// Head records trail the messages by at most headsLag: written with
	// every batch they would cost as much as the messages themselves.
	heads := time.NewTimer(time.Hour)
	heads.Stop()
	armed := false
	seal := time.NewTimer(time.Hour)
	seal.Stop()
	sealArmed := false
	batch := make([]*op, 0, maxBatch)
	for {
		var first *op
		select {
		case first = <-s.ops:
		case <-seal.C:
			sealArmed = false
			if s.sealDirty.Load() && s.Healthy() == nil {
				s.sealDirty.Store(false)
				s.handSeal(s.sealState())
			}
			continue
		case <-heads.C:
			armed = false
			if len(s.ops) > 0 {
				s.headsDue = true // the next batch carries them, under its sync
			} else {
				s.run([]*op{s.headsOp()})
			}
			continue
		case <-s.stop:
			// Drain what was queued before Close, then bring the head
			// records up to date: a clean stop leaves none behind.
			for {
				select {
				case o := <-s.ops:
					s.run([]*op{o})
				default:
					if len(s.lagging) > 0 {
						s.run([]*op{s.headsOp()})
					}
					// The last seal names everything, written before
					// Close returns.
					close(s.seals)
					<-s.sealDone
					if s.sealDirty.Load() && s.Healthy() == nil {
						if err := s.writeSeal(s.sealState()); err != nil {
							s.sealErr.Store(&err)
						}
					}
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
		if len(s.lagging) > 0 && !armed {
			heads.Reset(headsLag)
			armed = true
		}
		if s.sealDirty.Load() && !sealArmed {
			seal.Reset(sealEvery)
			sealArmed = true
		}
	}
}

func (s *Store) run(batch []*op) {
	wrote := false
	for i := 0; i < len(batch); {
		j := i + 1
		if batch[i].exec == nil {
			for j < len(batch) && batch[j].exec == nil {
				j++
			}
		}
		if s.apply(batch[i:j]) {
			wrote = true
		}
		i = j
	}
	if wrote && s.headsDue {
		s.headsDue = false
		if err := s.writeHeads(); err != nil {
			s.failOn(err)
			failUnfailed(batch, s.Healthy())
		}
	}
	if wrote {
		s.sealDirty.Store(true)
		start := time.Now()
		if err := s.syncf.Sync(); err != nil {
			s.fail(fmt.Errorf("disk sync failed: %w", err))
			failUnfailed(batch, s.Healthy())
		}
		s.SyncNanos.Add(uint64(time.Since(start)))
		s.Batches.Add(1)
	}
	s.Writes.Add(uint64(len(batch)))
	for _, o := range batch {
		o.done(o.err)
	}
}

// failUnfailed gives err to the ops of batch that had none: their writes
// are not known to be on disk.
func failUnfailed(batch []*op, err error) {
	for _, o := range batch {
		if o.err == nil {
			o.err = err
		}
	}
}

// opFailed marks an error returned by one op inside a shared transaction.
type opFailed struct{ error }

// apply runs ops: a compaction alone; transactions together in one BuntDB
// transaction, so the whole group is one write to the file. If one of them
// fails, the shared transaction is rolled back and each runs on its own, so
// one bad request never spoils the others. It reports whether anything was
// written.
func (s *Store) apply(ops []*op) bool {
	if err := s.Healthy(); err != nil {
		for _, o := range ops {
			o.err = err
		}
		return false
	}
	if ops[0].exec != nil {
		o := ops[0]
		o.err = o.exec()
		s.failOn(o.err)
		return o.err == nil
	}
	if len(ops) > 1 {
		err := s.db.Update(func(tx *buntdb.Tx) error {
			for _, o := range ops {
				if err := o.apply(tx); err != nil {
					return opFailed{err}
				}
			}
			return nil
		})
		var of opFailed
		switch {
		case err == nil:
			s.undo = s.undo[:0]
			for _, o := range ops {
				o.err = nil
			}
			return true
		case !errors.As(err, &of):
			// The file write failed: nothing of the group is stored.
			s.rollbackState()
			s.failOn(err)
			for _, o := range ops {
				o.err = err
			}
			return false
		}
		s.rollbackState()
	}
	wrote := false
	for _, o := range ops {
		if o.err = s.db.Update(o.apply); o.err != nil {
			s.rollbackState()
			s.failOn(o.err)
			continue
		}
		s.undo = s.undo[:0]
		wrote = true
	}
	return wrote
}

// failOn stops the store after an error that is not the request's fault
// (disk full, I/O error).
func (s *Store) failOn(err error) {
	if err != nil && !isUserError(err) {
		s.fail(fmt.Errorf("database write failed: %w", err))
	}
}

// undo records the writer-only state (next seq, chain head, a client id's
// message) an op changed inside a transaction that may still roll back.
type undo struct {
	channel string
	next    uint64
	head    string

	idem string // if set, this entry restores s.idem[idem] instead
	was  idemRef
	had  bool
}

// advance moves a channel's next seq and chain head, remembering the old.
func (s *Store) advance(channel string, next uint64, head string) {
	s.undo = append(s.undo, undo{channel: channel, next: s.nextSeq[channel], head: s.heads[channel]})
	s.nextSeq[channel], s.heads[channel] = next, head
	s.lagging[channel] = struct{}{} // a rolled-back one only writes a head again
}

// setIdem records (ok) or forgets (!ok) which message a client id made,
// remembering the old.
func (s *Store) setIdem(key string, ref idemRef, ok bool) {
	was, had := s.idem[key]
	s.undo = append(s.undo, undo{idem: key, was: was, had: had})
	if ok {
		s.idem[key] = ref
	} else {
		delete(s.idem, key)
	}
}

// rollbackState undoes advance and setIdem calls of a rolled-back
// transaction.
func (s *Store) rollbackState() {
	for i := len(s.undo) - 1; i >= 0; i-- {
		u := s.undo[i]
		switch {
		case u.idem == "":
			s.nextSeq[u.channel], s.heads[u.channel] = u.next, u.head
		case u.had:
			s.idem[u.idem] = u.was
		default:
			delete(s.idem, u.idem)
		}
	}
	s.undo = s.undo[:0]
}

func (s *Store) fail(err error) {
	s.failed.CompareAndSwap(nil, &err)
}

// UserError is an error caused by the request, not by the disk.
type UserError struct{ error }

func (e UserError) Unwrap() error { return e.error }

func userErr(err error) error { return UserError{err} }

// NewUserError marks err as the person's mistake (400, shown as it is), for
// the application layer's own checks.
func NewUserError(err error) error { return UserError{err} }

// Sentence is err's message as a sentence for people: capitalized, with a
// full stop.
func Sentence(err error) string {
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

func isUserError(err error) bool {
	var ue UserError
	return errors.As(err, &ue) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists)
}
