package office

import (
	"path/filepath"
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/backup"
)

// Every door's backup is a checked file, the time of the last backup, and
// an audit entry naming who took the copy and through which door.
func TestBackupIsRecordedWhateverTheDoor(t *testing.T) {
	o, st, _ := newOffice(t)
	for _, c := range []struct {
		actor Actor
		verb  string
	}{
		{Actor{Name: "command line (ana)", Via: ViaCLI}, "Wrote"},
		{Actor{Name: "boss", Role: archive.RoleAdmin, Via: ViaConsole}, "Downloaded"},
	} {
		path := filepath.Join(t.TempDir(), "office.backup")
		info, err := o.BackupFile(c.actor, path)
		if err != nil {
			t.Fatal(err)
		}
		if checked, err := backup.Check(path); err != nil || checked.SHA256 != info.SHA256 {
			t.Fatalf("the backup does not check: %v", err)
		}
		e := lastAudit(t, st)
		if e.Action != "backup.download" || e.Actor != c.actor.Name || e.Via != c.actor.Via || e.Target != path || !strings.HasPrefix(e.Detail, c.verb) {
			t.Fatalf("audit entry %+v", e)
		}
		if _, ok := st.LastBackup(); !ok {
			t.Fatal("the last backup's time was not recorded")
		}
	}
}
