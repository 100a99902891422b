package firewall

import "net/netip"

// nftables: one table of our own, deleted and recreated in a single
// transaction, so applying twice replaces and never touches other tables.
// Chain block holds what is blocked for everyone (forward and output);
// chain doh, jumped to from forward only, the doh category's part.
var nftFormat = format{
	comment: "#",
	ip:      true,
	scope: "Hooks: forward (what this machine routes for the LAN) and output (its own connections), both " +
		"before the usual filter chains.",
	dohScope: "DNS over HTTPS/TLS (the doh choice: its resolver addresses and port 853) is blocked in forward only: " +
		"devices on the LAN cannot go around the office DNS, while this gateway's own resolver keeps " +
		"forwarding to 1.1.1.1, 8.8.8.8 or 9.9.9.9 (also over DNS over TLS). On a computer that routes " +
		"nothing that part blocks nothing.",
	apply:  []string{"nft -f FILE          (checked first with: nft -c -f FILE)"},
	remove: []string{"nft delete table inet inhouse_block"},
	body: func(w *writer, p *plan) {
		w.line("table inet inhouse_block")
		w.line("delete table inet inhouse_block")
		w.line("table inet inhouse_block {")
		nftSet(w, "v4", "ipv4_addr", p.Both.V4)
		nftSet(w, "v6", "ipv6_addr", p.Both.V6)
		nftPortSet(w, "tcp_ports", p.Both.TCP)
		nftPortSet(w, "udp_ports", p.Both.UDP)
		nftSet(w, "doh_v4", "ipv4_addr", p.FwdOnly.V4)
		nftSet(w, "doh_v6", "ipv6_addr", p.FwdOnly.V6)
		nftPortSet(w, "doh_tcp_ports", p.FwdOnly.TCP)
		nftPortSet(w, "doh_udp_ports", p.FwdOnly.UDP)
		if p.Both.ports() || p.FwdOnly.ports() {
			nftSet(w, "internal_v4", "ipv4_addr", internalV4)
			nftSet(w, "internal_v6", "ipv6_addr", internalV6)
		}
		w.line("\tchain forward {")
		w.line("\t\ttype filter hook forward priority filter - 5; policy accept;")
		w.line("\t\tjump block")
		if !p.FwdOnly.empty() {
			w.line("\t\tjump doh")
		}
		w.line("\t}")
		w.line("\tchain output {")
		w.line("\t\ttype filter hook output priority filter - 5; policy accept;")
		w.line("\t\tjump block")
		w.line("\t}")
		nftChain(w, "block", "", p.Both)
		if !p.FwdOnly.empty() {
			nftChain(w, "doh", "doh_", p.FwdOnly)
		}
		w.line("}")
	},
}

// nftChain writes the rules of one scope: ranges on every port, then the
// ports towards anything but the internal ranges (a return ends the chain
// for those, and the calling chain goes on).
func nftChain(w *writer, name, set string, r rules) {
	w.f("\tchain %s {", name)
	if len(r.V4) > 0 {
		w.f("\t\tip daddr @%sv4 meta l4proto tcp counter reject with tcp reset", set)
		w.f("\t\tip daddr @%sv4 counter reject with icmpx type admin-prohibited", set)
	}
	if len(r.V6) > 0 {
		w.f("\t\tip6 daddr @%sv6 meta l4proto tcp counter reject with tcp reset", set)
		w.f("\t\tip6 daddr @%sv6 counter reject with icmpx type admin-prohibited", set)
	}
	if r.ports() {
		w.line("\t\tip daddr @internal_v4 return")
		w.line("\t\tip6 daddr @internal_v6 return")
	}
	if len(r.TCP) > 0 {
		w.f("\t\ttcp dport @%stcp_ports counter reject with tcp reset", set)
	}
	if len(r.UDP) > 0 {
		w.f("\t\tudp dport @%sudp_ports counter reject with icmpx type admin-prohibited", set)
	}
	w.line("\t}")
}

// nftSet writes an interval set; nft refuses empty element lists, so an
// empty set is omitted together with its rules.
func nftSet(w *writer, name, typ string, ps []netip.Prefix) {
	if len(ps) == 0 {
		return
	}
	w.f("\tset %s {", name)
	w.f("\t\ttype %s", typ)
	w.line("\t\tflags interval")
	w.line("\t\telements = {")
	for i, p := range ps {
		w.line("\t\t\t" + p.String() + comma(i, len(ps)))
	}
	w.line("\t\t}")
	w.line("\t}")
}

func nftPortSet(w *writer, name string, rs []PortRange) {
	if len(rs) == 0 {
		return
	}
	w.f("\tset %s {", name)
	w.line("\t\ttype inet_service")
	w.line("\t\tflags interval")
	w.f("\t\telements = { %s }", joinPorts(rs, ", ", "-"))
	w.line("\t}")
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}
