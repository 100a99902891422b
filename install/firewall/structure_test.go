package firewall

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"go4.org/netipx"
)

// No validator for these formats runs on Linux, so each line is checked
// against the syntax the renderer promises.

// body returns the lines after the header comment (comment lines dropped).
func bodyLines(out, comment string) []string {
	var ls []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, comment) {
			ls = append(ls, l)
		}
	}
	return ls
}

func checkLines(t *testing.T, name string, lines []string, res ...*regexp.Regexp) {
	t.Helper()
	for _, l := range lines {
		ok := false
		for _, re := range res {
			if re.MatchString(l) {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("%s: unexpected line %q", name, l)
		}
	}
}

const (
	domainRE = `[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+`
	portsRE  = `\d+(-\d+)?`
)

func isPrefix(s string) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Masked() == p
}

func TestPfStructure(t *testing.T) {
	cat := mustLoad(t)
	out := render(t, "pf", cat, everything...)
	lines := bodyLines(out, "#")
	var tables []string
	i := 0
	for ; strings.HasPrefix(lines[i], "table <"); i++ {
		name, ok := strings.CutSuffix(strings.TrimPrefix(lines[i], "table <"), "> const { \\")
		if !ok {
			t.Fatalf("pf: bad table line %q", lines[i])
		}
		tables = append(tables, name)
		for i++; lines[i] != "}"; i++ {
			addr, ok := strings.CutSuffix(strings.TrimPrefix(lines[i], "\t"), " \\")
			if !ok || !isPrefix(addr) {
				t.Fatalf("pf: bad table line %q", lines[i])
			}
		}
	}
	if strings.Join(tables, " ") != "inhouse_block inhouse_doh inhouse_internal" {
		t.Fatalf("pf: tables %v", tables)
	}
	pr := `\d+(:\d+)?`
	checkLines(t, "pf", lines[i:],
		regexp.MustCompile(`^block return quick to <inhouse_block>$`),
		regexp.MustCompile(`^block return in quick to <inhouse_doh>$`),
		regexp.MustCompile(`^block return (in )?quick proto (tcp|udp) to ! <inhouse_internal> port \{ `+pr+`( `+pr+`)* \}$`))
	if !strings.Contains(out, "proto udp") || !strings.Contains(out, "proto tcp") {
		t.Fatal("pf: port rules missing")
	}
	// DoT is blocked on its way in from the LAN only, never in both directions
	if !regexp.MustCompile(`(?m)^block return in quick proto tcp to ! <inhouse_internal> port \{ 853 \}$`).MatchString(out) ||
		regexp.MustCompile(`(?m)^block return quick .*\b853\b`).MatchString(out) {
		t.Fatal("pf: port 853 must be blocked inbound (forwarded) only")
	}
}

