package firewall

import (
	"fmt"
	"net/netip"
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
			w.f("New-NetFirewallRule -DisplayName '%s: %s ports' -Group $group -Direction Outbound -Action Block -Profile Any -Protocol %s -RemotePort @(%s) | Out-Null", windowsGroup, x.proto, x.proto, list)
		}
	},
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
