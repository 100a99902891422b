package firewall

import (
	"fmt"
	"net/netip"

	"go4.org/netipx"
)

// windowsChunk is the most addresses one rule gets: rules with a few hundred
// addresses are known to fail on some Windows versions.
const windowsChunk = 200

const windowsGroup = "Inhouse messenger block"

// windows: PowerShell for Windows Defender Firewall. The script removes its
// own rule group first, so running it again replaces the rules.
var windowsFormat = format{
	comment: "#",
	ip:      true,
	scope: "Outbound rules for this PC's own connections: a Windows PC forwards nothing. Port rules list " +
		"every remote address but the internal ones.",
	dohScope: "DNS over HTTPS/TLS (the doh choice: its resolver addresses and port 853) is blocked for this " +
		"PC's own connections, which is what keeps it on the office DNS. Leave doh out on a Windows server " +
		"that is itself the office DNS and forwards to 1.1.1.1, 8.8.8.8 or 9.9.9.9: it would lose its " +
		"upstream; block DoH on the gateway instead.",
	apply: []string{
		"in an elevated PowerShell: powershell -ExecutionPolicy Bypass -File .\\inhouse-block.ps1",
		"(or push the same rules with Group Policy / Intune)",
	},
	remove: []string{"Get-NetFirewallRule -Group '" + windowsGroup + "' | Remove-NetFirewallRule"},
	body: func(w *writer, p *plan) {
		w.f("$group = '%s'", windowsGroup)
		w.line("Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule")
		chunks := chunkPrefixes(p.prefixes(), windowsChunk)
		for i, c := range chunks {
			name := fmt.Sprintf("%s: addresses %d of %d", windowsGroup, i+1, len(chunks))
			w.f("New-NetFirewallRule -DisplayName '%s' -Group $group -Direction Outbound -Action Block -Profile Any -RemoteAddress @(", name)
			for j, pr := range c {
				w.line("\t'" + pr.String() + "'" + comma(j, len(c)))
			}
			w.line(") | Out-Null")
		}
		if len(p.TCP)+len(p.UDP) > 0 {
			// Windows cannot negate an address list: port rules get
			// every address outside the internal ranges instead
			ext := external()
			w.line("$internet = @(")
			for i, r := range ext {
				w.line("\t'" + r + "'" + comma(i, len(ext)))
			}
			w.line(")")
		}
		for _, x := range []struct {
			proto string
			rs    []PortRange
		}{{"TCP", p.TCP}, {"UDP", p.UDP}} {
			if len(x.rs) == 0 {
				continue
			}
			list := ""
			for i, r := range x.rs {
				list += "'" + r.String() + "'" + comma(i, len(x.rs))
			}
			w.f("New-NetFirewallRule -DisplayName '%s: %s ports' -Group $group -Direction Outbound -Action Block -Profile Any -Protocol %s -RemotePort @(%s) -RemoteAddress $internet | Out-Null", windowsGroup, x.proto, x.proto, list)
		}
	},
}

// external lists the IPv4 and IPv6 space outside the internal ranges, as
// prefixes or "from-to" ranges, for -RemoteAddress.
func external() []string {
	var b netipx.IPSetBuilder
	b.AddPrefix(netip.MustParsePrefix("0.0.0.0/0"))
	b.AddPrefix(netip.MustParsePrefix("::/0"))
	for _, p := range append(append([]netip.Prefix{}, internalV4...), internalV6...) {
		b.RemovePrefix(p)
	}
	set, _ := b.IPSet() // the prefixes above are valid
	var out []string
	for _, r := range set.Ranges() {
		if p, ok := r.Prefix(); ok {
			out = append(out, p.String())
		} else {
			out = append(out, r.String())
		}
	}
	return out
}

func chunkPrefixes(ps []netip.Prefix, n int) [][]netip.Prefix {
	var out [][]netip.Prefix
	for len(ps) > n {
		out = append(out, ps[:n])
		ps = ps[n:]
	}
	if len(ps) > 0 {
		out = append(out, ps)
	}
	return out
}
