package firewall

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The behaviour test applies the nftables output inside a throwaway user and
// network namespace and connects to addresses on lo: one inside a blocked
// range, one outside. The test binary re-executes itself there (TestMain).

const netnsEnv = "INHOUSE_FW_NETNS_RULES"

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" { // forward_test.go's namespaces
		if err := topologyRole(role); err != nil {
			fmt.Println("FAIL:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if rules := os.Getenv(netnsEnv); rules != "" {
		if err := netnsChild(rules); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// the tools live in sbin, which a non-root PATH may lack
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if !slices.Contains(filepath.SplitList(os.Getenv("PATH")), d) {
			os.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+d)
		}
	}
	os.Exit(m.Run())
}

func TestNftBehaviour(t *testing.T) {
	needTool(t, "nft", "ip")
	needNetns(t)
	// telegram: ranges; msn: TCP port 1863 everywhere
	_, rules := writeRendered(t, "nftables", "telegram", "msn")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-rn", self)
	cmd.Env = append(os.Environ(), netnsEnv+"="+rules)
	cmd.WaitDelay = time.Second
	done := make(chan struct{})
	timer := time.AfterFunc(20*time.Second, func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
		}
	})
	out, err := cmd.CombinedOutput()
	close(done)
	timer.Stop()
	t.Logf("namespace run:\n%s", out)
	if err != nil {
		t.Fatalf("behaviour in namespace: %v", err)
	}
}

// Addresses for the child: documentation and Telegram ranges, on lo only.
const (
	okV4      = "192.0.2.10"
	blockedV4 = "149.154.167.50" // in 149.154.160.0/20 (Telegram)
	okV6      = "2001:db8::10"
	blockedV6 = "2001:67c:4e8::50" // in 2001:67c:4e8::/48 (Telegram)
)

func netnsChild(rules string) error {
	sh := func(args ...string) error {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	steps := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "addr", "add", okV4 + "/32", "dev", "lo"},
		{"ip", "addr", "add", blockedV4 + "/32", "dev", "lo"},
		{"ip", "-6", "addr", "add", okV6 + "/128", "dev", "lo", "nodad"},
		{"ip", "-6", "addr", "add", blockedV6 + "/128", "dev", "lo", "nodad"},
		{"nft", "-f", rules},
		{"nft", "-f", rules}, // twice: must replace, not duplicate
	}
	for _, s := range steps {
		if err := sh(s...); err != nil {
			return err
		}
	}
	if out, err := exec.Command("nft", "list", "ruleset").Output(); err != nil || strings.Count(string(out), "table inet inhouse_block") != 1 || strings.Count(string(out), "jump block") != 2 {
		return fmt.Errorf("after two loads the ruleset is not one table:\n%s", out)
	}

	// listeners on every address for the ports we try
	for _, port := range []string{"443", "1863", "5222"} {
		l, err := net.Listen("tcp", ":"+port)
		if err != nil {
			return err
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	u, err := net.ListenPacket("udp", ":443")
	if err != nil {
		return err
	}
	defer u.Close()
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := u.ReadFrom(buf)
			if err != nil {
				return
			}
			u.WriteTo(buf[:n], from)
		}
	}()

	var failed []string
	check := func(what string, err error, wantBlocked bool) {
		state := "open"
		if err != nil {
			state = "blocked (" + err.Error() + ")"
		}
		fmt.Printf("%-32s %s\n", what, state)
		if (err != nil) != wantBlocked {
			failed = append(failed, what)
		}
	}
	for _, c := range []struct {
		addr    string
		blocked bool
	}{
		{net.JoinHostPort(okV4, "443"), false},
		{net.JoinHostPort(blockedV4, "443"), true},
		{net.JoinHostPort(blockedV4, "5222"), true},
		{net.JoinHostPort(okV6, "443"), false},
		{net.JoinHostPort(blockedV6, "443"), true},
		{net.JoinHostPort(okV4, "1863"), true}, // MSN port, any address
		{net.JoinHostPort(okV4, "5222"), false},
	} {
		check("tcp "+c.addr, tcpTry(c.addr), c.blocked)
	}
	check("udp "+net.JoinHostPort(okV4, "443"), udpTry(net.JoinHostPort(okV4, "443")), false)
	check("udp "+net.JoinHostPort(blockedV4, "443")+" (QUIC)", udpTry(net.JoinHostPort(blockedV4, "443")), true)
	check("udp "+net.JoinHostPort(blockedV6, "443")+" (QUIC)", udpTry(net.JoinHostPort(blockedV6, "443")), true)
	if len(failed) > 0 {
		return fmt.Errorf("unexpected result for: %s", strings.Join(failed, "; "))
	}
	return nil
}

// local picks the unblocked address of the same family as the source, so the
// reset the firewall sends back is not itself addressed to a blocked range.
func local(addr, network string) net.Addr {
	host := okV4
	if strings.Contains(addr, "[") {
		host = okV6
	}
	if network == "udp" {
		return &net.UDPAddr{IP: net.ParseIP(host)}
	}
	return &net.TCPAddr{IP: net.ParseIP(host)}
}

// tcpTry connects; a reject answers with a reset at once, so anything but
// "connection refused" (a timeout: dropped, not rejected) is reported.
func tcpTry(addr string) error { return tcpTryFrom(addr, local(addr, "tcp")) }

// tcpTryFrom is tcpTry from the given local address (nil: the route's).
func tcpTryFrom(addr string, laddr net.Addr) error {
	d := net.Dialer{Timeout: 2 * time.Second, LocalAddr: laddr}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("%v, not refused at once", err)
		}
		return err
	}
	return c.Close()
}

// udpTry sends one datagram and waits for the echo.
func udpTry(addr string) error { return udpTryFrom(addr, local(addr, "udp")) }

// udpTryFrom is udpTry from the given local address (nil: the route's).
func udpTryFrom(addr string, laddr net.Addr) error {
	d := net.Dialer{Timeout: time.Second, LocalAddr: laddr}
	c, err := d.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 8)
	if _, err := c.Read(buf); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errors.New("no answer")
		}
		return err
	}
	return nil
}
