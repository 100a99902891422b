package rules

import (
	"slices"
	"strings"
	"testing"
)

// Rules may be limited to kinds of file, and a rule may match every file
// of some kinds; neither ever looks at a message.
func TestRulesForKindsOfFile(t *testing.T) {
	e, err := Compile([]Rule{
		{ID: "sheets", Name: "Spreadsheets", Kind: KindFile, Files: []string{"office"}, Action: ActionFlag, Enabled: true},
		{ID: "archives", Name: "Archives", Kind: KindFile, Files: []string{"archive"}, Action: ActionBlock, Enabled: true},
		{ID: "payroll", Name: "Payroll in documents", Kind: KindPattern, Pattern: `payroll`, Files: []string{"office", "pdf"}, Action: ActionBlock, Enabled: true},
		{ID: "secret", Name: "Secret", Kind: KindPattern, Pattern: `top secret`, Action: ActionFlag, Enabled: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, kind, text, action, rules string
	}{
		{"a message never meets file rules", "", "the payroll archive", ActionAllow, ""},
		{"a message meets the others", "", "top secret", ActionFlag, "secret"},
		{"a spreadsheet is flagged", "office", "q3.xlsx\nunits", ActionFlag, "sheets"},
		{"a spreadsheet with payroll is blocked", "office", "q3.xlsx\npayroll march", ActionBlock, "payroll sheets"},
		{"a picture named payroll is not (not its kind)", "image", "payroll.png\n", ActionAllow, ""},
		{"an archive is blocked", "archive", "all.zip\n", ActionBlock, "archives"},
		{"a text file meets the general rules", "text", "notes.txt\ntop secret plan", ActionFlag, "secret"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var res Result
			if c.kind == "" {
				res = e.Check(c.text)
			} else {
				res = e.CheckFile(c.kind, c.text)
			}
			ids := slices.Sorted(slices.Values(res.RuleIDs()))
			if res.Action != c.action || strings.Join(ids, " ") != c.rules {
				t.Fatalf("got %s by %v, want %s by %q", res.Action, ids, c.action, c.rules)
			}
		})
	}
	for _, bad := range []Rule{
		{ID: "a", Name: "A", Kind: KindFile, Action: ActionFlag},                                          // no kinds
		{ID: "b", Name: "B", Kind: KindFile, Files: []string{"office"}, Action: ActionMask},               // a file cannot be masked
		{ID: "c", Name: "C", Kind: KindPattern, Pattern: "x", Files: []string{"exe"}, Action: ActionFlag}, // unknown kind
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("rule %s validated", bad.ID)
		}
	}
}
