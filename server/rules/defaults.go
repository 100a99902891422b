package rules

// Defaults is the rule list in force until the office saves its own.
//
// Enabled from the start, because the information almost never belongs in
// an office chat and the archive keeps everything forever:
//   - card: payment card numbers are masked for the recipients (the archive
//     keeps the original for auditors);
//   - secret: private keys and access tokens are blocked, so they never
//     reach the archive at all; the sender is told and can share the secret
//     another way.
//
// Present but disabled, because offices share these every day and flagging
// them would fill the review queue: iban (flag), email (flag), phone (flag).
// The office manager turns them on in the console.
func Defaults() []Rule {
	return []Rule{
		{ID: "cards", Name: "Payment card numbers", Kind: KindDetector, Detector: DetectCard, Action: ActionMask, Enabled: true},
		{ID: "secrets", Name: "Private keys and access tokens", Kind: KindDetector, Detector: DetectSecret, Action: ActionBlock, Enabled: true},
		{ID: "ibans", Name: "Bank account numbers (IBAN)", Kind: KindDetector, Detector: DetectIBAN, Action: ActionFlag},
		{ID: "emails", Name: "Email addresses", Kind: KindDetector, Detector: DetectEmail, Action: ActionFlag},
		{ID: "phones", Name: "Phone numbers", Kind: KindDetector, Detector: DetectPhone, Action: ActionFlag},
	}
}
