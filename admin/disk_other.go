//go:build !unix

package admin

// diskSpace is not measured on this system; the dashboard says nothing.
func diskSpace(string) (free, total uint64, ok bool) { return 0, 0, false }
