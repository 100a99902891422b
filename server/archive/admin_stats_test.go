package archive

import (
	"testing"
	"time"
)

func TestMessagesPerDay(t *testing.T) {
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
		t.Fatalf("today: %d messages, want 4 (edits do not count)", got)
	}
	if !sameLocalDay(days[29].Day, time.Now()) || days[0].Day.After(days[1].Day) {
		t.Fatalf("days out of order: %v .. %v", days[0].Day, days[29].Day)
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