func TestWindowsStructure(t *testing.T) {
	cat := mustLoad(t)
	out := render(t, "windows", cat, everything...)
	lines := bodyLines(out, "#")
	if lines[0] != "$group = 'Inhouse messenger block'" || !strings.HasPrefix(lines[1], "Get-NetFirewallRule -Group $group") || !strings.HasSuffix(lines[1], "| Remove-NetFirewallRule") {
		t.Fatalf("windows: must remove its group first, got %q %q", lines[0], lines[1])
	}
	newRule := regexp.MustCompile(`^New-NetFirewallRule -DisplayName '[^']+' -Group \$group -Direction Outbound -Action Block -Profile Any `)
	inList, n := false, 0
	inInternet, internet := false, false
	var external []string
	for _, l := range lines[2:] {
		switch {
		case inList && l == ") | Out-Null":
			if n == 0 || n > windowsChunk {
				t.Fatalf("windows: rule with %d addresses", n)
			}
			inList = false
		case inList:
			a, ok := strings.CutPrefix(l, "\t'")
			a, ok2 := strings.CutSuffix(strings.TrimSuffix(a, ","), "'")
			if !ok || !ok2 || !isPrefix(a) {
				t.Fatalf("windows: bad address line %q", l)
			}
			n++
		case newRule.MatchString(l) && strings.HasSuffix(l, "-RemoteAddress @("):
			inList, n = true, 0
		case newRule.MatchString(l) && regexp.MustCompile(`-Protocol (TCP|UDP) -RemotePort @\('`+portsRE+`'(,'`+portsRE+`')*\) -RemoteAddress \$internet \| Out-Null$`).MatchString(l):
			if !internet {
				t.Fatal("windows: port rule before $internet")
			}
		case l == "$internet = @(":
			inInternet = true
		case inInternet && l == ")":
			inInternet, internet = false, true
		case inInternet:
			a, ok := strings.CutPrefix(l, "\t'")
			a, ok2 := strings.CutSuffix(strings.TrimSuffix(a, ","), "'")
			if !ok || !ok2 {
				t.Fatalf("windows: bad $internet line %q", l)
			}
			external = append(external, a)
		default:
			t.Fatalf("windows: unexpected line %q", l)
		}
	}
	if inList {
		t.Fatal("windows: unterminated address list")
	}
	// $internet is every address but the internal ranges, and nothing of them
	var b netipx.IPSetBuilder
	for _, a := range external {
		if r, err := netipx.ParseIPRange(a); err == nil {
			b.AddRange(r)
		} else {
			b.AddPrefix(netip.MustParsePrefix(a))
		}
	}
	set, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range append(append([]netip.Prefix{}, internalV4...), internalV6...) {
		if set.OverlapsPrefix(in) {
			t.Fatalf("windows: $internet overlaps %s", in)
		}
		b.AddPrefix(in)
	}
	all, _ := b.IPSet()
	if !all.ContainsPrefix(netip.MustParsePrefix("0.0.0.0/0")) || !all.ContainsPrefix(netip.MustParsePrefix("::/0")) {
		t.Fatal("windows: $internet and the internal ranges do not cover every address")
	}
}

// A catalog with more than 400 separate addresses gives rules of at most 200.
func TestWindowsChunks(t *testing.T) {
	var rs []string
	for i := range 450 {
		rs = append(rs, fmt.Sprintf(`"198.51.%d.%d/32"`, 90+i/100, 2*(i%100)))
	}
	js := strings.Replace(testCatalog("", ""), `"ranges": ["198.51.99.0/24"]`, `"ranges": [`+strings.Join(rs, ",")+`]`, 1)
	cat, err := Parse([]byte(js), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, "windows", cat, "bad")
	if c := strings.Count(out, "-RemoteAddress @("); c != 3 {
		t.Fatalf("450 addresses in %d rules, want 3", c)
	}
	for _, part := range strings.Split(out, "-RemoteAddress @(")[1:] {
		if n := strings.Count(strings.Split(part, ") | Out-Null")[0], "'"); n/2 > windowsChunk {
			t.Fatalf("rule with %d addresses", n/2)
		}
	}
}

