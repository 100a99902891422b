package firewall

import (
	"strings"
	"testing"
)

// flatHead is a header's text with the comment markers and line breaks gone.
func flatHead(t *testing.T, format, out string) string {
	t.Helper()
	c := formats[format].comment
	var words []string
	for _, l := range strings.Split(headOf(t, format, out), "\n") {
		words = append(words, strings.Fields(strings.TrimPrefix(l, c))...)
	}
	return strings.Join(words, " ")
}

// Every firewall format says whose traffic it sees, where port rules stop
// (the internal ranges) and, with doh chosen, what its doh part does to
// the gateway's own DNS; the hosts format says it cannot match subdomains.
func TestHeadersSayScope(t *testing.T) {
	cat := mustLoad(t)
	for _, f := range Formats() {
		withDoH := flatHead(t, f, render(t, f, cat, "msn", "doh"))
		without := flatHead(t, f, render(t, f, cat, "msn"))
		if !formats[f].ip {
			continue
		}
		for _, want := range []string{
			"towards every address but the internal ones (" + internalWords + ")",
			formats[f].scope,
		} {
			if !strings.Contains(without, want) {
				t.Fatalf("%s header lacks %q:\n%s", f, want, without)
			}
		}
		if !strings.Contains(withDoH, formats[f].dohScope) || strings.Contains(without, formats[f].dohScope) {
			t.Fatalf("%s: the doh sentence must be there exactly when doh is chosen:\n%s", f, withDoH)
		}
	}
	for _, f := range []string{"nftables", "iptables", "ip6tables", "pf", "mikrotik"} {
		if s := formats[f].dohScope; !strings.Contains(s, "own") || !strings.Contains(s, "LAN") {
			t.Fatalf("%s: the doh sentence does not speak of the LAN and the gateway's own traffic: %q", f, s)
		}
	}
	if s := formats["windows"].dohScope + formats["windows"].scope; !strings.Contains(s, "forwards nothing") {
		t.Fatalf("windows: must say a PC forwards nothing: %q", s)
	}
	hosts := flatHead(t, "hosts", render(t, "hosts", cat, "discord"))
	for _, want := range []string{"A hosts file cannot match subdomains", "The DNS formats (dnsmasq, unbound, rpz, adblock) block every subdomain and are stronger"} {
		if !strings.Contains(hosts, want) {
			t.Fatalf("hosts header lacks %q:\n%s", want, hosts)
		}
	}
}

// In the nftables and iptables output the doh part hangs off forward only,
// and every port rule comes after the return for the internal ranges.
func TestDoHForwardOnlyText(t *testing.T) {
	cat := mustLoad(t)
	nft := render(t, "nftables", cat, "msn", "doh")
	for _, want := range []string{
		"\tchain forward {\n\t\ttype filter hook forward priority filter - 5; policy accept;\n\t\tjump block\n\t\tjump doh\n\t}\n",
		"\tchain output {\n\t\ttype filter hook output priority filter - 5; policy accept;\n\t\tjump block\n\t}\n",
		"\tchain doh {\n\t\tip daddr @doh_v4 meta l4proto tcp",
		"\t\tip daddr @internal_v4 return\n\t\tip6 daddr @internal_v6 return\n\t\ttcp dport @doh_tcp_ports",
		"\t\tip daddr @internal_v4 return\n\t\tip6 daddr @internal_v6 return\n\t\ttcp dport @tcp_ports",
	} {
		if !strings.Contains(nft, want) {
			t.Fatalf("nftables lacks %q:\n%s", want, nft)
		}
	}
	if i := strings.Index(nft, "chain block {"); strings.Contains(nft[i:strings.Index(nft[i:], "}")+i], "853") {
		t.Fatal("nftables: 853 in chain block")
	}
	if strings.Contains(render(t, "nftables", cat, "msn"), "doh") {
		t.Fatal("nftables without doh mentions doh")
	}
	ipt := render(t, "iptables", cat, "msn", "doh")
	for _, l := range strings.Split(ipt, "\n") {
		if strings.Contains(l, "853") && strings.HasPrefix(l, "-A") && !strings.HasPrefix(l, "-A INHOUSE_DOH ") {
			t.Fatalf("iptables: %q outside INHOUSE_DOH", l)
		}
	}
}
