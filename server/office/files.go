package office

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"inhouse/server/archive"
	"inhouse/server/filekind"
	"inhouse/server/preview"
	"inhouse/server/rules"
)

// The codes of refused uploads besides the message codes (docs/files.md);
// the HTTP door turns each into its status.
const (
	RefusedBadRequest     = "bad_request"
	RefusedLengthRequired = "length_required"
	RefusedKind           = "kind_not_allowed"
	RefusedStorageFull    = "storage_full"
)

// MaxFilesPerMessage bounds the files one message carries.
const MaxFilesPerMessage = 10

// Time and size bounds for reading a file's text for the content rules.
const (
	textTimeout = 5 * time.Second
	maxFileText = 1 << 20
)

// diskMargin is kept free on the data folder's disk: the archive must
// still be able to write messages when files have filled the rest.
const diskMargin = 256 << 20

// NewFile is a file arriving through a door: who sends it into which
// channel, the name their browser gave, and its declared length.
type NewFile struct {
	Channel, Name string
	Length        int64 // -1 when not declared
	Body          io.Reader
}

// ReceiveFile takes a file for a message the person is about to send: it
// checks everything it can before reading a byte (name, length, the
// office's largest file, membership, the policy, who may share, space),
// streams the body into a temporary file in the data folder while hashing
// it, decides its kind from its content, runs the content rules on its
// text, and makes it durable. Any refusal is a *Refusal; nothing of a
// refused or broken upload is left behind.
func (m *Messages) ReceiveFile(user string, nf NewFile) (archive.Upload, error) {
	var up archive.Upload
	set := m.store.Settings()
	name, err := filekind.SafeName(nf.Name)
	switch {
	case err != nil:
		return up, &Refusal{RefusedBadRequest, "The file has no name."}
	case nf.Length < 0:
		return up, &Refusal{RefusedLengthRequired, "The upload must say its length (Content-Length)."}
	case nf.Length == 0:
		return up, &Refusal{RefusedBadRequest, "The file " + name + " is empty."}
	case nf.Length > set.MaxFileBytes():
		return up, &Refusal{RefusedTooLarge, fmt.Sprintf("The file is larger than the office's limit of %s.", SizeText(set.MaxFileBytes()))}
	}
	if r := m.MayPost(user, nf.Channel, nil); r != nil {
		return up, r
	}
	if r := m.mayShare(user, nf.Channel, set); r != nil {
		return up, r
	}
	if r := m.roomFor(nf.Length, set); r != nil {
		return up, r
	}

	tmp, err := m.store.ReceiveFile()
	if err != nil {
		return up, m.storageErr(err)
	}
	kept := false
	defer func() {
		if !kept {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, sum, err := receive(tmp, nf.Body, nf.Length)
	switch {
	case err != nil && isDiskFull(err):
		return up, m.storageErr(err)
	case err != nil:
		return up, fmt.Errorf("receive %s: %w", name, err) // the sender went away
	case n > nf.Length:
		return up, &Refusal{RefusedBadRequest, "The upload is longer than it said it would be."}
	case n < nf.Length:
		return up, &Refusal{RefusedBadRequest, "The upload ended before all of the file arrived. Try again."}
	}

	head := make([]byte, 4096)
	k, _ := tmp.ReadAt(head, 0)
	kind := filekind.Sniff(head[:k], name)
	if kind.Blocked(set.Blocked()) {
		return up, &Refusal{RefusedKind, "The office does not allow sharing files of this kind (" + kind.Category + "s)."}
	}
	f := archive.File{SHA256: hex.EncodeToString(sum), Name: name, Type: kind.Type, Size: n}
	if kind.Category == filekind.CategoryImage {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return up, err
		}
		w, ht, _, err := filekind.ImageSize(tmp, kind.Type)
		switch {
		case errors.Is(err, filekind.ErrTooManyPixels):
			return up, &Refusal{RefusedKind, fmt.Sprintf("The picture is too large to show (more than %d megapixels).", filekind.MaxPixels/1_000_000)}
		case err == nil:
			f.W, f.H = w, ht
		default:
			// A picture that does not decode is shared as a file.
			f.Type = "application/octet-stream"
		}
	}
	if r := m.screenFile(user, nf.Channel, tmp.Name(), kind, name); r != nil {
		return up, r
	}
	up, err = m.store.KeepUpload(tmp, archive.Upload{Channel: nf.Channel, By: user, File: f})
	if err != nil {
		return up, m.storageErr(err)
	}
	kept = true
	return up, nil
}

// mayShare applies the office's choice of who shares files.
func (m *Messages) mayShare(user, channel string, set archive.Settings) *Refusal {
	if set.FilesBy != archive.FilesNotInAnnounce {
		return nil
	}
	if _, announce, _ := m.store.SendRule(channel); announce {
		return &Refusal{RefusedForbidden, "The office does not allow files in announcement channels."}
	}
	return nil
}

// roomFor refuses a file the office's space for files or the disk cannot
// take, keeping room for messages.
func (m *Messages) roomFor(length int64, set archive.Settings) *Refusal {
	if space := set.FilesSpace(); space > 0 {
		if _, used := m.store.FilesStats(); used+length > space {
			return &Refusal{RefusedStorageFull, fmt.Sprintf("The office's space for files (%s) is full. Ask the office manager to make room.", SizeText(space))}
		}
	}
	if free, _, ok := DiskSpace(m.store.Dir()); ok && uint64(length)+diskMargin > free {
		return &Refusal{RefusedStorageFull, "The server's disk is too full for this file. Ask the office manager to make room."}
	}
	return nil
}

// storageErr is a failed write: a full disk is the person's to hear about
// (nothing was kept), anything else is the server's problem.
func (m *Messages) storageErr(err error) error {
	if isDiskFull(err) {
		return &Refusal{RefusedStorageFull, "The server's disk is full: the file was not kept. Ask the office manager to make room."}
	}
	m.log.Error("keep an upload", "err", err)
	return err
}

func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// screenFile runs the content rules on a file's text: block refuses the
// upload (a masked excerpt goes to the review queue); flag queues it for
// review and lets it through; mask cannot change a file, so it is treated
// as flag: the file is shared as it is and reviewed.
func (m *Messages) screenFile(user, channel, path string, kind filekind.Kind, name string) *Refusal {
	ctx, cancel := context.WithTimeout(context.Background(), textTimeout)
	defer cancel()
	text, err := filekind.Text(ctx, path, kind, maxFileText)
	if err != nil {
		// Unreadable inside (a broken document): the rules see its name only.
		m.log.Info("file text not read", "name", name, "err", err)
	}
	res := m.store.RuleEngine().CheckFile(kind.Category, name+"\n"+text)
	if res.Action == rules.ActionAllow {
		return nil
	}
	action := res.Action
	if action == rules.ActionMask {
		action = rules.ActionFlag
	}
	flag := archive.Flag{Channel: channel, User: user, RuleIDs: res.RuleIDs(), Action: action,
		Excerpt: "File " + name + ": " + rules.Excerpt(name+"\n"+text, res.Hits, archive.MaxFlagExcerpt)}
	if err := m.store.AddFlag(flag); err != nil {
		m.log.Error("flag queue", "err", err)
	}
	if res.Action == rules.ActionBlock {
		return &Refusal{RefusedBlocked, "This file was not shared: it matches the office's rule against sharing " + ruleNames(res) + "."}
	}
	return nil
}

// Attach resolves the uploads a message names into its files: each must
// be the sender's own, for this channel, still waiting.
func (m *Messages) Attach(user, channel string, ids []string) ([]archive.File, *Refusal) {
	if len(ids) > MaxFilesPerMessage {
		return nil, &Refusal{RefusedTooLarge, fmt.Sprintf("A message carries at most %d files.", MaxFilesPerMessage)}
	}
	if r := m.mayShare(user, channel, m.store.Settings()); r != nil {
		return nil, r
	}
	files := make([]archive.File, 0, len(ids))
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, &Refusal{RefusedBadRequest, "The message names the same file twice."}
		}
		u, err := m.store.Upload(id)
		if err != nil || u.By != user || u.Channel != channel {
			return nil, &Refusal{RefusedBadRequest, "A file of this message is no longer waiting to be sent (uploads wait a day). Attach it again."}
		}
		files = append(files, u.File)
	}
	return files, nil
}

