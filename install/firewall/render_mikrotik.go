package firewall

import "net/netip"

// mikrotik: a RouterOS 7 script. Every section first removes what an earlier
// import added (our address list, rules and DNS entries by comment).
var mikrotikFormat = format{
	comment: "#",
	ip:      true,
	dns:     true,
	apply: []string{
		"upload the file to the router, then: /import file-name=inhouse-block.rsc",
		"the DNS part only acts on clients that use the router as their DNS server",
	},
	remove: []string{
		"/ip firewall filter remove [find comment=\"inhouse-block\"]",
		"/ipv6 firewall filter remove [find comment=\"inhouse-block\"]",
		"/ip firewall address-list remove [find list=inhouse_block]",
		"/ipv6 firewall address-list remove [find list=inhouse_block]",
		"/ip dns static remove [find comment=\"inhouse-block\"]",
	},
	body: func(w *writer, p *plan) {
		mikrotikList(w, "/ip", p.V4)
		mikrotikList(w, "/ipv6", p.V6)
		for _, fam := range []string{"/ip", "/ipv6"} {
			w.line(fam + " firewall filter")
			w.line("remove [find comment=\"inhouse-block\"]")
			w.line("add chain=forward action=reject reject-with=tcp-reset protocol=tcp dst-address-list=inhouse_block comment=\"inhouse-block\"")
			w.line("add chain=forward action=reject reject-with=icmp-admin-prohibited dst-address-list=inhouse_block comment=\"inhouse-block\"")
			for _, g := range chunkPorts(p.TCP, 15) {
				w.f("add chain=forward action=reject reject-with=tcp-reset protocol=tcp dst-port=%s comment=\"inhouse-block\"", joinPorts(g, ",", "-"))
			}
			for _, g := range chunkPorts(p.UDP, 15) {
				w.f("add chain=forward action=reject reject-with=icmp-admin-prohibited protocol=udp dst-port=%s comment=\"inhouse-block\"", joinPorts(g, ",", "-"))
			}
		}
		w.line("/ip dns static")
		w.line("remove [find comment=\"inhouse-block\"]")
		for _, d := range p.Domains {
			w.f("add name=%s type=NXDOMAIN match-subdomain=yes comment=\"inhouse-block\"", d)
		}
	},
}

func mikrotikList(w *writer, fam string, ps []netip.Prefix) {
	w.line(fam + " firewall address-list")
	w.line("remove [find list=inhouse_block]")
	for _, p := range ps {
		w.f("add list=inhouse_block address=%s comment=\"inhouse-block\"", p)
	}
}
