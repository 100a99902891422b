package firewall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go4.org/netipx"
)

// Teams for work and school keeps working with --block all and every
// business and social entry, shown with the real tools (issue 21):
//
//   - resolvable: a real dnsmasq on 127.0.0.1 loads the rendered dnsmasq
//     file and answers every other name with a fixed address
//     (--address=/#/…; a more specific --address=/domain/ takes precedence,
//     see dnsmasq(8) under --server and --address). Every name of
//     Microsoft's list resolves to that address; the names of the selected
//     entries, and a sample of blocked names, get NXDOMAIN, which is what
//     the renderer's address=/domain/ lines answer.
//   - reachable: in a throwaway `unshare -rn` namespace the nftables (or
//     iptables/ip6tables) rules are applied with the file's header
//     commands; addresses of every range in Microsoft's list sit on lo and
//     answer on TCP 443, UDP 443 (QUIC) and UDP 3478 (Teams media), while
//     an address in each blocked entry's ranges (Telegram's 91.108.4.1
//     among them) is refused.
//
// The test binary re-executes itself in the namespace; the child's part is
// chosen by teamsNetnsEnv, handled in init (before TestMain).

// What dnsmasq answers for every name the rendered file does not block.
var teamsOpenAnswer = []netip.Addr{netip.MustParseAddr(okV4), netip.MustParseAddr(okV6)}

// teamsBlockedSample must not get through: subdomains issue 21 names, and
// Teams free (the skype entry).
var teamsBlockedSample = []string{"web.whatsapp.com", "gateway.discord.gg", "cdn3.signal.org", "teams.live.com"}

// teamsSelection is --block all plus every business and social entry.
func teamsSelection(t *testing.T, cat *Catalog) []string {
	t.Helper()
	biz := businessIDs(cat)
	if len(biz) == 0 {
		t.Fatal("the catalog has no business or social entries")
	}
	return append([]string{"all"}, biz...)
}

// mustTools fails (never skips) when a command is missing.
func mustTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s not installed (apt-get install nftables iptables ipset dnsmasq iproute2 util-linux): %v", n, err)
		}
	}
}

func TestTeamsForWorkResolvable(t *testing.T) {
	mustTools(t, "dnsmasq")
	cat := mustLoad(t)
	tw := loadTeamsWork(t)
	ids := teamsSelection(t, cat)
	_, conf := writeRendered(t, "dnsmasq", ids...)
	server := startDnsmasq(t, conf)
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}

	// names Teams for work needs: Microsoft's list ("*.x": a name below x)
	// and the names teams_test.go keeps open for it
	var open []string
	for _, w := range tw.names {
		if x, ok := strings.CutPrefix(w, "*."); ok {
			w = "inhouse-probe." + x
		}
		open = append(open, w)
	}
	open = append(open, slices.Sorted(maps.Keys(teamsKeepOpen))...)

	// blocked: the sample, and every name of every selected entry, each
	// with a name below it (the file blocks subdomains too)
	entries, err := cat.Select(ids)
	if err != nil {
		t.Fatal(err)
	}
	blocked := slices.Clone(teamsBlockedSample)
	for _, e := range entries {
		for _, n := range slices.Concat(e.Domains, e.Hosts) {
			blocked = append(blocked, n, "inhouse-probe."+n)
		}
	}
	slices.Sort(blocked)
	blocked = slices.Compact(blocked)

	forEach(open, func(name string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		got, err := r.LookupNetIP(ctx, "ip", name+".") // rooted: no search domains
		if err != nil {
			t.Errorf("Teams for work's %s does not resolve at dnsmasq %s: %v", name, server, err)
			return
		}
		for i := range got {
			got[i] = got[i].Unmap()
		}
		slices.SortFunc(got, netip.Addr.Compare)
		if !slices.Equal(got, teamsOpenAnswer) {
			t.Errorf("Teams for work's %s resolves to %v, want %v", name, got, teamsOpenAnswer)
		}
	})
	forEach(blocked, func(name string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		got, err := r.LookupNetIP(ctx, "ip", name+".")
		var de *net.DNSError
		if err == nil || !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("blocked %s: got %v, %v; want no such host", name, got, err)
			return
		}
		// the Go resolver says "no such host" for NODATA too: the
		// renderer's address=/name/ answers NXDOMAIN for both types
		for _, q := range []uint16{1, 28} { // A, AAAA
			if rc, err := dnsRcode(server, name, q); err != nil || rc != 3 {
				t.Errorf("blocked %s, type %d: rcode %d, %v; want 3 (NXDOMAIN)", name, q, rc, err)
			}
		}
	})
	t.Logf("dnsmasq with --block %s: %d names Teams for work needs resolve to %v; %d blocked names (%s among them) answer NXDOMAIN",
		strings.Join(ids, ","), len(open), teamsOpenAnswer, len(blocked), strings.Join(teamsBlockedSample, ", "))
}

