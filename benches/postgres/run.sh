#!/usr/bin/env bash
# Loads the same generated catalog into PostgreSQL 15 (the seed's schema and indexes plus
# pg_trgm) and into a bmc-core index, then times the same queries against both.
#   benches/postgres/run.sh [ROWS]        (default 10000000; on demand, not in CI)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benches/common.sh
rows=${1:-10000000}
work=${BMC_PG_DIR:-$PWD/target/postgres}
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ]; then
  apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib
fi
cargo build --release --locked -p bmc-cli
bench_wheel "psycopg[binary]==3.3.9"

mkdir -p "$work"
index=$work/index-$rows
bench_index "$rows" "$index"

data=$work/pgdata
port=54329
chown -R postgres "$work" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$data/PG_VERSION" ]; then
  as_pg "$pgbin/initdb" -D "$data" -U postgres --no-sync -E UTF8 >/dev/null
fi
as_pg "$pgbin/pg_ctl" -D "$data" -l "$work/postgres.log" -w \
  -o "-p $port -k /tmp -c fsync=off -c synchronous_commit=off -c shared_buffers=4GB -c maintenance_work_mem=2GB -c max_parallel_maintenance_workers=2 -c work_mem=64MB" start
trap 'as_pg "$pgbin/pg_ctl" -D "$data" -m fast stop >/dev/null' EXIT
psql=(psql -h /tmp -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
loaded=$("${psql[@]}" -tAc "SELECT count(*) FROM bmc_transactional.products" 2>/dev/null || echo 0)
if [ "$loaded" != "$rows" ]; then
  "${psql[@]}" -f benches/postgres/schema.sql
  start=$(date +%s)
  target/release/bmc catalog generate --count "$rows" --seed 1 \
    | "${psql[@]}" -c "COPY bmc_transactional.products FROM STDIN WITH (FORMAT csv, HEADER)"
  echo "loaded $rows rows in $(( $(date +%s) - start )) s" >&2
  start=$(date +%s)
  "${psql[@]}" -f benches/postgres/indexes.sql
  echo "indexed in $(( $(date +%s) - start )) s" >&2
fi
"$venv/bin/python" benches/postgres/bench_postgres.py \
  --dsn "host=/tmp port=$port user=postgres dbname=postgres" --index "$index"
