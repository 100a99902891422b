package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"

	"inhouse/server/servertest"
)

// consoleTab is a headless Chromium window of the given size, signed in to
// the console as name; it fails the test on any request outside this
// machine.
func consoleTab(t *testing.T, ts *servertest.Server, name string, width, height int) context.Context {
	t.Helper()
	browser := servertest.Browser(t, width, height)
	ctx, cancel := context.WithTimeout(browser, 3*time.Minute)
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, browser)
		}
	})
	if err := chromedp.Do(ctx, signInSteps(ts.URL, name, chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)))...); err != nil {
		t.Fatalf("sign in as %s: %v", name, err)
	}
	return ctx
}

// after runs the steps, then a, and returns what a gives.
func after[T any](ctx context.Context, a chromedp.Action[T], steps ...chromedp.Action[chromedp.Void]) (T, error) {
	if err := chromedp.Do(ctx, steps...); err != nil {
		var zero T
		return zero, err
	}
	return chromedp.Run(ctx, a)
}

// chartLabel is how one chart label is drawn.
type chartLabel struct {
	Text   string  `json:"text"`
	Family string  `json:"family"`
	Body   string  `json:"body"`
	Size   float64 `json:"size"`  // the CSS font size
	SizeX  float64 `json:"sizeX"` // the font size on screen, across …
	SizeY  float64 `json:"sizeY"` // … and up, in CSS pixels
}

// chartLabelsJS measures every text drawn in a chart: its font family next
// to the page's, and its size on screen (the CSS font size times the SVG's
// scale in each direction).
const chartLabelsJS = `(() => {
	const body = getComputedStyle(document.body).fontFamily;
	return [...document.querySelectorAll("figure svg text")].map(el => {
		const cs = getComputedStyle(el), m = el.getScreenCTM(), fs = parseFloat(cs.fontSize);
		return {text: el.textContent, family: cs.fontFamily, body, size: fs,
			sizeX: fs * Math.hypot(m.a, m.b), sizeY: fs * Math.hypot(m.c, m.d)};
	});
})()`

// TestBrowserChartLabelsUseThePageFont: the labels of the dashboard's and
// the reports' charts are in the page's typeface, drawn at their CSS size
// (not scaled or stretched with the chart) and so the same size in a wide
// and a narrow window.
func TestBrowserChartLabelsUseThePageFont(t *testing.T) {
	ts := busyOffice(t)
	ctx := consoleTab(t, ts, "boss", 1280, 900)
	for _, path := range []string{"/admin", "/admin/reports?days=7"} {
		var sizes [][]chartLabel
		for _, width := range []int64{1280, 700} {
			labels, err := after(ctx, chromedp.Evaluate[[]chartLabel](chartLabelsJS),
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(ts.URL+path),
				chromedp.WaitVisible(chromedp.CSS(`figure svg`)),
			)
			if err != nil {
				t.Fatalf("%s at %d px: %v", path, width, err)
			}
			if len(labels) < 3 {
				t.Fatalf("%s: only %d chart labels", path, len(labels))
			}
			for _, l := range labels {
				if l.Family != l.Body {
					t.Errorf("%s: label %q is in %q, the page in %q", path, l.Text, l.Family, l.Body)
				}
				if math.Abs(l.SizeX-l.Size) > 0.1 || math.Abs(l.SizeY-l.Size) > 0.1 {
					t.Errorf("%s at %d px: label %q of %.0f px is drawn %.2f px across, %.2f px up", path, width, l.Text, l.Size, l.SizeX, l.SizeY)
				}
			}
			sizes = append(sizes, labels)
		}
		for i, l := range sizes[0] {
			if n := sizes[1][i]; math.Abs(l.SizeY-n.SizeY) > 0.1 || math.Abs(l.SizeX-n.SizeX) > 0.1 {
				t.Errorf("%s: label %q is %.2f × %.2f px in a wide window, %.2f × %.2f px in a narrow one", path, l.Text, l.SizeX, l.SizeY, n.SizeX, n.SizeY)
			}
		}
	}
}

