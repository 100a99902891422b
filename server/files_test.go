package server_test

import (
	"bufio"
	"bytes"
	be "encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/backup"
	"inhouse/server/servertest"
)

// pngOf is a real PNG picture of w×h pixels.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: uint8(x), A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNG is a PNG header claiming w×h pixels, with no pixels behind it.
func hugePNG(w, h uint32) []byte {
	var ihdr [13]byte
	be.BigEndian.PutUint32(ihdr[0:], w)
	be.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	b := []byte("\x89PNG\r\n\x1a\n")
	b = be.BigEndian.AppendUint32(b, 13)
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b = append(b, chunk...)
	return be.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

type uploaded struct {
	File struct {
		ID, Name, Type string
		Size           int64
		W, H           int
	}
	Error, Message string
}

// upload posts body as a file named name into channel.
func upload(t *testing.T, c *servertest.Client, channel, name string, body []byte) (int, uploaded) {
	t.Helper()
	q := url.Values{"channel": {channel}, "name": {name}}
	req, _ := http.NewRequest("POST", c.URL+"/api/files?"+q.Encode(), bytes.NewReader(body))
	req.Header.Set("X-CSRF-Token", c.CSRF)
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	defer res.Body.Close()
	var out uploaded
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("upload %s: status %d, answer not JSON: %v", name, res.StatusCode, err)
	}
	return res.StatusCode, out
}

// get fetches path and returns the answer with its body read.
func get(t *testing.T, c *servertest.Client, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := c.HTTP.Get(c.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// storedFiles counts the files in the content store.
func storedFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(filepath.Join(dir, "files"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && archive.ValidSHA256(d.Name()) {
			n++
		}
		return nil
	})
	return n
}

// A picture and a document go up, travel in one message with a caption,
// and come down to members only, with headers that keep them inert.
func TestFilesTravelInAMessage(t *testing.T) {
	ts := servertest.Start(t)
	for _, n := range []string{"ana", "ben", "cleo"} {
		ts.AddUser(n, "member")
	}
	ana, ben, cleo := ts.Login("ana"), ts.Login("ben"), ts.Login("cleo")
	ch := ana.CreateChannel("deliveries", true, "ben")
	pic := pngOf(t, 40, 30)
	st, up := upload(t, ana, ch.ID, "note 14.png", pic)
	if st != 201 || up.File.Type != "image/png" || up.File.W != 40 || up.File.H != 30 || up.File.Size != int64(len(pic)) || up.File.ID == "" {
		t.Fatalf("upload: %d %+v", st, up)
	}
	doc := []byte("Delivery 14: 3 pallets, signed by B.\n")
	st, up2 := upload(t, ana, ch.ID, "delivery.txt", doc)
	if st != 201 || !strings.HasPrefix(up2.File.Type, "text/plain") {
		t.Fatalf("upload text: %d %+v", st, up2)
	}
	// The same bytes again are stored once.
	if st, _ := upload(t, ana, ch.ID, "copy.png", pic); st != 201 {
		t.Fatalf("second upload: %d", st)
	}
	if n := storedFiles(t, ts.Dir); n != 2 {
		t.Fatalf("%d files stored, want 2 (same bytes once)", n)
	}

	wa, wb := ana.Dial(), ben.Dial()
	wa.Send(map[string]any{"type": "send", "id": "f1", "channel": ch.ID, "text": "", "files": []string{up.File.ID, up2.File.ID}})
	ack := wa.Next("ack")
	msg := wb.Next("message")
	files, _ := msg["files"].([]any)
	if ack.Num("seq") != 1 || len(files) != 2 || files[0].(map[string]any)["name"] != "note 14.png" || files[1].(map[string]any)["name"] != "delivery.txt" {
		t.Fatalf("ack %v, message %v", ack, msg)
	}

	// An upload is the uploader's, for its channel, once.
	cleoCh := cleo.CreateChannel("cleo-only", true)
	wc := cleo.Dial()
	wc.Send(map[string]any{"type": "send", "id": "x1", "channel": cleoCh.ID, "text": "mine now", "files": []string{up.File.ID}})
	if e := wc.Next("error"); e.Str("code") != "bad_request" {
		t.Fatalf("another's upload: %v", e)
	}
	wa.Send(map[string]any{"type": "send", "id": "x2", "channel": ch.ID, "files": []string{"u-made-up"}})
	if e := wa.Next("error"); e.Str("code") != "bad_request" {
		t.Fatalf("a made-up upload: %v", e)
	}

	res, body := get(t, ben, fmt.Sprintf("/api/files/%s/1/0", ch.ID))
	h := res.Header
	if res.StatusCode != 200 || !bytes.Equal(body, pic) || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %v (%d bytes)", res.StatusCode, h, len(body))
	}
	if res, _ := get(t, ben, fmt.Sprintf("/api/files/%s/1/0?download=1", ch.ID)); !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("?download=1: %v", res.Header)
	}
	for _, c := range []struct {
		who  *servertest.Client
		path string
	}{
		{cleo, fmt.Sprintf("/api/files/%s/1/0", ch.ID)}, // not a member: as if it did not exist
		{ben, fmt.Sprintf("/api/files/%s/1/2", ch.ID)},
		{ben, fmt.Sprintf("/api/files/%s/9/0", ch.ID)},
		{ben, "/api/files/nope/1/0"},
	} {
		if res, _ := get(t, c.who, c.path); res.StatusCode != 404 {
			t.Fatalf("%s as %s: %d, want 404", c.path, c.who.User, res.StatusCode)
		}
	}

	var list struct {
		Files []struct {
			Seq   uint64
			Index int
			Name  string
			From  string
		}
	}
	if st := ben.Do("GET", "/api/channels/"+ch.ID+"/files", nil, &list); st != 200 || len(list.Files) != 2 || list.Files[0].Name != "delivery.txt" || list.Files[1].Index != 0 || list.Files[0].From != "ana" {
		t.Fatalf("files list: %d %+v", st, list)
	}
	var found struct{ Results []map[string]any }
	if ben.Do("GET", "/api/search?q=delivery", nil, &found); len(found.Results) != 1 {
		t.Fatalf("search by file name: %+v", found)
	}

	// Deleted: members no longer see or fetch the files; the archive keeps them.
	wa.Send(map[string]any{"type": "delete", "id": "f1d", "channel": ch.ID, "seq": 1})
	wa.Next("ack")
	if res, _ := get(t, ben, fmt.Sprintf("/api/files/%s/1/0", ch.ID)); res.StatusCode != 404 {
		t.Fatalf("a deleted message's file: %d", res.StatusCode)
	}
	if ben.Do("GET", "/api/channels/"+ch.ID+"/files", nil, &list); len(list.Files) != 0 {
		t.Fatalf("a deleted message's files are listed: %+v", list)
	}
	if rep := ts.Store().Verify(); rep.Problem != "" || rep.Files != 2 {
		t.Fatalf("verify: %+v", rep)
	}
}

