package firewall

// dnsmasq: "address=/name/" with no address answers NXDOMAIN for the name
// and every subdomain; the file replaces the previous copy.

var dnsmasqFormat = format{
	comment: "#",
	dns:     true,
	apply: []string{
		"copy to /etc/dnsmasq.d/inhouse-block.conf, then: systemctl restart dnsmasq",
		"(check first with: dnsmasq --test --conf-file=FILE; Pi-hole reads /etc/dnsmasq.d too)",
	},
	remove: []string{"rm /etc/dnsmasq.d/inhouse-block.conf && systemctl restart dnsmasq"},
	body: func(w *writer, p *plan) {
		// address=/name/ with no address answers NXDOMAIN for name and below
		for _, d := range p.Domains {
			w.line("address=/" + d + "/")
		}
	},
}
