package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"inhouse/server/archive"
	"inhouse/server/office"
	"inhouse/server/rules"
)

// Frame limits.
const (
	maxClientID     = 64
	maxHistory      = 200
	defaultHistory  = 50
	maxSyncChannels = 1000
	syncChunk       = 200
	typingEvery     = 2 * time.Second
)

// handle answers one client frame. Every failure is an error frame; the
// connection stays open.
func (c *Conn) handle(data []byte) {
	f, ferr := decodeFrame(data)
	if ferr != nil {
		c.fail(ferr.id, ferr.code, ferr.msg)
		return
	}
	switch f.Type {
	case "send":
		c.onSend(&f)
	case "sync":
		c.onSync(&f)
	case "history":
		c.onHistory(&f)
	case "typing":
		c.onTyping(&f)
	case "read":
		c.onRead(&f)
	case "presence":
		c.onPresence(&f)
	case "edit", "delete":
		c.onChange(&f)
	case "react":
		c.onReact(&f)
	case "pin":
		c.onPin(&f)
	}
}

func (c *Conn) fail(id, code, msg string) {
	c.push(encodeError(truncate(id, maxClientID), code, msg))
}

// member checks that c's person may read the channel, answering with an
// error frame when not.
func (c *Conn) member(id, channel string) bool {
	if r := c.hub.posting.Member(c.user, channel); r != nil {
		c.fail(id, r.Code, r.Message)
		return false
	}
	return true
}

// mayPost checks what every frame that stores something needs: the
// office's rules (office.Messages.MayPost) and the person's send rate. It
// answers with an error frame and reports false when one fails.
func (c *Conn) mayPost(f *inFrame) bool {
	if r := c.hub.posting.MayPost(c.user, f.Channel, f.Text); r != nil {
		c.fail(f.ID, r.Code, r.Message)
		return false
	}
	if !c.allow.send.Allow() {
		c.fail(f.ID, CodeRateLimited, "You are sending too fast. Wait a moment and try again.")
		return false
	}
	return true
}

func (c *Conn) onSend(f *inFrame) {
	if !c.mayPost(f) {
		return
	}
	p := archive.Post{Channel: f.Channel, From: c.user, ClientID: f.ID, Text: *f.Text}
	if f.Parent != nil {
		p.Parent, p.Also = *f.Parent, f.Also
	}
	if f.Confirm {
		if f.Parent != nil || !c.hub.posting.MayAnnounce(c.user) {
			c.fail(f.ID, CodeForbidden, "Only the office manager and the people the office names may ask for confirmation, and not in a thread.")
			return
		}
		p.Confirm = true
	}
	if len(f.Files) > 0 {
		files, r := c.hub.posting.Attach(c.user, f.Channel, f.Files)
		if r != nil {
			c.fail(f.ID, r.Code, r.Message)
			return
		}
		p.Files = files
	}
	if ok, res := c.screen(f.ID, &p); ok {
		c.hub.send(c, p, res)
	}
}

// screen runs the office's content rules over p, answering with an error
// frame when they refuse it. It reports whether to go on, and the verdict
// to queue once stored.
func (c *Conn) screen(id string, p *archive.Post) (bool, *rules.Result) {
	masked, verdict, r := c.hub.posting.Screen(p.From, p.Channel, p.Text)
	if r != nil {
		c.fail(id, r.Code, r.Message)
		return false, nil
	}
	p.Masked = masked
	return true, verdict
}

// onChange edits or deletes one of the person's own messages. The archive
// keeps every version; members see the latest.
func (c *Conn) onChange(f *inFrame) {
	if !c.mayPost(f) {
		return
	}
	if r := c.hub.posting.MayChange(c.user, f.Channel, *f.Seq); r != nil {
		c.fail(f.ID, r.Code, r.Message)
		return
	}
	p := archive.Post{Channel: f.Channel, From: c.user, ClientID: f.ID, Kind: archive.KindDelete, Ref: *f.Seq}
	var res *rules.Result
	if f.Type == "edit" {
		p.Kind, p.Text = archive.KindEdit, *f.Text
		var ok bool
		if ok, res = c.screen(f.ID, &p); !ok {
			return
		}
	}
	c.hub.send(c, p, res)
}

