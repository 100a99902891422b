package admin

import (
	"strings"

	"github.com/valyala/fasthttp"
)

// form holds what a person typed and what was wrong with it, so a page can
// show errors next to the fields and keep the input.
type form struct {
	values map[string][]string
	errs   map[string]string
}

func newForm() *form { return &form{values: map[string][]string{}, errs: map[string]string{}} }

// postedForm reads an urlencoded form post.
func postedForm(ctx *fasthttp.RequestCtx) *form {
	f := newForm()
	for k, v := range ctx.PostArgs().All() {
		f.values[string(k)] = append(f.values[string(k)], string(v))
	}
	return f
}

// Get is a field's (first) value, trimmed.
func (f *form) Get(name string) string {
	if v := f.values[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// Raw is a field's value as typed (passwords, the policy text).
func (f *form) Raw(name string) string {
	if v := f.values[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// All is every value of a repeated field (checkboxes).
func (f *form) All(name string) []string { return f.values[name] }

// Checked reports whether a checkbox was ticked or a repeated field holds v.
func (f *form) Checked(name, v string) bool {
	for _, x := range f.values[name] {
		if x == v {
			return true
		}
	}
	return false
}

// Set fills a field (for a page showing stored values).
func (f *form) Set(name string, v ...string) *form { f.values[name] = v; return f }

// Err is the problem with a field, or "".
func (f *form) Err(name string) string { return f.errs[name] }

// Fail marks a field as wrong (the first problem wins).
func (f *form) Fail(name, msg string) {
	if _, ok := f.errs[name]; !ok {
		f.errs[name] = msg
	}
}

// Valid reports whether no field failed.
func (f *form) Valid() bool { return len(f.errs) == 0 }

// Errors is how many fields failed.
func (f *form) Errors() int { return len(f.errs) }
