package admin

import (
	"net/url"

	"github.com/a-h/templ"
)

// list is a table's search and sort state, read from the query string so
// tables work without JavaScript.
type list struct {
	Path string
	Q    string
	Sort string
	Desc bool
}

func (c *Console) listOf(r *request, path, defaultSort string) list {
	l := list{Path: path, Q: r.query("q"), Sort: r.query("sort"), Desc: r.query("dir") == "desc"}
	if l.Sort == "" {
		l.Sort = defaultSort
	}
	return l
}

// SortURL is the link a column header points to: this column, and the
// other direction if it is already sorted by it.
func (l list) SortURL(col string) templ.SafeURL {
	v := url.Values{}
	if l.Q != "" {
		v.Set("q", l.Q)
	}
	v.Set("sort", col)
	if col == l.Sort && !l.Desc {
		v.Set("dir", "desc")
	}
	return templ.SafeURL(l.Path + "?" + v.Encode())
}

// AriaSort is the header's aria-sort value.
func (l list) AriaSort(col string) string {
	switch {
	case col != l.Sort:
		return "none"
	case l.Desc:
		return "descending"
	default:
		return "ascending"
	}
}

// less orders by a key in the list's direction.
func (l list) less(a, b string) bool {
	if l.Desc {
		return a > b
	}
	return a < b
}
