package server

import (
	"bytes"
	"compress/gzip"
	"sync"
)

// gzipCache holds each embedded file compressed once.
var gzipCache sync.Map

func (s *Server) gzipped(name string, data []byte) []byte {
	if v, ok := gzipCache.Load(name); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(data)
	w.Close()
	gzipCache.Store(name, buf.Bytes())
	return buf.Bytes()
}
