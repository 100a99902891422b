package admin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// Thresholds for the dashboard's warnings.
const (
	backupOverdue = 7 * 24 * time.Hour
	certWarning   = 30 * 24 * time.Hour
	diskWarnFree  = 0.10    // warn below 10 % free …
	diskWarnBytes = 1 << 30 // … or below 1 GiB
	statsDays     = 30
	statsEvery    = time.Minute
)

type dashboardData struct {
	Online, People, Today, Month, Pending int
	Bars                                  []bar
	Days                                  []archive.DayCount
	Max                                   int
	StatsAt                               time.Time
	DBSize                                string
	FilesSize                             string // shared files, once per content
	Uptime                                string
	Started                               time.Time
	Version                               string
	Backup                                time.Time
	TLS                                   bool
	CertEnds                              time.Time
	Disk                                  string
	Warnings                              []warning
	Steps                                 firstSteps
	Directory                             directoryNote
}

// Warned reports whether the dashboard has any warning to show.
func (d dashboardData) Warned() bool {
	return len(d.Warnings) > 0 || d.Directory.Down() || d.Directory.InClear()
}

// firstSteps are what a new office does before people start chatting. The
// office counts as new until all three are done; none can come undone
// (people are disabled, never removed; backups and policy readings stay
// recorded), so once gone they stay gone.
type firstSteps struct {
	People bool // someone besides this manager was added
	Policy bool // the policy was saved once, or an office manager read it
	Backup bool // a backup exists
}

func (f firstSteps) Done() bool { return f.People && f.Policy && f.Backup }

// policyReadAction is the audit entry of an office manager first opening
// the policy page while the office still has the text Inhouse comes with.
const policyReadAction = "policy.read"

func (c *Console) firstSteps(r *request) firstSteps {
	var f firstSteps
	for _, u := range c.store.Users() {
		if u.Name != r.user.Name {
			f.People = true
			break
		}
	}
	f.Policy = !c.store.Policy().Changed.IsZero() || c.policyWasRead()
	_, f.Backup = c.store.LastBackup()
	return f
}

// policyWasRead says whether an office manager opened the policy page: the
// first steps take reading the text Inhouse comes with as checking it.
func (c *Console) policyWasRead() bool {
	if c.policyRead.Load() {
		return true
	}
	found, _, err := c.store.AuditLog(0, 1, func(e archive.AuditEntry) bool { return e.Action == policyReadAction })
	if err != nil || len(found) == 0 {
		return false
	}
	c.policyRead.Store(true)
	return true
}

type warning struct {
	Text, Href, Link string
}

// statsCache holds the messages-per-day counts for at most a minute: until
// the archive keeps per-day counters, counting means reading every message.
type statsCache struct {
	at   time.Time
	days []archive.DayCount
}

func (c *Console) messageStats() ([]archive.DayCount, time.Time, error) {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	now := time.Now()
	if c.stats.days != nil && now.Sub(c.stats.at) < statsEvery && sameDay(c.stats.at, now) {
		return c.stats.days, c.stats.at, nil
	}
	days, err := c.store.MessagesPerDay(statsDays, now)
	if err != nil {
		return nil, now, err
	}
	c.stats = statsCache{at: now, days: days}
	return days, now, nil
}

