package server

import (
	"bytes"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/chat"
	"inhouse/server/office"
)

// The people's API (docs/people.md): profiles, pictures, status lines,
// do-not-disturb, working hours, read receipts and announcements.

// person is u as others see them now, with their presence.
func (s *Server) person(u archive.User) office.Person {
	p := office.PersonAt(u, time.Now())
	p.Status = s.hub.Status(u.Name)
	return p
}

// GET /api/users: everyone who may sign in, as person objects.
func (s *Server) users(r *request) {
	out := []office.Person{}
	for _, u := range s.store.Users() {
		if !u.Disabled {
			out = append(out, s.person(u))
		}
	}
	writeJSON(r.ctx, map[string]any{"users": out})
}

// GET /api/users/{name}: one person's card.
func (s *Server) userCard(r *request) {
	name, _ := r.ctx.UserValue("name").(string)
	u, err := s.store.User(name)
	if err != nil || u.Disabled {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such person.")
		return
	}
	writeJSON(r.ctx, map[string]any{"user": s.person(u)})
}

// GET /api/users/{name}/picture?v=<version>: the picture, cached for a
// year under its version's address.
func (s *Server) userPicture(r *request) {
	name, _ := r.ctx.UserValue("name").(string)
	jpeg, version, err := s.office.Picture(name)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "This person has no picture.")
		return
	}
	if v := r.ctx.QueryArgs().Peek("v"); len(v) > 0 && string(v) == version {
		r.ctx.Response.Header.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		r.ctx.Response.Header.Set("Cache-Control", "private, no-cache")
	}
	r.ctx.Response.Header.Set("ETag", `"`+version+`"`)
	if bytes.Equal(r.ctx.Request.Header.Peek("If-None-Match"), []byte(`"`+version+`"`)) {
		r.ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	r.ctx.SetContentType("image/jpeg")
	r.ctx.SetBody(jpeg)
}

// PUT /api/me/profile {"title","phone"}
func (s *Server) putProfile(r *request) {
	var in struct{ Title, Phone string }
	if !decode(r.ctx, &in) {
		return
	}
	s.answer(r, s.office.EditProfile(r.actor(), r.user.Name, office.Profile{Title: in.Title, Phone: in.Phone}))
}

// PUT /api/me/picture (the image as the body)
func (s *Server) putPicture(r *request) {
	version, err := s.office.SetPicture(r.actor(), r.user.Name, bytes.NewReader(r.ctx.PostBody()))
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]string{"picture": version})
}

// DELETE /api/me/picture
func (s *Server) deletePicture(r *request) {
	s.answer(r, s.office.RemovePicture(r.actor(), r.user.Name))
}

// PUT /api/me/note {"emoji","text","until"}; DELETE clears it.
func (s *Server) putNote(r *request) {
	var in struct {
		Emoji, Text string
		Until       *time.Time
	}
	if !decode(r.ctx, &in) {
		return
	}
	n := archive.Note{Emoji: in.Emoji, Text: in.Text}
	if in.Until != nil {
		n.Until = *in.Until
	}
	s.answer(r, s.office.SetNote(r.user.Name, n))
}

func (s *Server) deleteNote(r *request) {
	s.answer(r, s.office.SetNote(r.user.Name, archive.Note{}))
}

// PUT /api/me/dnd {"minutes"} or {"until"}; DELETE ends it.
func (s *Server) putDND(r *request) {
	var in struct {
		Minutes int
		Until   *time.Time
	}
	if !decode(r.ctx, &in) {
		return
	}
	var until time.Time
	switch {
	case in.Until != nil:
		until = *in.Until
	case in.Minutes > 0 && in.Minutes <= 7*24*60:
		until = time.Now().Add(time.Duration(in.Minutes) * time.Minute)
	default:
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", "Do not disturb: give minutes (up to 7 days) or an end time.")
		return
	}
	s.answer(r, s.office.SetDND(r.user.Name, until))
}

func (s *Server) deleteDND(r *request) {
	s.answer(r, s.office.SetDND(r.user.Name, time.Time{}))
}

// PUT /api/me/hours {"tz","days","quiet"}; "days":null clears them.
func (s *Server) putHours(r *request) {
	var in struct {
		TZ    string
		Days  *[7]*[2]string
		Quiet bool
	}
	if !decode(r.ctx, &in) {
		return
	}
	var h *archive.WorkHours
	if in.Days != nil {
		h = &archive.WorkHours{TZ: in.TZ, Days: *in.Days, Quiet: in.Quiet}
	}
	s.answer(r, s.office.SetHours(r.user.Name, h))
}

// PUT /api/me/receipts {"hide"}
func (s *Server) putReceipts(r *request) {
	var in struct{ Hide bool }
	if !decode(r.ctx, &in) {
		return
	}
	s.answer(r, s.office.HideReceipts(r.user.Name, in.Hide))
}

// answer ends a change that returns nothing: the caller's person object,
// or the error.
func (s *Server) answer(r *request, err error) {
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	u, err := s.store.User(r.user.Name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"user": s.person(u)})
}

// GET /api/channels/{id}/seen: the read positions receipts may show.
func (s *Server) channelSeen(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	seen, err := s.office.Seen(r.user.Name, id)
	if err != nil {
		if _, off := err.(*office.Forbidden); off {
			jsonError(r.ctx, fasthttp.StatusForbidden, "receipts_off", err.Error())
			return
		}
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"seen": seen})
}

// GET /api/announcements: those the caller has not confirmed.
func (s *Server) announcements(r *request) {
	type entry struct {
		Channel string       `json:"channel"`
		Seq     uint64       `json:"seq"`
		Message chat.Message `json:"message"`
	}
	out := []entry{}
	for _, m := range s.office.Pending(r.user.Name) {
		out = append(out, entry{m.Channel, m.Seq, chat.Message(m)})
	}
	writeJSON(r.ctx, map[string]any{"pending": out})
}

// POST /api/announcements/{channel}/{seq}/confirm
func (s *Server) confirmAnnouncement(r *request) {
	channel, _ := r.ctx.UserValue("channel").(string)
	seq, err := strconv.ParseUint(r.ctx.UserValue("seq").(string), 10, 64)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such announcement.")
		return
	}
	at, err := s.office.Confirm(r.user.Name, channel, seq)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusNotFound, "not_found", "There is no such announcement asking you to confirm.")
		return
	}
	writeJSON(r.ctx, map[string]string{"confirmed": at.Format(time.RFC3339Nano)})
}
