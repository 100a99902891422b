package office

import (
	"slices"
	"strconv"
	"strings"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// The content rules against leaks, and the review queue of what they
// flagged. The console's form checks a rule's fields (ruleFromForm); the
// use cases here keep the list, write it and the audit entry.

// AddRule adds a content rule at the end of the list.
func (o *Office) AddRule(a Actor, ru rules.Rule) error {
	if err := o.store.SaveRules(append(o.store.Rules(), ru)); err != nil {
		return err
	}
	o.audit(a, "rule.add", ru.ID, "Added the content rule "+ru.Name+" ("+RuleWhat(ru)+", "+ru.Action+onOff(ru.Enabled)+").")
	return nil
}

// EditRule replaces the rule with ru's id. It reports whether anything
// changed.
func (o *Office) EditRule(a Actor, ru rules.Rule) (bool, error) {
	list := o.store.Rules()
	i := slices.IndexFunc(list, func(x rules.Rule) bool { return x.ID == ru.ID })
	if i < 0 {
		return false, archive.ErrNotFound
	}
	old := list[i]
	if ru.Equal(old) {
		return false, nil
	}
	list[i] = ru
	if err := o.store.SaveRules(list); err != nil {
		return false, err
	}
	o.audit(a, "rule.edit", ru.ID, "Changed the content rule "+old.Name+" ("+RuleWhat(old)+", "+old.Action+onOff(old.Enabled)+") to "+ru.Name+" ("+RuleWhat(ru)+", "+ru.Action+onOff(ru.Enabled)+").")
	return true, nil
}

// SetRuleEnabled turns a rule on or off. It reports whether anything
// changed.
func (o *Office) SetRuleEnabled(a Actor, id string, on bool) (bool, error) {
	list := o.store.Rules()
	i := slices.IndexFunc(list, func(x rules.Rule) bool { return x.ID == id })
	if i < 0 {
		return false, archive.ErrNotFound
	}
	if list[i].Enabled == on {
		return false, nil
	}
	list[i].Enabled = on
	if err := o.store.SaveRules(list); err != nil {
		return false, err
	}
	action, word := "rule.disable", "off"
	if on {
		action, word = "rule.enable", "on"
	}
	o.audit(a, action, id, "Turned the content rule "+list[i].Name+" "+word+".")
	return true, nil
}

// DeleteRule removes a rule; the flags it raised keep its id.
func (o *Office) DeleteRule(a Actor, id string) error {
	list := o.store.Rules()
	i := slices.IndexFunc(list, func(x rules.Rule) bool { return x.ID == id })
	if i < 0 {
		return archive.ErrNotFound
	}
	ru := list[i]
	if err := o.store.SaveRules(slices.Delete(list, i, i+1)); err != nil {
		return err
	}
	o.audit(a, "rule.delete", id, "Deleted the content rule "+ru.Name+" ("+RuleWhat(ru)+", "+ru.Action+onOff(ru.Enabled)+").")
	return nil
}

// RuleWhat says what a rule looks for, for the audit log.
func RuleWhat(ru rules.Rule) string {
	var s string
	switch ru.Kind {
	case rules.KindDetector:
		s = "detector " + ru.Detector
	case rules.KindFile:
		return "every file of the kinds " + strings.Join(ru.Files, ", ")
	default:
		s = "pattern " + ru.Pattern
		if ru.MatchCase {
			s += " (match case)"
		}
	}
	if len(ru.Files) > 0 {
		s += ", in files of the kinds " + strings.Join(ru.Files, ", ")
	}
	return s
}

func onOff(on bool) string {
	if on {
		return ", on"
	}
	return ", off"
}

// flagName names a flag of the review queue in the audit log.
func flagName(n uint64) string { return "flag " + strconv.FormatUint(n, 10) }

// ResolveFlag marks a flag of the review queue as dealt with.
func (o *Office) ResolveFlag(a Actor, n uint64) error {
	if err := o.store.ResolveFlag(n, a.Name); err != nil {
		return err
	}
	o.audit(a, "flag.resolve", flagName(n), "Marked flag "+strconv.FormatUint(n, 10)+" of the review queue as resolved.")
	return nil
}
