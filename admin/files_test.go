package admin_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"inhouse/server/archive"
)

// An auditor opens a file a message carried, deleted or not, and the
// opening is in the read log; the evidence pack carries the files and
// says whether each still matches its record.
func TestAuditorsOpenFilesThroughTheArchive(t *testing.T) {
	o := newArchiveOffice(t)
	st := o.ts.Store()
	data := []byte("Q3 figures: 1,204 units\n")
	tmp, err := st.ReceiveFile()
	if err != nil {
		t.Fatal(err)
	}
	tmp.Write(data)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	up, err := st.KeepUpload(tmp, archive.Upload{Channel: o.general, By: "mia", File: archive.File{SHA256: sha, Name: "q3.txt", Type: "text/plain; charset=utf-8", Size: int64(len(data))}})
	if err != nil {
		t.Fatal(err)
	}
	m := say(t, o.ts, archive.Post{Channel: o.general, From: "mia", Text: "the figures", Files: []archive.File{up.File}})
	say(t, o.ts, archive.Post{Channel: o.general, From: "mia", Kind: archive.KindDelete, Ref: m.Seq})

	// The reports show the space files take, by channel and by person.
	rep := signIn(t, o.ts, "boss").get("/admin/reports")
	if !strings.Contains(rep.Body, "Space used by shared files") || !strings.Contains(rep.Body, "1 file, 24 bytes") {
		t.Fatalf("reports:\n%s", excerpt(rep.Body))
	}

	page := o.auditor.get("/admin/archive/message/" + o.general + "/" + strconv.FormatUint(m.Seq, 10))
	link := "/admin/archive/file/" + o.general + "/" + strconv.FormatUint(m.Seq, 10) + "/0"
	if page.Status != 200 || !strings.Contains(page.Body, `href="`+link+`"`) || !strings.Contains(page.Body, "q3.txt") {
		t.Fatalf("the message page shows no file link:\n%s", excerpt(page.Body))
	}
	reads := len(st.ReadLog(0, 1000))
	p := o.auditor.get(link)
	if p.Status != 200 || p.Body != string(data) || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("open: %d %v %q", p.Status, p.Header, p.Body)
	}
	log := st.ReadLog(0, 1000)
	if len(log) != reads+1 || log[0].Action != "file" || log[0].By != "audra" || !strings.Contains(log[0].Query, "q3.txt") {
		t.Fatalf("read log after opening: %+v", log[0])
	}
	// Members' roles never open the archive's files.
	if p := signIn(t, o.ts, "mia").get(link); p.Status == 200 {
		t.Fatalf("a member opened an archived file: %d", p.Status)
	}

	pack := func() (map[string][]byte, []map[string]any) {
		p := o.auditor.post("/admin/archive/export", url.Values{"channel": {o.general}}, nil)
		if p.Status != 200 {
			t.Fatalf("pack: %d", p.Status)
		}
		files := unzip(t, []byte(p.Body))
		var man struct {
			Shared []map[string]any `json:"shared_files"`
		}
		if err := json.Unmarshal(files["manifest.json"], &man); err != nil {
			t.Fatal(err)
		}
		return files, man.Shared
	}
	files, shared := pack()
	path := archive.FileRelPath(sha)
	if string(files[path]) != string(data) || len(shared) != 1 || shared[0]["status"] != "ok" || shared[0]["sha256"] != sha {
		t.Fatalf("pack: %v %v", shared, len(files[path]))
	}
	changed := append([]byte{}, data...)
	changed[0] ^= 1
	os.WriteFile(st.FilePath(sha), changed, 0o600)
	if _, shared := pack(); shared[0]["status"] != "changed" {
		t.Fatalf("a changed file in the pack: %v", shared)
	}
}
