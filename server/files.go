package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/time/rate"

	"inhouse/server/archive"
	"inhouse/server/chat"
	"inhouse/server/filekind"
	"inhouse/server/office"
)

// The HTTP door of file sharing (docs/files.md); the rules are
// office.Messages'.

// uploadPath is the one address whose body is read as a stream: every
// other request's body stays bounded by maxBody (guard).
const uploadPath = "/api/files"

// lingerFor bounds how long a refused upload's remaining body is read
// and dropped, and lingerIdle how long it may send nothing meanwhile.
const (
	lingerFor  = 30 * time.Second
	lingerIdle = 5 * time.Second
)

// answerUnread ends a request refused before its body was read: the
// browser may still be sending, and closing at once would reset the
// connection and lose the answer. So the answer is written here, and the
// rest of the body read and dropped after it, for a while at most.
func answerUnread(ctx *fasthttp.RequestCtx) {
	ctx.SetConnectionClose()
	if ctx.Request.IsBodyStream() {
		answer := []byte(ctx.Response.String())
		ctx.HijackSetNoResponse(true)
		ctx.Hijack(func(c net.Conn) { lingerClose(c, answer) })
	}
}

// lingerClose writes the answer, reads what the client still sends, then
// closes.
func lingerClose(c net.Conn, answer []byte) {
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(lingerIdle))
	if _, err := c.Write(answer); err != nil {
		return
	}
	end := time.Now().Add(lingerFor)
	buf := make([]byte, 32<<10)
	for time.Now().Before(end) {
		deadline := time.Now().Add(lingerIdle)
		if deadline.After(end) {
			deadline = end
		}
		c.SetReadDeadline(deadline)
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// uploadIdle is how long an upload may send nothing before it is given up.
const uploadIdle = time.Minute

// Upload rate per person: 30 a minute, in bursts of 10.
const (
	uploadRate  = rate.Limit(30.0 / 60)
	uploadBurst = 10
)

// uploadLimits are each person's upload allowances (one per person who
// uploaded: bounded by the office's people).
type uploadLimits struct {
	mu sync.Mutex
	by map[string]*rate.Limiter
}

func (l *uploadLimits) allow(user string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[string]*rate.Limiter{}
	}
	lim := l.by[user]
	if lim == nil {
		lim = rate.NewLimiter(uploadRate, uploadBurst)
		l.by[user] = lim
	}
	return lim.Allow()
}

// refusalStatus is the HTTP status of each refusal code.
var refusalStatus = map[string]int{
	office.RefusedBadRequest:     fasthttp.StatusBadRequest,
	office.RefusedForbidden:      fasthttp.StatusForbidden,
	office.RefusedPolicy:         fasthttp.StatusForbidden,
	office.RefusedNotFound:       fasthttp.StatusNotFound,
	office.RefusedLengthRequired: fasthttp.StatusLengthRequired,
	office.RefusedTooLarge:       fasthttp.StatusRequestEntityTooLarge,
	office.RefusedKind:           fasthttp.StatusUnsupportedMediaType,
	office.RefusedBlocked:        fasthttp.StatusUnprocessableEntity,
	office.RefusedStorageFull:    fasthttp.StatusInsufficientStorage,
}

// POST /api/files?channel=…&name=…: the body is the file.
func (s *Server) uploadFile(r *request) {
	ctx := r.ctx
	// Whatever is refused before the body is read, the rest of the body
	// must not be taken for the next request.
	refuse := func(status int, code, msg string) {
		jsonError(ctx, status, code, msg)
		answerUnread(ctx)
	}
	if !s.uploads.allow(r.user.Name) {
		ctx.Response.Header.Set("Retry-After", "2")
		refuse(fasthttp.StatusTooManyRequests, "rate_limited", "You are sending files too fast. Wait a moment and try again.")
		return
	}
	args := ctx.QueryArgs()
	length := int64(ctx.Request.Header.ContentLength())
	if length < 0 {
		length = -1 // chunked or not said: refused before reading
	}
	var body io.Reader
	if ctx.Request.IsBodyStream() {
		body = &idleReader{r: ctx.RequestBodyStream(), conn: ctx.Conn()}
	} else {
		body = bytes.NewReader(ctx.PostBody())
	}
	up, err := s.office.Messages().ReceiveFile(r.user.Name, office.NewFile{
		Channel: string(args.Peek("channel")), Name: string(args.Peek("name")), Length: length, Body: body})
	var ref *office.Refusal
	switch {
	case errors.As(err, &ref):
		refuse(refusalStatus[ref.Code], ref.Code, ref.Message)
		return
	case err != nil:
		refuse(fasthttp.StatusServiceUnavailable, "unavailable", "The file could not be kept. Try again.")
		return
	}
	ctx.SetStatusCode(fasthttp.StatusCreated)
	writeJSON(ctx, map[string]any{"file": fileJSON{ID: up.ID, Name: up.Name, Type: up.Type, Size: up.Size, W: up.W, H: up.H}})
}

