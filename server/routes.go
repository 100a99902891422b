package server

import (
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

func (s *Server) routes() *router.Router {
	s.initMetrics()
	r := router.New()
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	r.MethodNotAllowed = func(ctx *fasthttp.RequestCtx) {
		jsonError(ctx, fasthttp.StatusMethodNotAllowed, "method_not_allowed", "This address does not take "+string(ctx.Method())+" requests.")
	}
	r.NotFound = s.static

	r.POST("/api/login", s.login)
	r.GET("/api/office", s.officeName)
	r.POST("/api/setup", s.setup)
	r.POST("/api/logout", s.api(s.logout))
	r.GET("/api/me", s.api(s.me))
	r.POST("/api/policy/accept", s.api(s.acceptPolicy))
	r.POST("/api/password", s.api(s.changePassword))
	r.GET("/api/users", s.api(s.users))
	r.GET("/api/users/{name}", s.api(s.userCard))
	r.GET("/api/users/{name}/picture", s.api(s.userPicture))
	r.PUT("/api/me/profile", s.api(s.putProfile))
	r.PUT("/api/me/picture", s.api(s.putPicture))
	r.DELETE("/api/me/picture", s.api(s.deletePicture))
	r.PUT("/api/me/note", s.api(s.putNote))
	r.DELETE("/api/me/note", s.api(s.deleteNote))
	r.PUT("/api/me/dnd", s.api(s.putDND))
	r.DELETE("/api/me/dnd", s.api(s.deleteDND))
	r.PUT("/api/me/hours", s.api(s.putHours))
	r.PUT("/api/me/receipts", s.api(s.putReceipts))
	r.GET("/api/channels/{id}/seen", s.api(s.channelSeen))
	r.GET("/api/announcements", s.api(s.announcements))
	r.POST("/api/announcements/{channel}/{seq}/confirm", s.api(s.confirmAnnouncement))
	r.GET("/api/channels", s.api(s.channels))
	r.POST("/api/channels", s.api(s.createChannel))
	r.GET("/api/channels/public", s.api(s.publicChannels))
	r.POST("/api/channels/{id}/join", s.api(s.joinChannel))
	r.POST("/api/dm", s.api(s.directMessage))
	r.POST("/api/channels/{id}/leave", s.api(s.leaveChannel))
	r.POST("/api/channels/{id}/members", s.api(s.addMembers))
	r.POST("/api/channels/{id}/topic", s.api(s.channelTopic))
	r.PUT("/api/channels/{id}/notify", s.api(s.channelNotify))
	r.GET("/api/channels/{id}/pins", s.api(s.channelPins))
	r.GET("/api/saved", s.api(s.savedMessages))
	r.POST("/api/saved", s.api(s.saveMessage))
	r.DELETE("/api/saved/{channel}/{seq}", s.api(s.unsaveMessage))
	r.GET("/api/threads", s.api(s.threads))
	r.POST(uploadPath, s.api(s.uploadFile))
	r.GET("/api/files/{channel}/{seq}/{index}", s.api(s.downloadFile))
	r.GET("/api/files/{channel}/{seq}/{index}/preview", s.api(s.previewFile))
	r.GET("/api/channels/{id}/files", s.api(s.channelFiles))
	r.GET("/api/search", s.api(s.search))
	r.GET("/api/archive/search", s.api(s.archiveSearch))

	r.POST("/api/admin/users", s.api(s.adminAddUser, archive.RoleAdmin))
	r.POST("/api/admin/users/{name}/disable", s.api(s.adminDisableUser, archive.RoleAdmin))
	r.POST("/api/admin/users/{name}/unlock", s.api(s.adminUnlockUser, archive.RoleAdmin))
	r.POST("/api/admin/channels/{id}/members", s.api(s.adminMembers, archive.RoleAdmin))
	r.ANY("/api/{rest:*}", func(ctx *fasthttp.RequestCtx) {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "There is no such API endpoint.")
	})

	r.GET("/ws", s.websocket)
	r.GET("/setup", s.setupPage)
	r.GET("/ca.crt", s.caCert)
	r.GET("/trust", s.trustPage)
	r.GET("/healthz", s.healthz)
	r.GET("/metrics", s.metrics)
	r.GET("/console/{file:*}", s.consoleAsset)
	return r
}

// Mount serves h for prefix and everything below it (the admin console).
// Call it before Serve. Requests still pass the allow-list and headers.
func (s *Server) Mount(prefix string, h fasthttp.RequestHandler) {
	s.router.ANY(prefix, h)
	s.router.ANY(prefix+"/{path:*}", h)
}

// GET /healthz: 200 "ok" while the database takes writes.
func (s *Server) healthz(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	if err := s.store.Healthy(); err != nil {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("failing: " + err.Error() + "\n")
		return
	}
	ctx.SetBodyString("ok\n")
}

// GET /api/office: the office's name, for the sign-in page.
func (s *Server) officeName(ctx *fasthttp.RequestCtx) {
	writeJSON(ctx, map[string]string{"office": s.store.Settings().OfficeName})
}
