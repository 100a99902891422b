package rules

// International bank account numbers (ISO 13616).
//
// An IBAN is a country code, two check digits and the national account
// number (BBAN), written without spaces or in groups of four ("GB82 WEST 1234
// 5698 7654 32"). A candidate starts with two letters of a country listed
// below, not preceded by a letter, digit or underscore; single spaces
// between characters are skipped. It must have exactly the country's length,
// not be followed by another letter or digit, and pass the mod-97 check
// (remainder 1). Letters may be in either case.

// ibanLengths holds the IBAN length per country, from the SWIFT "IBAN
// Registry" (ISO 13616 registration authority), release 98 of 2024:
// all countries it lists as fully using the IBAN.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
	"ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
	"SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// maxIBAN is the longest IBAN the table allows.
const maxIBAN = 34

func findIBANs(text string) []Span {
	var out []Span
	var buf [maxIBAN]byte
	for i := 0; i+1 < len(text); i++ {
		if !isLetter(text[i]) || !isLetter(text[i+1]) || wordAt(text, i-1) {
			continue
		}
		cc := [2]byte{text[i] &^ 0x20, text[i+1] &^ 0x20}
		want, ok := ibanLengths[string(cc[:])]
		if !ok {
			continue
		}
		n, j := 0, i
		for n < want && j < len(text) {
			c := text[j]
			if c == ' ' && n > 0 && j+1 < len(text) && isAlnum(text[j+1]) {
				j++
				continue
			}
			if !isAlnum(c) {
				break
			}
			if isLetter(c) {
				c &^= 0x20 // upper case
			}
			buf[n] = c
			n++
			j++
		}
		if n != want || wordAt(text, j) || !isDigit(buf[2]) || !isDigit(buf[3]) {
			continue
		}
		if ibanValid(buf[:n]) {
			out = append(out, Span{i, j})
			i = j - 1
		}
	}
	return out
}

// ibanValid reports whether an upper-case IBAN without spaces passes the
// ISO 13616 / ISO 7064 MOD 97-10 check: move the first four characters to
// the end, read letters as 10 (A) to 35 (Z), and the number mod 97 is 1.
func ibanValid(iban []byte) bool {
	if len(iban) < 5 {
		return false
	}
	rem := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range iban[4:] {
		if !add(c) {
			return false
		}
	}
	for _, c := range iban[:4] {
		if !add(c) {
			return false
		}
	}
	return rem == 1
}
