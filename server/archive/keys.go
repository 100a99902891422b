package archive

import (
	"fmt"
	"strconv"
	"strings"
)

// Every key the archive stores, in one place. The strings are the on-disk
// format: existing data folders and the chains' hashes (which cover each
// record's key) depend on them byte for byte, so never change one; add new
// ones. docs/archive-format.md lists them, and keys_test.go pins each.
//
// Numbers in keys are zero-padded so that BuntDB's byte order is number
// order.

// Directory: people.
const (
	prefixUser = "user:" // user:<name>: a User
)

// userKey is the record of one person.
func userKey(name string) string { return prefixUser + name }

// Directory: sessions.
const (
	prefixSession = "sess:" // sess:<token hash>: a Session, expiring (BuntDB TTL)
)

// sessionKey is the record of one session, by its token's hash.
func sessionKey(id string) string { return prefixSession + id }

// Directory: channels.
const (
	prefixChannel     = "chan:"   // chan:<id>: a Channel
	prefixChannelName = "chname:" // chname:<name>: the id of the group channel of that name
	prefixDirect      = "dm:"     // dm:<a>:<b>: the id of a's and b's direct channel (a < b)
)

// channelKey is the record of one channel.
func channelKey(id string) string { return prefixChannel + id }

// channelNameKey reserves a group channel's name: names are unique.
func channelNameKey(name string) string { return prefixChannelName + name }

// dmPair names the pair of a direct channel, in either order: the tail of
// its dm: key and the key of Store.dms.
func dmPair(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + ":" + b
}

// dmKey is the record of a pair's direct channel.
func dmKey(pair string) string { return prefixDirect + pair }

// Directory: the office's settings and housekeeping, one record each.
const (
	keySettings       = "settings"         // the console's Settings
	keyRetention      = "retention"        // the Retention rule (absent: keep forever)
	keyBackupSchedule = "backup_schedule"  // the BackupSchedule
	keyLastBackup     = "meta:last_backup" // when the last good backup finished, Unix seconds
	keySchema         = "meta:schema"      // the schema version the database is at (load.go)
)

// Directory: the usage policy and who accepted it.
const (
	keyPolicy       = "policy"  // the Policy in force (absent: DefaultPolicy)
	prefixAccept    = "accept:" // accept:<user>: their latest Acceptance
	prefixAcceptLog = "acclog:" // acclog:<user>:<version, 6 digits>: every Acceptance, kept
)

// acceptKey is a person's latest acceptance.
func acceptKey(user string) string { return prefixAccept + user }

// acceptLogKey is one acceptance in a person's ledger.
func acceptLogKey(user string, version int) string {
	return fmt.Sprintf("%s%s:%06d", prefixAcceptLog, user, version)
}

// acceptLogGroup is the group (see rangeOf) of a person's ledger.
func acceptLogGroup(user string) string { return prefixAcceptLog + user }

// Messages and chains. A chain is named by its group ("msg:<channel>",
// "evt", "reads"); its records are <chain>:<n>, n from 1 without gaps.
const (
	prefixMsg        = "msg:"  // msg:<channel>:<seq>: a Message (a message, edit or delete)
	chainEvents      = "evt"   // evt:<n>: an Event (membership and channel changes)
	prefixHead       = "head:" // head:<channel>: the channel's newest seq, decimal
	prefixLegacyIdem = "idem:" // schema 1 only: one record per client id, removed by the migration
)

// msgChain names a channel's chain of messages.
func msgChain(channel string) string { return prefixMsg + channel }

// msgKey is one message record: the channel's chain and the seq padded to
// 12 digits. It is on every message's path, so it is built in one
// allocation (the key itself).
func msgKey(channel string, seq uint64) string {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], seq, 10)
	var k strings.Builder
	k.Grow(len(prefixMsg) + len(channel) + 1 + max(12, len(d)))
	k.WriteString(prefixMsg)
	k.WriteString(channel)
	k.WriteByte(':')
	for range 12 - len(d) {
		k.WriteByte('0')
	}
	k.Write(d)
	return k.String()
}

// seqKey is record n of a numbered chain ("evt", "reads").
func seqKey(chain string, n uint64) string { return fmt.Sprintf("%s:%012d", chain, n) }

// rangeOf bounds the keys group:<anything> (a chain's records, a ledger):
// they sort from first up to, not including, past (';' follows ':').
func rangeOf(group string) (first, past string) { return group + ":", group + ";" }

// headKey is a channel's head record.
func headKey(channel string) string { return prefixHead + channel }

// Moderation: content rules and the flag queue.
const (
	keyRules   = "rules" // the office's rule list (absent: rules.Defaults())
	prefixFlag = "flag:" // flag:<n, 12 digits>: a Flag, n from 1
)

// flagKey is one flag of the review queue.
func flagKey(n uint64) string { return fmt.Sprintf("%s%012d", prefixFlag, n) }

// The admin audit log: what admins changed (admin_audit.go).
const (
	prefixAdminAudit = "audit:admin:" // audit:admin:<n, 12 digits>: an AuditEntry, n from 1
)