// TestBrowserConsoleHasItsOwnIcon: the console's pages name an icon that
// the server itself serves (the browser may fetch nothing from outside).
func TestBrowserConsoleHasItsOwnIcon(t *testing.T) {
	ts := start(t)
	ctx := consoleTab(t, ts, "boss", 1100, 800)
	for _, path := range []string{"/admin/login", "/admin", "/admin/people"} {
		type icon struct {
			Href   string `json:"href"`
			Status int    `json:"status"`
			Type   string `json:"type"`
		}
		got, err := after(ctx, chromedp.Evaluate[icon](`(async () => {
			const link = document.querySelector('link[rel~="icon"]');
			if (!link) return {href: "", status: 0, type: ""};
			const res = await fetch(link.href);
			return {href: link.href, status: res.status, type: res.headers.get("Content-Type") || ""};
		})()`, chromedp.EvalAwaitPromise), chromedp.Navigate(ts.URL+path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !strings.HasPrefix(got.Href, ts.URL+"/console/") || got.Status != 200 || !strings.HasPrefix(got.Type, "image/") {
			t.Fatalf("%s: icon %+v, want an image served from /console/", path, got)
		}
	}
}

// TestBrowserWrongPasswordFocusesThePassword: after a wrong password the
// sign-in form comes back with the name kept and the cursor in the
// password field, where the next thing to type goes.
func TestBrowserWrongPasswordFocusesThePassword(t *testing.T) {
	ts := start(t)
	browser := servertest.Browser(t, 1100, 800)
	ctx, cancel := context.WithTimeout(browser, time.Minute)
	defer cancel()
	defer func() {
		if t.Failed() {
			screenshot(t, browser)
		}
	}()
	type state struct {
		Focus string `json:"focus"`
		Name  string `json:"name"`
	}
	const stateJS = `({focus: document.activeElement ? document.activeElement.id : "", name: document.getElementById("f-username").value})`
	first, err := after(ctx, chromedp.Evaluate[state](stateJS),
		chromedp.Navigate(ts.URL+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
	)
	if err != nil || first.Focus != "f-username" {
		t.Fatalf("a fresh form has the focus on %q (%v), want the user name", first.Focus, err)
	}
	got, err := after(ctx, chromedp.Evaluate[state](stateJS),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "not my password"),
		chromedp.Click(chromedp.CSS(`main button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#e-password`)),
	)
	if err != nil {
		t.Fatalf("wrong password: %v", err)
	}
	if got.Focus != "f-password" || got.Name != "boss" {
		t.Fatalf("after a wrong password: focus on %q, name %q; want the password field and the name kept", got.Focus, got.Name)
	}
}

// a11yPage is what a11yJS finds on a page.
type a11yPage struct {
	Controls []struct {
		I    int    `json:"i"`
		Text string `json:"text"` // what one sees on it
		What string `json:"what"`
	} `json:"controls"`
	Problems []string `json:"problems"`
	Links    []string `json:"links"`
}

// a11yJS checks a page the way an accessibility audit would, for what the
// console had wrong: headings that skip a level, lists with children that
// are not list items, and targets smaller than 24 × 24 CSS pixels (links
// inside a sentence excepted, as WCAG 2.5.8 does). It numbers every link
// button and summary (data-a11y) and returns its visible text, for the Go side to
// compare with the accessible name the browser computes.
const a11yJS = `(() => {
	const problems = [], controls = [];
	const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
	const describe = el => {
		const p = el.parentElement;
		return "in " + p.tagName.toLowerCase() + (p.className ? "." + p.className.replace(/ /g, ".") : "") + ": " + el.outerHTML.slice(0, 140);
	};
	// Text a sighted person sees: no visually hidden or aria-hidden parts.
	const unseen = el => {
		for (let e = el; e; e = e.parentElement) {
			const cs = getComputedStyle(e);
			if (e.getAttribute("aria-hidden") === "true" || cs.display === "none" || cs.clipPath === "inset(50%)") return true;
		}
		return false;
	};
	const visibleText = el => {
		let out = "";
		const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			if (!unseen(n.parentElement)) out += n.data;
		}
		return out.replace(/\s+/g, " ").trim();
	};
	const interactive = "a[href], button, summary, input:not([type=hidden]), select, textarea";
	// A link inside running text: its block holds words besides the links.
	const inSentence = el => {
		let box = el.parentElement;
		while (box && ["inline", "contents"].includes(getComputedStyle(box).display)) box = box.parentElement;
		if (!box || /flex|grid/.test(getComputedStyle(box).display)) return false;
		let words = "";
		const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			const p = n.parentElement;
			if (!p.closest(interactive) && !p.closest("[aria-current]") && !unseen(p)) words += " " + n.data;
		}
		return (words.match(/\p{L}{2,}/gu) || []).length >= 2;
	};

	let last = 0;
	for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
		if (getComputedStyle(h).display === "none") continue;
		const level = +h.tagName[1];
		if (level > last + 1) problems.push("heading level skipped: h" + last + " then " + describe(h));
		last = level;
	}
	for (const list of document.querySelectorAll("ul, ol")) {
		for (const child of list.children) {
			if (!["LI", "SCRIPT", "TEMPLATE"].includes(child.tagName)) problems.push("a list holds a " + child.tagName.toLowerCase() + ": " + describe(child));
		}
	}
	let i = 0;
	for (const el of document.querySelectorAll(interactive)) {
		// Inside a closed <details> only the summary is on the page.
		const closed = el.closest("details:not([open])");
		if (!shown(el) || (closed && !el.closest("summary"))) continue;
		const r = el.getBoundingClientRect();
		if (r.right <= 0 || r.bottom <= 0) continue; // off screen until focused (the skip link)
		// A checkbox or radio button in its label: the label is the target.
		const target = el.matches("input[type=checkbox], input[type=radio]") && el.closest("label") ? el.closest("label") : el;
		const t = target.getBoundingClientRect();
		if ((t.width < 23.5 || t.height < 23.5) && !(el.matches("a") && inSentence(el))) {
			problems.push("target " + t.width.toFixed(1) + " × " + t.height.toFixed(1) + " px: " + describe(target));
		}
		if (el.matches("a[href], button, summary")) {
			el.dataset.a11y = i;
			controls.push({i, text: visibleText(el), what: describe(el)});
			i++;
		}
	}
	const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
	return {controls, problems, links};
})()`

// labelInName says whether the accessible name holds the visible text as
// whole words (WCAG 2.5.3), ignoring case and spacing.
func labelInName(visible, name string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	v, n := norm(visible), norm(name)
	if v == "" {
		return true
	}
	return regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(v) + `($|[^\pL\pN])`).MatchString(n)
}

// accessibleNames asks the browser for the accessible name of each
// element numbered by a11yJS.
func accessibleNames(ctx context.Context) (map[int]string, error) {
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`[data-a11y]`)))
	if err != nil {
		return nil, err
	}
	tree, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, n := range tree.Nodes {
		if n.Name != nil && n.BackendDOMNodeID != 0 {
			var s string
			if json.Unmarshal(n.Name.Value, &s) == nil {
				names[int64(n.BackendDOMNodeID)] = s
			}
		}
	}
	out := map[int]string{}
	for _, n := range nodes {
		i, err := strconv.Atoi(n.AttributeValue("data-a11y"))
		if err != nil {
			return nil, fmt.Errorf("data-a11y %q", n.AttributeValue("data-a11y"))
		}
		out[i] = names[int64(n.BackendNodeID)]
	}
	return out, nil
}

