#!/usr/bin/env bash
# Builds bmc-host and the load generator in release and runs the load on 127.0.0.1:
#   benches/host-load/run.sh [N] [GET_RATE] [UPLOAD_RATE]    (defaults: 3000 2000 100)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release --locked -p bmc-host -p bmc-host-load
target="${CARGO_TARGET_DIR:-target}"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
"$target/release/bmc-host-load" "$target/release/bmc-host" "${1:-3000}" "${2:-2000}" "${3:-100}"
