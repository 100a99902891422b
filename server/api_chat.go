package server

import (
	"errors"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/chat"
	"inhouse/server/office"
)

// GET /api/channels: the caller's channels with last_seq and unread.
func (s *Server) channels(r *request) {
	out := []chat.ChannelView{}
	for _, c := range s.store.Channels(func(c *archive.Channel) bool { return c.Has(r.user.Name) }) {
		out = append(out, s.hub.View(c, r.user.Name))
	}
	writeJSON(r.ctx, map[string]any{"channels": out})
}

// GET /api/channels/public: the public channels anyone may join.
func (s *Server) publicChannels(r *request) {
	type entry struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Members int    `json:"members"`
		Joined  bool   `json:"joined"`
	}
	out := []entry{}
	for _, c := range s.store.Channels(func(c *archive.Channel) bool { return c.Kind == archive.KindPublic }) {
		out = append(out, entry{ID: c.ID, Name: c.Name, Members: len(c.Members), Joined: c.Has(r.user.Name)})
	}
	writeJSON(r.ctx, map[string]any{"channels": out})
}

// POST /api/channels {"name","private","members"}
func (s *Server) createChannel(r *request) {
	var in struct {
		Name    string
		Private bool
		Members []string
	}
	if !decode(r.ctx, &in) {
		return
	}
	c, err := s.office.CreateChannel(r.actor(), office.NewChannel{Name: in.Name, Private: in.Private, Members: in.Members, Join: true})
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// POST /api/channels/{id}/join: public channels only.
func (s *Server) joinChannel(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	c, err := s.office.JoinChannel(r.actor(), id)
	if errors.Is(err, archive.ErrNotFound) {
		// Private and direct channels answer like missing ones: no probing.
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no public channel with that id.")
		return
	}
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// POST /api/dm {"user"}: the direct channel with that person, the same one
// every time.
func (s *Server) directMessage(r *request) {
	var in struct {
		User  string
		Users []string // a group of 3 to 8 (docs/conversation.md)
	}
	if !decode(r.ctx, &in) {
		return
	}
	if in.User != "" {
		in.Users = append(in.Users, in.User)
	}
	if len(in.Users) == 0 {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", "Name the people to talk to.")
		return
	}
	c, err := s.office.OpenGroup(r.actor(), in.Users)
	if errors.Is(err, archive.ErrNotFound) {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such person.")
		return
	}
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}
