package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/assets"
)

// static serves the embedded web client. Only names inside the embedded
// folder exist; anything else is the client's page (it routes itself) or
// a 404 for asset-like paths.
func (s *Server) static(ctx *fasthttp.RequestCtx) {
	p := string(ctx.Path())
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	if clean == "" || clean == "." {
		clean = "index.html"
	}
	if _, err := fs.Stat(assets.Web, clean); err != nil {
		if strings.Contains(path.Base(clean), ".") {
			jsonError(ctx, fasthttp.StatusNotFound, "not_found", "No such file.")
			return
		}
		clean = "index.html"
	}
	s.serveAsset(ctx, clean)
}

// consoleAsset serves the console's stylesheet and images.
func (s *Server) consoleAsset(ctx *fasthttp.RequestCtx) {
	name, _ := ctx.UserValue("file").(string)
	s.serveFrom(ctx, assets.Console, path.Clean(name))
}

func (s *Server) serveAsset(ctx *fasthttp.RequestCtx, name string) {
	s.serveFrom(ctx, assets.Web, name)
}

func (s *Server) serveFrom(ctx *fasthttp.RequestCtx, files fs.FS, name string) {
	data, err := fs.ReadFile(files, name)
	if err != nil {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "No such file.")
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if name == "manifest.webmanifest" {
		ct = "application/manifest+json"
	}
	ctx.SetContentType(ct)
	// The binary is the version: revalidate, but allow the browser a cache.
	ctx.Response.Header.Set("Cache-Control", "no-cache")
	ctx.Response.Header.Set("ETag", assetsETag)
	if string(ctx.Request.Header.Peek("If-None-Match")) == assetsETag {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	if ctx.Request.Header.HasAcceptEncoding("gzip") && compressible(ct) {
		ctx.SetBody(s.gzipped(name, data))
		ctx.Response.Header.Set("Content-Encoding", "gzip")
		ctx.Response.Header.Add("Vary", "Accept-Encoding")
		return
	}
	ctx.SetBody(data)
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}

// assetsETag changes whenever any embedded file does.
var assetsETag = func() string {
	h := sha256.New()
	fs.WalkDir(assets.Web, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(assets.Web, p)
			h.Write([]byte(p))
			h.Write(data)
		}
		return nil
	})
	return `"` + hex.EncodeToString(h.Sum(nil))[:20] + `"`
}()

// emojiList is the emoji people may react with: the list the client
// embeds (assets/web/emoji.json, served at /emoji.json), read once.
func emojiList() ([]string, error) {
	data, err := fs.ReadFile(assets.Web, "emoji.json")
	if err != nil {
		return nil, fmt.Errorf("the embedded emoji list: %w", err)
	}
	var list struct{ Emoji [][]string }
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("the embedded emoji list: %w", err)
	}
	out := make([]string, 0, len(list.Emoji))
	for _, e := range list.Emoji {
		if len(e) > 0 {
			out = append(out, e[0])
		}
	}
	return out, nil
}