// TestBrowserConsolePassesAccessibilityChecks crawls the console as the
// office manager (and the archive as the auditor), in a wide and a phone
// sized window, and checks each page: every link and button has an
// accessible name that contains its visible text, no heading level is
// skipped, lists hold only list items, and targets are at least 24 × 24
// pixels.
func TestBrowserConsolePassesAccessibilityChecks(t *testing.T) {
	ts := busyOffice(t)
	for _, run := range []struct {
		who   string
		width int
		from  []string
	}{
		{"boss", 1280, []string{"/admin", "/admin/review?show=all", "/admin/people/cleo", "/admin/people/ben"}},
		{"boss", 390, []string{"/admin", "/admin/people", "/admin/reports"}},
		{"audra", 1280, []string{"/admin/archive?search=1&q=invoice", "/admin/review?show=all"}},
	} {
		ctx := consoleTab(t, ts, run.who, run.width, 900)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(run.width), 900)); err != nil {
			t.Fatal(err)
		}
		queue, seen := append([]string{}, run.from...), map[string]bool{}
		for len(queue) > 0 && len(seen) < 80 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			where := fmt.Sprintf("%s at %d px, %s", run.who, run.width, path)
			res, err := after(ctx, chromedp.Evaluate[a11yPage](a11yJS), chromedp.Navigate(ts.URL+path))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			for _, p := range res.Problems {
				t.Errorf("%s: %s", where, p)
			}
			names, err := accessibleNames(ctx)
			if err != nil {
				t.Fatalf("%s: accessible names: %v", where, err)
			}
			for _, c := range res.Controls {
				if name, ok := names[c.I]; !ok || strings.TrimSpace(name) == "" || !labelInName(c.Text, name) {
					t.Errorf("%s: %s shows %q but is named %q", where, c.What, c.Text, name)
				}
			}
			for _, l := range res.Links {
				next, ok := consoleLink(ts.URL, l)
				if !ok {
					continue
				}
				if !seen[next] && !skipPages.MatchString(next) {
					queue = append(queue, next)
				}
			}
		}
		if len(seen) < 10 {
			t.Fatalf("%s: the crawl reached only %d pages", run.who, len(seen))
		}
		t.Logf("%s at %d px: %d pages", run.who, run.width, len(seen))
	}
}
