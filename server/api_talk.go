package server

import (
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/chat"
)

// The JSON doors of docs/conversation.md: the channel menu, saved
// messages, pins and threads. The rules are office's.

// messagesJSON is messages as the frames write them.
func messagesJSON(msgs []archive.Message) []chat.Message {
	out := make([]chat.Message, len(msgs))
	for i, m := range msgs {
		out[i] = chat.Message(m)
	}
	return out
}

// POST /api/channels/{id}/leave
func (s *Server) leaveChannel(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	if err := s.office.LeaveChannel(r.actor(), id); err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"left": id})
}

// POST /api/channels/{id}/members {"add":[…]}
func (s *Server) addMembers(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	var in struct{ Add []string }
	if !decode(r.ctx, &in) {
		return
	}
	c, err := s.office.AddToChannel(r.actor(), id, in.Add)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// POST /api/channels/{id}/topic {"topic","description"}
func (s *Server) channelTopic(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	var in struct{ Topic, Description string }
	if !decode(r.ctx, &in) {
		return
	}
	c, err := s.office.SetTopic(r.actor(), id, in.Topic, in.Description)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// PUT /api/channels/{id}/notify {"notify","muted"}
func (s *Server) channelNotify(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	var in archive.ChannelPrefs
	if !decode(r.ctx, &in) {
		return
	}
	if err := s.office.SetChannelPrefs(r.actor(), id, in); err != nil {
		storeError(r.ctx, err)
		return
	}
	c, err := s.store.Channel(id)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// GET /api/channels/{id}/pins
func (s *Server) channelPins(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	msgs, err := s.office.PinnedMessages(r.actor(), id)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"messages": messagesJSON(msgs)})
}

// GET /api/saved
func (s *Server) savedMessages(r *request) {
	writeJSON(r.ctx, map[string]any{"messages": messagesJSON(s.office.SavedMessages(r.actor()))})
}

// POST /api/saved {"channel","seq"}
func (s *Server) saveMessage(r *request) {
	var in struct {
		Channel string
		Seq     uint64
	}
	if !decode(r.ctx, &in) {
		return
	}
	if err := s.office.SaveMessage(r.actor(), in.Channel, in.Seq, true); err != nil {
		if errors.Is(err, archive.ErrNotFound) {
			jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such message.")
			return
		}
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"saved": true})
}

// DELETE /api/saved/{channel}/{seq}
func (s *Server) unsaveMessage(r *request) {
	channel, _ := r.ctx.UserValue("channel").(string)
	seq, err := strconv.ParseUint(r.ctx.UserValue("seq").(string), 10, 64)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such message.")
		return
	}
	if err := s.office.SaveMessage(r.actor(), channel, seq, false); err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"saved": false})
}

// GET /api/threads
func (s *Server) threads(r *request) {
	type entry struct {
		Channel string       `json:"channel"`
		Seq     uint64       `json:"seq"`
		Message chat.Message `json:"message"`
		Replies int          `json:"replies"`
		Last    string       `json:"last"`
		Unread  int          `json:"unread"`
	}
	out := []entry{}
	for _, t := range s.office.FollowedThreads(r.actor()) {
		out = append(out, entry{Channel: t.Channel, Seq: t.Root, Message: chat.Message(t.Message), Replies: t.Replies,
			Last: time.UnixMilli(t.Last).UTC().Format(chat.TimeFormat), Unread: t.Unread})
	}
	writeJSON(r.ctx, map[string]any{"threads": out})
}
