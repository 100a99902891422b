package rules

import (
	"strings"
	"testing"
)

// found runs a detector and returns the matched substrings.
func found(t *testing.T, name, text string) []string {
	t.Helper()
	spans, ok := Detect(name, text)
	if !ok {
		t.Fatalf("no detector %q", name)
	}
	var out []string
	for _, s := range spans {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

type detectCase struct {
	text string
	want []string // matched substrings, in order
}

func runDetect(t *testing.T, name string, cases []detectCase) {
	t.Helper()
	for _, c := range cases {
		got := found(t, name, c.text)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Fatalf("%s(%q) = %q, want %q", name, c.text, got, c.want)
		}
	}
}

func TestCard(t *testing.T) {
	runDetect(t, DetectCard, []detectCase{
		// Public test numbers of the networks.
		{"4111 1111 1111 1111", []string{"4111 1111 1111 1111"}},
		{"card: 4111-1111-1111-1111.", []string{"4111-1111-1111-1111"}},
		{"4111111111111111", []string{"4111111111111111"}},
		{"5555 5555 5555 4444", []string{"5555 5555 5555 4444"}},
		{"amex 378282246310005 thanks", []string{"378282246310005"}},
		{"3782 822463 10005", []string{"3782 822463 10005"}},
		{"2223003122003222", []string{"2223003122003222"}},               // Mastercard 2-series
		{"6011111111111117", []string{"6011111111111117"}},               // Discover
		{"3530111333300000", []string{"3530111333300000"}},               // JCB
		{"4222222222222", []string{"4222222222222"}},                     // 13-digit Visa
		{"#4111111111111111#", []string{"4111111111111111"}},             // punctuation is fine
		{"a 4111 1111 1111 1111 12/27", []string{"4111 1111 1111 1111"}}, // expiry after the number
		{"4111111111111111 and 5555555555554444", []string{"4111111111111111", "5555555555554444"}},
		{"4111 1111 1111 1111 5555 5555 5555 4444", []string{"4111 1111 1111 1111", "5555 5555 5555 4444"}},
		// Not cards.
		{"4111 1111 1111 1112", nil},       // Luhn fails
		{"4111111111111112", nil},          // Luhn fails
		{"5555 5555 5555 4445", nil},       // Luhn fails
		{"0000000000000000", nil},          // Luhn passes, no network
		{"9111111111111113", nil},          // Luhn passes, no network
		{"411111111111", nil},              // 12 digits
		{"41111111111111111111", nil},      // 20 digits, one word
		{"x4111111111111111", nil},         // inside a word
		{"4111111111111111x", nil},         // inside a word
		{"4111111111111111_", nil},         // inside an identifier
		{"4111  1111 1111 1111", nil},      // two spaces break the run: groups too short
		{"37828224631000", nil},            // Amex with 14 digits
		{"order 2024-0001-1234-5678", nil}, // order numbers
		{"", nil},
		{"٤١١١١١١١١١١١١١١١", nil}, // Arabic-Indic digits are not read
	})
}

func TestLuhn(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"79927398713", true}, {"79927398710", false}, {"0", true}, {"18", true}, {"19", false},
	} {
		if luhn([]byte(c.s)) != c.ok {
			t.Fatalf("luhn(%s) = %v", c.s, !c.ok)
		}
	}
}

func TestIBAN(t *testing.T) {
	runDetect(t, DetectIBAN, []detectCase{
		{"GB82 WEST 1234 5698 7654 32", []string{"GB82 WEST 1234 5698 7654 32"}},
		{"pay to GB82WEST12345698765432.", []string{"GB82WEST12345698765432"}},
		{"DE89 3704 0044 0532 0130 00", []string{"DE89 3704 0044 0532 0130 00"}},
		{"DE89370400440532013000", []string{"DE89370400440532013000"}},
		{"de89 3704 0044 0532 0130 00", []string{"de89 3704 0044 0532 0130 00"}},
		{"IBAN: DE89 3704 0044 0532 0130 00 is mine", []string{"DE89 3704 0044 0532 0130 00"}},
		{"FR14 2004 1010 0505 0001 3M02 606", []string{"FR14 2004 1010 0505 0001 3M02 606"}},
		{"NL91ABNA0417164300", []string{"NL91ABNA0417164300"}},
		{"BE68539007547034", []string{"BE68539007547034"}},
		{"NO9386011117947", []string{"NO9386011117947"}},
		{"CH9300762011623852957", []string{"CH9300762011623852957"}},
		{"AT611904300234573201", []string{"AT611904300234573201"}},
		{"ES9121000418450200051332", []string{"ES9121000418450200051332"}},
		{"IT60X0542811101000000123456", []string{"IT60X0542811101000000123456"}},
		{"PL61109010140000071219812874", []string{"PL61109010140000071219812874"}},
		{"GB82WEST12345698765432 DE89370400440532013000", []string{"GB82WEST12345698765432", "DE89370400440532013000"}},
		// Not IBANs.
		{"GB83 WEST 1234 5698 7654 32", nil},  // wrong check digits
		{"DE88 3704 0044 0532 0130 00", nil},  // wrong check digits
		{"DE89 3704 0044 0532 0130 01", nil},  // one digit changed
		{"DE89 3704 0044 0532 0130 0", nil},   // too short
		{"DE89370400440532013000123", nil},    // too long, one word
		{"XDE89370400440532013000", nil},      // inside a word
		{"QQ89370400440532013000", nil},       // no such country
		{"GBXX WEST 1234 5698 7654 32", nil},  // letters for check digits
		{"DE89  3704 0044 0532 0130 00", nil}, // two spaces
		{"DE", nil},
	})
}

