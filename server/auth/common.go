package auth

import "strings"

// common lists often-used passwords of 12 characters or more (shorter ones
// fail the length rule anyway). Drawn from the public breach-corpus top lists
// (the "rockyou" and "10-million-password-list" top entries), lowercased.
var common = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		123456789012 1234567890123 12345678901234 123456789123 111111111111 000000000000
		123123123123 121212121212 112233445566 147258369147 987654321098 098765432109
		password1234 password12345 password123456 passwordpassword password1234!
		qwertyuiop12 qwertyuiop123 qwertyuiopasdf 1qaz2wsx3edc 1q2w3e4r5t6y 1q2w3e4r5t6y7u
		qwerty123456 qwertyqwerty asdfghjkl123 asdfasdfasdf zxcvbnm12345 qazwsxedcrfv
		iloveyou1234 letmein12345 welcome12345 welcome123456 administrator admin1234567
		adminadminadmin changeme1234 trustno11234 football1234 baseball1234 superman1234
		monkey123456 dragon123456 sunshine1234 princess1234 abcdefghijkl abcdefgh1234
		abc123abc123 aaaaaaaaaaaa iloveyouiloveyou starwars1234 whatever1234 michael12345
		passw0rd1234 p@ssw0rd1234 p@ssword1234 secret123456 mypassword123 mypassword1
		thisisapassword correcthorsebatterystaple inhouse12345 inhouse123456 office123456
	`) {
		common[p] = true
	}
}

// isCommon reports a listed password, or one made of a single repeated
// character or of a short unit repeated ("abcabcabcabc").
func isCommon(pw string) bool {
	l := strings.ToLower(pw)
	if common[l] {
		return true
	}
	for unit := 1; unit <= 4; unit++ {
		if len(l)%unit == 0 && strings.Repeat(l[:unit], len(l)/unit) == l {
			return true
		}
	}
	return false
}
