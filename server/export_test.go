package server

// PasswordChecks reports the most password checks s ever ran at once, and
// how many it allows.
func PasswordChecks(s *Server) (peak int64, slots int) {
	return s.passwords.peak.Load(), cap(s.passwords.slots)
}
