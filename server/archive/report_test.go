package archive

import (
	"testing"
	"time"
)

func TestActivityCountsMessagesOnly(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	for i, from := range []string{"ana", "ana", "ben"} {
		if _, _, err := appendWait(s, c.ID, from, "m"+string(rune('a'+i)), "hello"); err != nil {
			t.Fatal(err)
		}
	}
	m, _, _ := appendWait(s, c.ID, "ben", "m9", "typo")
	if _, _, err := appendEdit(s, c.ID, "ben", "e1", m.Seq); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a := s.Activity(now.Add(-time.Hour))
	if a.Messages != 4 || a.People["ana"] != 2 || a.People["ben"] != 2 || a.Channels[c.ID] != 4 {
		t.Fatalf("activity: %+v", a)
	}
	if a.PerDay[now.Local().Format(dayLayout)] != 4 {
		t.Fatalf("per day: %v", a.PerDay)
	}
	sum := 0
	for _, day := range a.Hours {
		for _, n := range day {
			sum += n
		}
	}
	if sum != 4 {
		t.Fatalf("hour-of-week grid holds %d messages, want 4", sum)
	}
	if later := s.Activity(now.Add(time.Hour)); later.Messages != 0 || len(later.People) != 0 {
		t.Fatalf("nothing was sent in the future: %+v", later)
	}
}
