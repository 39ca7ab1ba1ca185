# Sourced by run-postgres.sh and run-aws.sh: a temporary PostgreSQL cluster (Debian's
# postgresql, initdb) on a free port of 127.0.0.1 with a database `bmc` for user `bmc`, in the
# folder $dir; sets $pg_bin, $port and pg_stop (the command that stops it and removes $dir).
pg_bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d)
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_postgres=(runuser -u postgres --)
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
"${as_postgres[@]}" "$pg_bin/initdb" -D "$dir/data" -U bmc -A trust -E UTF8 >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
pg_stop() { "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"; }
"${as_postgres[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U bmc bmc
