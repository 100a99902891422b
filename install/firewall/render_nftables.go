package firewall

import "net/netip"

// nftables: one table of our own, deleted and recreated in a single
// transaction, so applying twice replaces and never touches other tables.
var nftFormat = format{
	comment: "#",
	ip:      true,
	apply:   []string{"nft -f FILE          (checked first with: nft -c -f FILE)"},
	remove:  []string{"nft delete table inet inhouse_block"},
	body: func(w *writer, p *plan) {
		w.line("table inet inhouse_block")
		w.line("delete table inet inhouse_block")
		w.line("table inet inhouse_block {")
		nftSet(w, "v4", "ipv4_addr", p.V4)
		nftSet(w, "v6", "ipv6_addr", p.V6)
		nftPortSet(w, "tcp_ports", p.TCP)
		nftPortSet(w, "udp_ports", p.UDP)
		// forward covers a router's LAN clients, output the machine itself
		w.line("\tchain forward {")
		w.line("\t\ttype filter hook forward priority filter - 5; policy accept;")
		w.line("\t\tjump block")
		w.line("\t}")
		w.line("\tchain output {")
		w.line("\t\ttype filter hook output priority filter - 5; policy accept;")
		w.line("\t\tjump block")
		w.line("\t}")
		w.line("\tchain block {")
		if len(p.V4) > 0 {
			w.line("\t\tip daddr @v4 meta l4proto tcp counter reject with tcp reset")
			w.line("\t\tip daddr @v4 counter reject with icmpx type admin-prohibited")
		}
		if len(p.V6) > 0 {
			w.line("\t\tip6 daddr @v6 meta l4proto tcp counter reject with tcp reset")
			w.line("\t\tip6 daddr @v6 counter reject with icmpx type admin-prohibited")
		}
		if len(p.TCP) > 0 {
			w.line("\t\ttcp dport @tcp_ports counter reject with tcp reset")
		}
		if len(p.UDP) > 0 {
			w.line("\t\tudp dport @udp_ports counter reject with icmpx type admin-prohibited")
		}
		w.line("\t}")
		w.line("}")
	},
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
