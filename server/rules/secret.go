package rules

import (
	"regexp"
	"strings"
)

// Secrets: private keys and access tokens whose format is distinctive
// enough to find with almost no false positives. Sources for each format:
//
//   - PEM private keys: RFC 7468 section 10 and 11 ("PRIVATE KEY",
//     "ENCRYPTED PRIVATE KEY"), the older OpenSSL forms "RSA/DSA/EC PRIVATE
//     KEY" (RFC 1421 encapsulation), OpenSSH's "OPENSSH PRIVATE KEY"
//     (openssh PROTOCOL.key) and OpenPGP's "PGP PRIVATE KEY BLOCK" (RFC 4880
//     section 6.2). The match runs from the BEGIN line to the END line, or
//     is just the BEGIN line when the END line is missing.
//   - AWS access key IDs: "AKIA" (long-term) or "ASIA" (temporary) and 16
//     upper-case letters or digits (AWS IAM User Guide, "Unique identifier
//     prefixes" under IAM identifiers).
//   - GitHub tokens: "ghp_", "gho_", "ghu_", "ghs_", "ghr_" and 36 letters
//     or digits; fine-grained "github_pat_" and 82 letters, digits or "_"
//     (GitHub blog "Behind GitHub's new authentication token formats", 2021,
//     and GitHub Docs "About authentication to GitHub").
//   - Slack tokens: "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-" and the rest
//     of the token (Slack API docs, "Token types").
//   - Stripe secret and restricted keys: "sk_live_" or "rk_live_" and at
//     least 24 letters or digits (Stripe docs, "API keys"). Test-mode keys
//     (sk_test_) are left alone.
//   - Google API keys: "AIza" and 35 letters, digits, "-" or "_" (Google
//     Cloud docs, "Manage API keys"; the prefix is the base64 form of the
//     key's fixed header).
//
// Each format starts with a fixed prefix: the text is searched for the
// prefixes (fast) and a short anchored expression checks what follows, so
// the cost stays linear in the text.

// pemKind is what may stand between BEGIN/END and PRIVATE KEY.
const pemKind = `(?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----`

var (
	pemBeginRE = regexp.MustCompile(`^-----BEGIN ` + pemKind)
	pemEndRE   = regexp.MustCompile(`^-----END ` + pemKind)
)

// tokenFormats are the access token formats: a prefix that must not follow
// a letter, digit or underscore, and an anchored expression for the whole
// token, which must not be followed by one either.
var tokenFormats = []struct {
	prefix string
	re     *regexp.Regexp
}{
	{"AKIA", regexp.MustCompile(`^AKIA[A-Z0-9]{16}\b`)},
	{"ASIA", regexp.MustCompile(`^ASIA[A-Z0-9]{16}\b`)},
	{"ghp_", regexp.MustCompile(`^ghp_[A-Za-z0-9]{36}\b`)},
	{"gho_", regexp.MustCompile(`^gho_[A-Za-z0-9]{36}\b`)},
	{"ghu_", regexp.MustCompile(`^ghu_[A-Za-z0-9]{36}\b`)},
	{"ghs_", regexp.MustCompile(`^ghs_[A-Za-z0-9]{36}\b`)},
	{"ghr_", regexp.MustCompile(`^ghr_[A-Za-z0-9]{36}\b`)},
	{"github_pat_", regexp.MustCompile(`^github_pat_[A-Za-z0-9_]{82}\b`)},
	{"xox", regexp.MustCompile(`^xox[bpars]-[A-Za-z0-9-]{10,}\b`)},
	{"sk_live_", regexp.MustCompile(`^sk_live_[A-Za-z0-9]{24,}\b`)},
	{"rk_live_", regexp.MustCompile(`^rk_live_[A-Za-z0-9]{24,}\b`)},
	{"AIza", regexp.MustCompile(`^AIza[A-Za-z0-9_\-]{35}`)},
}

func findSecrets(text string) []Span {
	var found []Span
	found = append(found, findPEM(text)...)
	for _, f := range tokenFormats {
		for at := 0; ; {
			i := indexFrom(text, f.prefix, at)
			if i < 0 {
				break
			}
			at = i + 1
			if wordAt(text, i-1) {
				continue
			}
			m := f.re.FindStringIndex(text[i:])
			if m == nil || (f.prefix == "AIza" && isKeyChar(text, i+m[1])) {
				continue
			}
			found = append(found, Span{i, i + m[1]})
			at = i + m[1]
		}
	}
	// In order; a token inside a key block (or overlapping an earlier
	// match) is part of that match.
	merged := merge(found)
	return merged
}

func isKeyChar(text string, i int) bool {
	return i < len(text) && (isAlnum(text[i]) || text[i] == '_' || text[i] == '-')
}

// findPEM finds private key blocks from the BEGIN line to the first END line
// of a private key after it, or the BEGIN line alone when none follows.
func findPEM(text string) []Span {
	var out []Span
	noEnd := false // no END line after the last search position
	for at := 0; ; {
		i := indexFrom(text, "-----BEGIN ", at)
		if i < 0 {
			return out
		}
		m := pemBeginRE.FindStringIndex(text[i:])
		if m == nil {
			at = i + 1
			continue
		}
		end := i + m[1]
		if !noEnd {
			noEnd = true
			for e := end; ; {
				j := indexFrom(text, "-----END ", e)
				if j < 0 {
					break
				}
				if n := pemEndRE.FindStringIndex(text[j:]); n != nil {
					end, noEnd = j+n[1], false
					break
				}
				e = j + 1
			}
		}
		out = append(out, Span{i, end})
		at = end
	}
}

// indexFrom is strings.Index(text[from:], sub) as an index into text.
func indexFrom(text, sub string, from int) int {
	if from > len(text) {
		return -1
	}
	i := strings.Index(text[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}