// Every bad upload is refused with its status and a sentence, and leaves
// nothing behind.
func TestFilesBadUploadsAreRefused(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ana, ben := ts.Login("ana"), ts.Login("ben")
	ch := ana.CreateChannel("room", true)
	set := ts.Store().Settings()
	set.MaxFileMB = 1
	if err := ts.Store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	program := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
	for _, c := range []struct {
		name, file string
		body       []byte
		who        *servertest.Client
		status     int
		code, says string
	}{
		{"zero bytes", "empty.txt", nil, ana, 400, "bad_request", "empty"},
		{"no name", "", []byte("x"), ana, 400, "bad_request", "name"},
		{"over the office's limit", "big.bin", make([]byte, 1<<20+1), ana, 413, "too_large", "1.0 MB"},
		{"a program named as a PDF", "invoice.pdf", program, ana, 415, "kind_not_allowed", "programs"},
		{"a script by its name", "run.bat", []byte("echo hi\r\n"), ana, 415, "kind_not_allowed", ""},
		{"a script by its content", "notes.txt", []byte("#!/bin/sh\nrm -rf ~\n"), ana, 415, "kind_not_allowed", ""},
		{"a picture of too many pixels", "huge.png", hugePNG(50000, 50000), ana, 415, "kind_not_allowed", "megapixels"},
		{"a private key (content rule)", "keys.txt", []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"), ana, 422, "blocked", "rule"},
		{"not a member", "a.txt", []byte("hello"), ben, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out := upload(t, c.who, ch.ID, c.file, c.body)
			if st != c.status || out.Error != c.code || out.Message == "" || !strings.Contains(out.Message, c.says) {
				t.Fatalf("got %d %+v, want %d %s", st, out, c.status, c.code)
			}
		})
	}
	if n := storedFiles(t, ts.Dir); n != 0 {
		t.Fatalf("%d files kept from refused uploads", n)
	}

	// A strange name is stored safely: no path, no controls, no reversal.
	st, out := upload(t, ana, ch.ID, "..\\../secret/a\u202Egnp.txt\x07"+strings.Repeat("x", 1000)+".png", pngOf(t, 2, 2))
	if st != 201 || strings.ContainsAny(out.File.Name, "/\\\u202E\x07") || len(out.File.Name) > 200 || !strings.HasSuffix(out.File.Name, ".png") {
		t.Fatalf("strange name: %d %+v", st, out)
	}
}

