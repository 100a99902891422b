package server

import (
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// POST /api/admin/users {"name","display","role","password"}
func (s *Server) adminAddUser(r *request) {
	var in struct{ Name, Display, Role, Password string }
	if !decode(r.ctx, &in) {
		return
	}
	if in.Role == "" {
		in.Role = archive.RoleMember
	}
	if err := auth.CheckPassword(in.Password); err != nil {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", archive.Sentence(err))
		return
	}
	u := archive.User{Name: strings.TrimSpace(in.Name), Display: strings.TrimSpace(in.Display), Role: in.Role, Hash: auth.HashPassword(in.Password)}
	if err := s.store.AddUser(u); err != nil {
		storeError(r.ctx, err)
		return
	}
	u, _ = s.store.User(u.Name)
	s.log.Info("person added", "by", r.user.Name, "user", u.Name, "role", u.Role)
	s.audit(r, "person.add", u.Name, "Added "+u.Display+" as "+u.Role+".")
	writeJSON(r.ctx, map[string]any{"user": toUserJSON(u)})
}

// POST /api/admin/users/{name}/disable: ends the person's sessions and
// closes their connections at once.
func (s *Server) adminDisableUser(r *request) {
	name, _ := r.ctx.UserValue("name").(string)
	if name == r.user.Name {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", "You cannot disable yourself.")
		return
	}
	u, err := s.store.UpdateUser(name, func(u *archive.User) error { u.Disabled = true; return nil })
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	s.hub.Kick(name, "account disabled")
	s.log.Info("person disabled", "by", r.user.Name, "user", name)
	s.audit(r, "person.disable", name, "Disabled "+u.Display+" and signed them out everywhere.")
	writeJSON(r.ctx, map[string]any{"user": toUserJSON(u), "disabled": true})
}

// POST /api/admin/channels/{id}/members {"add":[...],"remove":[...]}
func (s *Server) adminMembers(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	var in struct{ Add, Remove []string }
	if !decode(r.ctx, &in) {
		return
	}
	c, err := s.store.ChangeMembers(id, in.Add, in.Remove, r.user.Name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	s.hub.ChannelChanged(c, in.Remove)
	s.log.Info("channel members changed", "by", r.user.Name, "channel", id, "add", in.Add, "remove", in.Remove)
	s.audit(r, "channel.members", id, fmt.Sprintf("#%s: added %v, removed %v.", c.Name, in.Add, in.Remove))
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}

// audit records an admin API change in the admin audit log. The change is
// already durable; a failed audit write means the store has failed, which
// /healthz and the dashboard report.
func (s *Server) audit(r *request, action, target, detail string) {
	e := archive.AuditEntry{Actor: r.user.Name, Via: "api", Action: action, Target: target, Detail: detail}
	if err := s.store.Audit(e); err != nil {
		s.log.Error("admin audit log", "err", err, "action", action, "target", target)
	}
}
