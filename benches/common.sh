# Shared by the benches that compare the Python wheel with another store (sourced, not run):
#   bench_wheel PACKAGE...   a venv under target/venv with the dev requirements, PACKAGE..., and
#                            the wheel built as CI builds it (zig, manylinux_2_28); sets $venv
#   bench_index ROWS DIR     a bmc-core index of ROWS generated products (seed 1) in DIR, built
#                            when missing or written by another index format version
# Both expect to run from the repository root with target/release/bmc built.

bench_wheel() {
  venv=$PWD/target/venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bindings/python/requirements-dev.txt -c bindings/python/constraints-dev.txt "$@"
  PATH="$venv/bin:$PATH" "$venv/bin/maturin" build --release --locked --zig --compatibility manylinux_2_28 \
    --manifest-path bindings/python/Cargo.toml --out target/wheels -q
  "$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/bmc_core-*manylinux_2_28*.whl
}

bench_index() {
  if ! target/release/bmc catalog stats "$2" >/dev/null 2>&1; then
    target/release/bmc catalog generate --count "$1" --seed 1 | target/release/bmc catalog build - "$2"
  fi
}
