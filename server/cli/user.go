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
	"inhouse/server/office"
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
	// Read the password before opening the folder: a prompt must not hold
	// the server's lock.
	var pw string
	if args[0] == "add" || args[0] == "passwd" {
		if pw, err = readPassword(env, pos[0]); err != nil {
			return err
		}
	}
	st, err := openStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	o := office.New(st, nil, nil) // no server runs: nobody is online to sign out
	a := cliActor()
	switch args[0] {
	case "add":
		// The password was typed by whoever sets the person up at the
		// server; it is not one-time (see office.NewPerson).
		u, err := o.AddPerson(a, office.NewPerson{Name: pos[0], Display: *display, Role: *role, Password: pw})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "added %s (%s)\n", u.Name, u.Role)
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
		if _, err := o.DisablePerson(a, pos[0]); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "disabled %s and ended their sessions\n", pos[0])
	case "passwd":
		if _, err := o.SetPassword(a, pos[0], pw, false); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "changed the password of %s and ended their sessions\n", pos[0])
	}
	return nil
}

// cliError makes bad input a usage error (exit 2), said as the other doors
// say it.
func cliError(err error) error {
	if p, ok := office.AsProblems(err); ok {
		return usageError{p.Error()}
	}
	return err
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

// cliActor is whoever runs the command, named by their system account in
// the admin audit log.
func cliActor() office.Actor {
	who := "command line"
	if u, err := osuser.Current(); err == nil {
		who = "command line (" + u.Username + ")"
	}
	return office.Actor{Name: who, Via: office.ViaCLI}
}
