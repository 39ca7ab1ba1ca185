#!/usr/bin/env bash
# The console's invoice list on a host holding many invoices:
#   benches/console-list/run.sh [N]     (default 10000)
# Builds bmc-host and the load generator in release, registers N generated invoices through
# the API (bmc-host-load's throughput phase, into a kept folder), then measures the list in
# Debian's Chromium (examples/reference-host/console/bench/list.bench.mjs): the API's pages,
# the console's first page, paging, filtering, and frames and long tasks while it polls and
# scrolls. Needs chromium and the console's npm packages (npm ci in the console folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
count="${1:-10000}"
cargo build --release --locked -p bmc-host -p bmc-host-load
target="${CARGO_TARGET_DIR:-target}"
data="$(mktemp -d /tmp/bmc-console-list-XXXXXX)"
trap 'rm -rf "$data"' EXIT
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
BMC_LOAD_DATA_DIR="$data" "$target/release/bmc-host-load" "$target/release/bmc-host" "$count" 0 0
BMC_E2E_HOST="$target/release/bmc-host" BMC_BENCH_DATA="$data" \
  node examples/reference-host/console/bench/list.bench.mjs
