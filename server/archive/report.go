package archive

import "time"

// Activity is how much was written when, where and by whom: counts only.
// It comes from the search index's documents (time, channel, sender), so
// making a report never reads a message text.
type Activity struct {
	Since    time.Time
	Messages int
	PerDay   map[string]int // local calendar day "2006-01-02" -> messages
	Hours    [7][24]int     // local weekday (Sunday 0) and hour -> messages
	Channels map[string]int // channel id -> messages
	People   map[string]int // user name -> messages

	// Shared files: how many and how many bytes (as sent; the store
	// keeps the same bytes once).
	Files                     int
	FileBytes                 int64
	ChannelBytes, PeopleBytes map[string]int64
}

// Activity counts the messages sent since the given time (edits and
// deletes are not messages of their own and are left out; a deleted
// message still counts as sent).
func (s *Store) Activity(since time.Time) Activity {
	a := Activity{Since: since, PerDay: map[string]int{}, Channels: map[string]int{}, People: map[string]int{},
		ChannelBytes: map[string]int64{}, PeopleBytes: map[string]int64{}}
	s.mu.RLock()
	for _, sb := range s.shared {
		if sb.ts >= since.UnixMilli() {
			a.Files += sb.files
			a.FileBytes += sb.bytes
			a.ChannelBytes[sb.channel] += sb.bytes
			a.PeopleBytes[sb.from] += sb.bytes
		}
	}
	s.mu.RUnlock()
	from := max(0, since.Unix()-tsBase)
	ix := s.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	// Documents are roughly but not strictly in time order after a
	// rebuild, so walk them all; at 16 bytes each that is cheap.
	for _, d := range ix.docs {
		if d.ref != 0 || int64(d.ts) < from {
			continue
		}
		t := time.Unix(int64(d.ts)+tsBase, 0).Local()
		a.Messages++
		a.PerDay[t.Format(dayLayout)]++
		a.Hours[t.Weekday()][t.Hour()]++
		a.Channels[ix.channels[d.channel]]++
		a.People[ix.users[d.from]]++
	}
	return a
}
