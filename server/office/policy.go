package office

import (
	"strconv"
	"strings"

	"inhouse/server/archive"
)

// SavePolicy makes a new version of the usage policy, which everyone
// accepts again before they can send. Saving the same words again makes no
// new version (nobody is asked twice for nothing): it reports false.
func (o *Office) SavePolicy(a Actor, text, banner string) (archive.Policy, bool, error) {
	text, banner = strings.TrimSpace(text), strings.TrimSpace(banner)
	var bad Problems
	switch {
	case text == "":
		bad.add("text", "Write the policy people must accept.")
	case len(text) > 64<<10:
		bad.add("text", "The policy can be at most 64 KiB long.")
	}
	switch {
	case banner == "":
		bad.add("banner", "Write one short line, e.g. “Conversations are archived.”")
	case len(banner) > 200 || strings.ContainsAny(banner, "\r\n"):
		bad.add("banner", "One line of at most 200 characters.")
	}
	if err := bad.err(); err != nil {
		return archive.Policy{}, false, err
	}
	if old := o.store.Policy(); text == old.Text && banner == old.Banner {
		return old, false, nil
	}
	p, err := o.store.SetPolicy(text, banner)
	if err != nil {
		return p, false, err
	}
	o.audit(a, "policy.save", "policy", "Saved usage policy version "+strconv.Itoa(p.Version)+"; everyone must accept it again.")
	return p, true, nil
}
