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

bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d)
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_postgres=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U bmc -A trust -E UTF8 >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap '"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT
"${as_postgres[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U bmc bmc

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); PostgreSQL $("$bin/postgres" --version | awk '{print $3}') (fsync on)"
BMC_HOST_BACKENDS__STATE=postgres BMC_HOST_BACKENDS__QUEUE=postgres \
BMC_HOST_BACKENDS__POSTGRES_URL="host=127.0.0.1 port=$port user=bmc dbname=bmc" \
BMC_LOAD_WORKER_PROCESSES="${4:-0}" \
  "$target/release/bmc-host-load" "$target/release/bmc-host" "${1:-3000}" "${2:-2000}" "${3:-100}"
