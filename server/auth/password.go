// Package auth holds the secrets of signing in: password hashes and tokens.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id cost: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPassword and MaxPassword bound a password's length in characters.
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckPassword applies the password rule: long enough, not too long, and
// not one of the commonly used passwords.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPassword {
		return fmt.Errorf("the password needs at least %d characters", MinPassword)
	}
	if n > MaxPassword || !utf8.ValidString(pw) {
		return fmt.Errorf("the password can have at most %d characters", MaxPassword)
	}
	if isCommon(pw) {
		return errors.New("that password is too common; choose another")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash with a random salt.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword checks pw against an encoded hash in constant time.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash lets a sign-in for an unknown name cost as much as a real one.
var dummyHash = HashPassword("inhouse-timing-equaliser")

// Waste spends the time of one password check, so unknown names and wrong
// passwords take equally long.
func Waste(pw string) { VerifyPassword(dummyHash, pw) }

// Token returns a random 256-bit token, URL-safe.
func Token() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
