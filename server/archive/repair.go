package archive

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// RepairReport says what Repair did.
type RepairReport struct {
	Kept     int64  // bytes of whole records kept (the first damaged one starts here)
	Dropped  int64  // bytes from the first damaged record to the end
	Records  int    // records kept
	Original string // where the untouched original was copied
	Intact   bool   // nothing needed repair
	Problem  string // what verify says of the repaired archive ("" if intact)
	// Acknowledged names the seals the archive had fallen behind: the
	// office has now seen them, and verify stops reporting them.
	Acknowledged []string
}

// Repair keeps every whole record before the first damaged one in the
// database file of dir, after copying the original aside. The folder must
// not be open. The archive's chains are verified afterwards; what verify
// says is in the report.
func Repair(dir string) (RepairReport, error) {
	var rep RepairReport
	lock, err := lockDir(dir)
	if err != nil {
		return rep, err
	}
	path := filepath.Join(dir, dbFile)
	good, n, err := scanRecords(path)
	if err != nil {
		lock.Close()
		return rep, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		lock.Close()
		return rep, err
	}
	rep.Kept, rep.Records = good, n
	rep.Dropped = fi.Size() - good
	if rep.Dropped == 0 {
		rep.Intact = true
		lock.Close()
		return rep, rep.settle(dir)
	}
	rep.Original = path + ".damaged-" + time.Now().UTC().Format("20060102-150405")
	if err := copyFile(path, rep.Original); err != nil {
		lock.Close()
		return rep, fmt.Errorf("copy the original aside: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		err = f.Truncate(good)
		if err == nil {
			err = f.Sync()
		}
		f.Close()
	}
	lock.Close()
	if err != nil {
		return rep, err
	}
	return rep, rep.settle(dir)
}

// settle opens the repaired folder (which sets aside a seal it fell behind),
// acknowledges such seals, and verifies.
func (rep *RepairReport) settle(dir string) error {
	s, err := Open(dir)
	if err != nil {
		return fmt.Errorf("the repaired database still does not open: %w", err)
	}
	defer s.Close()
	if rep.Acknowledged, err = AcknowledgeSeals(dir); err != nil {
		return err
	}
	rep.Problem = s.Verify().Problem
	return nil
}

// scanRecords reads the database file's records (the Redis protocol that
// BuntDB writes: *N, then N bulk strings $len) and returns the offset after
// the last whole, well-formed one and how many there were.
func scanRecords(path string) (good int64, n int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	line := func() (string, bool) {
		s, err := r.ReadString('\n')
		off += int64(len(s))
		if err != nil || len(s) < 3 || s[len(s)-2] != '\r' {
			return "", false
		}
		return s[:len(s)-2], true
	}
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return good, n, nil
		}
		head, ok := line()
		if !ok || head[0] != '*' {
			return good, n, nil
		}
		parts, err := strconv.Atoi(head[1:])
		if err != nil || parts < 1 || parts > 16 {
			return good, n, nil
		}
		for i := 0; i < parts; i++ {
			h, ok := line()
			if !ok || h[0] != '$' {
				return good, n, nil
			}
			size, err := strconv.Atoi(h[1:])
			if err != nil || size < 0 {
				return good, n, nil
			}
			buf := make([]byte, size+2)
			k, err := io.ReadFull(r, buf)
			off += int64(k)
			if err != nil || buf[size] != '\r' || buf[size+1] != '\n' {
				return good, n, nil
			}
		}
		good, n = off, n+1
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
