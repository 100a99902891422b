package firewall

import "net/netip"

// pf (OpenBSD, FreeBSD, pfSense/OPNsense shell): an anchor file, so loading
// it again replaces the anchor's rules and tables and nothing else.
var pfFormat = format{
	comment: "#",
	ip:      true,
	scope: "Rules without a direction match a packet both as it comes in from the LAN and as it goes out, " +
		"so they also block this machine's own connections.",
	dohScope: "DNS over HTTPS/TLS (the doh choice: the table <inhouse_doh> and port 853) is blocked with \"in\" " +
		"rules only: they match what arrives from the LAN to be forwarded, never this gateway's own " +
		"connections (those only go out), so its own resolver keeps forwarding to 1.1.1.1, 8.8.8.8 or " +
		"9.9.9.9 (also over DNS over TLS). On a computer that routes nothing that part blocks nothing.",
	apply: []string{
		`once: add the line  anchor "inhouse_block"  to /etc/pf.conf and run: pfctl -f /etc/pf.conf`,
		`pfctl -a inhouse_block -f FILE        (check first with: pfctl -n -a inhouse_block -f FILE)`,
	},
	remove: []string{`pfctl -a inhouse_block -F all`},
	body: func(w *writer, p *plan) {
		pfTable(w, "inhouse_block", append(append([]netip.Prefix{}, p.Both.V4...), p.Both.V6...))
		pfTable(w, "inhouse_doh", append(append([]netip.Prefix{}, p.FwdOnly.V4...), p.FwdOnly.V6...))
		if p.Both.ports() || p.FwdOnly.ports() {
			pfTable(w, "inhouse_internal", append(append([]netip.Prefix{}, internalV4...), internalV6...))
		}
		// "return" answers TCP with a reset and other protocols with ICMP
		pfRules(w, "", "inhouse_block", p.Both)
		pfRules(w, "in ", "inhouse_doh", p.FwdOnly)
	},
}

func pfTable(w *writer, name string, ps []netip.Prefix) {
	if len(ps) == 0 {
		return
	}
	w.line("table <" + name + "> const { \\")
	for _, pr := range ps {
		w.line("\t" + pr.String() + " \\")
	}
	w.line("}")
}

// pfRules blocks the table on every port, then the ports towards anything
// but the internal ranges.
func pfRules(w *writer, dir, table string, r rules) {
	if len(r.V4)+len(r.V6) > 0 {
		w.f("block return %squick to <%s>", dir, table)
	}
	if len(r.TCP) > 0 {
		w.f("block return %squick proto tcp to ! <inhouse_internal> port { %s }", dir, joinPorts(r.TCP, " ", ":"))
	}
	if len(r.UDP) > 0 {
		w.f("block return %squick proto udp to ! <inhouse_internal> port { %s }", dir, joinPorts(r.UDP, " ", ":"))
	}
}
