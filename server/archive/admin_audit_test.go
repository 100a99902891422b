package archive

import (
	"fmt"
	"strings"
	"testing"
)

func TestAuditLogAppendsPagesAndSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := 1; i <= 7; i++ {
		if err := s.Audit(AuditEntry{Actor: "boss", Via: "console", Action: "person.add", Target: fmt.Sprint("p", i), Detail: fmt.Sprint("Added p", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Audit(AuditEntry{Action: "x"}); err == nil {
		t.Fatalf("an entry without an actor was accepted")
	}
	page, more, err := s.AuditLog(0, 3, nil)
	if err != nil || !more || len(page) != 3 || page[0].Seq != 7 || page[2].Seq != 5 || page[0].Target != "p7" {
		t.Fatalf("first page: %+v more=%v err=%v", page, more, err)
	}
	page, more, _ = s.AuditLog(page[2].Seq, 10, nil)
	if more || len(page) != 4 || page[0].Seq != 4 || page[3].Seq != 1 {
		t.Fatalf("second page: %+v more=%v", page, more)
	}
	odd, _, _ := s.AuditLog(0, 10, func(e AuditEntry) bool { return strings.HasSuffix(e.Target, "3") })
	if len(odd) != 1 || odd[0].Target != "p3" {
		t.Fatalf("filtered: %+v", odd)
	}
	s.Close()

	s = open(t, dir)
	defer s.Close()
	if err := s.Audit(AuditEntry{Actor: "boss", Action: "settings.save"}); err != nil {
		t.Fatal(err)
	}
	page, _, _ = s.AuditLog(0, 1, nil)
	if len(page) != 1 || page[0].Seq != 8 || page[0].At.IsZero() {
		t.Fatalf("after reopen the next seq is 8: %+v", page)
	}
}

func TestAuditKeysArePaddedAndBeyondOtherLogs(t *testing.T) {
	if k := adminAuditKey(42); k != "audit:admin:000000000042" {
		t.Fatalf("key %q", k)
	}
	s := open(t, t.TempDir())
	defer s.Close()
	page, more, err := s.AuditLog(0, 10, nil)
	if err != nil || more || len(page) != 0 {
		t.Fatalf("empty log: %v %v %v", page, more, err)
	}
}
