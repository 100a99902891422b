package firewall

// hosts: exact names only, both address families, between markers so the
// block can be cut out of /etc/hosts and replaced.

var hostsFormat = format{
	comment: "#",
	dns:     true,
	dnsWhat: "Points %[2]d names to 0.0.0.0 and ::. A hosts file cannot match subdomains: only these exact " +
		"names are blocked, and any other subdomain of them stays reachable. The DNS formats (dnsmasq, " +
		"unbound, rpz, adblock) block every subdomain and are stronger: use one on the office DNS server " +
		"where you can.",
	apply: []string{
		"Linux/macOS: sed -i.bak '/^# Inhouse messenger block rules/,/^# END inhouse-block/d' /etc/hosts && cat FILE >> /etc/hosts",
		"Windows: append to C:\\Windows\\System32\\drivers\\etc\\hosts (remove the old block first)",
	},
	remove: []string{"sed -i.bak '/^# Inhouse messenger block rules/,/^# END inhouse-block/d' /etc/hosts"},
	body: func(w *writer, p *plan) {
		// both families: a 0.0.0.0-only entry leaves IPv6 lookups working
		for _, n := range p.Names {
			w.line("0.0.0.0 " + n)
			w.line(":: " + n)
		}
		w.line("# END inhouse-block")
	},
}
