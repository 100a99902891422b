// Package office is Inhouse's application layer: each thing the office
// does, written once. A use case validates its input, writes, ends the
// sessions it must, tells the live chat engine, and writes the admin audit
// entry. The JSON API, the console, the command line and first-run setup
// are doors over it: they read a request, call one method, and show the
// result their way. Where doors deliberately differ, the difference is a
// parameter with its reason, here.
package office

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"strings"

	"inhouse/server/archive"
)

// Live is what the use cases tell the running chat engine, so callers
// never have to remember it: a person's sockets close when their access
// changes, and a channel's members hear at once that it was made or
// changed. The command line runs with no server and passes nil.
type Live interface {
	Kick(user, reason string)
	ChannelChanged(c archive.Channel, removed []string)
	// UnlockSignIn lifts the waits on guesses at a person's password: a
	// new password makes them pointless, and the manager may lift them.
	UnlockSignIn(user string)
	// AllowChanged: the office chose the networks it serves (none: those
	// the server was started with).
	AllowChanged(nets []netip.Prefix)
	// Tell and TellAll send a frame to a person's connections, or to
	// everyone's (docs/people.md).
	Tell(user string, frame []byte)
	TellAll(frame []byte)
	// Post stores a message and delivers it live (an announcement).
	Post(p archive.Post) (archive.Message, error)
}

// Office runs the use cases over one data folder.
type Office struct {
	store *archive.Store
	live  Live
	log   *slog.Logger
	emoji map[string]bool // what people may react with (UseEmoji)
	dir   dirState        // the directory while the server runs (directory.go)
	fw    catalogState    // the messenger catalog in use (firewall.go)
}

// New makes the application layer over store. live may be nil.
func New(store *archive.Store, live Live, log *slog.Logger) *Office {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Office{store: store, live: live, log: log}
}

// Doors, as the admin audit log names them.
const (
	ViaAPI     = "api"
	ViaConsole = "console"
	ViaCLI     = "cli"
	ViaSetup   = "setup"
)

// Actor is who does something and through which door.
type Actor struct {
	Name string // the signed-in person; on the command line, the system account
	Role string // their role; what the office's settings allow depends on it
	Via  string
}

// FieldError is bad input in one field, in a sentence for people.
type FieldError struct {
	Field, Message string
}

// Problems is every bad field of one request: a form shows each beside its
// field, the API answers 400 with them all, the command line prints them.
type Problems []FieldError

func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, f := range p {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, " ")
}

// add notes a problem with field.
func (p *Problems) add(field, msg string) { *p = append(*p, FieldError{field, msg}) }

// err is nil when nothing is wrong, else the problems as the person's
// mistake (archive.UserError: 400, shown as it is).
func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return archive.NewUserError(p)
}

// fieldErr is a single problem.
func fieldErr(field, msg string) error { return Problems{{field, msg}}.err() }

// AsProblems finds the problems in err.
func AsProblems(err error) (Problems, bool) {
	var p Problems
	ok := errors.As(err, &p)
	return p, ok
}

// kick closes user's sockets, when a server runs.
// tell sends a frame (marshalled here) to user's connections, or to
// everyone's when user is "".
func (o *Office) tell(user string, frame any) {
	if o.live == nil {
		return
	}
	data, err := json.Marshal(frame)
	if err != nil {
		o.log.Error("frame not encoded", "err", err)
		return
	}
	if user == "" {
		o.live.TellAll(data)
	} else {
		o.live.Tell(user, data)
	}
}

func (o *Office) kick(user, reason string) {
	if o.live != nil {
		o.live.Kick(user, reason)
	}
}

// audit writes the admin audit entry of a change already made. A failed
// audit write means the store has failed, which /healthz and the
// dashboard report; the change itself stands.
func (o *Office) audit(a Actor, action, target, detail string) {
	actor := a.Name
	if actor == "" {
		actor = "(" + a.Via + ")"
	}
	if err := o.store.Audit(archive.AuditEntry{Actor: actor, Via: a.Via, Action: action, Target: target, Detail: detail}); err != nil {
		o.log.Error("admin audit log", "err", err, "action", action, "target", target)
	}
}

var errSelf = archive.NewUserError(errors.New("you cannot do this to yourself; another office manager can"))
