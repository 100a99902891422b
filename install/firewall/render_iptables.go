package firewall

import (
	"fmt"
	"net/netip"
)

// iptables/ip6tables: the ipset restore lines first (temporary sets filled
// and swapped in atomically), then iptables-restore input for two chains of
// our own that --noflush replaces on every load: INHOUSE_BLOCK, jumped to
// from FORWARD and OUTPUT, and INHOUSE_DOH, from FORWARD only. Both chains
// and both sets always exist, so the apply and remove lines never change.
func iptablesFormat(v int) format {
	cmd, set, dohSet, family, reject, internal := "iptables", "inhouse_v4", "inhouse_doh_v4", "inet", "icmp-admin-prohibited", internalV4
	if v == 6 {
		cmd, set, dohSet, family, reject, internal = "ip6tables", "inhouse_v6", "inhouse_doh_v6", "inet6", "icmp6-adm-prohibited", internalV6
	}
	return format{
		comment: "#",
		ip:      true,
		scope: "Chains: INHOUSE_BLOCK, jumped to from FORWARD (what this machine routes for the LAN) and OUTPUT " +
			"(its own connections), and INHOUSE_DOH, from FORWARD only.",
		dohScope: "DNS over HTTPS/TLS (the doh choice: its resolver addresses and port 853) is in INHOUSE_DOH, " +
			"so it is blocked for forwarded traffic only: devices on the LAN cannot go around the office DNS, " +
			"while this gateway's own resolver keeps forwarding to 1.1.1.1, 8.8.8.8 or 9.9.9.9 (also over " +
			"DNS over TLS). On a computer that routes nothing that part blocks nothing.",
		apply: []string{
			`sed '/^\*filter/,$d' FILE | ipset restore`,
			`sed -n '/^\*filter/,$p' FILE | ` + cmd + `-restore --noflush`,
			`for c in FORWARD OUTPUT; do ` + cmd + ` -C $c -j INHOUSE_BLOCK 2>/dev/null || ` + cmd + ` -I $c -j INHOUSE_BLOCK; done`,
			cmd + ` -C FORWARD -j INHOUSE_DOH 2>/dev/null || ` + cmd + ` -I FORWARD -j INHOUSE_DOH`,
		},
		remove: []string{
			`for c in FORWARD OUTPUT; do ` + cmd + ` -D $c -j INHOUSE_BLOCK; done; ` + cmd + ` -D FORWARD -j INHOUSE_DOH`,
			`for c in INHOUSE_BLOCK INHOUSE_DOH; do ` + cmd + ` -F $c; ` + cmd + ` -X $c; done`,
			`ipset destroy ` + set + `; ipset destroy ` + dohSet,
		},
		body: func(w *writer, p *plan) {
			both, doh := p.Both.V4, p.FwdOnly.V4
			if v == 6 {
				both, doh = p.Both.V6, p.FwdOnly.V6
			}
			ipsetLines(w, set, family, both)
			ipsetLines(w, dohSet, family, doh)
			w.line("*filter")
			w.line(":INHOUSE_BLOCK - [0:0]")
			w.line(":INHOUSE_DOH - [0:0]")
			iptablesChain(w, "INHOUSE_BLOCK", set, reject, internal, len(both) > 0, p.Both)
			iptablesChain(w, "INHOUSE_DOH", dohSet, reject, internal, len(doh) > 0, p.FwdOnly)
			w.line("COMMIT")
		},
	}
}

// iptablesChain writes one chain: the set on every port, then the ports
// towards anything but the internal ranges (RETURN ends the chain for
// those; the calling chain goes on).
func iptablesChain(w *writer, chain, set, reject string, internal []netip.Prefix, ranges bool, r rules) {
	if ranges {
		w.f("-A %s -p tcp -m set --match-set %s dst -j REJECT --reject-with tcp-reset", chain, set)
		w.f("-A %s -m set --match-set %s dst -j REJECT --reject-with %s", chain, set, reject)
	}
	if !r.ports() {
		return
	}
	for _, pr := range internal {
		w.f("-A %s -d %s -j RETURN", chain, pr)
	}
	for _, g := range chunkPorts(r.TCP, 15) {
		w.f("-A %s -p tcp -m multiport --dports %s -j REJECT --reject-with tcp-reset", chain, joinPorts(g, ",", ":"))
	}
	for _, g := range chunkPorts(r.UDP, 15) {
		w.f("-A %s -p udp -m multiport --dports %s -j REJECT --reject-with %s", chain, joinPorts(g, ",", ":"), reject)
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
