package admin

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// Reports are counts only: how much was written when, where and by whom.
// They come from archive.Activity, which never reads a message text, so
// the office manager sees usage without reading the archive.

var reportRanges = []int{7, 30, 90, 365}

const reportTop = 10 // channels and people listed

// weekdays orders the hour-of-week grid Monday first.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

type reportData struct {
	Days     int
	Ranges   []int
	Since    time.Time
	Total    int
	PerDay   []archive.DayCount
	Bars     []bar
	Max      int
	Grid     [7][24]int // Monday first
	Cells    []heatCell
	GridMax  int
	Channels []reportRow
	People   []reportRow
	Direct   int // messages in direct conversations, never listed one by one

	// Shared files since Since: the total, and the space by channel and
	// by person (direct conversations together, as above).
	Files        string
	FileChannels []reportRow
	FilePeople   []reportRow
	DirectBytes  string
}

type heatCell struct {
	X, Y  int
	Level int // 0 (none) to 4 (busiest)
	Label string
}

type reportRow struct {
	Label, ID string
	Count     int
	Words     string // the count as shown, when not a plain number (a size)
	W         string // the bar's length, in SVG units of listBar
}

// reportDays reads ?days=, one of reportRanges (30 by default).
func reportDays(r *request) int {
	n, _ := strconv.Atoi(r.query("days"))
	if slices.Contains(reportRanges, n) {
		return n
	}
	return 30
}

func (c *Console) report(days int) reportData {
	now := time.Now().Local()
	since := time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, time.Local)
	a := c.store.Activity(since)
	d := reportData{Days: days, Ranges: reportRanges, Since: since, Total: a.Messages}
	for i := range days {
		day := time.Date(since.Year(), since.Month(), since.Day()+i, 0, 0, 0, 0, time.Local)
		n := a.PerDay[day.Format("2006-01-02")]
		d.PerDay = append(d.PerDay, archive.DayCount{Day: day, Count: n})
		d.Max = max(d.Max, n)
	}
	d.Bars = bars(d.PerDay, d.Max)
	for row, wd := range weekdays {
		d.Grid[row] = a.Hours[wd]
		for _, n := range a.Hours[wd] {
			d.GridMax = max(d.GridMax, n)
		}
	}
	for row := range d.Grid {
		for h, n := range d.Grid[row] {
			level := 0
			if n > 0 && d.GridMax > 0 {
				level = max(1, (4*n+d.GridMax-1)/d.GridMax)
			}
			d.Cells = append(d.Cells, heatCell{X: gridLeft + h*gridCell, Y: gridTop + row*gridCell, Level: level,
				Label: fmt.Sprintf("%s %02d:00–%02d:59: %s", weekdays[row], h, h, plural(n, "message"))})
		}
	}
	names := c.archiveNames()
	for id, n := range a.Channels {
		ch, err := c.store.Channel(id)
		if err == nil && ch.Kind == "direct" {
			d.Direct += n
			continue
		}
		d.Channels = append(d.Channels, reportRow{Label: names.channel(id), ID: id, Count: n})
	}
	for name, n := range a.People {
		d.People = append(d.People, reportRow{Label: names.person(name), ID: name, Count: n})
	}
	d.Channels, d.People = topRows(d.Channels), topRows(d.People)
	d.Files = plural(a.Files, "file") + ", " + office.SizeText(a.FileBytes)
	var direct int64
	for id, n := range a.ChannelBytes {
		if ch, err := c.store.Channel(id); err == nil && ch.Kind == "direct" {
			direct += n
			continue
		}
		d.FileChannels = append(d.FileChannels, reportRow{Label: names.channel(id), ID: id, Count: int(n), Words: office.SizeText(n)})
	}
	for name, n := range a.PeopleBytes {
		d.FilePeople = append(d.FilePeople, reportRow{Label: names.person(name), ID: name, Count: int(n), Words: office.SizeText(n)})
	}
	d.DirectBytes = office.SizeText(direct)
	d.FileChannels, d.FilePeople = topRows(d.FileChannels), topRows(d.FilePeople)
	return d
}

// The hour-of-week grid's layout, in SVG units.
const gridLeft, gridTop, gridCell = 44, 22, 22

// The top lists' bars are drawn in a box listBar units wide, stretched to
// the column the page gives them.
const (
	listBar  = 340.0
	listBarW = "340"
)

// topRows sorts by count, busiest first, and lays out the bars.
func topRows(rows []reportRow) []reportRow {
	slices.SortFunc(rows, func(a, b reportRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)))
	})
	for i := range rows {
		rows[i].W = fmt.Sprintf("%.1f", max(1, listBar*float64(rows[i].Count)/float64(rows[0].Count)))
	}
	return rows
}

// charted is the part of a sorted list the chart shows; the table below
// it and the CSV have them all.
func charted(rows []reportRow) []reportRow { return rows[:min(len(rows), reportTop)] }

// GET /admin/reports?days=30
func (c *Console) reports(r *request) {
	d := c.report(reportDays(r))
	c.render(r.ctx, fasthttp.StatusOK, reportsPage(c.shell(r, "Reports", "/admin/reports"), d))
}

// GET /admin/reports/{name}.csv?days=30: one chart's numbers.
func (c *Console) reportCSV(r *request) {
	name := strings.TrimSuffix(r.param("file"), ".csv")
	d := c.report(reportDays(r))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	switch name {
	case "days":
		w.Write([]string{"date", "messages"})
		for _, day := range d.PerDay {
			w.Write([]string{day.Day.Format("2006-01-02"), itoa(day.Count)})
		}
	case "hours":
		head := []string{"weekday"}
		for h := range 24 {
			head = append(head, fmt.Sprintf("%02d", h))
		}
		w.Write(head)
		for row, wd := range weekdays {
			line := []string{wd.String()}
			for _, n := range d.Grid[row] {
				line = append(line, itoa(n))
			}
			w.Write(archive.CSVRow(line...))
		}
	case "channels":
		w.Write([]string{"channel_id", "channel", "messages"})
		for _, x := range d.Channels {
			w.Write(archive.CSVRow(x.ID, x.Label, itoa(x.Count)))
		}
		w.Write([]string{"", "direct conversations (together)", itoa(d.Direct)})
	case "people":
		w.Write([]string{"user", "name", "messages"})
		for _, x := range d.People {
			w.Write(archive.CSVRow(x.ID, x.Label, itoa(x.Count)))
		}
	default:
		c.notFound(r)
		return
	}
	w.Flush()
	r.ctx.SetContentType("text/csv; charset=utf-8")
	r.ctx.Response.Header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inhouse-%s-%dd.csv"`, name, d.Days))
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(buf.Bytes())
}

func reportCSVURL(name string, days int) string {
	return "/admin/reports/" + name + ".csv?days=" + itoa(days)
}

func twoDigits(n int) string { return fmt.Sprintf("%02d", n) }
