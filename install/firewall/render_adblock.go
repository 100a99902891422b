package firewall

// adblock: "||name^" lists for AdGuard Home and Pi-hole (v6 parses this style).

var adblockFormat = format{
	comment: "!",
	dns:     true,
	dnsWhat: "Blocks %[1]d domains and all their subdomains (||name^ rules).",
	apply: []string{
		"AdGuard Home: Filters > DNS blocklists > Add blocklist (a URL or a local file path)",
		"Pi-hole v6: Lists > add the file's URL as a blocklist, then: pihole -g",
	},
	remove: []string{"delete the blocklist in AdGuard Home or Pi-hole (and run pihole -g)"},
	body: func(w *writer, p *plan) {
		for _, d := range p.Domains {
			w.line("||" + d + "^")
		}
	},
}
