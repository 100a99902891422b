package server

import (
	"slices"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/chat"
)

// GET /api/users: everyone who can be messaged, with presence.
func (s *Server) users(r *request) {
	type entry struct {
		Name    string `json:"name"`
		Display string `json:"display"`
		Status  string `json:"status"`
	}
	out := []entry{}
	for _, u := range s.store.Users() {
		if !u.Disabled {
			out = append(out, entry{Name: u.Name, Display: u.Display, Status: s.hub.Status(u.Name)})
		}
	}
	writeJSON(r.ctx, map[string]any{"users": out})
}

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
	if s.store.Settings().AdminsOnlyChannels() && r.user.Role != archive.RoleAdmin {
		jsonError(r.ctx, fasthttp.StatusForbidden, "forbidden", "In this office only the office manager creates channels. Ask them for one.")
		return
	}
	if len(in.Members) > 10000 {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", "Too many members at once.")
		return
	}
	c, err := s.store.CreateChannel(in.Name, in.Private, r.user.Name, in.Members)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	s.hub.ChannelChanged(c, nil)
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// POST /api/channels/{id}/join: public channels only.
func (s *Server) joinChannel(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	c, err := s.store.Channel(id)
	if err != nil || c.Kind != archive.KindPublic {
		// Private and direct channels answer like missing ones: no probing.
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no public channel with that id.")
		return
	}
	if !c.Has(r.user.Name) {
		if c, err = s.store.ChangeMembers(id, []string{r.user.Name}, nil, r.user.Name); err != nil {
			storeError(r.ctx, err)
			return
		}
		s.hub.ChannelChanged(c, nil)
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// POST /api/dm {"user"}: the direct channel with that person, the same one
// every time.
func (s *Server) directMessage(r *request) {
	var in struct{ User string }
	if !decode(r.ctx, &in) {
		return
	}
	other, err := s.store.User(in.User)
	if err != nil || other.Disabled {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such person.")
		return
	}
	if s.store.Settings().AdminsOnlyDirect() && r.user.Role != archive.RoleAdmin && !slices.Contains(s.store.DirectPartners(r.user.Name), other.Name) {
		jsonError(r.ctx, fasthttp.StatusForbidden, "forbidden", "In this office only the office manager starts direct messages. Use a channel instead.")
		return
	}
	c, created, err := s.store.DirectChannel(r.user.Name, other.Name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	if created {
		s.hub.ChannelChanged(c, nil)
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}
