package firewall

import "net/netip"

// mikrotik: a RouterOS 7 script. Every section first removes what an earlier
// import added (our address lists, rules and DNS entries by comment).
var mikrotikFormat = format{
	comment: "#",
	ip:      true,
	dns:     true,
	scope: "All filter rules are in the forward chain: they see what the router passes on from the LAN, never " +
		"the router's own connections.",
	dohScope: "So DNS over HTTPS/TLS (the doh choice: its resolver addresses and port 853) is blocked for the " +
		"LAN only, and the router's own DNS keeps forwarding to 1.1.1.1, 8.8.8.8 or 9.9.9.9. The static DNS " +
		"entries do answer the router's own lookups: if /ip dns use-doh-server names one of the blocked names, " +
		"remove that entry after the import (/ip dns static remove [find name=NAME comment=\"inhouse-block\"]) " +
		"or give use-doh-server an address.",
	apply: []string{
		"upload the file to the router, then: /import file-name=inhouse-block.rsc",
		"the DNS part only acts on clients that use the router as their DNS server",
	},
	remove: []string{
		"/ip firewall filter remove [find comment=\"inhouse-block\"]",
		"/ipv6 firewall filter remove [find comment=\"inhouse-block\"]",
		"/ip firewall address-list remove [find list=inhouse_block]",
		"/ip firewall address-list remove [find list=inhouse_internal]",
		"/ipv6 firewall address-list remove [find list=inhouse_block]",
		"/ipv6 firewall address-list remove [find list=inhouse_internal]",
		"/ip dns static remove [find comment=\"inhouse-block\"]",
	},
	body: func(w *writer, p *plan) {
		ports := len(p.TCP)+len(p.UDP) > 0
		mikrotikList(w, "/ip", p.V4, ports, internalV4)
		mikrotikList(w, "/ipv6", p.V6, ports, internalV6)
		for _, fam := range []string{"/ip", "/ipv6"} {
			w.line(fam + " firewall filter")
			w.line("remove [find comment=\"inhouse-block\"]")
			w.line("add chain=forward action=reject reject-with=tcp-reset protocol=tcp dst-address-list=inhouse_block comment=\"inhouse-block\"")
			w.line("add chain=forward action=reject reject-with=icmp-admin-prohibited dst-address-list=inhouse_block comment=\"inhouse-block\"")
			for _, g := range chunkPorts(p.TCP, 15) {
				w.f("add chain=forward action=reject reject-with=tcp-reset protocol=tcp dst-address-list=!inhouse_internal dst-port=%s comment=\"inhouse-block\"", joinPorts(g, ",", "-"))
			}
			for _, g := range chunkPorts(p.UDP, 15) {
				w.f("add chain=forward action=reject reject-with=icmp-admin-prohibited protocol=udp dst-address-list=!inhouse_internal dst-port=%s comment=\"inhouse-block\"", joinPorts(g, ",", "-"))
			}
		}
		w.line("/ip dns static")
		w.line("remove [find comment=\"inhouse-block\"]")
		for _, d := range p.Domains {
			w.f("add name=%s type=NXDOMAIN match-subdomain=yes comment=\"inhouse-block\"", d)
		}
	},
}

// mikrotikList writes the address list of blocked ranges and, when there
// are port rules, the list of internal ranges they leave alone; both are
// emptied first.
func mikrotikList(w *writer, fam string, ps []netip.Prefix, ports bool, internal []netip.Prefix) {
	w.line(fam + " firewall address-list")
	w.line("remove [find list=inhouse_block]")
	w.line("remove [find list=inhouse_internal]")
	for _, p := range ps {
		w.f("add list=inhouse_block address=%s comment=\"inhouse-block\"", p)
	}
	if ports {
		for _, p := range internal {
			w.f("add list=inhouse_internal address=%s comment=\"inhouse-block\"", p)
		}
	}
}
