package admin

import "testing"

// The console shows a person as the chat does: the same initials on the
// same colour (the expected values are assets/web/people.js's initials and
// hue for these names).
func TestAvatarLikeTheChat(t *testing.T) {
	for _, c := range []struct {
		display, name, initials string
		hue                     int
	}{
		{"Ana Ruiz", "ana", "AR", 5},
		{"Ben", "ben", "B", 4},
		{"", "mia", "M", 6},
		{"Jean-Luc Picard", "jl", "JP", 1},
		{"émile zola", "emile", "ÉZ", 3},
		{"x.y_z", "q", "XZ", 2},
		{"Łukasz Nowak", "lukasz.nowak", "ŁN", 7},
	} {
		if got := initials(c.display, c.name); got != c.initials {
			t.Errorf("initials(%q, %q) = %q, want %q", c.display, c.name, got, c.initials)
		}
		if got, want := avatarColour(c.name), "avatar-c"+itoa(c.hue); got != want {
			t.Errorf("avatarColour(%q) = %q, want %q", c.name, got, want)
		}
	}
}