func TestMikrotikStructure(t *testing.T) {
	cat := mustLoad(t)
	out := render(t, "mikrotik", cat, everything...)
	lines := bodyLines(out, "#")
	section := ""
	var sections []string
	tag := ` comment="inhouse-block"$`
	for _, l := range lines {
		if strings.HasPrefix(l, "/") {
			section = l
			sections = append(sections, l)
			continue
		}
		if l == `remove [find list=inhouse_block]` || l == `remove [find list=inhouse_internal]` || l == `remove [find comment="inhouse-block"]` {
			continue
		}
		var re *regexp.Regexp
		switch section {
		case "/ip firewall address-list", "/ipv6 firewall address-list":
			m := regexp.MustCompile(`^add list=inhouse_(?:block|internal) address=(\S+)` + tag).FindStringSubmatch(l)
			if m == nil || !isPrefix(m[1]) || strings.Contains(m[1], ":") != (section == "/ipv6 firewall address-list") {
				t.Fatalf("mikrotik: bad address line %q in %s", l, section)
			}
			continue
		case "/ip firewall filter", "/ipv6 firewall filter":
			re = regexp.MustCompile(`^add chain=forward action=reject reject-with=(tcp-reset protocol=tcp|icmp-admin-prohibited( protocol=udp)?) (dst-address-list=inhouse_block|dst-address-list=!inhouse_internal dst-port=` + portsRE + `(,` + portsRE + `)*)` + tag)
			if m := regexp.MustCompile(`dst-port=(\S+)`).FindStringSubmatch(l); m != nil && len(strings.Split(m[1], ",")) > 15 {
				t.Fatalf("mikrotik: more than 15 ports in %q", l)
			}
		case "/ip dns static":
			re = regexp.MustCompile(`^add name=` + domainRE + ` type=NXDOMAIN match-subdomain=yes` + tag)
		default:
			t.Fatalf("mikrotik: line %q outside a known section", l)
		}
		if !re.MatchString(l) {
			t.Fatalf("mikrotik: bad line %q in %s", l, section)
		}
	}
	want := "/ip firewall address-list|/ipv6 firewall address-list|/ip firewall filter|/ipv6 firewall filter|/ip dns static"
	if strings.Join(sections, "|") != want {
		t.Fatalf("mikrotik sections %v", sections)
	}
}

func TestHostsStructure(t *testing.T) {
	cat := mustLoad(t)
	out := render(t, "hosts", cat, everything...)
	lines := bodyLines(out, "#")
	if len(lines)%2 != 0 || !strings.HasSuffix(out, "# END inhouse-block\n") || !strings.HasPrefix(out, "# Inhouse messenger block rules") {
		t.Fatal("hosts: needs begin/end markers and pairs of lines")
	}
	re := regexp.MustCompile(`^(0\.0\.0\.0|::) (` + domainRE + `)$`)
	for i := 0; i < len(lines); i += 2 {
		a, b := re.FindStringSubmatch(lines[i]), re.FindStringSubmatch(lines[i+1])
		if a == nil || b == nil || a[1] != "0.0.0.0" || b[1] != "::" || a[2] != b[2] {
			t.Fatalf("hosts: bad pair %q %q", lines[i], lines[i+1])
		}
	}
	for _, n := range []string{"web.whatsapp.com", "whatsapp.com", "chat.signal.org"} {
		if !strings.Contains(out, "0.0.0.0 "+n+"\n") {
			t.Fatalf("hosts: %s missing", n)
		}
	}
}

func TestAdblockStructure(t *testing.T) {
	cat := mustLoad(t)
	out := render(t, "adblock", cat, everything...)
	checkLines(t, "adblock", bodyLines(out, "!"), regexp.MustCompile(`^\|\|`+domainRE+`\^$`))
	if !strings.Contains(out, "||use-application-dns.net^\n") || strings.Contains(out, "||web.whatsapp.com^") {
		t.Fatal("adblock: canary missing or covered subdomain listed")
	}
}

func TestRpzIP(t *testing.T) {
	for in, want := range map[string]string{
		"149.154.160.0/20":         "20.0.160.154.149.rpz-ip",
		"2001:67c:4e8::/48":        "48.zz.4e8.67c.2001.rpz-ip",
		"2001:4860:4860::8888/128": "128.8888.zz.4860.4860.2001.rpz-ip",
		"2a0a:f280::/32":           "32.zz.f280.2a0a.rpz-ip",
		"2001:db8:0:1:0:0:0:0/64":  "64.zz.1.0.db8.2001.rpz-ip",
	} {
		if got := rpzIP(netip.MustParsePrefix(in)); got != want {
			t.Fatalf("rpzIP(%s) = %s, want %s", in, got, want)
		}
	}
}