// adminAuditKey is one entry of the admin audit log.
func adminAuditKey(n uint64) string { return fmt.Sprintf("%s%012d", prefixAdminAudit, n) }

// The auditors' read log: who read the archive (readlog.go). Not to be
// confused with read markers below.
const (
	chainReadLog = "reads" // reads:<n>: a ReadEntry, chained
)

// readLogKey is one entry of the read log.
func readLogKey(n uint64) string { return seqKey(chainReadLog, n) }

// Read markers: the last seq a person read in a channel (readmarks.go).
const (
	prefixReadMark = "read:" // read:<channel>:<user>: a seq, decimal
)

// readMarkKey is one person's read marker in one channel.
func readMarkKey(channel, user string) string { return prefixReadMark + channel + ":" + user }

// Threads: each person's read position in each thread they follow.
const (
	prefixThreadRead = "tread:" // tread:<channel id>:<root seq>:<user>: the last reply read (text)
)

// threadReadKey is a person's read position in a thread.
func threadReadKey(channel string, root uint64, user string) string {
	return prefixThreadRead + channel + ":" + formatSeq(root) + ":" + user
}

// Saved messages: each person's own list.
const (
	prefixSaved = "saved:" // saved:<user>:<channel id>:<seq>: when it was saved (Unix ms, text)
)

// savedKey is one saved message of a person.
func savedKey(user, channel string, seq uint64) string {
	return prefixSaved + user + ":" + channel + ":" + formatSeq(seq)
}

// Channels: each person's own notification level and mute.
const (
	prefixNotify = "notify:" // notify:<channel id>:<user>: a ChannelPrefs
)

// notifyKey is a person's preferences for a channel.
func notifyKey(channel, user string) string { return prefixNotify + channel + ":" + user }

// formatSeq and parseSeq write and read a seq as in keys: decimal,
// zero-padded to 12 digits.
func formatSeq(seq uint64) string { return fmt.Sprintf("%012d", seq) }

func parseSeq(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// Files: an upload waiting for the message that names it. The files'
// bytes are outside the database (files.go).
const (
	prefixUpload = "upload:" // upload:<id>: an Upload, expiring (BuntDB TTL)
)

// uploadKey is the record of one upload.
func uploadKey(id string) string { return prefixUpload + id }

// The search index stores nothing: it is rebuilt from the msg: records at
// every open (load.go). Its in-memory key, curKey, is at the end.

// Seal, digests and checkpoints: what proves the chains.
const (
	keySealMarker    = "seal:on" // present once sealing began: a missing seal file is then a problem
	prefixDigest     = "digest:" // digest:<YYYY-MM-DD>: that day's signed Digest
	prefixCheckpoint = "ckpt:"   // ckpt:<chain>: the signed Checkpoint of a purged chain start
)

// digestKey is the digest of one day.
func digestKey(date string) string { return prefixDigest + date }

// checkpointKey is the checkpoint of a chain whose start was purged.
func checkpointKey(chain string) string { return prefixCheckpoint + chain }

// Keys of in-memory maps, never stored. "\x00" cannot occur in a channel
// id or user name, so the parts cannot run into each other.

// curKey finds a message's current state (Store.cur) and its edits in the
// search index.
func curKey(channel string, seq uint64) string { return channel + "\x00" + strconv.FormatUint(seq, 10) }

// idemKey finds the message a sender's client id made (Store.idem).
func idemKey(from, clientID string) string { return from + "\x00" + clientID }

// threadReadSlot finds a person's read position in a thread (talk.reads).
func threadReadSlot(channel string, root uint64, user string) string {
	return channel + "\x00" + strconv.FormatUint(root, 10) + "\x00" + user
}

// readMarkSlot finds a person's read marker in a channel (Store.readMarks).
func readMarkSlot(channel, user string) string { return channel + "\x00" + user }

// People: pictures, when read markers moved, announcements' confirmations
// (people.go).
const (
	prefixPicture = "picture:" // picture:<user>: their picture, a 256 × 256 JPEG (base64)
	prefixReadAt  = "readat:"  // readat:<channel>:<user>: when their read marker last moved (Unix ms, text)
	prefixConfirm = "confirm:" // confirm:<channel>:<seq>:<user>: when they confirmed an announcement (Unix ms, text), kept
	prefixRemind  = "remind:"  // remind:<channel>:<seq>: when the last reminder went (Unix ms, text)
)

func pictureKey(user string) string { return prefixPicture + user }

func readAtKey(channel, user string) string { return prefixReadAt + channel + ":" + user }

func confirmKey(channel string, seq uint64, user string) string {
	return prefixConfirm + channel + ":" + formatSeq(seq) + ":" + user
}

func remindKey(channel string, seq uint64) string {
	return prefixRemind + channel + ":" + formatSeq(seq)
}

// The office's directory (directory.go).
const (
	keyDirectory = "directory" // the DirectorySettings (absent: no directory)
)
