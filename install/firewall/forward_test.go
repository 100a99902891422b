package firewall

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A gateway between a LAN and a WAN, in three network namespaces: the
// gateway is the user+network namespace of `unshare -rn`, the LAN and the
// WAN are network namespaces nested in it (`unshare -n`, as the user
// namespace's root), joined to the gateway by veth pairs. The gateway
// routes between them and loads the rules with the commands its header
// gives, twice, with --block telegram,msn,doh. Then:
//
//   - the gateway's own sockets still reach the resolver 1.1.1.1 (in a
//     blocked DoH range) on 53, 443 and 853, and DNS over TLS anywhere
//     (output is not forward);
//   - the same from a LAN device, forwarded through the gateway, is
//     refused, and so is DNS over TLS to any public address;
//   - Telegram's range and MSN's port stay blocked for both;
//   - MSN's port to internal addresses is open: on the gateway's dummy
//     interface (10.x, 192.168.x, fd00::/8) and, forwarded, to an office
//     server on another internal subnet; so is DNS over TLS to it;
//   - after the header's remove commands everything is open again.
//
// The test binary plays all three parts (TestMain, roleEnv).

const (
	roleEnv     = "INHOUSE_FW_ROLE"
	topoFiles   = "INHOUSE_FW_TOPO_FILES" // the rendered files, for the gateway
	topoTimeout = 60 * time.Second
)

// Addresses of the topology. The WAN holds the "Internet" on its lo.
const (
	gwLanV4, lanV4 = "10.99.0.1", "10.99.0.2"
	gwLanV6, lanV6 = "fd99::1", "fd99::2"
	gwWanV4, wanV4 = "198.51.100.1", "198.51.100.2"
	gwWanV6, wanV6 = "2001:db8:100::1", "2001:db8:100::2"

	dohV4, dohV6 = "1.1.1.1", "2606:4700:4700::1111" // in the doh entry's ranges
	pubV4, pubV6 = "203.0.113.53", "2001:db8:53::53" // public, in no range
	srvV4, srvV6 = "192.168.50.1", "fd50::1"         // an office server behind the gateway
	// on the gateway's dummy interface: internal addresses of its own
	dummyV4a, dummyV4b, dummyV6 = "10.20.30.40", "192.168.7.1", "fd12::40"
)

type probe struct {
	proto, host, port string
	blocked           bool
	why               string
}

func (p probe) addr() string { return net.JoinHostPort(p.host, p.port) }

// gatewayProbes run from the gateway's own sockets.
var gatewayProbes = []probe{
	{"udp", dohV4, "53", false, "own resolver, plain DNS"},
	{"tcp", dohV4, "853", false, "own resolver, DNS over TLS"},
	{"udp", dohV4, "853", false, "own resolver, DNS over QUIC"},
	{"udp", dohV6, "53", false, "own resolver, plain DNS"},
	{"tcp", dohV4, "443", false, "own resolver, DNS over HTTPS"},
	{"tcp", dohV6, "853", false, "own resolver, DNS over TLS"},
	{"tcp", pubV4, "853", false, "DNS over TLS to a public address"},
	{"tcp", pubV6, "853", false, "DNS over TLS to a public address"},
	{"tcp", blockedV4, "443", true, "Telegram"},
	{"tcp", blockedV6, "443", true, "Telegram"},
	{"tcp", pubV4, "1863", true, "MSN port, public address"},
	{"tcp", pubV6, "1863", true, "MSN port, public address"},
	{"tcp", dummyV4a, "1863", false, "MSN port, internal 10.x"},
	{"tcp", dummyV4b, "1863", false, "MSN port, internal 192.168.x"},
	{"tcp", dummyV6, "1863", false, "MSN port, internal fc00::/7"},
	{"tcp", pubV4, "443", false, "control"},
}

