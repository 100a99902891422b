package admin

import "github.com/fasthttp/router"

// safetyRoutes are the pages that keep the office's data safe: content
// rules, the review queue, backups and the messenger reachability check.
func (c *Console) safetyRoutes(r *router.Router) {
	r.GET("/admin/rules", c.page(c.rulesList))
	r.GET("/admin/rules/new", c.page(c.ruleNew))
	r.POST("/admin/rules/new", c.action(c.ruleCreate))
	r.POST("/admin/rules/test", c.action(c.rulesTest))
	r.GET("/admin/rules/{id}", c.page(c.ruleEdit))
	r.POST("/admin/rules/{id}", c.action(c.ruleSave))
	r.GET("/admin/rules/{id}/{op}", c.page(c.ruleConfirm))
	r.POST("/admin/rules/{id}/{op}", c.action(c.ruleDo))

	r.GET("/admin/review", c.page(c.review, reviewRoles))
	r.POST("/admin/review/{n}/resolve", c.action(c.reviewResolve, reviewRoles))

	r.GET("/admin/backups", c.page(c.backups))
	r.POST("/admin/backups/now", c.action(c.backupNow))
	r.POST("/admin/backups/schedule", c.action(c.backupSchedule))

	// Every signed-in person may check their own computer.
	r.GET("/admin/reach", c.page(c.reach, anyRole))
}
