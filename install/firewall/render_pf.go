package firewall

// pf (OpenBSD, FreeBSD, pfSense/OPNsense shell): an anchor file, so loading
// it again replaces the anchor's rules and table and nothing else.
var pfFormat = format{
	comment: "#",
	ip:      true,
	apply: []string{
		`once: add the line  anchor "inhouse_block"  to /etc/pf.conf and run: pfctl -f /etc/pf.conf`,
		`pfctl -a inhouse_block -f FILE        (check first with: pfctl -n -a inhouse_block -f FILE)`,
	},
	remove: []string{`pfctl -a inhouse_block -F all`},
	body: func(w *writer, p *plan) {
		ps := p.prefixes()
		if len(ps) > 0 {
			w.line("table <inhouse_block> const { \\")
			for _, pr := range ps {
				w.line("\t" + pr.String() + " \\")
			}
			w.line("}")
			// "return" answers TCP with a reset and other protocols with ICMP
			w.line("block return quick to <inhouse_block>")
		}
		if len(p.TCP) > 0 {
			w.f("block return quick proto tcp to any port { %s }", joinPorts(p.TCP, " ", ":"))
		}
		if len(p.UDP) > 0 {
			w.f("block return quick proto udp to any port { %s }", joinPorts(p.UDP, " ", ":"))
		}
	},
}
