package firewall

import (
	"path/filepath"
	"strings"
	"testing"
)

// The real tools check what they can without touching this machine: nft and
// iptables run inside a throwaway user+network namespace (unshare -rn).

func writeRendered(t *testing.T, format string, ids ...string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	return dir, writeFile(t, filepath.Join(dir, format+".out"), render(t, format, mustLoad(t), ids...))
}

// selections exercises the full catalog, a small one and one with nothing
// for the firewall formats (signal has domains only).
var selections = [][]string{everything, {"telegram", "msn"}, {"signal"}}

func TestToolNft(t *testing.T) {
	needTool(t, "nft")
	needNetns(t)
	for _, ids := range selections {
		_, f := writeRendered(t, "nftables", ids...)
		if out, err := run(t, "", "unshare", "-rn", "nft", "-c", "-f", f); err != nil {
			t.Fatalf("nft -c %v: %v\n%s", ids, err, out)
		}
	}
}

// ipset restore then iptables-restore --test, then the header's own apply
// commands twice, to show the second load replaces the first (the chains
// and set sizes stay the same), then its remove commands, which must leave
// nothing of ours.
func TestToolIptables(t *testing.T) {
	needTool(t, "ipset", "iptables-restore", "ip6tables-restore")
	needNetns(t)
	for _, v := range []string{"iptables", "ip6tables"} {
		for _, ids := range selections {
			dir, f := writeRendered(t, v, ids...)
			rendered := render(t, v, mustLoad(t), ids...)
			var apply, remove string
			for _, c := range headerCommands(rendered, "#", "Apply") {
				apply += "  " + strings.ReplaceAll(c, "FILE", f) + "\n"
			}
			for _, c := range headerCommands(rendered, "#", "Remove") {
				remove += strings.ReplaceAll(c, "FILE", f) + "\n"
			}
			script := `set -e
sed '/^\*filter/,$d' ` + f + ` > sets; sed -n '/^\*filter/,$p' ` + f + ` > rules
ipset restore < sets
` + v + `-restore --test --noflush rules
for i in 1 2; do
` + apply + `  echo "pass $i: $(` + v + ` -S | wc -l) rules, $(ipset list | grep -c /) entries, $(ipset list -n | wc -l) sets"
done
` + remove + `echo "removed: $(` + v + `-save | grep -ci inhouse) lines, $(ipset list -n | wc -l) sets"`
			out, err := run(t, dir, "unshare", "-rn", "sh", "-c", script)
			if err != nil {
				t.Fatalf("%s %v: %v\n%s", v, ids, err, out)
			}
			t.Logf("%s %v: %s", v, ids, out)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || strings.TrimPrefix(lines[0], "pass 1") != strings.TrimPrefix(lines[1], "pass 2") {
				t.Fatalf("%s %v: second apply differs:\n%s", v, ids, out)
			}
			if lines[2] != "removed: 0 lines, 0 sets" {
				t.Fatalf("%s %v: the remove commands leave something:\n%s", v, ids, out)
			}
		}
	}
}

func TestToolUnbound(t *testing.T) {
	needTool(t, "unbound-checkconf")
	for _, ids := range selections {
		dir, f := writeRendered(t, "unbound", ids...)
		conf := writeFile(t, filepath.Join(dir, "unbound.conf"),
			"server:\n\tdirectory: \""+dir+"\"\n\tchroot: \"\"\n\tusername: \"\"\n\tpidfile: \"\"\ninclude: \""+f+"\"\n")
		if out, err := run(t, dir, "unbound-checkconf", conf); err != nil {
			t.Fatalf("unbound-checkconf %v: %v\n%s", ids, err, out)
		}
	}
}

func TestToolDnsmasq(t *testing.T) {
	needTool(t, "dnsmasq")
	for _, ids := range selections {
		dir, f := writeRendered(t, "dnsmasq", ids...)
		out, err := run(t, dir, "dnsmasq", "--test", "--conf-file="+f)
		if err != nil || !strings.Contains(out, "syntax check OK") {
			t.Fatalf("dnsmasq --test %v: %v\n%s", ids, err, out)
		}
	}
}

func TestToolNamedCheckzone(t *testing.T) {
	needTool(t, "named-checkzone")
	for _, ids := range selections {
		dir, f := writeRendered(t, "rpz", ids...)
		out, err := run(t, dir, "named-checkzone", "rpz.inhouse", f)
		if err != nil || !strings.Contains(out, "OK") {
			t.Fatalf("named-checkzone %v: %v\n%s", ids, err, out)
		}
	}
}
