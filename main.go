// Command inhouse is the office messenger appliance: one binary that serves
// the chat, keeps the archive and writes the gateway's blocking rules. This
// is its composition root: the one place that puts the console (admin)
// together with the server (server/...), whose packages never import it.
package main

import (
	"os"

	"github.com/valyala/fasthttp"
	"golang.org/x/term"

	"inhouse/admin"
	"inhouse/server"
	"inhouse/server/cli"
)

func main() {
	privateFiles()
	os.Exit(cli.Run(os.Args[1:], cli.Env{
		Stdin:         os.Stdin,
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		StdinTerminal: term.IsTerminal(int(os.Stdin.Fd())),
		Console:       func(s *server.Server) fasthttp.RequestHandler { return admin.New(s).Handler() },
	}))
}
