package admin

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"

	"github.com/valyala/fasthttp"
)

// maxToken bounds what is read of the CSRF field of an upload, maxLeft
// what is read and dropped after the handler.
const (
	maxToken = 256
	maxLeft  = 32 << 20
)

// upload wraps a form post that sends a file (multipart/form-data): the
// checks of action, with the CSRF token read from the form's first field,
// before a byte of the file is. The handler gets the file named field as
// it arrives, never kept in memory or on disk by the console; nil when the
// form came without one (the browser sends an empty part when nothing was
// chosen).
func (c *Console) upload(field string, h func(r *request, file io.Reader)) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		r, ok := c.poster(ctx, adminOnly)
		if !ok {
			ctx.SetConnectionClose() // the body is not read: it must not be taken for the next request
			return
		}
		var body io.Reader
		if ctx.Request.IsBodyStream() {
			body = ctx.RequestBodyStream()
		} else {
			body = bytes.NewReader(ctx.PostBody())
		}
		boundary := string(ctx.Request.Header.MultipartFormBoundary())
		var parts *multipart.Reader
		token := ""
		if boundary != "" {
			parts = multipart.NewReader(body, boundary)
			token = firstToken(parts)
		}
		if !c.fromThisSite(r, token) {
			ctx.SetConnectionClose() // the rest of the body is not read
			return
		}
		var file io.Reader
		for {
			p, err := parts.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == field {
				if p.FileName() != "" {
					file = p
				}
				break
			}
		}
		h(r, file)
		// What the handler left (the end of the form, or the rest of a
		// file refused as too large) is read, so the browser gets to read
		// the answer and the connection can serve the next request; a form
		// that goes on and on is cut off instead.
		if n, _ := io.CopyN(io.Discard, body, maxLeft); n == maxLeft {
			ctx.SetConnectionClose()
		}
	}
}

// firstToken is the value of the form's first field when it is the CSRF
// token, or "".
func firstToken(parts *multipart.Reader) string {
	p, err := parts.NextPart()
	if err != nil || p.FormName() != "csrf" || p.FileName() != "" {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(p, maxToken+1))
	if (err != nil && !errors.Is(err, io.EOF)) || len(b) > maxToken {
		return ""
	}
	return string(b)
}
