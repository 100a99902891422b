package rules

import "regexp"

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
var secretRE = regexp.MustCompile(`-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----(?s:.*?-----END (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----)?` +
	`|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b` +
	`|\bgh[pousr]_[A-Za-z0-9]{36}\b` +
	`|\bgithub_pat_[A-Za-z0-9_]{82}\b` +
	`|\bxox[bpars]-[A-Za-z0-9-]{10,}\b` +
	`|\b[rs]k_live_[A-Za-z0-9]{24,}\b` +
	`|\bAIza[A-Za-z0-9_\-]{35}(?:[^A-Za-z0-9_\-]|$)`)

func findSecrets(text string) []Span {
	var out []Span
	for _, m := range secretRE.FindAllStringIndex(text, -1) {
		// The Google key alternative also takes the character after the
		// key (RE2 cannot look ahead); a key is 39 characters.
		end := m[1]
		if end-m[0] > googleKeyLen && text[m[0]:m[0]+4] == "AIza" {
			end = m[0] + googleKeyLen
		}
		out = append(out, Span{m[0], end})
	}
	return out
}

const googleKeyLen = 39
