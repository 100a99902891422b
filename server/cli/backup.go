package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/backup"
	"inhouse/server/office"
)

// backup FILE: a consistent snapshot, through the running server when one
// holds the data folder.
func backupCmd(args []string, env Env) error {
	f := newFlags("backup")
	data := f.data()
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backup needs exactly one FILE")
	}
	path := pos[0]
	st, err := archive.Open(*data)
	var info backup.Info
	switch {
	case errors.Is(err, archive.ErrLocked):
		conn, err := server.RequestBackup(*data)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := backup.SaveStream(path, func(w io.Writer) (backup.Info, error) {
			_, err := io.Copy(w, conn)
			return backup.Info{}, err
		}); err != nil {
			return err
		}
		// What arrived over the socket is checked like any backup file.
		if info, err = backup.Check(path); err != nil {
			return fmt.Errorf("the running server's backup did not arrive whole: %w", err)
		}
	case err != nil:
		return err
	default:
		defer st.Close()
		if info, err = office.New(st, nil, nil).BackupFile(cliActor(), path); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "backup written to %s (%d bytes, sha256 %s)\nsigned by the archive key %s: keep it with the backups, a restore on a new machine asks for it\n", path, info.Size, info.SHA256[:16], info.Key)
	return nil
}

// restore FILE: fills an empty data folder and verifies the archive.
func restoreCmd(args []string, env Env) error {
	f := newFlags("restore")
	data := f.data()
	force := f.Bool("force", false, "restore into a non-empty folder, moving its contents aside")
	trust := f.String("trust", "", "the archive key (hex) the backup must be signed by, when the data folder has none or another; \"unsigned\" for a backup made before signing")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore needs exactly one FILE")
	}
	_, rep, err := backup.Restore(pos[0], *data, *force, *trust)
	if errors.Is(err, archive.ErrLocked) {
		return fmt.Errorf("the data folder %s is in use by a running inhouse server: stop it before restoring", *data)
	}
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(*data)
	fmt.Fprintf(env.Stdout, "restored into %s; archive verified: %d records in %d chains\n", abs, rep.Records, rep.Chains)
	return nil
}
