#!/usr/bin/env bash
# The seed's Redis product cache against the bmc_core wheel: generates ROWS products, builds a
# bmc-core index, loads every product into a redis-server it starts (Debian's redis-server),
# and prints a table of lookup latencies and rates through Python.
#   benches/redis/run.sh [ROWS]        (default 1000000; on demand, not in CI)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benches/common.sh
rows=${1:-1000000}
work=${BMC_REDIS_DIR:-$PWD/target/redis}
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
cargo build --release --locked -p bmc-cli
bench_wheel "redis==6.4.0"
mkdir -p "$work"
index=$work/index-$rows
bench_index "$rows" "$index"
port=63790
redis-server --port "$port" --save "" --appendonly no --daemonize yes --dir "$work" --logfile "$work/redis.log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(redis-server --version | cut -d' ' -f1-3)"
"$venv/bin/python" benches/redis/bench_redis.py --index "$index" --port "$port"
