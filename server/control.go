package server

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"inhouse/server/office"
)

// ControlSocket is the local socket in the data folder through which the
// command line reaches a running server (for backup). Only someone who may
// open the data folder may use it: the folder is 0700, the socket 0600.
const ControlSocket = "inhouse.sock"

// serveControl answers the command line on the control socket.
func (s *Server) serveControl() error {
	path := filepath.Join(s.cfg.DataDir, ControlSocket)
	os.Remove(path) // a stale socket of a crashed run; we hold the folder's lock
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	os.Chmod(path, 0o600)
	s.control = ln
	s.background.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.background.Go(func() { s.control1(c) })
		}
	})
	return nil
}

func (s *Server) control1(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Time{})
	switch strings.TrimSpace(line) {
	case "backup":
		// The command line's path is its own; the socket is all the server sees.
		cli := office.Actor{Name: "command line", Via: office.ViaCLI}
		if _, err := s.office.Backup(cli, "through the control socket", c); err != nil {
			s.log.Error("backup through the control socket failed", "err", err)
		}
	default:
		c.Write([]byte("unknown command\n"))
	}
}

// RequestBackup asks the server holding dir for a backup stream.
func RequestBackup(dir string) (net.Conn, error) {
	c, err := net.Dial("unix", filepath.Join(dir, ControlSocket))
	if err != nil {
		return nil, errors.New("the data folder is in use, but its server does not answer on " + ControlSocket)
	}
	if _, err := c.Write([]byte("backup\n")); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