// onReact adds or takes back one's reaction to a message. One that would
// change nothing is acknowledged with the message's seq and not stored.
func (c *Conn) onReact(f *inFrame) {
	noop, r := c.hub.posting.MayReact(c.user, f.Channel, *f.Seq, f.Emoji, f.Remove)
	kind := archive.KindReact
	if f.Remove {
		kind = archive.KindUnreact
	}
	c.touch(f, noop, r, archive.Post{Channel: f.Channel, From: c.user, ClientID: f.ID, Kind: kind, Ref: *f.Seq, Text: f.Emoji})
}

// onPin pins a message to its channel, or unpins it.
func (c *Conn) onPin(f *inFrame) {
	noop, r := c.hub.posting.MayPin(c.user, f.Channel, *f.Seq, f.Remove)
	kind := archive.KindPin
	if f.Remove {
		kind = archive.KindUnpin
	}
	c.touch(f, noop, r, archive.Post{Channel: f.Channel, From: c.user, ClientID: f.ID, Kind: kind, Ref: *f.Seq})
}

// touch stores a record about a message (reaction, pin) once the office's
// rules and the send rate allow it.
func (c *Conn) touch(f *inFrame, noop bool, r *office.Refusal, p archive.Post) {
	switch {
	case r != nil:
		c.fail(f.ID, r.Code, r.Message)
	case !c.allow.send.Allow():
		c.fail(f.ID, CodeRateLimited, "You are sending too fast. Wait a moment and try again.")
	case noop:
		c.push(encodeAck(archive.Message{ID: truncate(f.ID, maxClientID), Channel: f.Channel, Seq: *f.Seq, TS: time.Now().UnixMilli()}))
	default:
		p.Masked = p.Text
		c.hub.send(c, p, nil)
	}
}

func (c *Conn) onHistory(f *inFrame) {
	if !c.member(f.ID, f.Channel) || !c.mayRead(f.ID) {
		return
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultHistory
	}
	limit = min(limit, maxHistory)
	msgs, err := c.hub.store.Before(f.Channel, f.Before, limit)
	if err != nil {
		c.hub.log.Error("history", "channel", f.Channel, "err", err)
		c.fail(f.ID, CodeUnavailable, "The history could not be read. Try again.")
		return
	}
	c.push(encodeHistory(f.Channel, msgs))
}

// onSync sends, per channel, every message after the seq the client last
// saw, in order, then "synced". Live messages for a channel being synced are
// held back (the cursor), so each message arrives exactly once, in order.
func (c *Conn) onSync(f *inFrame) {
	if !c.mayRead(f.ID) {
		return
	}
	for channel, seen := range f.Channels {
		if !c.member(f.ID, channel) {
			continue
		}
		if err := c.syncChannel(channel, seen); err != nil {
			if !errors.Is(err, errClosed) {
				c.hub.log.Error("sync", "channel", channel, "err", err)
				c.fail(f.ID, CodeUnavailable, "The missed messages could not be read. Reconnect to try again.")
			}
			return
		}
	}
	c.push(syncedFrame)
}

var errClosed = errors.New("connection closed")

func (c *Conn) syncChannel(channel string, seen uint64) error {
	c.mu.Lock()
	cur := c.cursors.get(channel)
	if cur == nil {
		c.mu.Unlock()
		return nil // left the channel meanwhile
	}
	cur.syncing, cur.next = true, seen+1
	c.mu.Unlock()
	return c.catchUp(channel)
}