// lanProbes run from the LAN device, forwarded by the gateway.
var lanProbes = []probe{
	{"udp", dohV4, "53", true, "DoH resolver's address"},
	{"tcp", dohV4, "443", true, "DNS over HTTPS"},
	{"tcp", dohV4, "853", true, "DNS over TLS"},
	{"udp", dohV4, "853", true, "DNS over QUIC"},
	{"tcp", dohV6, "443", true, "DNS over HTTPS"},
	{"udp", dohV6, "853", true, "DNS over QUIC"},
	{"tcp", pubV4, "853", true, "DNS over TLS, any public address"},
	{"udp", pubV4, "853", true, "DNS over QUIC, any public address"},
	{"tcp", pubV6, "853", true, "DNS over TLS, any public address"},
	{"tcp", blockedV4, "443", true, "Telegram"},
	{"tcp", blockedV6, "443", true, "Telegram"},
	{"tcp", pubV4, "1863", true, "MSN port, public address"},
	{"tcp", pubV6, "1863", true, "MSN port, public address"},
	{"tcp", srvV4, "1863", false, "MSN port, office server"},
	{"tcp", srvV6, "1863", false, "MSN port, office server"},
	{"tcp", srvV4, "853", false, "the office's own DNS over TLS"},
	{"tcp", pubV4, "443", false, "control"},
	{"tcp", pubV6, "443", false, "control"},
	{"udp", pubV4, "53", false, "control"},
	{"udp", pubV6, "53", false, "control"},
}

func TestForwardNftables(t *testing.T) { testForward(t, "nftables") }

func TestForwardIptables(t *testing.T) { testForward(t, "iptables", "ip6tables") }

func testForward(t *testing.T, formats ...string) {
	needTool(t, "ip", "unshare", "nft", "iptables-restore", "ip6tables-restore", "ipset")
	needNetns(t)
	cat := mustLoad(t)
	for _, a := range []string{dohV4, dohV6} {
		if !slices.ContainsFunc(cat.Entry("doh").Prefixes, func(p netip.Prefix) bool { return p.Contains(netip.MustParseAddr(a)) }) {
			t.Fatalf("%s is no longer in the doh entry's ranges: pick another resolver address for this test", a)
		}
	}
	var files []string
	for _, f := range formats {
		_, path := writeRendered(t, f, "telegram", "msn", "doh")
		files = append(files, path)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-rn", self)
	cmd.Env = append(os.Environ(), roleEnv+"=gateway", topoFiles+"="+strings.Join(files, string(os.PathListSeparator)))
	cmd.WaitDelay = time.Second
	timer := time.AfterFunc(topoTimeout, func() { _ = cmd.Process.Kill() })
	out, err := cmd.CombinedOutput()
	timer.Stop()
	t.Logf("namespaces:\n%s", out)
	if err != nil {
		t.Fatalf("%v in namespaces: %v", formats, err)
	}
}

func topologyRole(role string) error {
	switch role {
	case "gateway":
		return gateway(strings.Split(os.Getenv(topoFiles), string(os.PathListSeparator)))
	case "lan", "wan":
		return topoHelper(role)
	}
	return fmt.Errorf("unknown role %q", role)
}

func sh(args ...string) error {
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func shAll(steps [][]string) error {
	for _, s := range steps {
		if err := sh(s...); err != nil {
			return err
		}
	}
	return nil
}

// helper is a LAN or WAN namespace seen from the gateway: a child process
// talking in lines.
type helper struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
}

func startHelper(role string) (*helper, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	h := &helper{name: role, cmd: exec.Command("unshare", "-n", self)}
	h.cmd.Env = append(os.Environ(), roleEnv+"="+role)
	h.cmd.Stderr = os.Stdout
	if h.in, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h.out = bufio.NewScanner(stdout)
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	// "up": unshare has made the namespace and run the binary in it
	return h, h.expect("up")
}

// expect relays the helper's lines until one starts with word, and
// returns an error if that line says more than word (a failure).
func (h *helper) expect(word string) error {
	for h.out.Scan() {
		l := h.out.Text()
		fmt.Printf("  %s: %s\n", h.name, l)
		if strings.HasPrefix(l, word) {
			if l != word {
				return fmt.Errorf("%s: %s", h.name, l)
			}
			return nil
		}
	}
	return fmt.Errorf("%s ended before %q: %v", h.name, word, h.out.Err())
}

func (h *helper) send(line string) error {
	_, err := io.WriteString(h.in, line+"\n")
	return err
}

func (h *helper) stop() {
	h.in.Close()
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = h.cmd.Process.Kill()
	}
}

