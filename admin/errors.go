package admin

import (
	"errors"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// sentence turns an error message into one for people: capital first
// letter, full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// storeFailed reports a failed write with a flash and goes back to the page.
func (c *Console) storeFailed(r *request, err error, back string) {
	var ue archive.UserError
	switch {
	case errors.Is(err, archive.ErrNotFound):
		c.fail(r, "That no longer exists. Someone may have changed it meanwhile.")
	case errors.As(err, &ue), errors.Is(err, archive.ErrExists):
		c.fail(r, sentence(err.Error()))
	default:
		c.log.Error("console write", "err", err)
		c.fail(r, "The server could not save this. Nothing was changed. Check the dashboard for warnings.")
	}
	redirect(r.ctx, back)
}

// notFound is the console's 404 page.
func (c *Console) notFound(r *request) {
	c.render(r.ctx, fasthttp.StatusNotFound, notFoundPage(c.shell(r, "Not found", "")))
}
