package office

import (
	"slices"
	"strconv"
	"strings"

	"inhouse/server/archive"
)

// RetentionChange is the manager's decision on how long messages are kept
// and who and what is on legal hold, as typed.
type RetentionChange struct {
	Forever bool
	Days    string   // when not Forever: 1 to 36500
	Hold    []string // people on legal hold (user names)
	HoldIn  []string // group channels on legal hold (ids)
	// Confirmed: the manager ticked that messages older than a shorter
	// period go for good (removing cannot be undone).
	Confirmed bool
}

// SaveRetention stores the retention rule; the nightly purge applies it.
// It returns the rule in words and whether it changed.
func (o *Office) SaveRetention(a Actor, in RetentionChange) (string, bool, error) {
	var rt archive.Retention
	var bad Problems
	if !in.Forever {
		n, err := strconv.Atoi(strings.TrimSpace(in.Days))
		if err != nil || n < 1 || n > 36500 {
			bad.add("days", "A whole number of days from 1 to 36500, e.g. 3650 for ten years.")
		}
		rt.Days = n
	}
	for _, u := range in.Hold {
		if _, err := o.store.User(u); err == nil && !slices.Contains(rt.HoldUsers, u) {
			rt.HoldUsers = append(rt.HoldUsers, u)
		}
	}
	for _, id := range in.HoldIn {
		if ch, err := o.store.Channel(id); err == nil && ch.Kind != archive.KindDirect && !slices.Contains(rt.HoldChannels, id) {
			rt.HoldChannels = append(rt.HoldChannels, id)
		}
	}
	slices.Sort(rt.HoldUsers)
	slices.Sort(rt.HoldChannels)
	old := o.store.Retention()
	shorter := rt.Days > 0 && (old.Days == 0 || rt.Days < old.Days)
	if len(bad) == 0 && shorter && !in.Confirmed {
		bad.add("confirm", "Tick this to confirm that messages older than "+plural(rt.Days, "day")+" will be removed for good.")
	}
	if err := bad.err(); err != nil {
		return "", false, err
	}
	before, after := o.RetentionWords(old), o.RetentionWords(rt)
	if before == after {
		return after, false, nil
	}
	if err := o.store.SetRetention(rt); err != nil {
		return "", false, err
	}
	o.audit(a, "retention.save", "retention", "Was: "+before+" Now: "+after)
	return after, true, nil
}

// RetentionWords says a retention rule in a sentence, for the page and the
// audit log.
func (o *Office) RetentionWords(rt archive.Retention) string {
	s := "Messages are kept forever."
	if rt.Days > 0 {
		s = "Messages are kept for " + plural(rt.Days, "day") + ", then removed."
	}
	var holds []string
	for i, u := range rt.HoldUsers {
		holds = append(holds, o.DisplayNames(rt.HoldUsers[i : i+1])[0]+" ("+u+")")
	}
	for _, id := range rt.HoldChannels {
		if ch, err := o.store.Channel(id); err == nil {
			holds = append(holds, "#"+ch.Name)
		} else {
			holds = append(holds, id)
		}
	}
	if len(holds) > 0 {
		s += " Legal hold: " + strings.Join(holds, ", ") + "."
	}
	return s
}