func TestIBANValid(t *testing.T) {
	if !ibanValid([]byte("GB82WEST12345698765432")) || ibanValid([]byte("GB82WEST12345698765433")) || ibanValid([]byte("GB8")) || ibanValid([]byte("GB82WEST1234569876543!")) {
		t.Fatal("ibanValid")
	}
}

func TestEmail(t *testing.T) {
	runDetect(t, DetectEmail, []detectCase{
		{"write to ana@example.com.", []string{"ana@example.com"}},
		{"Ana.Ruiz+news@mail.example.co.uk, ben@x.io", []string{"Ana.Ruiz+news@mail.example.co.uk", "ben@x.io"}},
		{"<first_last@sub-domain.example.org>", []string{"first_last@sub-domain.example.org"}},
		{"mailto:ops@example.net", []string{"ops@example.net"}},
		// Not addresses.
		{"@example.com", nil},
		{"ana@", nil},
		{"ana@localhost", nil},
		{"ana@example.c", nil},
		{"ana@-example.com", nil},
		{"ana at example dot com", nil},
		{"ana@example.com1", nil},
		{"price 3@5.00", nil},
	})
}

func TestPhone(t *testing.T) {
	runDetect(t, DetectPhone, []detectCase{
		{"call +49 30 1234567", []string{"+49 30 1234567"}},
		{"+1 (555) 010-9999.", []string{"+1 (555) 010-9999"}},
		{"+442079460958", []string{"+442079460958"}},
		{"0044 20 7946 0958", []string{"0044 20 7946 0958"}},
		{"030 12345678", []string{"030 12345678"}},
		{"030/12345678", []string{"030/12345678"}},
		{"(0171) 123-4567", []string{"(0171) 123-4567"}},
		{"01 23 45 67 89", []string{"01 23 45 67 89"}},
		{"tel. 0171-1234567, fax 0171-1234568", []string{"0171-1234567", "0171-1234568"}},
		// Not phone numbers.
		{"+49 30", nil},                   // too short
		{"+1234567890123456", nil},        // 16 digits: longer than E.164
		{"555-010-9999", nil},             // no + and no leading 0
		{"4111 1111 1111 1111", nil},      // a card number
		{"01.02.2024 10:00", nil},         // a date and a time
		{"31/12/2024 1030", nil},          // a date and a time
		{"09-10-24", nil},                 // a date
		{"0.50 EUR", nil},                 // an amount
		{"0171--1234567", nil},            // two separators
		{"x0171 1234567", nil},            // inside a word
		{"0171 1234567x", nil},            // inside a word
		{"++49 30 1234567", nil},          // odd
		{"(0171 1234567", nil},            // unbalanced bracket
		{"v2.0 0123456789012345678", nil}, // too long
		{"2024-01-02", nil},
		{"0 1 2 3 4 5 6 7 8 9", nil}, // a list of digits
		{"+49 3 0 1 2 3 4 5 6", nil}, // single-digit groups               // ISO date
		{"order 000123", nil},        // short
	})
}

func TestSecret(t *testing.T) {
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naNUo+b2+ZnzUwmS0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----"
	runDetect(t, DetectSecret, []detectCase{
		{"here: " + key + " ok", []string{key}},
		{"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----", []string{"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----"}},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn… (cut)", []string{"-----BEGIN OPENSSH PRIVATE KEY-----"}},
		{"-----BEGIN PGP PRIVATE KEY BLOCK-----", []string{"-----BEGIN PGP PRIVATE KEY BLOCK-----"}},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----", []string{"-----BEGIN ENCRYPTED PRIVATE KEY-----"}},
		{"key AKIAIOSFODNN7EXAMPLE secret", []string{"AKIAIOSFODNN7EXAMPLE"}},
		{"ASIAIOSFODNN7EXAMPLE", []string{"ASIAIOSFODNN7EXAMPLE"}},
		{"ghp_" + strings.Repeat("a1B2", 9), []string{"ghp_" + strings.Repeat("a1B2", 9)}},
		{"github_pat_" + strings.Repeat("A1_b", 20) + "xy", []string{"github_pat_" + strings.Repeat("A1_b", 20) + "xy"}},
		{"xoxb-1234567890-abcdefghij", []string{"xoxb-1234567890-abcdefghij"}},
		{"sk_live_" + strings.Repeat("x", 24), []string{"sk_live_" + strings.Repeat("x", 24)}},
		{"AIza" + strings.Repeat("B", 35), []string{"AIza" + strings.Repeat("B", 35)}},
		{"k=AIza" + strings.Repeat("B", 35) + ", next", []string{"AIza" + strings.Repeat("B", 35)}},
		{"AIza" + strings.Repeat("B", 35) + "é", []string{"AIza" + strings.Repeat("B", 35)}},
		// Not secrets.
		{"-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----", nil},
		{"-----BEGIN CERTIFICATE-----", nil},
		{"AKIAIOSFODNN7EXAMPL", nil},   // 15 characters
		{"AKIAIOSFODNN7EXAMPLEX", nil}, // 17 characters
		{"xAKIAIOSFODNN7EXAMPLE", nil}, // inside a word
		{"akiaiosfodnn7example", nil},  // lower case
		{"ghp_short", nil},
		{"sk_test_" + strings.Repeat("x", 24), nil},
		{"AIza" + strings.Repeat("B", 36), nil},
		{"xoxb-short", nil},
	})
}

func TestDetectorsListed(t *testing.T) {
	list := Detectors()
	if len(list) != len(detectors) || list[0].Name != DetectCard {
		t.Fatalf("Detectors() = %v", list)
	}
	if _, ok := Detect("nope", "x"); ok {
		t.Fatal("Detect of an unknown detector said ok")
	}
}
