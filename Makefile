# Inhouse: one static binary. `make run` starts it, `make test` proves it.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG     := inhouse/server/cli
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data

.PHONY: all build run test unit generate check bench clean fuzz

# Fuzz targets (package:function), each run for FUZZTIME by `make test`;
# run longer with `make fuzz FUZZTIME=10m`. The default is a count, not a
# duration: Go 1.26's fuzz coordinator can report a spurious "context deadline
# exceeded" when a duration ends mid-exec (golang/go#75804, fixed in 1.27).
FUZZ     := ./server/chat:FuzzDecodeFrame ./server/jsonstr:FuzzAppend ./server/archive:FuzzMessageJSON ./server/rules:FuzzCheck ./server/rules:FuzzCard \
            ./server/rules:FuzzIBAN ./server/rules:FuzzPhone ./server/rules:FuzzEmailSecret
FUZZTIME ?= 150000x

all: build

# Building never runs the templ generator: its output (*_templ.go) is
# committed, and make check proves it is current.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/inhouse .

# Start the appliance on this machine with ./data; it prints the address and,
# on the first run, the one-time link that creates the first administrator.
run: build
	./bin/inhouse serve --addr $(ADDR) --data $(DATA)

generate:
	go tool templ generate -log-level error

# Formatting, vet, staticcheck, and templ output in step with its sources.
check: generate
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	go tool staticcheck ./...
	@git diff --quiet -- '*_templ.go' || { git diff --stat -- '*_templ.go'; echo "templ output was stale: commit what make generate wrote"; exit 1; }

# Everything, with the race detector: unit, API, WebSocket, crash, browser
# and firewall-tool tests.
test: check
	$(MAKE) --no-print-directory fuzz
	node --test server/e2e/
	go test -race -count=1 -timeout 15m ./...

# The quick loop while working: every test that needs no browser, no
# built binary and no race detector, in seconds. make test is the proof.
unit:
	node --test server/e2e/
	go test -short -count=1 ./...

fuzz:
	@for t in $(FUZZ); do \
	  echo "fuzz $$t for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 500x $${t%%:*} || exit 1; \
	done

# Benchmarks and the load scenarios (server and load on separate cores),
# never timed tests: the figures go to docs/performance.md. bench.sh also
# builds the load tool, bin/inhouse-load, which bin/inhouse does not contain.
bench: build
	sh server/loadtest/bench.sh

clean:
	rm -rf bin
