#!/bin/sh
# Runs the Go benchmarks and the load-test scenarios (3 runs each, server
# and load pinned to different CPUs) and writes docs/performance.md.
# Usage: sh server/loadtest/bench.sh      (from the repository root)
#   INHOUSE=path/to/binary   the product binary (default: bin/inhouse, built if
#                            missing), passed as --inhouse; only --stock runs it,
#                            the figures come from bin/inhouse-load's own server
#   BENCH_BIG=1              also 100,000 idle connections and 10 million messages
#   BENCH_RUNS=3             runs of each scenario
#   BENCH_GO=0               skip the Go benchmarks
set -eu
cd "$(dirname "$0")/../.."
bin=${INHOUSE:-bin/inhouse}
if [ ! -x "$bin" ]; then
	CGO_ENABLED=0 go build -trimpath -o "$bin" .
fi
# The load tool is a binary of its own (the product carries none of it);
# rebuilt every time so it always matches the tree being measured.
CGO_ENABLED=0 go build -trimpath -o bin/inhouse-load ./server/loadtest/cmd/inhouse-load
# Raise the open-file limit where we may (root); the tool raises its own
# hard limit too, and the server inherits it.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

gobench=$(mktemp)
trap 'rm -f "$gobench"' EXIT
if [ "${BENCH_GO:-1}" != 0 ]; then
	go test -run '^$' -bench . -benchtime 2s -count 3 ./server/... | tee "$gobench"
fi
big=
[ "${BENCH_BIG:-0}" = 1 ] && big=--big
bin/inhouse-load bench --runs "${BENCH_RUNS:-3}" --out docs/performance.md --gobench "$gobench" --inhouse "$bin" $big