// The size limit is refused from the declared length before the body is
// read; a body cut short leaves no temporary file.
func TestFilesTooLargeRefusedBeforeReadingAndCutUploadsLeaveNothing(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("room", true)
	host := strings.TrimPrefix(ts.URL, "http://")
	head := func(length int64) string {
		return fmt.Sprintf("POST /api/files?channel=%s&name=a.bin HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n",
			ch.ID, host, ana.Cookie(), ana.CSRF, length)
	}
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	// 5 GB said, 8 KiB sent (what fasthttp reads ahead before the handler
	// runs): the refusal comes without waiting for the rest.
	io.WriteString(conn, head(5<<30))
	conn.Write(make([]byte, 8<<10))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != 413 {
		t.Fatalf("a 5 GB upload was not refused at once: %v %v", res, err)
	}
	res.Body.Close()

	// Cut off: half of what was said, then the connection closes.
	conn2, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn2, head(200_000))
	conn2.Write(make([]byte, 100_000))
	conn2.Close()
	tmp := filepath.Join(ts.Dir, "files", "tmp")
	servertest.WaitFor(t, "the cut-off upload's temporary file removed", 5*time.Second, func() bool {
		entries, _ := os.ReadDir(tmp)
		return len(entries) == 0
	})
	if n := storedFiles(t, ts.Dir); n != 0 {
		t.Fatalf("a cut-off upload was kept (%d files)", n)
	}
}

