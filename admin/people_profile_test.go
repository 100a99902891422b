package admin_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// testPNG is a small picture made here: a 300 × 200 gradient.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a file form as a browser on this site does: the fields in
// their order (the token first, as the page has it), then the file (none
// chosen when data is nil: the empty part browsers send).
func (b *browser) upload(path string, fields [][2]string, fileField, fileName string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var pictureSrcRE = regexp.MustCompile(`<img class="avatar avatar-large" src="(/api/users/mia/picture\?v=[^"]+)"`)

func TestPersonCardTitleAndPhone(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")

	p := boss.get("/admin/people/mia")
	if p.Status != 200 || !strings.Contains(p.Body, "Card in the chat") || !strings.Contains(p.Body, `id="f-title"`) || !strings.Contains(p.Body, `id="f-phone"`) {
		t.Fatalf("person page:\n%s", excerpt(p.Body))
	}
	// No picture yet: initials on a colour, here and in the table.
	if !strings.Contains(p.Body, `role="img" aria-label="No picture; initials M">M</span>`) {
		t.Fatalf("no initials on the person page:\n%s", excerpt(p.Body))
	}
	if p := boss.get("/admin/people"); !regexp.MustCompile(`<span class="avatar avatar-small avatar-c\d" aria-hidden="true">M</span>`).MatchString(p.Body) {
		t.Fatalf("no initials in the people table:\n%s", excerpt(p.Body))
	}

	// A phone that is no phone comes back beside its field, as typed.
	p = boss.post("/admin/people/mia/card", url.Values{"title": {"Accounts"}, "phone": {"call me <maybe>"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-phone"`) || !strings.Contains(p.Body, `value="call me &lt;maybe&gt;"`) || !strings.Contains(p.Body, `value="Accounts"`) {
		t.Fatalf("bad phone: %d\n%s", p.Status, excerpt(p.Body))
	}
	if u, _ := ts.Store().User("mia"); u.Title != "" || u.Phone != "" {
		t.Fatalf("a refused card was stored: %+v", u)
	}

	p = boss.mustPost("/admin/people/mia/card", url.Values{"title": {"Accounts"}, "phone": {"+49 30 1234-214"}})
	if !strings.Contains(p.Body, "Saved the card of Mia.") || !strings.Contains(p.Body, `value="Accounts"`) || !strings.Contains(p.Body, `value="+49 30 1234-214"`) {
		t.Fatalf("after saving the card:\n%s", excerpt(p.Body))
	}
	if u, _ := ts.Store().User("mia"); u.Title != "Accounts" || u.Phone != "+49 30 1234-214" {
		t.Fatalf("stored card: %q %q", u.Title, u.Phone)
	}
	// The chat has it too, and the table shows the title under the name.
	ts.AddUser("ben", "member")
	var who struct{ User struct{ Title, Phone string } }
	if st := ts.Login("ben").Do("GET", "/api/users/mia", nil, &who); st != 200 || who.User.Title != "Accounts" || who.User.Phone != "+49 30 1234-214" {
		t.Fatalf("the card in the chat: %d %+v", st, who)
	}
	if p := boss.get("/admin/people"); !strings.Contains(p.Body, `<span class="person-title">Accounts</span>`) {
		t.Fatalf("the table lacks the title:\n%s", excerpt(p.Body))
	}
	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "Changed a person&#39;s card") {
		t.Fatalf("audit log:\n%s", excerpt(p.Body))
	}
	// Saved again unchanged: nothing changed.
	if p := boss.mustPost("/admin/people/mia/card", url.Values{"title": {"Accounts"}, "phone": {"+49 30 1234-214"}}); !strings.Contains(p.Body, "Nothing changed.") {
		t.Fatalf("unchanged save:\n%s", excerpt(p.Body))
	}
	// A member may not use the console's form.
	mia := signIn(t, ts, "mia")
	if p := mia.post("/admin/people/mia/card", url.Values{"title": {"Boss"}}, nil); p.Status != 403 {
		t.Fatalf("member posted the card: %d", p.Status)
	}
}

func TestPersonPictureUploadAndRemove(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	pic := testPNG(t)
	token := [][2]string{{"csrf", boss.csrf}}

	// Without the token, or with the token after the file, nothing is read.
	if p := boss.upload("/admin/people/mia/picture", nil, "picture", "me.png", pic); p.Status != 403 {
		t.Fatalf("upload without a token: %d", p.Status)
	}
	if p := boss.upload("/admin/people/mia/picture", [][2]string{{"csrf", "wrong"}}, "picture", "me.png", pic); p.Status != 403 {
		t.Fatalf("upload with a wrong token: %d", p.Status)
	}
	if u, _ := ts.Store().User("mia"); u.Picture != "" {
		t.Fatalf("a refused upload was stored")
	}
	// Nothing chosen, or not a picture: said beside the field.
	p := boss.upload("/admin/people/mia/picture", token, "picture", "", nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-picture"`) || !strings.Contains(p.Body, "Choose a picture") {
		t.Fatalf("nothing chosen: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.upload("/admin/people/mia/picture", token, "picture", "notes.png", []byte("these are my notes, not a picture"))
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-picture"`) {
		t.Fatalf("not a picture: %d\n%s", p.Status, excerpt(p.Body))
	}

	p = boss.upload("/admin/people/mia/picture", token, "picture", "mia.png", pic)
	if p.Status != http.StatusSeeOther || p.Location != "/admin/people/mia" {
		t.Fatalf("upload: %d %q\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	p = boss.get(p.Location)
	m := pictureSrcRE.FindStringSubmatch(p.Body)
	if m == nil || !strings.Contains(p.Body, "The new picture of Mia is saved") || !strings.Contains(p.Body, `alt="Picture of Mia"`) {
		t.Fatalf("no picture on the page:\n%s", excerpt(p.Body))
	}
	u, _ := ts.Store().User("mia")
	if u.Picture == "" || !strings.HasSuffix(m[1], "v="+url.QueryEscape(u.Picture)) {
		t.Fatalf("the page's picture %q, stored version %q", m[1], u.Picture)
	}
	if p := boss.get("/admin/people"); !strings.Contains(p.Body, `<img class="avatar avatar-small" src="`+strings.ReplaceAll(m[1], "&", "&amp;")+`" alt=""`) {
		t.Fatalf("the table lacks the picture:\n%s", excerpt(p.Body))
	}
	// The address the page shows opens with the console's own session.
	if img := boss.get(strings.ReplaceAll(m[1], "&amp;", "&")); img.Status != 200 || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the picture's address: %d %q", img.Status, img.Header.Get("Content-Type"))
	}

	// Remove asks first, names the person, and goes back to initials.
	if p := boss.get("/admin/people/mia/remove-picture"); p.Status != 200 || !strings.Contains(p.Body, "Remove the picture of Mia?") {
		t.Fatalf("confirmation: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.post("/admin/people/mia/remove-picture", nil, nil)
	if p.Status != http.StatusSeeOther || p.Location != "/admin/people/mia" {
		t.Fatalf("remove: %d %q", p.Status, p.Location)
	}
	if p := boss.get(p.Location); !strings.Contains(p.Body, "Mia is shown with initials again.") || pictureSrcRE.MatchString(p.Body) {
		t.Fatalf("after removing:\n%s", excerpt(p.Body))
	}
	if u, _ := ts.Store().User("mia"); u.Picture != "" {
		t.Fatalf("the picture stayed: %q", u.Picture)
	}
}
