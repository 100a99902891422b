package rules

// Email addresses: a local part of the characters people actually use
// (letters, digits and . _ % + -, no leading, trailing or double dot, at
// most 64 characters as RFC 5321 section 4.5.3.1.1 allows), "@", and a
// domain of dot-separated labels (letters, digits and inner dashes, at most
// 63 characters each, RFC 1035 section 2.3.4) ending in a top-level domain
// of 2 to 63 letters. This is the practical subset of RFC 5322 section
// 3.4.1 (addr-spec, dot-atom form); quoted local parts and addresses with
// non-ASCII characters are not found.
//
// The scan starts from each "@" and looks at most 64 characters back and
// 253 ahead, so it runs in linear time whatever the text.

const (
	maxLocal  = 64
	maxDomain = 253
	maxLabel  = 63
)

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func findEmails(text string) []Span {
	var out []Span
	last := 0
	for a := 0; a < len(text); a++ {
		if text[a] != '@' {
			continue
		}
		// The local part, back from the "@".
		k := a
		for k > last && a-k < maxLocal+1 && isLocalChar(text[k-1]) && (text[k-1] != '.' || text[k] != '.') {
			k--
		}
		for k < a && text[k] == '.' {
			k++ // a leading dot is not part of the address
		}
		if k == a || text[a-1] == '.' || wordAt(text, k-1) || a-k > maxLocal {
			continue
		}
		end, ok := domainAt(text, a+1)
		if !ok {
			continue
		}
		out = append(out, Span{k, end})
		last = end
		a = end - 1
	}
	return out
}

// domainAt reads a domain starting at text[i] and returns its end.
func domainAt(text string, i int) (int, bool) {
	end := -1 // end of the longest acceptable domain so far
	labels := 0
	for j := i; j < len(text) && j-i <= maxDomain; {
		k := j
		letters := true
		for k < len(text) && (isAlnum(text[k]) || text[k] == '-') {
			letters = letters && isLetter(text[k])
			k++
		}
		n := k - j
		if n == 0 || n > maxLabel || text[j] == '-' || text[k-1] == '-' || k-i > maxDomain {
			break
		}
		labels++
		if labels >= 2 && letters && n >= 2 {
			end = k
		}
		if k+1 < len(text) && text[k] == '.' {
			j = k + 1
			continue
		}
		break
	}
	if end < 0 || wordAt(text, end) {
		return 0, false
	}
	return end, true
}
