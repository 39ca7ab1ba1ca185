#!/usr/bin/env bash
# Runs every test of bmc-core: format and lint, the Rust tests (unit, integration, doc tests,
# fuzz corpora), the Python wheel (built, installed into a venv, tested with pytest), the
# reference host (bmc-host, against real child processes, Tesseract, an SMTP server,
# PostgreSQL and moto's S3, SQS, EventBridge and SES), its operator console (Vitest, and
# Playwright driving Debian's Chromium), and the Node addon (built, tested with node --test, and packed and installed as
# users get it).
#
# Needs: the Rust toolchain with rustfmt and clippy, python3 (>= 3.10) with venv, node and npm,
# for the OCR corpus Tesseract with Spanish, poppler-utils and zbar-tools, and for the host's
# PostgreSQL backends Debian's postgresql (.ci/run installs them).
# Everything else it installs itself: a venv under target/venv (maturin, pytest, stdnum, aiosmtpd,
# moto[server]) and
# the npm dev dependencies.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
venv="$CARGO_TARGET_DIR/venv"

step() { printf '\n=== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (workspace, all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (core's public API docs build without warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p bmc-core --no-deps --quiet

step "cargo test (core and CLI: unit, integration, doc tests, fuzz corpora)"
cargo test --locked

step "Rust examples print what the Python and Node examples print"
for example in identifiers invoices register; do
  cargo run --quiet --locked -p bmc-core --example "$example" | diff - "examples/$example.expected.txt"
done

step "OCR corpus sample: printed pages scanned, OCR'd with Tesseract, read; the goal must hold"
cargo build --release --locked -p bmc-cli
corpus_dir=$(mktemp -d)
"$CARGO_TARGET_DIR/release/bmc" invoice corpus --out "$corpus_dir" --count 12 --check
rm -rf "$corpus_dir"
step "OCR corpus sample on the held-out layouts (the reader was never tuned on them)"
corpus_dir=$(mktemp -d)
"$CARGO_TARGET_DIR/release/bmc" invoice corpus --out "$corpus_dir" --count 12 --layouts held-out --check
rm -rf "$corpus_dir"

step "Python: build the abi3 wheel and test it installed in a venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r bindings/python/requirements-dev.txt -c bindings/python/constraints-dev.txt
rm -rf "$CARGO_TARGET_DIR/wheels"
# Linked with zig against glibc 2.28, so older service images (Debian 10+, RHEL 8+) take it.
PATH="$venv/bin:$PATH" "$venv/bin/maturin" build --release --locked --zig --compatibility manylinux_2_28 \
  --manifest-path bindings/python/Cargo.toml --out "$CARGO_TARGET_DIR/wheels"
ls "$CARGO_TARGET_DIR"/wheels/bmc_core-*-cp310-abi3-manylinux_2_28_x86_64.whl
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
  --no-deps "$CARGO_TARGET_DIR"/wheels/bmc_core-*.whl
(cd bindings/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider)
# The stubs describe the extension exactly (names, signatures, defaults, final classes).
(cd "$CARGO_TARGET_DIR" && "$venv/bin/python" -m mypy.stubtest bmc_core._native)

step "Reference host: cargo test -p bmc-host --features postgres,aws (roles, flows, bad requests, faults, SIGKILL and SIGTERM, SMTP, OCR; the contract of each backend; scaled out on PostgreSQL, SQS and S3)"
cargo clippy --locked -p bmc-host --all-targets --features postgres,aws -- -D warnings
# The SMTP test runs aiosmtpd and the AWS tests moto's server from the venv made above (a fake
# Textract runs inside the tests); the PostgreSQL tests start their own temporary servers
# with initdb.
BMC_TEST_PYTHON="$venv/bin/python" cargo test --locked -p bmc-host --features postgres,aws

step "Operator console: the committed build matches its sources, Vitest, Playwright in Debian's Chromium"
(
  cd examples/reference-host/console
  [ -d node_modules/vite ] || npm ci --no-audit --no-fund
  npm run --silent build
  git diff --exit-code -- dist \
    || { echo "console/dist differs from the build: run npm run build and commit dist" >&2; exit 1; }
  npx vitest run
  # The host binary the tests above built; the browser is Debian's (.ci/run installs it).
  BMC_E2E_HOST="$CARGO_TARGET_DIR/debug/bmc-host" node e2e/console.e2e.mjs
)

step "Node: build the addon, check the committed bindings, run node --test"
(
  cd bindings/node
  [ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund
  npm run --silent build
  git diff --exit-code -- index.js index.d.ts \
    || { echo "index.js/index.d.ts differ from the build: commit the regenerated files" >&2; exit 1; }
  node --test __test__/
)

step "Node: npm pack, install the tarball in a fresh folder, smoke test"
pack_dir=$(mktemp -d)
trap 'rm -rf "$pack_dir"' EXIT
(cd bindings/node && npm pack --silent --pack-destination "$pack_dir" >/dev/null)
(
  cd "$pack_dir"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --silent ./bmc-core-*.tgz
  node -e '
    const bmc = require("bmc-core");
    const assert = require("node:assert/strict");
    assert.equal(bmc.nit.validate("800.197.268-4"), "8001972684");
    assert.throws(() => bmc.nit.validate("8001972685"), { code: "NIT_INVALID_CHECKSUM" });
    console.log("smoke: 2 passed, 0 failed");
  '
)

step "all tests passed"
