package server

import (
	"inhouse/server/office"
)

// POST /api/admin/users {"name","display","role","password"}
func (s *Server) adminAddUser(r *request) {
	var in struct{ Name, Display, Role, Password string }
	if !decode(r.ctx, &in) {
		return
	}
	u, err := s.office.AddPerson(r.actor(),
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
	u, err := s.office.DisablePerson(r.actor(), name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"user": toUserJSON(u), "disabled": true})
}

// POST /api/admin/users/{name}/unlock: lifts the waits that failed guesses
// put on the person's sign-ins.
func (s *Server) adminUnlockUser(r *request) {
	name, _ := r.ctx.UserValue("name").(string)
	u, err := s.office.UnlockSignIn(r.actor(), name)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"user": toUserJSON(u), "unlocked": true})
}

// POST /api/admin/channels/{id}/members {"add":[...],"remove":[...]}
func (s *Server) adminMembers(r *request) {
	id, _ := r.ctx.UserValue("id").(string)
	var in struct{ Add, Remove []string }
	if !decode(r.ctx, &in) {
		return
	}
	c, err := s.office.ChangeMembers(r.actor(), id, in.Add, in.Remove)
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"channel": s.hub.View(c, r.user.Name)})
}
