package rules

// Phone numbers, conservatively: only forms that are hard to mistake for
// dates, amounts, order numbers or card numbers.
//
//   - International: "+" or "00", then 8 to 15 digits in total (ITU-T E.164
//     allows at most 15 digits including the country code), e.g.
//     "+49 30 1234567", "+1 (555) 010-9999", "0044 20 7946 0958".
//   - National: a leading "0" (the trunk prefix used across Europe and much
//     of the world, ITU-T E.164 Annex / national numbering plans) and 10 to
//     12 digits, e.g. "030 12345678", "(0171) 123-4567".
//
// Between digits a single space, dash, dot or slash is allowed, and one
// pair of round brackets around a group. Groups have at least two digits,
// except a country code after "+". The number must not touch a letter,
// digit, "+" or underscore. US-style numbers without "+1" ("555-010-9999")
// are not found: too many order and ticket numbers look alike.

const (
	minIntlDigits     = 8
	maxIntlDigits     = 15
	minNationalDigits = 10
	maxNationalDigits = 12
)

func findPhones(text string) []Span {
	var out []Span
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '+' && c != '0' && c != '(' {
			continue
		}
		if i > 0 && (wordAt(text, i-1) || text[i-1] == '+' || text[i-1] == '(' || text[i-1] == ')') {
			continue
		}
		if end, ok := phoneAt(text, i); ok {
			out = append(out, Span{i, end})
			i = end - 1
		}
	}
	return out
}

// phoneAt reads a phone number starting at text[i] and returns its end.
func phoneAt(text string, i int) (int, bool) {
	intl := false
	j := i
	if text[j] == '+' {
		intl = true
		j++
		if j >= len(text) || !isDigit(text[j]) {
			return 0, false
		}
	}
	var groups []int // digits per group
	var seps []byte  // the separator after each group, 0 for none or a bracket
	digits := 0
	open, closed := false, false
	end := -1   // end of the last digit or closing bracket
	sep := true // the previous character was a separator (or the start)
	ingroup := false
loop:
	for ; j < len(text); j++ {
		c := text[j]
		switch {
		case isDigit(c):
			digits++
			if digits > maxIntlDigits+2 {
				return 0, false
			}
			if !ingroup {
				groups = append(groups, 0)
				seps = append(seps, 0)
				ingroup = true
			}
			groups[len(groups)-1]++
			sep = false
			end = j + 1
		case c == '(' && !open && sep:
			open, sep, ingroup = true, true, false
		case c == ')' && open && !closed && !sep:
			closed, sep, ingroup = true, false, false
			end = j + 1
		case isSep(c) && !sep:
			if ingroup {
				seps[len(seps)-1] = c
			}
			sep, ingroup = true, false
		default:
			break loop
		}
	}
	if end < 0 || open != closed || wordAt(text, end) || (end < len(text) && text[end] == '+') {
		return 0, false
	}
	// More digits right after a separator mean the number went on in a way
	// we do not accept (two separators in a row, say): not a phone number.
	if end+1 < len(text) && isSep(text[end]) && isDigit(text[end+1]) {
		return 0, false
	}
	// Every group but the first (a country code such as +1) has at least
	// two digits: "0 1 2 3 4 5 6 7 8 9" is a list, not a number.
	for g, n := range groups {
		if n < 2 && (g > 0 || !intl) {
			return 0, false
		}
	}
	if text[i] == '(' && (i+1 >= len(text) || text[i+1] != '0') {
		return 0, false
	}
	first := text[i]
	if first == '(' {
		first = text[i+1]
	}
	second := byte(0)
	if k := i + 1 + b2i(text[i] == '('); k < len(text) {
		second = text[k]
	}
	switch {
	case intl:
		return end, digits >= minIntlDigits && digits <= maxIntlDigits
	case first == '0' && second == '0':
		return end, digits-2 >= minIntlDigits && digits-2 <= maxIntlDigits
	case first == '0':
		return end, digits >= minNationalDigits && digits <= maxNationalDigits && !dateLike(groups, seps)
	}
	return 0, false
}

// dateLike reports whether the groups start like a date followed by a time
// or nothing: "01.02.2024 10:00", "01/02/24", "31-12-2024".
func dateLike(groups []int, seps []byte) bool {
	if len(groups) < 3 || groups[0] > 2 || groups[1] > 2 || (groups[2] != 2 && groups[2] != 4) {
		return false
	}
	if seps[0] == 0 || seps[0] == ' ' || seps[1] != seps[0] {
		return false
	}
	return len(groups) == 3 || seps[2] == ' '
}

func isSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '/' }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
