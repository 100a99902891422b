package archive

import "testing"

// The key strings are the on-disk format (and part of every chained
// record's hash): a change here must be a deliberate migration, never a
// refactoring.
func TestKeyStringsAreTheStoredFormat(t *testing.T) {
	first, past := rangeOf("msg:c4")
	for _, c := range []struct{ got, want string }{
		{userKey("ana"), "user:ana"},
		{sessionKey("ab12"), "sess:ab12"},
		{channelKey("c4"), "chan:c4"},
		{channelNameKey("general"), "chname:general"},
		{dmKey(dmPair("ben", "ana")), "dm:ana:ben"},
		{keySettings, "settings"},
		{keyRetention, "retention"},
		{keyBackupSchedule, "backup_schedule"},
		{keyLastBackup, "meta:last_backup"},
		{keySchema, "meta:schema"},
		{keyPolicy, "policy"},
		{acceptKey("ana"), "accept:ana"},
		{acceptLogKey("ana", 7), "acclog:ana:000007"},
		{acceptLogGroup("ana") + ":", "acclog:ana:"},
		{msgChain("c4"), "msg:c4"},
		{msgKey("c4", 42), "msg:c4:000000000042"},
		{seqKey(chainEvents, 3), "evt:000000000003"},
		{first + "|" + past, "msg:c4:|msg:c4;"},
		{headKey("c4"), "head:c4"},
		{checkpointKey(msgChain("c4")), "ckpt:msg:c4"},
		{checkpointKey(chainReadLog), "ckpt:reads"},
		{prefixLegacyIdem, "idem:"},
		{keyRules, "rules"},
		{flagKey(5), "flag:000000000005"},
		{adminAuditKey(6), "audit:admin:000000000006"},
		{readLogKey(8), "reads:000000000008"},
		{readMarkKey("c4", "ana"), "read:c4:ana"},
		{keySealMarker, "seal:on"},
		{digestKey("2026-03-14"), "digest:2026-03-14"},
		{uploadKey("uAB"), "upload:uAB"},
		{threadReadKey("c4", 42, "ana"), "tread:c4:000000000042:ana"},
		{savedKey("ana", "c4", 7), "saved:ana:c4:000000000007"},
		{notifyKey("c4", "ana"), "notify:c4:ana"},
		{pictureKey("ana"), "picture:ana"},
		{keyDirectory, "directory"},
		{readAtKey("c4", "ana"), "readat:c4:ana"},
		{confirmKey("c4", 7, "ana"), "confirm:c4:000000000007:ana"},
		{remindKey("c4", 7), "remind:c4:000000000007"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
