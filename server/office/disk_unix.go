//go:build unix

package office

import "golang.org/x/sys/unix"

// DiskSpace reports the free and total bytes of the file system holding dir.
func DiskSpace(dir string) (free, total uint64, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, false
	}
	return st.Bavail * uint64(st.Bsize), st.Blocks * uint64(st.Bsize), true
}
