#!/usr/bin/env bash
# The OCR corpus benchmark: N generated invoices printed in rotating styles, rendered as tilted,
# noisy, JPEG-compressed scans, read back through Tesseract, and compared field by field with
# their truth. Prints the accuracy table and the time per page; leaves pages, images, OCR output
# and report.json in BMC_OCR_DIR (default: a temporary folder).
#
#   benches/ocr/run.sh [PAGES] [LAYOUTS] [SEED]   # default: 120 classic 7
#   benches/ocr/run.sh 96 all 17                  # the 24 layouts, 4 pages each
#
# Needs tesseract-ocr, tesseract-ocr-spa, poppler-utils and zbar-tools (see .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
pages=${1:-120}
layouts=${2:-classic}
seed=${3:-7}
dir=${BMC_OCR_DIR:-$(mktemp -d)}
cargo build --release --locked -p bmc-cli
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(tesseract --version | head -1)"
target/release/bmc invoice corpus --out "$dir" --count "$pages" --layouts "$layouts" --seed "$seed" --jobs "$(nproc)"
echo "pages, images, OCR output and report.json: $dir"
