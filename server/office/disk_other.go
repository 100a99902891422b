//go:build !unix

package office

// DiskSpace is not measured on this system; the dashboard says nothing.
func DiskSpace(string) (free, total uint64, ok bool) { return 0, 0, false }
