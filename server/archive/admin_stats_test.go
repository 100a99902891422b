package archive

import (
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

func TestMessagesPerDayScansThenCounts(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	for i := 0; i < 3; i++ {
		if _, _, err := appendWait(s, c.ID, "ana", "m"+string(rune('a'+i)), "hi"); err != nil {
			t.Fatal(err)
		}
	}
	m, _, _ := appendWait(s, c.ID, "ana", "e1", "hi")
	if _, _, err := appendEdit(s, c.ID, "ana", "e2", m.Seq); err != nil {
		t.Fatal(err)
	}
	days, err := s.MessagesPerDay(30, time.Now())
	if err != nil || len(days) != 30 {
		t.Fatalf("days: %v %v", days, err)
	}
	if got := days[29].Count; got != 4 {
		t.Fatalf("today by scanning: %d messages, want 4 (edits do not count)", got)
	}
	if !sameLocalDay(days[29].Day, time.Now()) || days[0].Day.After(days[1].Day) {
		t.Fatalf("days out of order: %v .. %v", days[0].Day, days[29].Day)
	}

	// The first countMessage counts what is stored; later ones add one.
	yesterday := time.Now().Add(-24 * time.Hour).UnixMilli()
	for _, ts := range []int64{time.Now().UnixMilli(), time.Now().UnixMilli(), yesterday} {
		if err := s.write(func(tx *buntdb.Tx) error { return s.countMessage(tx, ts) }, nil); err != nil {
			t.Fatal(err)
		}
	}
	days, _ = s.MessagesPerDay(30, time.Now())
	if days[29].Count != 5 || days[28].Count != 1 {
		t.Fatalf("with counters: today %d (want 5), yesterday %d (want 1)", days[29].Count, days[28].Count)
	}
}

func appendEdit(s *Store, ch, from, id string, ref uint64) (Message, bool, error) {
	done := make(chan error, 1)
	var m Message
	s.Append(Post{Channel: ch, From: from, ClientID: id, Text: "edited", Kind: KindEdit, Ref: ref}, func(got Message, _ bool, err error) { m = got; done <- err })
	return m, false, <-done
}

func sameLocalDay(a, b time.Time) bool {
	return a.Local().Format(dayLayout) == b.Local().Format(dayLayout)
}

func TestMessageTS(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ts int64
		ok bool
	}{
		{`{"id":"a","from":"ana","text":"say \"ts\":5, ok","ts":1700000000000,"h":"x"}`, 1700000000000, true},
		{`{"id":"a","from":"ana","text":"x","ts":17,"kind":"edit","ref":3,"h":"x"}`, 0, false},
		{`{"id":"a","text":"x"}`, 0, false},
	} {
		ts, ok := messageTS(tc.v)
		if ts != tc.ts || ok != tc.ok {
			t.Fatalf("%s: got %d %v", tc.v, ts, ok)
		}
	}
}

func TestLastBackup(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	if _, ok := s.LastBackup(); ok {
		t.Fatalf("a new store has no backup")
	}
	at := time.Date(2026, 3, 14, 9, 12, 0, 0, time.UTC)
	if err := s.SetLastBackup(at); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.LastBackup(); !ok || !got.Equal(at) {
		t.Fatalf("last backup %v %v", got, ok)
	}
}