// fileJSON is a file as the API shows it.
type fileJSON struct {
	ID    string `json:"id,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
	Index *int   `json:"index,omitempty"`
	From  string `json:"from,omitempty"`
	TS    string `json:"ts,omitempty"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Size  int64  `json:"size"`
	W     int    `json:"w,omitempty"`
	H     int    `json:"h,omitempty"`
}

// idleReader gives up on an upload that sends nothing for uploadIdle,
// instead of the server's whole-request timeout, which a large file on a
// slow link would outlast.
type idleReader struct {
	r    io.Reader
	conn net.Conn
}

func (i *idleReader) Read(p []byte) (int, error) {
	i.conn.SetReadDeadline(time.Now().Add(uploadIdle))
	return i.r.Read(p)
}

// fileCSP keeps a file shown in the browser from running or loading
// anything, should a type ever be decided wrongly.
const fileCSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"

// GET /api/files/{channel}/{seq}/{index}
func (s *Server) downloadFile(r *request) {
	s.serveFile(r, s.office.Messages().File)
}

// GET /api/files/{channel}/{seq}/{index}/preview: what a conversation
// shows of a picture.
func (s *Server) previewFile(r *request) {
	s.serveFile(r, s.office.Messages().Preview)
}

// serveFile answers with the file find gives for the path's channel, seq
// and index: to members only (404 otherwise, as for a missing file), with
// headers that keep it inert.
func (s *Server) serveFile(r *request, find func(user, channel string, seq uint64, index int) (archive.File, string, *office.Refusal)) {
	ctx := r.ctx
	channel, _ := ctx.UserValue("channel").(string)
	seqText, _ := ctx.UserValue("seq").(string)
	indexText, _ := ctx.UserValue("index").(string)
	seq, err1 := strconv.ParseUint(seqText, 10, 64)
	index, err2 := strconv.Atoi(indexText)
	if err1 != nil || err2 != nil {
		jsonError(ctx, fasthttp.StatusNotFound, office.RefusedNotFound, "There is no such file.")
		return
	}
	f, path, ref := find(r.user.Name, channel, seq, index)
	if ref != nil {
		jsonError(ctx, fasthttp.StatusNotFound, ref.Code, ref.Message)
		return
	}
	h := &ctx.Response.Header
	etag := `"` + f.SHA256 + "-" + strconv.FormatInt(f.Size, 10) + `"` // a preview is not its picture
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=31536000, immutable") // the bytes never change
	if string(ctx.Request.Header.Peek("If-None-Match")) == etag {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	file, err := os.Open(path)
	if err != nil {
		s.log.Error("a stored file cannot be opened", "channel", channel, "seq", seq, "name", f.Name, "err", err)
		jsonError(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "The file cannot be read on the server. Tell the office manager.")
		return
	}
	disposition := "attachment"
	if filekind.InlineType(f.Type) && !ctx.QueryArgs().Has("download") {
		disposition = "inline"
	}
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("Content-Disposition", disposition+"; "+dispositionName(f.Name))
	ctx.SetContentType(f.Type)
	// fasthttp closes the file once it is sent or the browser went away.
	ctx.SetBodyStream(file, int(f.Size))
}

// dispositionName is the filename parameters of Content-Disposition: an
// ASCII fallback and the real name, percent-encoded (RFC 6266, RFC 8187).
func dispositionName(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return `filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// GET /api/channels/{id}/files?before=<seq>
func (s *Server) channelFiles(r *request) {
	ctx := r.ctx
	channel, _ := ctx.UserValue("id").(string)
	before, _ := strconv.ParseUint(string(ctx.QueryArgs().Peek("before")), 10, 64)
	files, ref, err := s.office.Messages().ChannelFiles(r.user.Name, channel, before)
	switch {
	case ref != nil:
		jsonError(ctx, refusalStatus[ref.Code], ref.Code, ref.Message)
		return
	case err != nil:
		s.log.Error("list a channel's files", "channel", channel, "err", err)
		jsonError(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "The files could not be read. Try again.")
		return
	}
	out := make([]fileJSON, len(files))
	for i, f := range files {
		index := f.Index
		out[i] = fileJSON{Seq: f.Seq, Index: &index, From: f.From, TS: time.UnixMilli(f.TS).UTC().Format(chat.TimeFormat),
			Name: f.Name, Type: f.Type, Size: f.Size, W: f.W, H: f.H}
	}
	writeJSON(ctx, map[string]any{"files": out})
}