// catchUp sends channel's messages from the store, from the cursor on,
// while its cursor holds live delivery back, and lets live delivery go on
// once nothing newer has been published.
func (c *Conn) catchUp(channel string) error {
	r := c.hub.room(channel)
	c.mu.Lock()
	cur := c.cursors.get(channel)
	c.mu.Unlock()
	if cur == nil {
		return nil // left the channel meanwhile
	}
	for {
		if err := c.waitRoom(); err != nil {
			return err
		}
		c.mu.Lock()
		from := cur.next - 1
		c.mu.Unlock()
		r.mu.Lock()
		published := r.published
		r.mu.Unlock()
		var msgs []archive.Message
		if from < published {
			var err error
			if msgs, err = c.hub.store.After(channel, from, syncChunk); err != nil {
				c.mu.Lock()
				cur.syncing = false
				c.mu.Unlock()
				return err
			}
		}
		frames := make([][]byte, 0, len(msgs))
		c.mu.Lock()
		for _, m := range msgs {
			if m.Seq == cur.next && m.Seq <= published {
				frames = append(frames, encodeMessage(m))
				cur.next++
			}
		}
		if !c.t.Backlog(frames) { // without the slow-client limit: waitRoom keeps it bounded
			c.mu.Unlock()
			return errClosed
		}
		c.mu.Unlock()
		// Caught up when nothing newer has been published; checked under the
		// room's lock so the dispatcher cannot publish in between.
		r.mu.Lock()
		c.mu.Lock()
		caught := cur.next > r.published
		if caught {
			cur.syncing = false
		}
		c.mu.Unlock()
		r.mu.Unlock()
		if caught {
			return nil
		}
	}
}

// waitRoom waits until the send queue is at most half full, in frames
// and in bytes.
func (c *Conn) waitRoom() error {
	for {
		frames, bytes := c.t.Queued()
		if frames <= c.hub.limits.QueueFrames/2 && bytes <= c.hub.limits.QueueBytes/2 {
			break
		}
		select {
		case <-c.t.Done():
			return errClosed
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case <-c.t.Done():
		return errClosed
	default:
		return nil
	}
}

func (c *Conn) onTyping(f *inFrame) {
	if !c.member(f.ID, f.Channel) {
		return
	}
	if !c.hub.allowTyping(c.user, f.Channel) {
		return // quietly: typing is a hint, not a message
	}
	frame := mustJSON(typingFrame{Type: "typing", Channel: f.Channel, User: c.user})
	r := c.hub.room(f.Channel)
	r.mu.Lock()
	subs := r.subs
	r.mu.Unlock()
	for _, o := range subs {
		if o.user != c.user {
			o.push(frame)
		}
	}
}

func (c *Conn) onRead(f *inFrame) {
	if !c.member(f.ID, f.Channel) {
		return
	}
	if f.Thread != 0 {
		// A thread's read position is the person's own: no frame to others.
		if err := c.hub.store.MarkThreadRead(f.Channel, f.Thread, c.user, *f.Seq); err != nil {
			c.hub.log.Error("thread read marker", "err", err)
			c.fail(f.ID, CodeUnavailable, "The read marker could not be saved.")
		}
		return
	}
	before := c.hub.store.ReadSeq(f.Channel, c.user)
	seq, err := c.hub.store.MarkRead(f.Channel, c.user, *f.Seq)
	if err != nil {
		c.hub.log.Error("read marker", "err", err)
		c.fail(f.ID, CodeUnavailable, "The read marker could not be saved.")
		return
	}
	if seq > before {
		c.hub.receipt(c.user, f.Channel, before, seq)
	}
	// The person's other tabs clear their unread count too.
	frame := mustJSON(readFrame{Type: "read", Channel: f.Channel, Seq: seq})
	for _, o := range c.hub.connsOf(c.user) {
		if o != c {
			o.push(frame)
		}
	}
}

func (c *Conn) onPresence(f *inFrame) {
	c.mu.Lock()
	c.away = f.Status == "away"
	c.mu.Unlock()
	c.hub.presenceChanged(c.user)
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// jsonProblem says in a few words what was wrong with a frame.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	return "malformed JSON"
}

// mayRead spends one of the person's history-and-sync tokens, or answers
// rate_limited: a burst covers opening every channel after a reconnect.
func (c *Conn) mayRead(id string) bool {
	if c.allow.reads.Allow() {
		return true
	}
	c.fail(id, CodeRateLimited, "Too many requests for older messages. Wait a moment and try again.")
	return false
}
