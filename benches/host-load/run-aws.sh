#!/usr/bin/env bash
# The load of run.sh on bmc-host on the AWS backends' local stand-in: state in a temporary
# PostgreSQL cluster (as run-postgres.sh makes it), queues on SQS, documents on S3 and events on
# EventBridge in moto's server (PyPI moto[server], from target/venv or $BMC_TEST_PYTHON), all on
# free ports of 127.0.0.1 and stopped afterwards.
#   benches/host-load/run-aws.sh [N] [GET_RATE] [UPLOAD_RATE] [WORKER_PROCESSES]
# moto is one Python process whose SQS walks every message of a queue on each call: it, not the
# host, sets the pace here; real SQS and S3 answer in milliseconds whatever their depth.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release --locked -p bmc-host -p bmc-host-load --features bmc-host/postgres,bmc-host/aws
target="${CARGO_TARGET_DIR:-target}"
python="${BMC_TEST_PYTHON:-$target/venv/bin/python}"
"$python" -c 'import moto.server' 2>/dev/null || {
  echo "$python has no moto[server]: run scripts/test-all.sh (it makes target/venv) or set BMC_TEST_PYTHON" >&2
  exit 1
}

# shellcheck source=benches/host-load/temp-postgres.sh
source benches/host-load/temp-postgres.sh
moto_port=$(free_port)
"$python" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$dir/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; pg_stop' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$moto_port/moto-api/" >/dev/null && break
  sleep 0.1
done

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'); moto $("$python" -c 'import moto; print(moto.__version__)')"
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
BMC_HOST_BACKENDS__STATE=postgres BMC_HOST_BACKENDS__QUEUE=sqs BMC_HOST_BACKENDS__STORAGE=s3 \
BMC_HOST_BACKENDS__EVENTS=eventbridge \
BMC_HOST_BACKENDS__POSTGRES_URL="host=127.0.0.1 port=$port user=bmc dbname=bmc" \
BMC_HOST_AWS__BUCKET=bmc-load BMC_HOST_AWS__CREATE_RESOURCES=true \
BMC_LOAD_WORKER_PROCESSES="${4:-0}" \
  "$target/release/bmc-host-load" "$target/release/bmc-host" "${1:-3000}" "${2:-2000}" "${3:-100}"
