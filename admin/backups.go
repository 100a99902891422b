package admin

import (
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// defaultKeep is how many scheduled backups are kept unless the office
// says otherwise: a week of daily files.
const defaultKeep = 7

// backupsData is what the backups page shows beside the schedule form.
type backupsData struct {
	Last     time.Time // zero: never
	Schedule archive.BackupSchedule
	Next     string // when the next scheduled backup runs, in words
	Keep     string // "7 files"
	DataDir  string
	Key      string // the archive key's public half: what a restore on a new machine asks for
}

func (c *Console) backupsData() backupsData {
	d := backupsData{Schedule: c.store.BackupSchedule(), DataDir: c.store.Dir(), Key: c.store.PublicKey()}
	if abs, err := filepath.Abs(d.DataDir); err == nil {
		d.DataDir = abs
	}
	last, ok := c.store.LastBackup()
	if ok {
		d.Last = last
	}
	if d.Schedule.Dir != "" {
		d.Keep = plural(d.Schedule.Keep, "file")
		// The server looks hourly and backs up once the last backup (of any
		// kind) is a day old.
		if !ok || time.Since(last) >= 24*time.Hour {
			d.Next = "within the next hour"
		} else {
			d.Next = "about " + shortTime(last.Add(24*time.Hour))
		}
	}
	return d
}

func scheduleForm(b archive.BackupSchedule) *form {
	keep := b.Keep
	if keep == 0 {
		keep = defaultKeep
	}
	return newForm().Set("dir", b.Dir).Set("keep", strconv.Itoa(keep))
}

// GET /admin/backups
func (c *Console) backups(r *request) {
	c.render(r.ctx, fasthttp.StatusOK, backupsPage(c.shell(r, "Backups", "/admin/backups"), scheduleForm(c.store.BackupSchedule()), c.backupsData()))
}

// POST /admin/backups/now: a backup of the running server as a download.
// It is written to a temporary file first, so that a failure shows as a
// message on the page instead of a cut-off download, and the browser
// learns the size. The file holds the archive key and the certificate
// authority's key, hence a POST with the form token, never a plain link.
func (c *Console) backupNow(r *request) {
	tmp, err := os.CreateTemp(c.store.Dir(), ".console-backup-*")
	if err != nil {
		c.log.Error("console backup", "err", err)
		c.fail(r, "The backup could not be made: "+sentence(err.Error()))
		redirect(r.ctx, "/admin/backups")
		return
	}
	body := &tempFile{tmp}
	name := "inhouse-" + time.Now().UTC().Format("20060102-150405") + ".backup"
	if _, err := c.office.Backup(c.actor(r), name, tmp); err != nil {
		body.Close()
		c.log.Error("console backup", "err", err)
		c.fail(r, "The backup could not be made: "+sentence(err.Error())+" Check the free disk space on the dashboard.")
		redirect(r.ctx, "/admin/backups")
		return
	}
	size, err := tmp.Seek(0, 1)
	if err == nil {
		_, err = tmp.Seek(0, 0)
	}
	if err != nil {
		body.Close()
		c.storeFailed(r, err, "/admin/backups")
		return
	}
	r.ctx.SetContentType("application/octet-stream")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	// fasthttp closes the body when it has been sent (or the browser went
	// away), which removes the temporary file.
	r.ctx.SetBodyStream(body, int(size))
}

func timeSince(t time.Time) time.Duration { return time.Since(t) }

// tempFile removes itself when closed.
type tempFile struct{ *os.File }

func (t *tempFile) Close() error {
	err := t.File.Close()
	os.Remove(t.Name())
	return err
}

// POST /admin/backups/schedule
func (c *Console) backupSchedule(r *request) {
	f := postedForm(r.ctx)
	dir := f.Get("dir")
	if dir != "" {
		f.Set("dir", filepath.Clean(dir))
	}
	note, changed, err := c.office.ScheduleBackups(c.actor(r), dir, f.Get("keep"))
	switch {
	case c.problems(f, err):
		c.render(r.ctx, fasthttp.StatusBadRequest, backupsPage(c.shell(r, "Backups", "/admin/backups"), f, c.backupsData()))
		return
	case err != nil:
		c.storeFailed(r, err, "/admin/backups")
		return
	case !changed:
		c.ok(r, "Nothing changed.")
	case dir == "":
		c.ok(r, "The daily backup is off. Remember to make backups yourself.")
	default:
		sched := c.store.BackupSchedule()
		c.ok(r, "Daily backups go to "+sched.Dir+", keeping the newest "+plural(sched.Keep, "file")+"."+note)
	}
	redirect(r.ctx, "/admin/backups")
}