// verify catches a stored file changed by one byte, or gone; backups
// carry the files and restore checks them.
func TestFilesAreInTheChainAndTheBackups(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("room", true)
	pic := pngOf(t, 8, 8)
	_, up := upload(t, ana, ch.ID, "scan.png", pic)
	wa := ana.Dial()
	wa.Send(map[string]any{"type": "send", "id": "s1", "channel": ch.ID, "text": "the scan", "files": []string{up.File.ID}})
	wa.Next("ack")
	bk := filepath.Join(t.TempDir(), "office.backup")
	info, err := backup.WriteFile(ts.Store(), bk)
	if err != nil {
		t.Fatal(err)
	}
	ts.Shutdown()

	restored := t.TempDir()
	if _, _, err := backup.Restore(bk, restored, false, info.Key); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if n := storedFiles(t, restored); n != 1 {
		t.Fatalf("the restored folder has %d files", n)
	}

	st, err := archive.Open(ts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep := st.Verify(); rep.Problem != "" || rep.Files != 1 {
		t.Fatalf("before: %+v", rep)
	}
	m, _ := st.RawMessage(ch.ID, 1)
	path := st.FilePath(m.Files[0].SHA256)
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 1
	os.WriteFile(path, data, 0o600)
	if rep := st.Verify(); !strings.Contains(rep.Problem, "message 1") || !strings.Contains(rep.Problem, "scan.png") || !strings.Contains(rep.Problem, "changed") {
		t.Fatalf("a changed byte: %+v", rep)
	}
	os.Remove(path)
	if rep := st.Verify(); !strings.Contains(rep.Problem, "scan.png") || !strings.Contains(rep.Problem, "missing") {
		t.Fatalf("a missing file: %+v", rep)
	}
	st.Close()
}

// A large picture is shown in the conversation by its preview, made once
// and kept; a small one by itself.
func TestFilesPreviews(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("room", true)
	_, big := upload(t, ana, ch.ID, "plan.png", pngOf(t, 1500, 1000))
	_, small := upload(t, ana, ch.ID, "icon.png", pngOf(t, 20, 10))
	wa := ana.Dial()
	wa.Send(map[string]any{"type": "send", "id": "p1", "channel": ch.ID, "files": []string{big.File.ID, small.File.ID}})
	wa.Next("ack")
	res, body := get(t, ana, fmt.Sprintf("/api/files/%s/1/0/preview", ch.ID))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("preview: %d %v", res.StatusCode, res.Header)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
	if err != nil || cfg.Width != 1024 || cfg.Height != 683 {
		t.Fatalf("preview %+v %v", cfg, err)
	}
	kept, _ := filepath.Glob(filepath.Join(ts.Dir, "files", "previews", "*.jpg"))
	if len(kept) != 1 {
		t.Fatalf("previews kept: %v", kept)
	}
	if res, body := get(t, ana, fmt.Sprintf("/api/files/%s/1/1/preview", ch.ID)); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || len(body) != int(small.File.Size) {
		t.Fatalf("a small picture's preview is not itself: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := get(t, ana, fmt.Sprintf("/api/files/%s/1/2/preview", ch.ID)); res.StatusCode != 404 {
		t.Fatalf("no such file: %d", res.StatusCode)
	}
}

// TestKill9DuringUploads kills the server again and again while people
// upload files and send them: after each restart every acknowledged
// message has its files, byte for byte; uploads cut off leave no
// temporary file; and what no message came to name is swept away.
func TestKill9DuringUploads(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", "ana", "--data", dir); code != 0 {
		t.Fatalf("user add: %s", out)
	}
	addr := freeAddr(t)
	srv := startBinary(t, bin, dir, addr)
	ana := servertest.Remote(t, "http://"+addr).Login("ana")
	ch := ana.CreateChannel("scans", true)
	type sent struct {
		seq  uint64
		data []byte
	}
	acked := map[string]sent{}
	for round := range 8 {
		var mu sync.Mutex
		waiting := map[string][]byte{} // message id -> its file's bytes
		ws := ana.Dial()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				f, err := ws.ReadErr(5 * time.Second)
				if err != nil {
					return
				}
				if f.Str("type") == "ack" {
					mu.Lock()
					acked[f.Str("id")] = sent{f.Num("seq"), waiting[f.Str("id")]}
					mu.Unlock()
				}
			}
		}()
		go func() {
			for i := 0; ; i++ {
				data := bytes.Repeat([]byte(fmt.Sprintf("round %d file %d\n", round, i)), 20000) // ~400 KB
				q := url.Values{"channel": {ch.ID}, "name": {fmt.Sprintf("scan-%d-%d.txt", round, i)}}
				req, _ := http.NewRequest("POST", ana.URL+"/api/files?"+q.Encode(), bytes.NewReader(data))
				req.Header.Set("X-CSRF-Token", ana.CSRF)
				res, err := ana.HTTP.Do(req)
				if err != nil {
					return // the server is gone
				}
				var up uploaded
				json.NewDecoder(res.Body).Decode(&up)
				res.Body.Close()
				if res.StatusCode != 201 {
					return
				}
				id := fmt.Sprintf("m-%d-%d", round, i)
				mu.Lock()
				waiting[id] = data
				mu.Unlock()
				if ws.Conn.WriteJSON(map[string]any{"type": "send", "id": id, "channel": ch.ID, "files": []string{up.File.ID}}) != nil {
					return
				}
			}
		}()
		// The moment of the kill varies from round to round, on purpose.
		time.Sleep(time.Duration(40+round*25) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL)
		srv.Wait()
		<-done
		srv = startBinary(t, bin, dir, addr)
		if entries, _ := os.ReadDir(filepath.Join(dir, "files", "tmp")); len(entries) != 0 {
			t.Fatalf("round %d: %d cut-off uploads left in files/tmp after the restart", round, len(entries))
		}
	}
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged: the kills came too early to test anything")
	}
	for id, s := range acked {
		res, body := get(t, ana, fmt.Sprintf("/api/files/%s/%d/0", ch.ID, s.seq))
		if res.StatusCode != 200 || !bytes.Equal(body, s.data) {
			t.Fatalf("acknowledged %s (seq %d): its file answers %d with %d bytes, want %d", id, s.seq, res.StatusCode, len(body), len(s.data))
		}
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	st, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SweepFiles(time.Now().Add(72 * time.Hour))
	left := 0
	filepath.WalkDir(filepath.Join(dir, "files"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && archive.ValidSHA256(d.Name()) {
			left++
			if !st.FileNamed(d.Name()) {
				t.Errorf("%s is named by no message and survived the sweep", d.Name())
			}
		}
		return nil
	})
	if rep := st.Verify(); rep.Problem != "" {
		t.Fatalf("verify after the kills: %s", rep.Problem)
	}
	t.Logf("8 kills: %d messages with files acknowledged, all present; %d files kept", len(acked), left)
}
