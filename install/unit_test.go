package install

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The unit is compared whole, so every change to it is reviewed as a diff.
func TestUnitGolden(t *testing.T) {
	for name, o := range map[string]Options{
		"default": {},
		"lowport": {Addr: ":443", TLS: "auto", Allow: "192.168.10.0/24,10.0.0.0/8"},
		"custom":  {Addr: "192.168.1.5:8443", Data: "/srv/inhouse", User: "chat", LowPort: true},
	} {
		got := Unit(o)
		path := filepath.Join("testdata", name+".service")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run UnitGolden -update)", err)
		}
		if got != string(want) {
			t.Fatalf("Unit(%s) differs from %s (run go test -run UnitGolden -update and review the diff):\n%s", name, path, got)
		}
	}
}

func TestUnitHardening(t *testing.T) {
	def := Unit(Options{})
	for _, line := range []string{
		"User=inhouse", "Group=inhouse", "ExecStart=/usr/local/bin/inhouse serve",
		"ProtectSystem=strict", "ReadWritePaths=/var/lib/inhouse", "ReadWritePaths=-/var/backups/inhouse", "ProtectHome=true", "PrivateTmp=true",
		"NoNewPrivileges=true", "PrivateDevices=true", "ProtectKernelTunables=true", "ProtectKernelModules=true",
		"ProtectControlGroups=true", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces=true",
		"LockPersonality=true", "MemoryDenyWriteExecute=true", "SystemCallArchitectures=native",
		"CapabilityBoundingSet=", "AmbientCapabilities=", "Restart=on-failure", "TimeoutStopSec=15",
		"KillSignal=SIGTERM", "ExecReload=/bin/kill -HUP $MAINPID", `Environment="INHOUSE_ADDR=:8080"`,
		`Environment="INHOUSE_DATA=/var/lib/inhouse"`, "StateDirectory=inhouse", "WantedBy=multi-user.target",
	} {
		if !hasLine(def, line) {
			t.Fatalf("default unit lacks %q:\n%s", line, def)
		}
	}
	if strings.Contains(def, "CAP_NET_BIND_SERVICE") || strings.Contains(def, "INHOUSE_TLS") || strings.Contains(def, "INHOUSE_ALLOW") {
		t.Fatalf("default unit grants a capability or sets TLS/allow:\n%s", def)
	}
	for _, o := range []Options{{Addr: ":80"}, {Addr: ":8080", LowPort: true}} {
		u := Unit(o)
		if !hasLine(u, "CapabilityBoundingSet=CAP_NET_BIND_SERVICE") || !hasLine(u, "AmbientCapabilities=CAP_NET_BIND_SERVICE") {
			t.Fatalf("%+v: no CAP_NET_BIND_SERVICE:\n%s", o, u)
		}
	}
	custom := Unit(Options{Data: "/srv/inhouse"})
	if strings.Contains(custom, "StateDirectory") || !hasLine(custom, "ReadWritePaths=/srv/inhouse") {
		t.Fatalf("a data folder outside /var/lib: want ReadWritePaths only:\n%s", custom)
	}
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestCheck(t *testing.T) {
	for _, o := range []Options{
		{}, {Addr: "0.0.0.0:443"}, {Addr: "[::]:8080"}, {Data: "/srv/chat/data"}, {TLS: "/var/lib/inhouse/tls/c.pem,/var/lib/inhouse/tls/k.pem"},
		{Allow: "10.0.0.0/8,192.168.1.7"}, {User: "chat_1"},
	} {
		if err := o.Check(); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
	}
	for _, o := range []Options{
		{Addr: "8080"}, {Addr: ":0"}, {Addr: ":70000"}, {Addr: ":http"},
		{Data: "relative/data"}, {Data: "/var/lib/../lib/inhouse"}, {Data: "/home/ana/inhouse"}, {Data: "/tmp/x"},
		{Data: "/"}, {Data: "/etc/inhouse"}, {Data: "/srv/my data"}, {Data: "/srv/50%"},
		{Allow: `10.0.0.0/8" ExecStartPre=/bin/sh`}, {Allow: "a\nExecStartPre=/x"}, {TLS: "/root/c.pem,/root/k.pem"},
		{TLS: "c.pem,k.pem"}, {Backups: "/var/lib/inhouse"}, {Backups: "/srv"}, {Backups: "/home/ana/b"}, {User: "Root"}, {User: "-x"}, {Addr: ":8080\nUser=root"},
	} {
		if err := o.Check(); err == nil {
			t.Fatalf("%+v: accepted", o)
		}
	}
}

func TestBindsLowPort(t *testing.T) {
	for o, want := range map[Options]bool{
		{}: false, {Addr: ":1023"}: true, {Addr: ":1024"}: false, {Addr: "10.0.0.1:443"}: true, {LowPort: true}: true,
	} {
		if got := o.BindsLowPort(); got != want {
			t.Fatalf("%+v: BindsLowPort %v, want %v", o, got, want)
		}
	}
}
