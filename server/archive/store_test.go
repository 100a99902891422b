package archive

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func appendWait(s *Store, ch, from, id, text string) (Message, bool, error) {
	type res struct {
		m   Message
		dup bool
		err error
	}
	done := make(chan res, 1)
	s.Append(Post{Channel: ch, From: from, ClientID: id, Text: text}, func(m Message, dup bool, err error) { done <- res{m, dup, err} })
	r := <-done
	return r.m, r.dup, r.err
}

func setup(t *testing.T) (*Store, string, Channel) {
	t.Helper()
	dir := t.TempDir()
	s := open(t, dir)
	for _, n := range []string{"ana", "ben"} {
		if err := s.AddUser(User{Name: n, Role: RoleMember, Hash: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.CreateChannel("general", false, "ana", []string{"ben"})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir, c
}

func TestConcurrentAppendsGetGapFreeSeqs(t *testing.T) {
	s, dir, c := setup(t)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, _, err := appendWait(s, c.ID, "ana", fmt.Sprintf("w%d-%d", w, i), "hi"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if s.LastSeq(c.ID) != 800 {
		t.Fatalf("last seq %d, want 800", s.LastSeq(c.ID))
	}
	if s.Batches.Load() >= s.Writes.Load() {
		t.Logf("no batching happened (%d batches for %d writes)", s.Batches.Load(), s.Writes.Load())
	}
	s.Close()

	s = open(t, dir)
	defer s.Close()
	msgs, err := s.After(c.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 800 {
		t.Fatalf("after reopen %d messages", len(msgs))
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		if m.Seq != uint64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
		if seen[m.ID] {
			t.Fatalf("id %s twice", m.ID)
		}
		seen[m.ID] = true
	}
	// Seq numbering continues where it stopped.
	if m, _, _ := appendWait(s, c.ID, "ben", "after", "x"); m.Seq != 801 {
		t.Fatalf("next seq after reopen %d", m.Seq)
	}
}

func TestDuplicateClientIDReturnsOriginal(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	m1, dup1, _ := appendWait(s, c.ID, "ana", "id1", "first")
	m2, dup2, _ := appendWait(s, c.ID, "ana", "id1", "changed text")
	if dup1 || !dup2 || m2.Seq != m1.Seq || m2.Text != "first" || m2.TS != m1.TS {
		t.Fatalf("first %+v dup=%v, second %+v dup=%v", m1, dup1, m2, dup2)
	}
	// The same id from another person is another message.
	if m3, dup3, _ := appendWait(s, c.ID, "ben", "id1", "ben's"); dup3 || m3.Seq != 2 {
		t.Fatalf("ben's id1: %+v dup=%v", m3, dup3)
	}
}

func TestTornTailIsDropped(t *testing.T) {
	s, dir, c := setup(t)
	for i := 0; i < 10; i++ {
		appendWait(s, c.ID, "ana", fmt.Sprint(i), "hello")
	}
	s.Close()
	path := filepath.Join(dir, dbFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("*3\r\n$3\r\nset\r\n$40\r\nmsg:" + c.ID + ":0000") // a write cut short
	f.Close()
	s = open(t, dir)
	defer s.Close()
	if s.LastSeq(c.ID) != 10 {
		t.Fatalf("after a torn tail last seq is %d", s.LastSeq(c.ID))
	}
}

func TestDamageInTheMiddleIsReported(t *testing.T) {
	s, dir, c := setup(t)
	for i := 0; i < 10; i++ {
		appendWait(s, c.ID, "ana", fmt.Sprint(i), "hello")
	}
	s.Close()
	path := filepath.Join(dir, dbFile)
	data, _ := os.ReadFile(path)
	i := strings.Index(string(data), "*3\r\n$3\r\nset")
	data[i] = '!'
	os.WriteFile(path, data, 0o600)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("open damaged file: %v", err)
	}
}

func TestFailedSyncIsNeverAcknowledged(t *testing.T) {
	s, _, c := setup(t)
	if _, _, err := appendWait(s, c.ID, "ana", "ok", "fine"); err != nil {
		t.Fatal(err)
	}
	s.syncf.Close() // the next sync fails, as on a failing disk
	if _, _, err := appendWait(s, c.ID, "ana", "lost", "not durable"); err == nil {
		t.Fatal("a write whose sync failed was reported done")
	}
	if s.Healthy() == nil {
		t.Fatal("store still reports healthy after a failed sync")
	}
	if _, _, err := appendWait(s, c.ID, "ana", "later", "refused"); err == nil {
		t.Fatal("store takes writes after a failed sync")
	}
	if s.LastSeq(c.ID) != 1 {
		t.Fatalf("unsynced message visible: last seq %d", s.LastSeq(c.ID))
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	s, dir, _ := setup(t)
	defer s.Close()
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
}

func TestDirectChannelIsOnePerPair(t *testing.T) {
	s, _, _ := setup(t)
	defer s.Close()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := "ana", "ben"
			if i%2 == 1 {
				a, b = b, a
			}
			c, _, err := s.DirectChannel(a, b)
			if err != nil {
				t.Error(err)
			}
			ids[i] = c.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("pair got several channels: %v", ids)
		}
	}
}

func TestRepairKeepsWhatCameBeforeTheDamage(t *testing.T) {
	s, dir, c := setup(t)
	for i := 1; i <= 20; i++ {
		appendWait(s, c.ID, "ana", fmt.Sprint(i), fmt.Sprintf("message number %02d", i))
	}
	s.Close()
	path := filepath.Join(dir, dbFile)
	data, _ := os.ReadFile(path)
	i := strings.Index(string(data), "message number 12")
	j := strings.LastIndex(string(data[:i]), "*3\r\n")
	data[j] = '#' // the record holding message 12 is damaged
	os.WriteFile(path, data, 0o600)
	if _, err := Open(dir); err == nil {
		t.Fatal("a damaged file opened")
	}
	rep, err := Repair(dir)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(rep.Original)
	if !bytes.Equal(orig, data) {
		t.Fatal("the original was not copied aside unchanged")
	}
	s = open(t, dir)
	defer s.Close()
	if last := s.LastSeq(c.ID); last != 11 {
		t.Fatalf("after repair the channel ends at %d, want 11", last)
	}
}

func TestMigrationsRunOnceInOrder(t *testing.T) {
	first, dir, _ := setup(t)
	first.Close()
	ran := []string{}
	real := migrations
	migrations = append(slices.Clone(real),
		func(tx *buntdb.Tx) error { ran = append(ran, "a"); return nil },
		func(tx *buntdb.Tx) error {
			ran = append(ran, "b")
			_, _, err := tx.Set("meta:migrated", "yes", nil)
			return err
		},
	)
	defer func() { migrations = real }()
	s := open(t, dir)
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if fmt.Sprint(ran) != "[a b]" {
		t.Fatalf("migrations ran %v, want [a b] once", ran)
	}
	migrations = real
	s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer inhouse") {
		t.Fatalf("a database from a newer build opened: %v", err)
	}
}

// TestSchema1KeepsItsClientIDs: a database written with one idempotency
// record per message opens with the records gone, head records made, and
// every client id still answered with the message it made.
func TestSchema1KeepsItsClientIDs(t *testing.T) {
	s, dir, c := setup(t)
	var sent []Message
	for i := 1; i <= 5; i++ {
		m, _, err := appendWait(s, c.ID, "ana", fmt.Sprint("k", i), fmt.Sprint("text ", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m)
	}
	s.Close()
	rawEdit(t, dir, func(tx *buntdb.Tx) error { // as schema 1 wrote it
		for _, m := range sent {
			tx.Set("idem:ana:"+m.ID, fmt.Sprintf("%s:%d", c.ID, m.Seq), nil)
		}
		tx.Delete(headKey(c.ID))
		_, _, err := tx.Set("meta:schema", "1", nil)
		return err
	})
	s = open(t, dir)
	defer s.Close()
	s.db.View(func(tx *buntdb.Tx) error {
		n := 0
		tx.AscendKeys("idem:*", func(string, string) bool { n++; return true })
		if v, err := tx.Get(headKey(c.ID)); n != 0 || err != nil || v != "5" {
			t.Fatalf("after the migration: %d idempotency records, head %q (%v)", n, v, err)
		}
		return nil
	})
	// The replaced records are compacted away, not read at every open.
	if raw, _ := os.ReadFile(filepath.Join(dir, dbFile)); bytes.Contains(raw, []byte("idem:")) {
		t.Fatal("the database file still holds the old idempotency records")
	}
	m, dup, err := appendWait(s, c.ID, "ana", "k3", "text 3 again")
	if err != nil || !dup || m.Seq != 3 || m.Text != "text 3" {
		t.Fatalf("resent k3: seq %d dup %v text %q err %v", m.Seq, dup, m.Text, err)
	}
	if m, dup, _ := appendWait(s, c.ID, "ana", "k6", "new"); dup || m.Seq != 6 {
		t.Fatalf("new id: seq %d dup %v", m.Seq, dup)
	}
}

func TestPolicyLedgerKeepsEveryVersion(t *testing.T) {
	s, _, _ := setup(t)
	defer s.Close()
	s.AcceptPolicy("ana", 1)
	p, _ := s.SetPolicy("Version two.", "Archived.")
	if err := s.AcceptPolicy("ana", 1); err == nil {
		t.Fatal("an old version was accepted")
	}
	s.AcceptPolicy("ana", p.Version)
	got := s.Acceptances("ana")
	if len(got) != 2 || got[0].Version != 1 || got[1].Version != 2 {
		t.Fatalf("ledger %+v", got)
	}
}

// TestOneBadWriteDoesNotSpoilItsBatch: writes that share one transaction
// fall back to one each when one of them fails.
func TestOneBadWriteDoesNotSpoilItsBatch(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	var errs []error
	set := func(k string) *op {
		return &op{apply: func(tx *buntdb.Tx) error { _, _, err := tx.Set(k, "1", nil); return err },
			done: func(err error) { errs = append(errs, err) }}
	}
	bad := &op{apply: func(tx *buntdb.Tx) error {
		tx.Set("half-written", "1", nil)
		return userErr(errors.New("refused"))
	}, done: func(err error) { errs = append(errs, err) }}
	s.run([]*op{set("k1"), bad, set("k2")}) // as the writer goroutine would
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("results %v", errs)
	}
	s.db.View(func(tx *buntdb.Tx) error {
		for k, want := range map[string]bool{"k1": true, "k2": true, "half-written": false} {
			if _, err := tx.Get(k); (err == nil) != want {
				t.Errorf("key %s stored: %v, want %v", k, err == nil, want)
			}
		}
		return nil
	})
	if s.Healthy() != nil {
		t.Fatal("a refused request failed the store")
	}
	// Messages still get gap-free seqs afterwards.
	for i := 1; i <= 3; i++ {
		if m, _, _ := appendWait(s, c.ID, "ana", fmt.Sprint(i), "x"); m.Seq != uint64(i) {
			t.Fatalf("seq %d, want %d", m.Seq, i)
		}
	}
}

// TestRolledBackAppendForgetsItsClientID: a message whose shared
// transaction rolls back (another write in it failed) is stored once when
// it runs on its own, not taken for a repeat of itself.
func TestRolledBackAppendForgetsItsClientID(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	var got Message
	var dup bool
	var gotErr error
	reported := make(chan struct{})
	a := newAppendOp()
	a.s, a.p = s, Post{Channel: c.ID, From: "ana", ClientID: "r1", Text: "once", Kind: KindMessage}
	a.m = Message{Channel: c.ID, ID: "r1", From: "ana", Text: "once", Kind: KindMessage}
	a.report = func(m Message, d bool, err error) {
		got, dup, gotErr = m, d, err
		close(reported)
	}
	bad := &op{apply: func(tx *buntdb.Tx) error { return userErr(errors.New("refused")) }, done: func(error) {}}
	// Hold the writer on a first write, so the two queued behind it share
	// the next batch and its transaction.
	started, release := make(chan struct{}), make(chan struct{})
	s.submit(&op{apply: func(tx *buntdb.Tx) error { close(started); <-release; return nil }, done: func(error) {}})
	<-started
	s.submit(&a.op)
	s.submit(bad)
	close(release)
	<-reported
	if gotErr != nil || dup || got.Seq != 1 {
		t.Fatalf("append in a rolled-back batch: seq %d dup %v err %v", got.Seq, dup, gotErr)
	}
	if m, dup, err := appendWait(s, c.ID, "ana", "r1", "again"); err != nil || !dup || m.Seq != 1 {
		t.Fatalf("resent r1: seq %d dup %v err %v", m.Seq, dup, err)
	}
}

// TestHeadRecordsFollow: a channel's head record catches up with its
// newest message within headsLag, without a stop.
func TestHeadRecordsFollow(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	for i := 1; i <= 3; i++ {
		if _, _, err := appendWait(s, c.ID, "ana", fmt.Sprint("h", i), "x"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(headsLag + 2*time.Second)
	for {
		var v string
		s.db.View(func(tx *buntdb.Tx) error { v, _ = tx.Get(headKey(c.ID)); return nil })
		if v == "3" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("head record %q, want 3, %s after the last message", v, headsLag+2*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIndexTakesAMessageOnce: a rebuild that runs between a message's
// commit and its indexing already has it; indexing it after must not list
// it twice.
func TestIndexTakesAMessageOnce(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	m, _, err := appendWait(s, c.ID, "ana", "once", "quarterly numbers")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.rebuildIndex(); err != nil {
		t.Fatal(err)
	}
	s.index.add(m) // as a commit's indexing that came after the rebuild would
	hits, _ := s.Search(Query{Words: "quarterly", Limit: 10})
	if len(hits) != 1 {
		t.Fatalf("%d hits for one message, want 1", len(hits))
	}
}

// TestHeadRecordsFollowUnderLoad: with messages always queued, the head
// records ride along with a batch of them and still trail by at most
// headsLag.
func TestHeadRecordsFollowUnderLoad(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	var acked atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // 64 appends in flight: the writer's queue is never empty
		inFlight := make(chan struct{}, 64)
		for i := 0; ; i++ {
			select {
			case <-stop:
				for range cap(inFlight) {
					inFlight <- struct{}{}
				}
				return
			case inFlight <- struct{}{}:
			}
			s.Append(Post{Channel: c.ID, From: "ana", ClientID: fmt.Sprint("u", i), Text: "x"}, func(m Message, _ bool, err error) {
				if err != nil {
					t.Error(err)
				}
				for {
					if old := acked.Load(); m.Seq <= old || acked.CompareAndSwap(old, m.Seq) {
						break
					}
				}
				<-inFlight
			})
		}
	})
	defer func() { close(stop); wg.Wait() }()
	// Under load once many batches have gone through with the queue full.
	waitFor(t, "1000 appends acknowledged under load", 5*time.Second, func() bool { return acked.Load() >= 1000 })
	before := acked.Load()
	deadline := time.Now().Add(headsLag + 2*time.Second)
	for {
		var v string
		s.db.View(func(tx *buntdb.Tx) error { v, _ = tx.Get(headKey(c.ID)); return nil })
		if n, _ := strconv.ParseUint(v, 10, 64); n >= before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("head record %q, want at least %d, %s later under load", v, before, headsLag+2*time.Second)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond every few milliseconds until it holds, failing the
// test with what if it does not within the given time.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
	}
}
