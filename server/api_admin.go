package server

import (
	"fmt"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// POST /api/admin/users {"name","display","role","password"}
func (s *Server) adminAddUser(r *request) {
	var in struct{ Name, Display, Role, Password string }
	if !decode(r.ctx, &in) {
		return
	}
	u, err := s.office.AddPerson(office.Actor{Name: r.user.Name, Via: office.ViaAPI},
		office.NewPerson{Name: in.Name, Display: in.Display, Role: in.Role, Password: in.Password})
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"user": toUserJSON(u)})
}

// POST /api/admin/users/{name}/disable: ends the person's sessions and
// closes their connections at once.
func (s *Server) adminDisableUser(r *request) {
	name, _ := r.ctx.UserValue("name").(string)
	u, err := s.office.DisablePerson(office.Actor{Name: r.user.Name, Via: office.ViaAPI}, name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
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
