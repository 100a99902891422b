package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	osuser "os/user"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// user add|list|disable|passwd
func user(args []string, env Env) error {
	if len(args) == 0 {
		return usagef("user: say add, list, disable or passwd")
	}
	f := newFlags("user " + args[0])
	data := f.data()
	var role, display *string
	if args[0] == "add" {
		role = f.String("role", archive.RoleMember, "member, auditor or admin")
		display = f.String("display", "", "full name")
	}
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "disable": 1, "passwd": 1}
	n, ok := want[args[0]]
	if !ok {
		return usagef("user: unknown subcommand %q (add, list, disable, passwd)", args[0])
	}
	if len(pos) != n {
		if n == 0 {
			return usagef("user %s takes no NAME", args[0])
		}
		return usagef("user %s needs exactly one NAME", args[0])
	}
	if args[0] == "add" {
		if err := archive.ValidName(pos[0]); err != nil {
			return usageError{err.Error()}
		}
		if err := archive.ValidRole(*role); err != nil {
			return usageError{err.Error()}
		}
	}
	// Read the password before opening the folder: a prompt must not hold
	// the server's lock.
	var hash string
	if args[0] == "add" || args[0] == "passwd" {
		pw, err := readPassword(env, pos[0])
		if err != nil {
			return err
		}
		hash = auth.HashPassword(pw)
	}
	st, err := openStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "add":
		if err := st.AddUser(archive.User{Name: pos[0], Display: *display, Role: *role, Hash: hash}); err != nil {
			return err
		}
		cliAudit(st, "person.add", pos[0], "Added as "+*role+".")
		fmt.Fprintf(env.Stdout, "added %s (%s)\n", pos[0], *role)
	case "list":
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tDISPLAY")
		for _, u := range st.Users() {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, state, u.Display)
		}
		return tw.Flush()
	case "disable":
		if _, err := st.UpdateUser(pos[0], func(u *archive.User) error { u.Disabled = true; return nil }); err != nil {
			return err
		}
		cliAudit(st, "person.disable", pos[0], "")
		fmt.Fprintf(env.Stdout, "disabled %s and ended their sessions\n", pos[0])
	case "passwd":
		if _, err := st.UpdateUser(pos[0], func(u *archive.User) error { u.Hash, u.MustChange = hash, false; return nil }); err != nil {
			return err
		}
		cliAudit(st, "person.password", pos[0], "")
		fmt.Fprintf(env.Stdout, "changed the password of %s and ended their sessions\n", pos[0])
	}
	return nil
}

// readPassword takes one line from stdin, or asks twice at a terminal.
func readPassword(env Env, name string) (string, error) {
	var pw string
	if env.StdinTerminal {
		fd := int(env.Stdin.(interface{ Fd() uintptr }).Fd())
		fmt.Fprintf(env.Stderr, "Password for %s: ", name)
		a, err := term.ReadPassword(fd)
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "Again: ")
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		pw = string(a)
	} else {
		line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4096)).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", usagef("give the password as one line on standard input")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := auth.CheckPassword(pw); err != nil {
		return "", usageError{err.Error()}
	}
	return pw, nil
}

// cliAudit writes a change made on the command line to the admin audit log,
// naming the system account that made it.
func cliAudit(st *archive.Store, action, target, detail string) {
	who := "command line"
	if u, err := osuser.Current(); err == nil {
		who = "command line (" + u.Username + ")"
	}
	st.Audit(archive.AuditEntry{Actor: who, Via: "cli", Action: action, Target: target, Detail: detail})
}
