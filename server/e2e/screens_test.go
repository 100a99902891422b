package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"inhouse/server/archive"
)

// scheme emulates the system's light or dark setting.
func scheme(s string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}},
		})
		return err
	})
}

// The main screens in light and dark, on a desktop and a phone's width,
// saved to screenshots/ for people to look at; the test checks the layout
// facts that matter (drawer on a phone, colours that follow the scheme).
func TestScreens(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	e.channel("invoices", "ben", "ana", "ben")
	for i, s := range []string{"Morning! Is the invoice out?", "And the delivery note?", "@ana thanks, see https://example.org/invoices/42"} {
		from := "ben"
		if i == 2 {
			from = "ana"
		}
		done := make(chan struct{})
		e.store().Append(archive.Post{Channel: general, From: from, ClientID: "s" + s, Text: s}, func(_ archive.Message, _ bool, err error) { close(done) })
		<-done
	}
	ana := e.person("ana")
	ana.run(scheme("light"), chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	e.save(ana, "login-light")
	ana.enter()
	ana.open(general)
	ana.until("messages", `document.querySelectorAll('.msg').length === 3`, 5*time.Second)
	ana.do(`document.querySelector('.prompt .secondary')?.click()`)
	e.save(ana, "chat-light")
	bg := func() string { return eval[string](ana, `getComputedStyle(document.body).backgroundColor`) }
	light := bg()
	ana.run(scheme("dark"))
	if dark := bg(); dark == light {
		e.fatalf("the background stays %s in the dark scheme", dark)
	}
	e.save(ana, "chat-dark")

	ana.run(chromedp.EmulateViewport(390, 780))
	ana.until("the drawer closed on a phone", `getComputedStyle(document.querySelector('.sidebar')).visibility === 'hidden' && getComputedStyle(document.querySelector('.drawer-button')).display !== 'none'`, 5*time.Second)
	e.save(ana, "phone-dark")
	ana.do(`document.querySelector('.drawer-button').click()`)
	ana.until("the drawer open", `getComputedStyle(document.querySelector('.sidebar')).visibility === 'visible'`, 5*time.Second)
	ana.until("the slide-in to end", `document.querySelector('.sidebar').getAnimations().length === 0`, 5*time.Second)
	e.save(ana, "phone-drawer-dark")
	if w := eval[int](ana, `document.documentElement.scrollWidth`); w > 390 {
		e.fatalf("the page is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	ana.run(scheme("light"))
	ana.do(`document.querySelector('.scrim').click()`)
	e.save(ana, "phone-light")
}
