#!/usr/bin/env bash
# The load of run.sh on bmc-host with its state and queues on PostgreSQL: a temporary cluster
# (Debian's postgresql, initdb) on a free port of 127.0.0.1, stopped and removed afterwards.
#   benches/host-load/run-postgres.sh [N] [GET_RATE] [UPLOAD_RATE] [WORKER_PROCESSES]
# With WORKER_PROCESSES > 0 the loaded host runs the API only and that many more processes
# register (a scaled-out deployment on one machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release --locked -p bmc-host -p bmc-host-load --features bmc-host/postgres
target="${CARGO_TARGET_DIR:-target}"

# shellcheck source=benches/host-load/temp-postgres.sh
source benches/host-load/temp-postgres.sh
trap pg_stop EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') (fsync on)"
BMC_HOST_BACKENDS__STATE=postgres BMC_HOST_BACKENDS__QUEUE=postgres \
BMC_HOST_BACKENDS__POSTGRES_URL="host=127.0.0.1 port=$port user=bmc dbname=bmc" \
BMC_LOAD_WORKER_PROCESSES="${4:-0}" \
  "$target/release/bmc-host-load" "$target/release/bmc-host" "${1:-3000}" "${2:-2000}" "${3:-100}"
