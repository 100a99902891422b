package archive

import (
	"errors"
	"net/netip"
	"strings"

	"inhouse/server/netlist"
)

// Who may do something that the office can restrict to admins.
const (
	Everyone   = ""
	AdminsOnly = "admins"
)

// AdminsOnlyChannels reports whether only admins may create channels.
func (st Settings) AdminsOnlyChannels() bool { return st.ChannelsBy == AdminsOnly }

// AdminsOnlyDirect reports whether only admins may start direct messages.
func (st Settings) AdminsOnlyDirect() bool { return st.DirectBy == AdminsOnly }

// AllowPrefixes is the stored list of allowed networks, parsed.
func (st Settings) AllowPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, a := range st.Allow {
		if p, err := netlist.ParsePrefix(strings.TrimSpace(a)); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// checkAccessSettings validates and normalises the console's access
// settings inside SaveSettings.
func checkAccessSettings(st *Settings) error {
	for _, v := range []string{st.ChannelsBy, st.DirectBy} {
		if v != Everyone && v != AdminsOnly {
			return userErr(errors.New(`who may: use "" (everyone) or "admins"`))
		}
	}
	if len(st.Allow) > 200 {
		return userErr(errors.New("allowed networks: at most 200"))
	}
	nets := make([]string, 0, len(st.Allow))
	for _, a := range st.Allow {
		if strings.TrimSpace(a) == "" {
			continue
		}
		p, err := netlist.ParsePrefix(strings.TrimSpace(a))
		if err != nil {
			return userErr(err)
		}
		nets = append(nets, p.Masked().String())
	}
	st.Allow = sortedUnique(nets)
	if len(st.Allow) == 0 {
		st.Allow = nil
	}
	return nil
}
