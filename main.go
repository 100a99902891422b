// Command inhouse is the office messenger appliance: one binary that serves
// the chat, keeps the archive and writes the gateway's blocking rules.
package main

import (
	"os"

	"golang.org/x/term"

	"inhouse/server/cli"
)

func main() {
	privateFiles()
	os.Exit(cli.Run(os.Args[1:], cli.Env{
		Stdin:         os.Stdin,
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		StdinTerminal: term.IsTerminal(int(os.Stdin.Fd())),
	}))
}
