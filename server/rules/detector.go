package rules

import "sort"

// Span is a match: the bytes text[Start:End].
type Span struct{ Start, End int }

// Detector names.
const (
	DetectCard   = "card"
	DetectIBAN   = "iban"
	DetectEmail  = "email"
	DetectPhone  = "phone"
	DetectSecret = "secret"
)

// DetectorInfo describes a built-in detector for the console.
type DetectorInfo struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	About string `json:"about"`
}

type detector struct {
	info DetectorInfo
	find func(text string) []Span // spans in order, not overlapping, on character boundaries
}

var detectors = map[string]detector{
	DetectCard: {DetectorInfo{DetectCard, "Payment card numbers",
		"13 to 19 digits, optionally in groups split by spaces or dashes, with a valid Luhn check digit and the prefix of a known card network."}, findCards},
	DetectIBAN: {DetectorInfo{DetectIBAN, "Bank account numbers (IBAN)",
		"A country code, two check digits and the national account number, optionally in groups of four, with the right length for the country and valid check digits."}, findIBANs},
	DetectEmail: {DetectorInfo{DetectEmail, "Email addresses",
		"name@domain.tld"}, findEmails},
	DetectPhone: {DetectorInfo{DetectPhone, "Phone numbers",
		"International numbers starting with + or 00 (8 to 15 digits) and national numbers starting with 0 (10 to 12 digits); spaces, dashes, dots, slashes and one pair of brackets allowed."}, findPhones},
	DetectSecret: {DetectorInfo{DetectSecret, "Private keys and access tokens",
		"Private key blocks (-----BEGIN … PRIVATE KEY-----) and access keys of AWS, GitHub, Slack, Stripe and Google."}, findSecrets},
}

// Detectors lists the built-in detectors, by name.
func Detectors() []DetectorInfo {
	out := make([]DetectorInfo, 0, len(detectors))
	for _, d := range detectors {
		out = append(out, d.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func detectorNames() []string {
	var names []string
	for _, d := range Detectors() {
		names = append(names, d.Name)
	}
	return names
}

// Detect runs the named detector alone; ok is false for an unknown name.
func Detect(name, text string) (spans []Span, ok bool) {
	d, ok := detectors[name]
	if !ok {
		return nil, false
	}
	return d.find(text), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

// wordAt reports whether text[i] exists and is an ASCII letter, digit or
// underscore: a match must not continue into such a neighbour.
func wordAt(text string, i int) bool {
	return i >= 0 && i < len(text) && (isAlnum(text[i]) || text[i] == '_')
}
