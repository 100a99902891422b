package admin

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server/rules"
)

// Content rules: the office's list, edited one rule at a time. The whole
// list is saved on every change (Store.SaveRules), so the engine in force
// always matches what this page shows.

func ruleURL(id, op string) templ.SafeURL {
	u := "/admin/rules/" + url.PathEscape(id)
	if op != "" {
		u += "/" + op
	}
	return templ.SafeURL(u)
}

// actionInfo explains an action next to its radio button.
var actionInfo = []struct{ ID, Label, Help string }{
	{rules.ActionFlag, "Flag", "The message is sent and archived unchanged, and waits in the review queue."},
	{rules.ActionMask, "Mask", "Colleagues see the matched part as •••; the archive keeps the original. Also queued for review."},
	{rules.ActionBlock, "Block", "The message is not sent or stored; the sender is told why. Only the review queue keeps a masked excerpt."},
	{rules.ActionAllow, "Allow (an exception)", "Other rules ignore what this rule matches, e.g. the office's own bank account."},
}

func actionLabel(a string) string {
	for _, x := range actionInfo {
		if x.ID == a {
			return x.Label
		}
	}
	return a
}

func detectorTitle(name string) string {
	for _, d := range rules.Detectors() {
		if d.Name == name {
			return d.Title
		}
	}
	return name
}

// GET /admin/rules: the list and the test box.
func (c *Console) rulesList(r *request) {
	c.renderRules(r, fasthttp.StatusOK, newForm(), nil)
}

func (c *Console) renderRules(r *request, status int, test *form, res *ruleTest) {
	s := c.shell(r, "Content rules", "/admin/rules").with("Add a rule", "/admin/rules/new")
	c.render(r.ctx, status, rulesPage(s, c.store.Rules(), test, res))
}

// ruleTest is what the engine made of a text typed into the test box.
type ruleTest struct {
	Action string
	Masked string
	Marked []segment // the text with the matches marked
	Hits   []rules.Hit
	Text   string
}

// segment is a piece of the tested text, matched by a rule or not.
type segment struct {
	Text  string
	Match bool
}

// maxTestText bounds the test box like the longest possible message.
const maxTestText = 32000

// POST /admin/rules/test: runs the rules in force over a text and shows
// the verdict. The text is neither stored nor logged; it is posted, not put
// in the address, so it stays out of the browser history too.
func (c *Console) rulesTest(r *request) {
	f := postedForm(r.ctx)
	text := f.Raw("text")
	switch {
	case strings.TrimSpace(text) == "":
		f.Fail("text", "Type or paste a text to test, e.g. a message with a card number.")
	case len(text) > maxTestText:
		f.Fail("text", fmt.Sprintf("At most %d bytes, like the longest message.", maxTestText))
	case !utf8.ValidString(text):
		f.Fail("text", "The text is not valid UTF-8.")
	}
	if !f.Valid() {
		c.renderRules(r, fasthttp.StatusBadRequest, f, nil)
		return
	}
	res := c.store.RuleEngine().Check(text)
	c.renderRules(r, fasthttp.StatusOK, f, &ruleTest{Action: res.Action, Masked: res.Masked, Hits: res.Hits, Marked: marked(text, res.Hits), Text: text})
}