// forEach runs f on every name, a few at a time.
func forEach(names []string, f func(string)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, n := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f(n)
		})
	}
	wg.Wait()
}

// startDnsmasq runs dnsmasq in the foreground on 127.0.0.1 at a free port,
// with conf and nothing of this machine's (no resolv.conf, no hosts file,
// no pid file; --user= and --group= keep it from changing ids, which a
// user namespace with one id mapped cannot). It is killed at the end of
// the test. The answer is the server's address.
func startDnsmasq(t *testing.T, conf string) string {
	t.Helper()
	bin, err := exec.LookPath("dnsmasq")
	if err != nil {
		t.Fatalf("dnsmasq not installed: %v", err)
	}
	dir := t.TempDir()
	for attempt := range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		logPath := filepath.Join(dir, fmt.Sprintf("dnsmasq-%d.log", attempt))
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "--keep-in-foreground", "--no-resolv", "--no-hosts",
			"--port="+strconv.Itoa(port), "--listen-address=127.0.0.1", "--bind-interfaces",
			"--conf-file="+conf, "--address=/#/"+okV4, "--address=/#/"+okV6,
			"--pid-file=", "--user=", "--group=", "--log-facility=-")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatalf("starting dnsmasq: %v", err)
		}
		var waitErr error
		exited := make(chan struct{})
		go func() { waitErr = cmd.Wait(); close(exited) }()
		stop := func() error {
			_ = cmd.Process.Kill()
			<-exited
			logFile.Close()
			return waitErr
		}
		if waitDNS(addr, exited) {
			t.Cleanup(func() {
				_ = stop()
				if t.Failed() {
					out, _ := os.ReadFile(logPath)
					t.Logf("dnsmasq's log:\n%s", out)
				}
			})
			return addr
		}
		err = stop()
		out, _ := os.ReadFile(logPath)
		if strings.Contains(string(out), "in use") {
			continue // the port was taken in between: another one
		}
		t.Fatalf("dnsmasq did not answer on %s (%v):\n%s", addr, err, out)
	}
	t.Fatal("dnsmasq found no free port in 5 attempts")
	return ""
}

// freePort returns a port that is free on 127.0.0.1 for both UDP and TCP.
func freePort() (int, error) {
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		u.Close()
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, errors.New("no port free for both UDP and TCP")
}

