package archive

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/buntdb"

	"inhouse/server/rules"
)

func openRules(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestRulesDefaultSaveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openRules(t, dir)
	if got, want := len(s.Rules()), len(rules.Defaults()); got != want {
		t.Fatalf("fresh store has %d rules, want the %d defaults", got, want)
	}
	if a := s.RuleEngine().Check("4111 1111 1111 1111").Action; a != rules.ActionMask {
		t.Fatalf("default engine: %s", a)
	}

	bad := []rules.Rule{{ID: "x", Name: "x", Kind: rules.KindPattern, Pattern: "a(", Action: rules.ActionBlock, Enabled: true}}
	err := s.SaveRules(bad)
	if err == nil || !isUserError(err) || !strings.Contains(err.Error(), "bad pattern") {
		t.Fatalf("SaveRules(bad) = %v", err)
	}
	if s.Healthy() != nil {
		t.Fatal("a bad rule list failed the store")
	}

	mine := []rules.Rule{
		{ID: "word", Name: " Project Zebra ", Kind: rules.KindPattern, Pattern: `zebra`, Action: rules.ActionBlock, Enabled: true},
		{ID: "ibans", Name: "IBAN", Kind: rules.KindDetector, Detector: rules.DetectIBAN, Action: rules.ActionFlag, Enabled: false},
	}
	if err := s.SaveRules(mine); err != nil {
		t.Fatal(err)
	}
	mine[0].Pattern = "changed by the caller"
	check := func(s *Store) {
		t.Helper()
		got := s.Rules()
		if len(got) != 2 || got[0].Pattern != "zebra" || got[0].Name != "Project Zebra" || got[1].Enabled {
			t.Fatalf("Rules() = %+v", got)
		}
		e := s.RuleEngine()
		if e.Check("ZEBRA crossing").Action != rules.ActionBlock || e.Check("4111 1111 1111 1111").Action != rules.ActionAllow {
			t.Fatal("engine does not follow the saved rules")
		}
	}
	check(s)
	got := s.Rules()
	got[0].ID = "mutated"
	if s.Rules()[0].ID != "word" {
		t.Fatal("Rules() shares its slice")
	}
	s.Close()
	s = openRules(t, dir)
	check(s)

	// An empty list means no rules at all, also after a restart.
	if err := s.SaveRules(nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openRules(t, dir)
	defer s.Close()
	if n := len(s.Rules()); n != 0 || s.RuleEngine().Len() != 0 {
		t.Fatalf("after saving no rules: %d rules", n)
	}
}

func TestFlagQueue(t *testing.T) {
	dir := t.TempDir()
	s := openRules(t, dir)
	for i, a := range []string{rules.ActionFlag, rules.ActionMask, rules.ActionBlock} {
		f := Flag{Channel: "c1", Seq: uint64(i + 1), User: "ana", RuleIDs: []string{"r" + a}, Action: a, Excerpt: "x ••••"}
		if a == rules.ActionBlock {
			f.Seq = 0
		}
		if err := s.AddFlag(f); err != nil {
			t.Fatal(err)
		}
	}
	nums := func(fs []Flag) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%d", f.N)
			if f.Resolved {
				b.WriteString("r")
			}
			b.WriteString(" ")
		}
		return strings.TrimSpace(b.String())
	}
	if got := nums(s.Flags(true, 10)); got != "3 2 1" {
		t.Fatalf("open flags %s", got)
	}
	if got := s.Flags(true, 10)[2]; got.Channel != "c1" || got.Seq != 1 || got.User != "ana" || got.RuleIDs[0] != "rflag" || got.At.IsZero() || got.Excerpt != "x ••••" {
		t.Fatalf("flag 1 = %+v", got)
	}
	if err := s.ResolveFlag(2, "boss"); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveFlag(2, "other"); err != nil {
		t.Fatalf("second resolve: %v", err)
	}
	if err := s.ResolveFlag(99, "boss"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("resolve 99: %v", err)
	}
	if err := s.ResolveFlag(1, " "); err == nil {
		t.Fatal("resolved without a name")
	}
	if got := nums(s.Flags(true, 10)); got != "3 1" || s.OpenFlags() != 2 {
		t.Fatalf("open flags after resolve: %s (%d)", got, s.OpenFlags())
	}
	if got := nums(s.Flags(false, 10)); got != "3 2r 1" {
		t.Fatalf("all flags: %s", got)
	}
	if got := nums(s.Flags(false, 2)); got != "3 2r" {
		t.Fatalf("limited: %s", got)
	}
	f := s.Flags(false, 10)[1]
	if f.ResolvedBy != "boss" || f.ResolvedAt.IsZero() {
		t.Fatalf("resolved flag = %+v", f)
	}
	if s.Healthy() != nil {
		t.Fatal("the store failed")
	}

	// Numbers and the open set survive a restart.
	s.Close()
	s = openRules(t, dir)
	defer s.Close()
	if err := s.AddFlag(Flag{Channel: "c1", User: "ben", RuleIDs: []string{"x"}, Action: rules.ActionFlag}); err != nil {
		t.Fatal(err)
	}
	if got := nums(s.Flags(true, 0)); got != "4 3 1" {
		t.Fatalf("after reopen: %s", got)
	}
}

