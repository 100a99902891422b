package chat

import (
	"errors"
	"time"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// send stores a message (or an edit or delete); the dispatcher acks and
// delivers it once durable.
func (h *Hub) send(c *Conn, p archive.Post, verdict *rules.Result) {
	report := c.report // made once per connection: most messages have no verdict
	if verdict != nil {
		report = h.reporter(c, verdict)
	}
	h.store.Append(p, report)
}

// reporter is what c's messages report to once stored, with the content
// rules' verdict to queue after the commit (nil: none). It runs in the
// archive's writer goroutine, in commit order: it hands over and returns,
// so the next batch is not held up by delivery.
func (h *Hub) reporter(c *Conn, verdict *rules.Result) func(archive.Message, bool, error) {
	return func(m archive.Message, dup bool, err error) {
		h.committed <- commitEvent{msg: m, dup: dup, err: err, sender: c, verdict: verdict}
	}
}

// dispatch acks and delivers committed messages, in commit order. It
// takes what has arrived together, queues it for every connection, and
// only then starts the writers, so each connection gets one write per burst.
func (h *Hub) dispatch() {
	defer h.stopped.Done()
	touched := map[*Conn]struct{}{}
	flush := func() {
		for c := range touched {
			c.kick()
		}
		clear(touched)
	}
	for {
		select {
		case ev := <-h.committed:
			h.deliver(ev, touched)
		drain:
			for n := 0; n < 256; n++ {
				select {
				case ev := <-h.committed:
					h.deliver(ev, touched)
				default:
					break drain
				}
			}
			flush()
		case <-h.stop:
			for {
				select {
				case ev := <-h.committed:
					h.deliver(ev, touched)
				default:
					flush()
					return
				}
			}
		}
	}
}

func (h *Hub) deliver(ev commitEvent, touched map[*Conn]struct{}) {
	m := ev.msg
	if ev.err != nil {
		var ue archive.UserError
		switch {
		case errors.Is(ev.err, archive.ErrNotAuthor):
			ev.sender.push(encodeError(m.ID, CodeForbidden, "Only the author may edit or delete a message."))
		case errors.Is(ev.err, archive.ErrNotFound):
			ev.sender.push(encodeError(m.ID, CodeNotFound, "There is no such message."))
		case errors.As(ev.err, &ue):
			ev.sender.push(encodeError(m.ID, CodeBadRequest, archive.Sentence(ev.err)))
		default:
			h.log.Error("message not stored", "user", ev.sender.user, "channel", m.Channel, "err", ev.err)
			ev.sender.push(encodeError(m.ID, CodeUnavailable, "The message could not be stored. It was not sent; try again."))
		}
		return
	}
	if ev.sender != nil && ev.sender.enqueue(encodeAck(m)) { // nil: posted by the office (Post)
		touched[ev.sender] = struct{}{}
	}
	if ev.dup {
		return
	}
	if ev.verdict != nil {
		h.queueFlag(m, ev.verdict)
	}
	start := time.Now()
	h.Messages.Add(1)
	frame := encodeMessage(m.ForMembers()) // once, for every recipient
	r := h.room(m.Channel)
	r.mu.Lock()
	if m.Seq > r.published {
		r.published = m.Seq
	}
	subs := r.subs
	r.mu.Unlock()
	for _, c := range subs {
		if c.offer(m.Channel, m.Seq, frame) {
			h.Delivered.Add(1)
			touched[c] = struct{}{}
		}
	}
	h.FanoutNano.Add(uint64(time.Since(start)))
}

// queueFlag puts a stored message a flag or mask rule matched on the review
// queue, without holding up delivery; Shutdown waits for it.
func (h *Hub) queueFlag(m archive.Message, v *rules.Result) {
	h.stopped.Add(1)
	go func() {
		defer h.stopped.Done()
		h.posting.Flagged(m, v)
	}()
}
