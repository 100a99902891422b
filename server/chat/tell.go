package chat

import (
	"time"

	"inhouse/server/archive"
)

// Frames the application layer sends outside any channel (docs/people.md):
// a person's profile or status changed, an announcement was confirmed or
// recalled. The office encodes them; the engine only delivers.

// Tell queues frame for every connection of user.
func (h *Hub) Tell(user string, frame []byte) {
	for _, c := range h.connsOf(user) {
		c.push(frame)
	}
}

// TellAll queues frame for everyone connected.
func (h *Hub) TellAll(frame []byte) {
	h.mu.RLock()
	var conns []*Conn
	for _, p := range h.people {
		for c := range p.conns {
			conns = append(conns, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range conns {
		c.push(frame)
	}
}

// Post stores a message the application layer writes itself (an
// announcement from the console) and delivers it like a member's, once
// durable. It returns the stored message.
func (h *Hub) Post(p archive.Post) (archive.Message, error) {
	type result struct {
		m   archive.Message
		err error
	}
	done := make(chan result, 1)
	h.store.Append(p, func(m archive.Message, dup bool, err error) {
		if err == nil && !dup {
			h.committed <- commitEvent{msg: m}
		}
		done <- result{m, err}
	})
	r := <-done
	return r.m, r.err
}

// receipt tells those the office says should know that user read channel
// up to seq (docs/people.md). The office decides who; nobody when receipts
// are off.
func (h *Hub) receipt(user, channel string, before, seq uint64) {
	to := h.posting.ReceiptsTo(user, channel, before, seq)
	if len(to) == 0 {
		return
	}
	frame := mustJSON(seenFrame{Type: "seen", Channel: channel, User: user, Seq: seq, TS: time.Now().UTC().Format(time.RFC3339Nano)})
	for _, u := range to {
		h.Tell(u, frame)
	}
}

type seenFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	User    string `json:"user"`
	Seq     uint64 `json:"seq"`
	TS      string `json:"ts"`
}
