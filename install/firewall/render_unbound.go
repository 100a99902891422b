package firewall

// unbound: always_nxdomain local zones cover each name and its subdomains.

var unboundFormat = format{
	comment: "#",
	dns:     true,
	apply: []string{
		"copy to /etc/unbound/unbound.conf.d/inhouse-block.conf, then: unbound-checkconf && unbound-control reload",
		"(OPNsense: put it in /usr/local/etc/unbound.opnsense.d/ and restart Unbound)",
	},
	remove: []string{"rm /etc/unbound/unbound.conf.d/inhouse-block.conf && unbound-control reload"},
	body: func(w *writer, p *plan) {
		w.line("server:")
		for _, d := range p.Domains {
			w.f("\tlocal-zone: \"%s.\" always_nxdomain", d)
		}
	},
}