// waitDNS waits until the server answers a name no rule blocks, for at
// most 10 seconds or until the process ends.
func waitDNS(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if rc, err := dnsRcode(addr, "inhouse-control.example", 1); err == nil && rc == 0 {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// dnsRcode sends one query (type qtype, class IN, recursion desired) over
// UDP and returns the answer's response code (0 NOERROR, 3 NXDOMAIN).
func dnsRcode(server, name string, qtype uint16) (int, error) {
	msg := []byte{0x1d, 0x5e, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if len(label) == 0 || len(label) > 63 {
			return -1, fmt.Errorf("bad name %q", name)
		}
		msg = append(msg, byte(len(label)))
		msg = append(msg, label...)
	}
	msg = append(msg, 0, byte(qtype>>8), byte(qtype), 0, 1)
	c, err := net.Dial("udp", server)
	if err != nil {
		return -1, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return -1, err
	}
	if _, err := c.Write(msg); err != nil {
		return -1, err
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return -1, err
	}
	if n < 12 || buf[0] != msg[0] || buf[1] != msg[1] || buf[2]&0x80 == 0 {
		return -1, fmt.Errorf("not an answer to our query: % x", buf[:n])
	}
	return int(buf[3] & 0x0f), nil
}

// teamsNetnsEnv names the spec file of the namespace child (teamsSpec, as
// JSON) when the test binary runs as that child.
const teamsNetnsEnv = "INHOUSE_FW_TEAMS_NETNS"

func init() {
	spec := os.Getenv(teamsNetnsEnv)
	if spec == "" {
		return
	}
	if err := teamsNetnsChild(spec); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// teamsSpec is what the namespace child does: apply the files with their
// header's Apply commands, then try every target on teamsPorts.
type teamsSpec struct {
	Files   []string
	Targets []teamsTarget
}

type teamsTarget struct {
	Addr    string
	Why     string
	Blocked bool
}

// teamsPorts: Teams' signalling and web (TCP 443), QUIC (UDP 443) and
// media (UDP 3478, the first of 3478-3481).
var teamsPorts = [][2]string{{"tcp", "443"}, {"udp", "443"}, {"udp", "3478"}}

func TestTeamsForWorkReachableNftables(t *testing.T) { testTeamsReachable(t, "nftables") }

func TestTeamsForWorkReachableIptables(t *testing.T) {
	testTeamsReachable(t, "iptables", "ip6tables")
}

func testTeamsReachable(t *testing.T, formats ...string) {
	tools := []string{"unshare", "ip"}
	if formats[0] == "nftables" {
		tools = append(tools, "nft")
	} else {
		tools = append(tools, "ipset", "iptables-restore", "ip6tables-restore", "iptables", "ip6tables")
	}
	mustTools(t, tools...)
	if out, err := run(t, "", "unshare", "-rn", "true"); err != nil {
		t.Fatalf("unshare -rn does not work here: %v %s", err, out)
	}
	cat := mustLoad(t)
	tw := loadTeamsWork(t)
	ids := teamsSelection(t, cat)
	entries, err := cat.Select(ids)
	if err != nil {
		t.Fatal(err)
	}

	var spec teamsSpec
	for _, f := range formats {
		_, path := writeRendered(t, f, ids...)
		spec.Files = append(spec.Files, path)
	}
	// Teams for work: the first and the last address of every range
	for _, r := range tw.ranges {
		for _, a := range ends(r) {
			spec.Targets = append(spec.Targets, teamsTarget{a.String(), "Teams for work " + r.String(), false})
		}
	}
	// blocked: Telegram's 91.108.4.1 and an address of the first IPv4 and
	// IPv6 range of every selected entry that has ranges
	blocked := []teamsTarget{{"91.108.4.1", "telegram 91.108.4.0/22", true}}
	for _, e := range entries {
		for _, is4 := range []bool{true, false} {
			if i := slices.IndexFunc(e.Prefixes, func(p netip.Prefix) bool { return p.Addr().Is4() == is4 }); i >= 0 {
				p := e.Prefixes[i]
				blocked = append(blocked, teamsTarget{ends(p)[0].String(), e.ID + " " + p.String(), true})
			}
		}
	}
	for _, b := range blocked {
		a := netip.MustParseAddr(b.Addr)
		if !slices.ContainsFunc(entries, func(e *Entry) bool {
			return slices.ContainsFunc(e.Prefixes, func(p netip.Prefix) bool { return p.Contains(a) })
		}) {
			t.Fatalf("%s (%s) is in no selected entry's ranges", b.Addr, b.Why)
		}
		if !slices.ContainsFunc(spec.Targets, func(x teamsTarget) bool { return x.Addr == b.Addr }) {
			spec.Targets = append(spec.Targets, b)
		}
	}
	if len(spec.Targets) < len(tw.ranges)+3 {
		t.Fatalf("only %d targets", len(spec.Targets))
	}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	specFile := writeFile(t, filepath.Join(t.TempDir(), "teams-spec.json"), string(data))

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-rn", self)
	cmd.Env = append(os.Environ(), teamsNetnsEnv+"="+specFile)
	cmd.WaitDelay = time.Second
	timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	out, err := cmd.CombinedOutput()
	timer.Stop()
	t.Logf("--block %s, %s rules, in a namespace:\n%s", strings.Join(ids, ","), strings.Join(formats, "+"), out)
	if err != nil {
		t.Fatalf("%v in the namespace: %v", formats, err)
	}
}

// ends returns the first and the last host address of p (the address
// itself for a single address).
func ends(p netip.Prefix) []netip.Addr {
	p = p.Masked()
	if p.IsSingleIP() {
		return []netip.Addr{p.Addr()}
	}
	first, last := p.Addr().Next(), netipx.PrefixLastIP(p).Prev()
	if !first.Less(last) {
		return []netip.Addr{first}
	}
	return []netip.Addr{first, last}
}

// teamsNetnsChild runs in the namespace: every target address and the
// sources okV4 and okV6 on lo, the rules applied, listeners on
// teamsPorts; then every target is tried from okV4 or okV6 (the reset a
// reject sends back must not be addressed to a blocked range itself).
func teamsNetnsChild(specFile string) error {
	data, err := os.ReadFile(specFile)
	if err != nil {
		return err
	}
	var spec teamsSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	steps := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "addr", "add", okV4 + "/32", "dev", "lo"},
		{"ip", "-6", "addr", "add", okV6 + "/128", "dev", "lo", "nodad"},
	}
	var hosts []string
	for _, tg := range spec.Targets {
		if netip.MustParseAddr(tg.Addr).Is4() {
			steps = append(steps, []string{"ip", "addr", "add", tg.Addr + "/32", "dev", "lo"})
		} else {
			steps = append(steps, []string{"ip", "-6", "addr", "add", tg.Addr + "/128", "dev", "lo", "nodad"})
		}
		hosts = append(hosts, tg.Addr)
	}
	if err := shAll(steps); err != nil {
		return err
	}
	if err := runHeaderCommands(spec.Files, "Apply"); err != nil {
		return err
	}
	for _, p := range teamsPorts {
		stop, err := listen(p[0], p[1], hosts...)
		if err != nil {
			return err
		}
		defer stop()
	}

	var failed []string
	open, refused := 0, 0
	for _, tg := range spec.Targets {
		var states []string
		bad := false
		for _, p := range teamsPorts {
			addr := net.JoinHostPort(tg.Addr, p[1])
			var err error
			if p[0] == "tcp" {
				err = tcpTry(addr)
			} else {
				err = udpTry(addr)
			}
			state := "open"
			switch {
			case err != nil && p[0] == "tcp" && !errors.Is(err, syscall.ECONNREFUSED):
				state = "not refused: " + err.Error()
			case err != nil:
				state = "blocked"
			}
			if (state == "open") == tg.Blocked || strings.HasPrefix(state, "not refused") {
				bad = true
				failed = append(failed, p[0]+" "+addr+" "+state)
			}
			states = append(states, p[0]+"/"+p[1]+" "+state)
		}
		mark := "ok  "
		switch {
		case bad:
			mark = "FAIL"
		case tg.Blocked:
			refused++
		default:
			open++
		}
		fmt.Printf("%s %-40s %-38s %s\n", mark, tg.Addr, tg.Why, strings.Join(states, ", "))
	}
	fmt.Printf("%d Teams for work addresses open, %d blocked addresses refused\n", open, refused)
	if len(failed) > 0 {
		return fmt.Errorf("unexpected: %s", strings.Join(failed, "; "))
	}
	return nil
}
