package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"inhouse/server/archive"
	"inhouse/server/calendar"
	"inhouse/server/office"
)

// archive verify | archive export
func archiveCmd(args []string, env Env) error {
	if len(args) == 0 {
		return usagef("archive: say verify, export or repair")
	}
	f := newFlags("archive " + args[0])
	data := f.data()
	var format, from, to, channel, user *string
	if args[0] == "export" {
		format = f.String("format", "jsonl", "jsonl or csv")
		from = f.String("from", "", "first day, YYYY-MM-DD")
		to = f.String("to", "", "last day, YYYY-MM-DD")
		channel = f.String("channel", "", "channel name or id")
		user = f.String("user", "", "person")
	}
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("archive %s takes no arguments (got %q)", args[0], pos[0])
	}
	switch args[0] {
	case "repair":
		rep, err := archive.Repair(*data)
		if errors.Is(err, archive.ErrLocked) {
			return fmt.Errorf("the data folder %s is in use by a running inhouse server: stop it before repairing", *data)
		}
		if err != nil {
			return err
		}
		for _, name := range rep.Acknowledged {
			fmt.Fprintf(env.Stdout, "the archive had fallen behind its seal: acknowledged, the seal is kept as %s.acknowledged\n", name)
		}
		if rep.Intact {
			fmt.Fprintf(env.Stdout, "nothing to repair: all %d records are whole\n", rep.Records)
			if rep.Problem != "" {
				return fmt.Errorf("the archive does not verify: %s", rep.Problem)
			}
			return nil
		}
		fmt.Fprintf(env.Stdout, "kept %d records (%d bytes), dropped %d damaged bytes from there on; the original is at %s\n", rep.Records, rep.Kept, rep.Dropped, rep.Original)
		if rep.Problem != "" {
			return fmt.Errorf("repaired, but the archive does not verify: %s", rep.Problem)
		}
		return nil
	case "verify":
		st, err := openStore(*data)
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err := office.New(st, nil, nil).VerifyArchive(cliActor())
		if err != nil {
			// The walk ran all the same (office.VerifyArchive): say so beside it.
			fmt.Fprintf(env.Stderr, "warning: %v\n", err)
		}
		if rep.Problem != "" {
			return fmt.Errorf("archive verify failed after %d records: %s", rep.Records, rep.Problem)
		}
		fmt.Fprintf(env.Stdout, "archive intact: %d records in %d chains checked\n", rep.Records, rep.Chains)
		return nil
	case "export":
		if *format != "jsonl" && *format != "csv" {
			return usagef("--format %q: use jsonl or csv", *format)
		}
		q := archive.Query{From: *user}
		if q.Since, err = parseDay(*from, false); err != nil {
			return err
		}
		if q.Until, err = parseDay(*to, true); err != nil {
			return err
		}
		st, err := openStore(*data)
		if err != nil {
			return err
		}
		defer st.Close()
		if *channel != "" {
			id := channelID(st, *channel)
			if id == "" {
				return usagef("--channel %q: no such channel", *channel)
			}
			q.Channels = []string{id}
		}
		if *user != "" {
			if _, err := st.User(*user); err != nil {
				return usagef("--user %q: no such person", *user)
			}
		}
		// The export is a read of the archive: nothing is written out
		// unless it is in the read log.
		desc := fmt.Sprintf("format=%s from=%s to=%s channel=%s user=%s", *format, *from, *to, *channel, *user)
		_, err = office.New(st, nil, nil).ExportArchive(cliActor(), env.Stdout, *format, q, desc)
		return err
	default:
		return usagef("archive: unknown subcommand %q (verify, export, repair)", args[0])
	}
}

func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := calendar.ParseDay(s)
	if err != nil {
		return t, usagef("%v", err)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// channelID finds a channel by id or name.
func channelID(st *archive.Store, s string) string {
	s = strings.TrimPrefix(s, "#")
	for _, c := range st.Channels(nil) {
		if c.ID == s || c.Name == s {
			return c.ID
		}
	}
	return ""
}
