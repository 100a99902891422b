package firewall

// hosts: exact names only, both address families, between markers so the
// block can be cut out of /etc/hosts and replaced.

var hostsFormat = format{
	comment: "#",
	dns:     true,
	dnsWhat: "Points %[2]d names to 0.0.0.0 and :: (hosts files have no wildcards: other subdomains stay reachable).",
	apply: []string{
		"Linux/macOS: sed -i.bak '/^# Inhouse messenger block rules/,/^# END inhouse-block/d' /etc/hosts && cat FILE >> /etc/hosts",
		"Windows: append to C:\\Windows\\System32\\drivers\\etc\\hosts (remove the old block first)",
		"hosts files have no wildcards: only the names listed are blocked, not other subdomains",
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