func gateway(files []string) error {
	if err := sh("ip", "link", "set", "lo", "up"); err != nil {
		return err
	}
	lan, err := startHelper("lan")
	if err != nil {
		return err
	}
	defer lan.stop()
	wan, err := startHelper("wan")
	if err != nil {
		return err
	}
	defer wan.stop()
	pid := func(h *helper) string { return strconv.Itoa(h.cmd.Process.Pid) }
	if err := shAll([][]string{
		{"ip", "link", "add", "gw-lan", "type", "veth", "peer", "name", "eth0", "netns", pid(lan)},
		{"ip", "link", "add", "gw-wan", "type", "veth", "peer", "name", "eth0", "netns", pid(wan)},
		{"ip", "link", "set", "gw-lan", "up"},
		{"ip", "link", "set", "gw-wan", "up"},
		{"ip", "addr", "add", gwLanV4 + "/24", "dev", "gw-lan"},
		{"ip", "-6", "addr", "add", gwLanV6 + "/64", "dev", "gw-lan", "nodad"},
		{"ip", "addr", "add", gwWanV4 + "/24", "dev", "gw-wan"},
		{"ip", "-6", "addr", "add", gwWanV6 + "/64", "dev", "gw-wan", "nodad"},
		{"ip", "route", "add", "default", "via", wanV4},
		{"ip", "-6", "route", "add", "default", "via", wanV6},
	}); err != nil {
		return err
	}
	for _, f := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"} {
		if err := os.WriteFile(f, []byte("1\n"), 0o644); err != nil {
			return err
		}
	}
	// the gateway's own internal addresses, on a dummy interface (a bridge
	// without ports where the kernel has no dummy driver: both only hold
	// local addresses)
	if err := sh("ip", "link", "add", "int0", "type", "dummy"); err != nil {
		if err := sh("ip", "link", "add", "int0", "type", "bridge"); err != nil {
			return err
		}
	}
	if err := shAll([][]string{
		{"ip", "link", "set", "int0", "up"},
		{"ip", "addr", "add", dummyV4a + "/32", "dev", "int0"},
		{"ip", "addr", "add", dummyV4b + "/32", "dev", "int0"},
		{"ip", "-6", "addr", "add", dummyV6 + "/128", "dev", "int0", "nodad"},
	}); err != nil {
		return err
	}
	for _, h := range []*helper{lan, wan} {
		if err := h.send("configure"); err != nil {
			return err
		}
		if err := h.expect("ready"); err != nil {
			return err
		}
	}
	stopListen, err := listen("tcp", "1863")
	if err != nil {
		return err
	}
	defer stopListen()

	// twice: the second load must replace the first
	for range 2 {
		if err := runHeaderCommands(files, "Apply"); err != nil {
			return err
		}
	}
	if err := loadedOnce(files); err != nil {
		return err
	}
	fmt.Println("gateway, rules loaded:")
	failed := runProbes(gatewayProbes, false)
	if err := lan.send("probe"); err != nil {
		return err
	}
	if err := lan.expect("probed"); err != nil {
		failed = append(failed, err.Error())
	}
	if err := runHeaderCommands(files, "Remove"); err != nil {
		return err
	}
	if err := removedAll(); err != nil {
		return err
	}
	fmt.Println("gateway, rules removed:")
	failed = append(failed, runProbes(gatewayProbes, true)...)
	if err := lan.send("probe-open"); err != nil {
		return err
	}
	if err := lan.expect("probed"); err != nil {
		failed = append(failed, err.Error())
	}
	if len(failed) > 0 {
		return fmt.Errorf("unexpected: %s", strings.Join(failed, "; "))
	}
	return nil
}

