package server

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/calendar"
	"inhouse/server/chat"
	"inhouse/server/office"
)

// searchResult is one hit with the messages around it.
type searchResult struct {
	ChannelName string         `json:"channel_name"`
	Message     chat.Message   `json:"message"`
	Context     []chat.Message `json:"context"` // up to 2 before and 2 after, oldest first
}

// queryFrom reads the search parameters shared by both searches.
func queryFrom(ctx *fasthttp.RequestCtx) (archive.Query, error) {
	a := ctx.QueryArgs()
	q := archive.Query{Words: string(a.Peek("q")), From: string(a.Peek("from"))}
	if len(q.Words) > 500 {
		return q, fmt.Errorf("the search words are too long")
	}
	var err error
	if q.Since, err = day(string(a.Peek("since")), false); err != nil {
		return q, err
	}
	if q.Until, err = day(string(a.Peek("until")), true); err != nil {
		return q, err
	}
	if b := a.Peek("before"); len(b) > 0 {
		if q.Before, err = strconv.ParseUint(string(b), 10, 64); err != nil {
			return q, fmt.Errorf("before must be a number")
		}
	}
	q.Limit = a.GetUintOrZero("limit")
	for _, has := range a.PeekMulti("has") {
		switch string(has) {
		case "link":
			q.HasLink = true
		case "file":
			q.HasFile = true
		default:
			return q, fmt.Errorf("has: link or file")
		}
	}
	if is := string(a.Peek("is")); is == "pinned" {
		q.Pinned = true
	} else if is != "" {
		return q, fmt.Errorf("is: pinned")
	}
	return q, nil
}

func day(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := calendar.ParseDay(s)
	if err != nil {
		return t, err
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// GET /api/search?q=&channel=&from=&since=&until=&before=&limit=&has=link|file&is=pinned
// Members search the current text of the channels they belong to.
func (s *Server) search(r *request) {
	q, err := queryFrom(r.ctx)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", archive.Sentence(err))
		return
	}
	mine := s.store.Channels(func(c *archive.Channel) bool { return c.Has(r.user.Name) })
	q.Channels = []string{}
	want := string(r.ctx.QueryArgs().Peek("channel"))
	for _, c := range mine {
		if want == "" || want == c.ID {
			q.Channels = append(q.Channels, c.ID)
		}
	}
	s.answerSearch(r, s.memberHits(q))
}

// GET /api/archive/search: the auditor's search over every channel and
// every version (office.SearchArchive: recorded in the read log first).
func (s *Server) archiveSearch(r *request) {
	if office.MayReadArchive(r.actor()) != nil {
		jsonError(r.ctx, fasthttp.StatusForbidden, "forbidden", "Only auditors may search the whole archive.")
		return
	}
	q, err := queryFrom(r.ctx)
	if err != nil {
		jsonError(r.ctx, fasthttp.StatusBadRequest, "bad_request", archive.Sentence(err))
		return
	}
	if ch := string(r.ctx.QueryArgs().Peek("channel")); ch != "" {
		q.Channels = []string{ch}
	}
	asked := fmt.Sprintf("words=%q from=%q channels=%v since=%s until=%s", q.Words, q.From, q.Channels, r.ctx.QueryArgs().Peek("since"), r.ctx.QueryArgs().Peek("until"))
	res, err := s.office.SearchArchive(r.actor(), q, asked)
	if errors.Is(err, office.ErrNotRecorded) {
		jsonError(r.ctx, fasthttp.StatusServiceUnavailable, "unavailable", "The search could not be recorded, so it was not run.")
		return
	}
	if err != nil {
		storeError(r.ctx, err)
		return
	}
	s.answerSearch(r, res)
}

// memberHits is a member's search, the records as members see them.
func (s *Server) memberHits(q archive.Query) office.SearchResults {
	var res office.SearchResults
	hits, more := s.store.Search(q)
	for _, h := range hits {
		m, err := s.store.Message(h.Channel, h.Seq)
		if err != nil {
			continue
		}
		res.Hits = append(res.Hits, office.SearchHit{Hit: h, Record: m})
	}
	if more && len(hits) > 0 {
		res.Next = hits[len(hits)-1].Cursor
	}
	return res
}

func (s *Server) answerSearch(r *request, found office.SearchResults) {
	names := map[string]string{}
	out := []searchResult{}
	for _, h := range found.Hits {
		if _, ok := names[h.Channel]; !ok {
			c, _ := s.store.Channel(h.Channel)
			names[h.Channel] = c.Name
		}
		res := searchResult{ChannelName: names[h.Channel], Message: chat.Message(h.Record), Context: []chat.Message{}}
		around := h.Seq
		if h.Ref > 0 {
			around = h.Ref
		}
		before, _ := s.store.Before(h.Channel, around, 2)
		after, _ := s.store.After(h.Channel, around, 2)
		for _, c := range append(before, after...) {
			if c.Kind == archive.KindMessage {
				res.Context = append(res.Context, chat.Message(c))
			}
		}
		out = append(out, res)
	}
	writeJSON(r.ctx, map[string]any{"results": out, "next": found.Next})
}