func sameDay(a, b time.Time) bool {
	a, b = a.Local(), b.Local()
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// GET /admin: the dashboard for office managers; everyone else goes to
// their own first page (homeFor) instead of a refusal.
func (c *Console) home(r *request) {
	if r.user.Role != archive.RoleAdmin {
		redirect(r.ctx, homeFor(r.user.Role))
		return
	}
	c.dashboard(r)
}

// dashboard is the office at a glance.
func (c *Console) dashboard(r *request) {
	d := dashboardData{Online: c.hub.Online(), Version: c.srv.Version(), TLS: c.srv.TLSEnabled()}
	if d.Version == "" {
		d.Version = "development build"
	}
	d.Steps = c.firstSteps(r)
	d.Directory = c.directoryNote()
	pol := c.store.Policy()
	for _, u := range c.store.Users() {
		if !u.Disabled {
			d.People++
			if c.store.Accepted(u.Name).Version != pol.Version {
				d.Pending++
			}
		}
	}
	days, at, err := c.messageStats()
	if err != nil {
		c.log.Error("message stats", "err", err)
		d.Warnings = append(d.Warnings, warning{Text: "The message counts could not be read: " + err.Error()})
	}
	d.Days, d.StatsAt = days, at
	for _, day := range days {
		d.Month += day.Count
		d.Max = max(d.Max, day.Count)
	}
	if len(days) > 0 {
		d.Today = days[len(days)-1].Count
	}
	d.Bars = bars(days, d.Max)
	d.DBSize = office.SizeText(c.store.Size())
	files, used := c.store.FilesStats()
	d.FilesSize = office.SizeText(used) + " in " + plural(files, "file")
	if space := c.store.Settings().FilesSpace(); space > 0 {
		d.FilesSize += " of " + office.SizeText(space)
		if float64(used) >= 0.8*float64(space) {
			d.Warnings = append(d.Warnings, warning{Text: "Shared files use " + office.SizeText(used) + " of the office's " + office.SizeText(space) + ". When it is full, new files are refused.", Href: "/admin/settings", Link: "Change the space for files"})
		}
	}
	d.Started = time.Unix(c.srv.Started(), 0)
	d.Uptime = ago(time.Since(d.Started))

	if err := c.store.Healthy(); err != nil {
		d.Warnings = append(d.Warnings, warning{Text: "The database stopped saving (" + err.Error() + "). Nothing new can be stored: free disk space or fix the disk, then restart Inhouse."})
	}
	if free, total, ok := office.DiskSpace(c.store.Dir()); ok && total > 0 {
		d.Disk = fmt.Sprintf("%s free of %s", office.SizeText(int64(free)), office.SizeText(int64(total)))
		if float64(free)/float64(total) < diskWarnFree || free < diskWarnBytes {
			d.Warnings = append(d.Warnings, warning{Text: "The disk is almost full (" + d.Disk + "). When it is full, Inhouse stops storing messages."})
		}
	}
	if at, ok := c.store.LastBackup(); ok {
		d.Backup = at
		if time.Since(at) > backupOverdue {
			d.Warnings = append(d.Warnings, warning{Text: "The last backup is " + ago(time.Since(at)) + " old.", Href: "/admin/backups", Link: "Back up now"})
		}
	} else if d.Steps.Done() {
		d.Warnings = append(d.Warnings, warning{Text: "There is no backup yet.", Href: "/admin/backups", Link: "Make one"})
	}
	if e := c.store.BackupSchedule().LastError; e != "" {
		d.Warnings = append(d.Warnings, warning{Text: "The last daily backup failed: " + e + ".", Href: "/admin/backups", Link: "Check the backup folder"})
	}
	if n := c.store.OpenFlags(); n > 0 {
		d.Warnings = append(d.Warnings, warning{Text: plural(n, "flagged message") + " waiting for review.", Href: "/admin/review", Link: "Review them"})
	}
	if ends, ok := c.srv.CertExpiry(); ok {
		d.CertEnds = ends
		if time.Until(ends) < certWarning {
			d.Warnings = append(d.Warnings, warning{Text: "The HTTPS certificate ends on " + shortDate(ends) + ". Restart Inhouse to renew its own certificate, or install a new one."})
		}
	}
	// In a new office nobody has accepted yet, the manager included, who
	// may not have seen the text: the first steps say to check it instead.
	if d.Pending > 0 && d.Steps.Done() {
		d.Warnings = append(d.Warnings, warning{Text: plural(d.Pending, "person") + " still must accept the current usage policy.", Href: "/admin/policy", Link: "See who"})
	}
	c.render(r.ctx, fasthttp.StatusOK, dashboardPage(c.shell(r, "Dashboard", "/admin"), d))
}

// bar is one day in the messages chart, laid out in SVG units.
type bar struct {
	X, Y, W, H string
	Label      string
	Today      bool
}

// The chart's drawing area, in SVG user units.
const (
	chartW, chartH = 600, 160
	chartTop       = 10
)

func bars(days []archive.DayCount, top int) []bar {
	if len(days) == 0 {
		return nil
	}
	slot := float64(chartW) / float64(len(days))
	out := make([]bar, len(days))
	for i, d := range days {
		h := 0.0
		if top > 0 {
			h = float64(d.Count) / float64(top) * float64(chartH-chartTop)
		}
		if d.Count > 0 && h < 1 {
			h = 1
		}
		out[i] = bar{
			X:     fmt.Sprintf("%.1f", float64(i)*slot+slot*0.15),
			Y:     fmt.Sprintf("%.1f", float64(chartH)-h),
			W:     fmt.Sprintf("%.1f", slot*0.7),
			H:     fmt.Sprintf("%.1f", h),
			Label: fmt.Sprintf("%s: %s", d.Day.Format("Mon 2 Jan"), plural(d.Count, "message")),
			Today: i == len(days)-1,
		}
	}
	return out
}

// firstDay labels the start of a day chart ("" when it has no days).
func firstDay(days []archive.DayCount) string {
	if len(days) == 0 {
		return ""
	}
	return days[0].Day.Format("2 Jan")
}

// GET /admin/stats.csv: the chart's numbers for a spreadsheet.
func (c *Console) statsCSV(r *request) {
	days, _, err := c.messageStats()
	if err != nil {
		c.storeFailed(r, err, "/admin")
		return
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"date", "messages"})
	for _, d := range days {
		w.Write([]string{d.Day.Format("2006-01-02"), itoa(d.Count)})
	}
	w.Flush()
	r.ctx.SetContentType("text/csv; charset=utf-8")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="inhouse-messages-per-day.csv"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(buf.Bytes())
}