func TestAddFlagChecks(t *testing.T) {
	s := openRules(t, t.TempDir())
	defer s.Close()
	ok := Flag{Channel: "c", User: "u", RuleIDs: []string{"r"}, Action: rules.ActionBlock}
	for name, edit := range map[string]func(f *Flag){
		"no channel":   func(f *Flag) { f.Channel = "" },
		"no user":      func(f *Flag) { f.User = "" },
		"allow":        func(f *Flag) { f.Action = rules.ActionAllow },
		"no rules":     func(f *Flag) { f.RuleIDs = nil },
		"bogus action": func(f *Flag) { f.Action = "zap" },
	} {
		f := ok
		edit(&f)
		if err := s.AddFlag(f); err == nil || !isUserError(err) {
			t.Fatalf("%s: AddFlag = %v", name, err)
		}
	}
	long := ok
	long.Excerpt = strings.Repeat("é", MaxFlagExcerpt+10)
	long.Resolved, long.ResolvedBy, long.N = true, "sneaky", 77
	if err := s.AddFlag(long); err != nil {
		t.Fatal(err)
	}
	got := s.Flags(false, 1)[0]
	if got.N != 1 || got.Resolved || got.ResolvedBy != "" || got.Excerpt != strings.Repeat("é", MaxFlagExcerpt)+"…" {
		t.Fatalf("stored %+v", got)
	}
}

func TestConcurrentFlagsGetDistinctNumbers(t *testing.T) {
	s := openRules(t, t.TempDir())
	defer s.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				f := Flag{Channel: fmt.Sprintf("c%d", w), User: "u", RuleIDs: []string{"r"}, Action: rules.ActionFlag, Excerpt: fmt.Sprint(i)}
				if err := s.AddFlag(f); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	all := s.Flags(false, 1000)
	if len(all) != 200 || s.OpenFlags() != 200 {
		t.Fatalf("%d flags, %d open", len(all), s.OpenFlags())
	}
	for i, f := range all {
		if f.N != uint64(200-i) {
			t.Fatalf("flag %d has number %d", i, f.N)
		}
	}
}

func TestRulesStateIsPerStore(t *testing.T) {
	a, b := openRules(t, t.TempDir()), openRules(t, t.TempDir())
	defer a.Close()
	defer b.Close()
	if err := a.SaveRules(nil); err != nil {
		t.Fatal(err)
	}
	if err := a.AddFlag(Flag{Channel: "c", User: "u", RuleIDs: []string{"r"}, Action: rules.ActionFlag}); err != nil {
		t.Fatal(err)
	}
	if len(b.Rules()) != len(rules.Defaults()) || b.OpenFlags() != 0 {
		t.Fatal("two stores share rule state")
	}
}

func TestStoredRulesThatNoLongerValidate(t *testing.T) {
	dir := t.TempDir()
	s := openRules(t, dir)
	stored := `[{"id":"old","name":"Old","kind":"detector","detector":"dna","action":"block","enabled":true},` +
		`{"id":"w","name":"W","kind":"pattern","pattern":"zebra","action":"flag","enabled":true}]`
	if err := s.write(func(tx *buntdb.Tx) error { _, _, err := tx.Set("rules", stored, nil); return err }, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openRules(t, dir)
	if len(s.Rules()) != 2 || s.RuleEngine().Len() != 1 || s.RuleEngine().Check("zebra").Action != rules.ActionFlag {
		t.Fatalf("rules %+v, engine has %d", s.Rules(), s.RuleEngine().Len())
	}
	if err := s.write(func(tx *buntdb.Tx) error { _, _, err := tx.Set("rules", "{not json", nil); return err }, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openRules(t, dir)
	defer s.Close()
	if len(s.Rules()) != len(rules.Defaults()) {
		t.Fatalf("damaged list: %+v", s.Rules())
	}
}
