package firewall

import (
	"fmt"
	"net/netip"
)

// iptables/ip6tables: the ipset restore lines first (a temporary set filled
// and swapped in atomically), then iptables-restore input for a chain of our
// own that --noflush replaces on every load.
func iptablesFormat(v int) format {
	cmd, set, family, reject := "iptables", "inhouse_v4", "inet", "icmp-admin-prohibited"
	if v == 6 {
		cmd, set, family, reject = "ip6tables", "inhouse_v6", "inet6", "icmp6-adm-prohibited"
	}
	return format{
		comment: "#",
		ip:      true,
		apply: []string{
			`sed '/^\*filter/,$d' FILE | ipset restore`,
			`sed -n '/^\*filter/,$p' FILE | ` + cmd + `-restore --noflush`,
			`for c in FORWARD OUTPUT; do ` + cmd + ` -C $c -j INHOUSE_BLOCK 2>/dev/null || ` + cmd + ` -I $c -j INHOUSE_BLOCK; done`,
		},
		remove: []string{
			`for c in FORWARD OUTPUT; do ` + cmd + ` -D $c -j INHOUSE_BLOCK; done`,
			cmd + ` -F INHOUSE_BLOCK; ` + cmd + ` -X INHOUSE_BLOCK; ipset destroy ` + set,
		},
		body: func(w *writer, p *plan) {
			ps := p.V4
			if v == 6 {
				ps = p.V6
			}
			ipsetLines(w, set, family, ps)
			w.line("*filter")
			w.line(":INHOUSE_BLOCK - [0:0]")
			w.f("-A INHOUSE_BLOCK -p tcp -m set --match-set %s dst -j REJECT --reject-with tcp-reset", set)
			w.f("-A INHOUSE_BLOCK -m set --match-set %s dst -j REJECT --reject-with %s", set, reject)
			for _, g := range chunkPorts(p.TCP, 15) {
				w.f("-A INHOUSE_BLOCK -p tcp -m multiport --dports %s -j REJECT --reject-with tcp-reset", joinPorts(g, ",", ":"))
			}
			for _, g := range chunkPorts(p.UDP, 15) {
				w.f("-A INHOUSE_BLOCK -p udp -m multiport --dports %s -j REJECT --reject-with %s", joinPorts(g, ",", ":"), reject)
			}
			w.line("COMMIT")
		},
	}
}

func ipsetLines(w *writer, set, family string, ps []netip.Prefix) {
	maxelem := 65536
	for maxelem < len(ps) {
		maxelem *= 2
	}
	spec := fmt.Sprintf("hash:net family %s hashsize 1024 maxelem %d -exist", family, maxelem)
	w.f("create %s %s", set, spec)
	w.f("create %s_new %s", set, spec)
	w.f("flush %s_new", set)
	for _, p := range ps {
		w.f("add %s_new %s", set, p)
	}
	w.f("swap %s_new %s", set, set)
	w.f("destroy %s_new", set)
}