// notAFile answers every request for a file a person may not have, or
// that does not exist, alike: which files exist is not theirs to learn.
var notAFile = &Refusal{RefusedNotFound, "There is no such file."}

// File is one file of a message for a member of its channel: what the
// message says of it and where its bytes are. A deleted message's files
// are the archive's, not the members'.
func (m *Messages) File(user, channel string, seq uint64, index int) (archive.File, string, *Refusal) {
	if m.Member(user, channel) != nil {
		return archive.File{}, "", notAFile
	}
	msg, err := m.store.Message(channel, seq)
	if err != nil || msg.Kind != archive.KindMessage || index < 0 || index >= len(msg.Files) {
		return archive.File{}, "", notAFile
	}
	f := msg.Files[index]
	return f, m.store.FilePath(f.SHA256), nil
}

// maxFilesPage is the most files one page of a conversation's list holds.
const maxFilesPage = 100

// ChannelFiles lists a conversation's files for one of its members,
// newest first, from messages before seq before (0: the newest).
func (m *Messages) ChannelFiles(user, channel string, before uint64) ([]archive.ChannelFile, *Refusal, error) {
	if r := m.Member(user, channel); r != nil {
		return nil, r, nil
	}
	files, err := m.store.ChannelFiles(channel, before, maxFilesPage)
	return files, nil, err
}

// previewing lets one preview be made at a time: decoding a large picture
// takes memory and a core.
var previewing = make(chan struct{}, 1)

// Preview is what a conversation shows for a picture: its preview, made
// on first request and kept, or the file itself when it is small enough
// (or a preview cannot be made). Only for members, like File.
func (m *Messages) Preview(user, channel string, seq uint64, index int) (archive.File, string, *Refusal) {
	f, path, r := m.File(user, channel, seq, index)
	if r != nil {
		return f, path, r
	}
	if f.W == 0 { // not a picture that was measured
		return archive.File{}, "", notAFile
	}
	pp, err := m.store.PreviewPath(f.SHA256)
	if err != nil {
		return f, path, nil
	}
	shown := f
	shown.Type, shown.Name = "image/jpeg", strings.TrimSuffix(f.Name, filepath.Ext(f.Name))+".jpg"
	kept := func() bool {
		fi, err := os.Stat(pp)
		if err == nil {
			shown.Size = fi.Size()
		}
		return err == nil
	}
	if kept() {
		return shown, pp, nil
	}
	// Whether one is needed is read from the header, without waiting for
	// a preview being made of another picture.
	src, err := os.Open(path)
	if err != nil {
		return f, path, nil
	}
	w, h, orientation, err := filekind.ImageSize(src, f.Type)
	src.Close()
	if err != nil || !preview.Needed(f.Type, w, h, orientation) {
		return f, path, nil
	}
	previewing <- struct{}{}
	defer func() { <-previewing }()
	if kept() { // made while this one waited
		return shown, pp, nil
	}
	if err := preview.File(pp, path, f.Type, w, h, orientation); err != nil {
		m.log.Warn("no preview", "name", f.Name, "err", err)
		return f, path, nil
	}
	if !kept() {
		return f, path, nil
	}
	return shown, pp, nil
}