// runProbes tries each probe and returns those that did not go as
// expected (allOpen: every one must connect, the rules being gone).
func runProbes(ps []probe, allOpen bool) []string {
	var failed []string
	for _, p := range ps {
		var err error
		if p.proto == "tcp" {
			err = tcpTryFrom(p.addr(), nil)
		} else {
			err = udpTryFrom(p.addr(), nil)
		}
		want := p.blocked && !allOpen
		state := "open"
		if err != nil {
			state = "blocked (" + err.Error() + ")"
		}
		mark := "ok  "
		if (err != nil) != want {
			mark = "FAIL"
			failed = append(failed, p.proto+" "+p.addr()+" "+state)
		}
		fmt.Printf("    %s %s %-28s %-34s %s\n", mark, p.proto, p.addr(), p.why, state)
	}
	return failed
}

// runHeaderCommands runs the Apply or Remove commands each file's header
// gives, with FILE replaced by the file.
func runHeaderCommands(files []string, section string) error {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, c := range headerCommands(string(data), "#", section) {
			c = strings.ReplaceAll(c, "FILE", f)
			if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
				return fmt.Errorf("%s command %q: %v %s", section, c, err, out)
			}
		}
	}
	return nil
}

// headerCommands returns the lines of a header's Apply or Remove section,
// without the explanations in parentheses after a command.
func headerCommands(out, comment, section string) []string {
	var cmds []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, comment) {
			break
		}
		l = strings.TrimPrefix(l, comment+" ")
		switch {
		case strings.HasPrefix(l, "Apply"):
			in = section == "Apply"
		case strings.HasPrefix(l, "Remove:"):
			in = section == "Remove"
		case in && strings.HasPrefix(l, "  "):
			cmds = append(cmds, strings.TrimSpace(regexp.MustCompile(`\s{2,}\(.*\)$`).ReplaceAllString(l, "")))
		}
	}
	return cmds
}

// loadedOnce checks that two loads left one copy of everything.
func loadedOnce(files []string) error {
	out, err := exec.Command("nft", "list", "ruleset").Output()
	if err != nil {
		return err
	}
	rs := string(out)
	if strings.HasSuffix(files[0], "nftables.out") {
		if strings.Count(rs, "table inet inhouse_block") != 1 || strings.Count(rs, "jump block") != 2 || strings.Count(rs, "jump doh") != 1 {
			return fmt.Errorf("after two loads the ruleset is not one table:\n%s", rs)
		}
		return nil
	}
	for _, v := range []string{"iptables", "ip6tables"} {
		out, err := exec.Command(v + "-save").Output()
		if err != nil {
			return err
		}
		s := string(out)
		if strings.Count(s, "-A FORWARD -j INHOUSE_BLOCK") != 1 || strings.Count(s, "-A OUTPUT -j INHOUSE_BLOCK") != 1 ||
			strings.Count(s, "-A FORWARD -j INHOUSE_DOH") != 1 || strings.Contains(s, "-A OUTPUT -j INHOUSE_DOH") {
			return fmt.Errorf("%s after two loads:\n%s", v, s)
		}
	}
	return nil
}

// removedAll checks that the remove commands left nothing of ours.
func removedAll() error {
	var all strings.Builder
	for _, c := range [][]string{{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}, {"ipset", "list", "-n"}} {
		out, err := exec.Command(c[0], c[1:]...).Output()
		if err != nil {
			return fmt.Errorf("%s: %v", strings.Join(c, " "), err)
		}
		all.Write(out)
	}
	if s := strings.ToLower(all.String()); strings.Contains(s, "inhouse") {
		return fmt.Errorf("after the remove commands:\n%s", all.String())
	}
	return nil
}