// marked splits text into matched and unmatched pieces; overlapping hits
// are joined.
func marked(text string, hits []rules.Hit) []segment {
	var out []segment
	at := 0
	for _, h := range hits { // ordered by Start
		if h.End <= at {
			continue
		}
		start := max(h.Start, at)
		if start > at {
			out = append(out, segment{Text: text[at:start]})
		}
		if n := len(out); n > 0 && out[n-1].Match && start == at {
			out[n-1].Text += text[start:h.End]
		} else {
			out = append(out, segment{Text: text[start:h.End], Match: true})
		}
		at = h.End
	}
	if at < len(text) {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// ruleForm fills the edit form from a stored rule.
func ruleForm(ru rules.Rule) *form {
	f := newForm().Set("name", ru.Name).Set("kind", ru.Kind).Set("pattern", ru.Pattern).
		Set("detector", ru.Detector).Set("action", ru.Action).Set("files", ru.Files...)
	if ru.MatchCase {
		f.Set("match_case", "on")
	}
	if ru.Enabled {
		f.Set("enabled", "on")
	}
	return f
}

// GET /admin/rules/new
func (c *Console) ruleNew(r *request) {
	f := newForm().Set("kind", rules.KindPattern).Set("action", rules.ActionFlag).Set("enabled", "on").Set("detector", rules.DetectCard)
	c.render(r.ctx, fasthttp.StatusOK, ruleEditPage(c.shell(r, "Add a rule", "/admin/rules"), f, rules.Rule{}, rules.Detectors()))
}

// ruleFromForm reads and checks the posted rule, marking the fields that
// are wrong. id is the rule's id (kept when editing).
func ruleFromForm(f *form, id string) rules.Rule {
	ru := rules.Rule{ID: id, Name: f.Get("name"), Kind: f.Get("kind"), Action: f.Get("action"),
		MatchCase: f.Checked("match_case", "on"), Enabled: f.Checked("enabled", "on")}
	for _, k := range rules.FileKinds {
		if f.Checked("files", k) {
			ru.Files = append(ru.Files, k)
		}
	}
	switch n := utf8.RuneCountInString(ru.Name); {
	case n == 0:
		f.Fail("name", "Give the rule a name reviewers will understand, e.g. “Project Zebra”.")
	case len(ru.Name) > 80:
		f.Fail("name", "At most 80 characters.")
	}
	if !slices.Contains(rules.Actions(), ru.Action) {
		f.Fail("action", "Choose what happens to a matching message.")
	}
	switch ru.Kind {
	case rules.KindPattern:
		// The pattern as typed: spaces may matter in it.
		ru.Pattern = f.Raw("pattern")
	case rules.KindDetector:
		ru.Detector = f.Get("detector")
		if !slices.ContainsFunc(rules.Detectors(), func(d rules.DetectorInfo) bool { return d.Name == ru.Detector }) {
			f.Fail("detector", "Choose one of the detectors.")
		}
	case rules.KindFile:
		if len(ru.Files) == 0 {
			f.Fail("files", "Choose the kinds of file the rule is for.")
		}
		if ru.Action == rules.ActionMask {
			f.Fail("action", "A file cannot be masked: choose flag or block.")
		}
	default:
		f.Fail("kind", "Choose a pattern, a detector or kinds of file.")
	}
	if f.Valid() {
		if err := ru.Validate(); err != nil {
			// Only the pattern can still be wrong; say so without the id.
			msg := err.Error()
			if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "rule ") {
				msg = msg[i+2:]
			}
			field := "pattern"
			if ru.Kind != rules.KindPattern {
				field = "name"
			}
			f.Fail(field, sentence(msg))
		}
	}
	return ru
}

// newRuleID makes a short, unique id from the name: reviewers and the
// API see it, and flags keep it after a rule is renamed.
func newRuleID(name string, list []rules.Rule) string {
	var sb strings.Builder
	dash := false
	for _, ch := range strings.ToLower(name) {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			sb.WriteRune(ch)
			dash = false
		default:
			dash = true
		}
		if sb.Len() >= 30 {
			break
		}
	}
	base := sb.String()
	if base == "" || base == "new" || base == "test" { // "new" and "test" are pages
		base = "rule"
	}
	taken := func(id string) bool {
		return slices.ContainsFunc(list, func(x rules.Rule) bool { return x.ID == id })
	}
	id := base
	for n := 2; taken(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// POST /admin/rules/new
func (c *Console) ruleCreate(r *request) {
	f := postedForm(r.ctx)
	list := c.store.Rules()
	ru := ruleFromForm(f, newRuleID(f.Get("name"), list))
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, ruleEditPage(c.shell(r, "Add a rule", "/admin/rules"), f, rules.Rule{}, rules.Detectors()))
		return
	}
	if err := c.office.AddRule(c.actor(r), ru); err != nil {
		c.storeFailed(r, err, "/admin/rules/new")
		return
	}
	c.ok(r, "The rule “"+ru.Name+"” was added"+onOffWords(ru.Enabled)+".")
	redirect(r.ctx, "/admin/rules")
}

func onOffWords(on bool) string {
	if on {
		return " and is in force"
	}
	return "; it is off until you turn it on"
}

