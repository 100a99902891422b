package archive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tightenDir makes a data folder that others can read private again: the
// folder 0700, Inhouse's own files in it (and everything in tls/) 0600. A
// folder copied in by hand, or left by an older version, is fixed rather
// than refused: the office's archive must not stay readable while someone
// works out why. Files Inhouse did not make are left alone.
func tightenDir(dir string) error {
	for i, d := range []string{dir, filepath.Join(dir, "tls")} {
		fi, err := os.Stat(d)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(d, 0o700); err != nil {
				return fmt.Errorf("the data folder %s can be read by others and could not be made private: %w", d, err)
			}
		}
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o077 == 0 {
				continue
			}
			if own := strings.HasPrefix(e.Name(), "inhouse.") || strings.HasPrefix(e.Name(), "archive."); i == 0 && !own {
				continue
			}
			if err := os.Chmod(filepath.Join(d, e.Name()), 0o600); err != nil {
				return fmt.Errorf("%s can be read by others and could not be made private: %w", filepath.Join(d, e.Name()), err)
			}
		}
	}
	return nil
}
