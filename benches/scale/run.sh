#!/usr/bin/env bash
# Builds catalogs of the given sizes (default 1M and 10M) and prints the scale table.
#   benches/scale/run.sh 1000000 10000000 60000000
# Work files go to target/scale (override with BMC_SCALE_DIR); the 60M CSV is about 2 GB
# compressed and the index about 10 GB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release --locked -p bmc-cli -p bmc-scale
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
target/release/bmc-scale "${sizes[@]}"