// rule loads the rule named in the path, answering 404 itself.
func (c *Console) rule(r *request) (rules.Rule, []rules.Rule, bool) {
	list := c.store.Rules()
	i := slices.IndexFunc(list, func(x rules.Rule) bool { return x.ID == r.param("id") })
	if i < 0 {
		c.notFound(r)
		return rules.Rule{}, nil, false
	}
	return list[i], list, true
}

// GET /admin/rules/{id}
func (c *Console) ruleEdit(r *request) {
	ru, _, ok := c.rule(r)
	if !ok {
		return
	}
	c.render(r.ctx, fasthttp.StatusOK, ruleEditPage(c.shell(r, ru.Name, "/admin/rules"), ruleForm(ru), ru, rules.Detectors()))
}

// POST /admin/rules/{id}
func (c *Console) ruleSave(r *request) {
	old, _, ok := c.rule(r)
	if !ok {
		return
	}
	f := postedForm(r.ctx)
	ru := ruleFromForm(f, old.ID)
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, ruleEditPage(c.shell(r, old.Name, "/admin/rules"), f, old, rules.Detectors()))
		return
	}
	changed, err := c.office.EditRule(c.actor(r), ru)
	if err != nil {
		c.storeFailed(r, err, string(ruleURL(old.ID, "")))
		return
	}
	if !changed {
		c.ok(r, "Nothing changed.")
		redirect(r.ctx, string(ruleURL(old.ID, "")))
		return
	}
	c.ok(r, "Saved the rule “"+ru.Name+"”.")
	redirect(r.ctx, "/admin/rules")
}

// POST /admin/rules/{id}/{enable,disable}; GET /admin/rules/{id}/delete
// asks first, POST deletes.
func (c *Console) ruleConfirm(r *request) {
	ru, _, ok := c.rule(r)
	if !ok {
		return
	}
	if r.param("op") != "delete" {
		c.notFound(r)
		return
	}
	c.render(r.ctx, fasthttp.StatusOK, ruleDeletePage(c.shell(r, "Delete the rule “"+ru.Name+"”?", "/admin/rules"), ru))
}

func (c *Console) ruleDo(r *request) {
	ru, _, ok := c.rule(r)
	if !ok {
		return
	}
	var done string
	var err error
	switch op := r.param("op"); op {
	case "enable", "disable":
		on := op == "enable"
		var changed bool
		if changed, err = c.office.SetRuleEnabled(c.actor(r), ru.ID, on); err == nil {
			switch {
			case !changed:
				done = "Nothing changed."
			case on:
				done = "The rule “" + ru.Name + "” is on."
			default:
				done = "The rule “" + ru.Name + "” is off."
			}
		}
	case "delete":
		if err = c.office.DeleteRule(c.actor(r), ru.ID); err == nil {
			done = "The rule “" + ru.Name + "” was deleted."
		}
	default:
		c.notFound(r)
		return
	}
	if err != nil {
		c.storeFailed(r, err, "/admin/rules")
		return
	}
	c.ok(r, done)
	redirect(r.ctx, "/admin/rules")
}

func init() {
	for k, v := range map[string]string{
		"rule.add":        "Added a content rule",
		"rule.edit":       "Changed a content rule",
		"rule.enable":     "Turned a content rule on",
		"rule.disable":    "Turned a content rule off",
		"rule.delete":     "Deleted a content rule",
		"flag.resolve":    "Resolved a flag",
		"backup.download": "Downloaded a backup",
		"backup.schedule": "Changed the backup schedule",
	} {
		actionWords[k] = v
	}
}

// fileKindWords are the kinds of file a rule may name, in words.
var fileKindWords = map[string]string{
	"image": "Pictures", "pdf": "PDF documents", "text": "Text files (CSV, logs …)", "office": "Office documents (Word, Excel, PowerPoint, OpenDocument)",
	"archive": "Archives (.zip …)", "media": "Audio and video", "markup": "Web pages and SVG", "program": "Programs", "script": "Scripts", "other": "Anything else",
}

// filesWords names kinds of file for the rules list.
func filesWords(kinds []string) string {
	words := make([]string, len(kinds))
	for i, k := range kinds {
		words[i] = strings.ToLower(fileKindWords[k])
	}
	return strings.Join(words, ", ")
}