// topoHelper is the LAN or the WAN namespace: it says "up", configures
// itself on "configure" (the gateway has moved eth0 in by then), then
// answers "probe" and "probe-open" (LAN) until its input ends.
func topoHelper(role string) error {
	in := bufio.NewScanner(os.Stdin)
	fmt.Println("up")
	for in.Scan() {
		switch in.Text() {
		case "configure":
			if err := configure(role); err != nil {
				fmt.Println("ready, but failed:", err)
				continue
			}
			if role == "wan" {
				for _, l := range [][2]string{{"tcp", "443"}, {"tcp", "853"}, {"tcp", "1863"}, {"udp", "53"}, {"udp", "853"}} {
					stop, err := listen(l[0], l[1], dohV4, dohV6, pubV4, pubV6)
					if err != nil {
						fmt.Println("ready, but failed:", err)
						continue
					}
					defer stop()
				}
			}
			fmt.Println("ready")
		case "probe", "probe-open":
			if failed := runProbes(lanProbes, in.Text() == "probe-open"); len(failed) > 0 {
				fmt.Println("probed, unexpected:", strings.Join(failed, "; "))
				continue
			}
			fmt.Println("probed")
		}
	}
	return nil
}

func configure(role string) error {
	steps := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "link", "set", "eth0", "up"},
	}
	if role == "lan" {
		steps = append(steps,
			[]string{"ip", "addr", "add", lanV4 + "/24", "dev", "eth0"},
			[]string{"ip", "-6", "addr", "add", lanV6 + "/64", "dev", "eth0", "nodad"},
			[]string{"ip", "route", "add", "default", "via", gwLanV4},
			[]string{"ip", "-6", "route", "add", "default", "via", gwLanV6})
		return shAll(steps)
	}
	steps = append(steps,
		[]string{"ip", "addr", "add", wanV4 + "/24", "dev", "eth0"},
		[]string{"ip", "-6", "addr", "add", wanV6 + "/64", "dev", "eth0", "nodad"},
		[]string{"ip", "route", "add", "default", "via", gwWanV4},
		[]string{"ip", "-6", "route", "add", "default", "via", gwWanV6})
	for _, a := range []string{dohV4, pubV4, srvV4, blockedV4} {
		steps = append(steps, []string{"ip", "addr", "add", a + "/32", "dev", "lo"})
	}
	for _, a := range []string{dohV6, pubV6, srvV6, blockedV6} {
		steps = append(steps, []string{"ip", "-6", "addr", "add", a + "/128", "dev", "lo", "nodad"})
	}
	return shAll(steps)
}

// listen accepts TCP connections (closing them) on every address of the
// namespace, or echoes UDP datagrams on each of hosts (a reply from a
// wildcard socket would leave from the route's address, which the
// client's connected socket does not take), until stop.
func listen(proto, port string, hosts ...string) (stop func(), err error) {
	if proto == "udp" {
		var conns []net.PacketConn
		stop := func() {
			for _, u := range conns {
				u.Close()
			}
		}
		for _, h := range hosts {
			u, err := net.ListenPacket("udp", net.JoinHostPort(h, port))
			if err != nil {
				stop()
				return nil, err
			}
			conns = append(conns, u)
			go func() {
				buf := make([]byte, 64)
				for {
					n, from, err := u.ReadFrom(buf)
					if err != nil {
						return
					}
					_, _ = u.WriteTo(buf[:n], from)
				}
			}()
		}
		return stop, nil
	}
	l, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return func() { l.Close() }, nil
}

// The header's commands are what an admin types: they must parse out whole.
func TestHeaderCommands(t *testing.T) {
	cat := mustLoad(t)
	got := headerCommands(render(t, "nftables", cat, "telegram"), "#", "Apply")
	if strings.Join(got, "|") != "nft -f FILE" {
		t.Fatalf("nftables apply: %q", got)
	}
	got = headerCommands(render(t, "iptables", cat, "telegram"), "#", "Remove")
	if len(got) != 3 || !strings.HasPrefix(got[2], "ipset destroy") {
		t.Fatalf("iptables remove: %q", got)
	}
}
