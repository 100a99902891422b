package rules

import "regexp"

// Email addresses: a local part of the characters people actually use
// (letters, digits and . _ % + -), "@", and a domain of dot-separated labels
// ending in a top-level domain of at least two letters. Quoted local parts
// and addresses with non-ASCII characters are not found. The pattern follows
// the practical subset of RFC 5322 section 3.4.1 (addr-spec, dot-atom form)
// with RFC 1035 labels.
var emailRE = regexp.MustCompile(`[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}`)

func findEmails(text string) []Span {
	var out []Span
	for _, m := range emailRE.FindAllStringIndex(text, -1) {
		// Do not start in the middle of a word (the pattern cannot look
		// behind) or end inside one.
		if wordAt(text, m[0]-1) || wordAt(text, m[1]) {
			continue
		}
		out = append(out, Span{m[0], m[1]})
	}
	return out
}
