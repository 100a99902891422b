package rules

// Payment card numbers.
//
// A candidate is a run of digit groups separated by single spaces or dashes
// ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111"), not
// touching a letter, digit or underscore. Inside the run we take, leftmost
// first, the longest sequence of whole groups with 13 to 19 digits that
// passes the Luhn check and starts with a known network prefix, so
// "4111 1111 1111 1111 12/27" still finds the card.

// maxCardDigits and minCardDigits bound the primary account number (ISO/IEC
// 7812-1: up to 19 digits; 13 is the shortest still issued, old Visa).
const (
	minCardDigits = 13
	maxCardDigits = 19
)

func findCards(text string) []Span {
	var out []Span
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || wordAt(text, i-1) {
			i++
			continue
		}
		// Collect the groups of the run starting at i.
		var groups []Span
		j := i
		for {
			k := j
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			groups = append(groups, Span{j, k})
			if k+1 < len(text) && (text[k] == ' ' || text[k] == '-') && isDigit(text[k+1]) {
				j = k + 1
				continue
			}
			j = k
			break
		}
		if !wordAt(text, j) {
			out = append(out, cardsInRun(text, groups)...)
		}
		i = j
		for i < len(text) && wordAt(text, i) {
			i++ // skip the rest of a word such as 1234abc
		}
	}
	return out
}

// cardsInRun finds card numbers made of whole consecutive groups.
func cardsInRun(text string, groups []Span) []Span {
	var out []Span
	var digits []byte
	for g := 0; g < len(groups); {
		found := false
		// Longest first: extend as far as 19 digits allow, then shrink.
		digits = digits[:0]
		last := g - 1
		for h := g; h < len(groups); h++ {
			n := len(digits) + groups[h].End - groups[h].Start
			if n > maxCardDigits {
				break
			}
			digits = append(digits, text[groups[h].Start:groups[h].End]...)
			last = h
		}
		for h := last; h >= g; h-- {
			if len(digits) >= minCardDigits && luhn(digits) && cardNetwork(digits) {
				out = append(out, Span{groups[g].Start, groups[h].End})
				g = h + 1
				found = true
				break
			}
			digits = digits[:len(digits)-(groups[h].End-groups[h].Start)]
		}
		if !found {
			g++
		}
	}
	return out
}

// luhn reports whether the digits end in a valid Luhn (mod 10) check digit
// (ISO/IEC 7812-1, Annex B).
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// iinRange is a range of issuer identification number prefixes, compared
// on the first len(lo) digits, with the lengths that network issues.
type iinRange struct {
	lo, hi   string
	min, max int
}

// cardNetworks are the prefixes and lengths of the major networks as
// listed in Wikipedia's "Payment card number" article (table "Issuer
// identification number (IIN)"), which cites the networks' own documents.
// Smaller national schemes are left out on purpose (fewer false positives);
// docs/rules.md says so.
var cardNetworks = []iinRange{
	{"4", "4", 13, 19},       // Visa (13, 16 and 19 digits)
	{"51", "55", 16, 16},     // Mastercard
	{"2221", "2720", 16, 16}, // Mastercard 2-series
	{"34", "34", 15, 15},     // American Express
	{"37", "37", 15, 15},     // American Express
	{"300", "305", 14, 19},   // Diners Club International
	{"36", "36", 14, 19},     // Diners Club International
	{"38", "39", 16, 19},     // Diners Club International
	{"6011", "6011", 16, 19}, // Discover
	{"644", "649", 16, 19},   // Discover
	{"65", "65", 16, 19},     // Discover, RuPay
	{"3528", "3589", 16, 19}, // JCB
	{"62", "62", 16, 19},     // UnionPay
	{"2200", "2204", 16, 19}, // Mir
	{"5018", "5018", 12, 19}, // Maestro
	{"5020", "5020", 12, 19}, // Maestro
	{"5038", "5038", 12, 19}, // Maestro
	{"5893", "5893", 12, 19}, // Maestro
	{"6304", "6304", 12, 19}, // Maestro
	{"6759", "6759", 12, 19}, // Maestro, Maestro UK
	{"6761", "6763", 12, 19}, // Maestro
	{"60", "60", 16, 16},     // RuPay
	{"81", "82", 16, 16},     // RuPay
}

// cardNetwork reports whether the digits start with a known network prefix
// and have a length that network issues.
func cardNetwork(digits []byte) bool {
	for _, r := range cardNetworks {
		if len(digits) < r.min || len(digits) > r.max || len(digits) < len(r.lo) {
			continue
		}
		p := string(digits[:len(r.lo)])
		if r.lo <= p && p <= r.hi {
			return true
		}
	}
	return false
}
