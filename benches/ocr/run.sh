#!/usr/bin/env bash
# The OCR corpus benchmark: N generated invoices printed in rotating styles, rendered as tilted,
# noisy, JPEG-compressed scans, read back through Tesseract, and compared field by field with
# their truth. Prints the accuracy table and the time per page; leaves pages, images, OCR output
# and report.json in BMC_OCR_DIR (default: a temporary folder).
#
#   benches/ocr/run.sh [PAGES]      # default 120
#
# Needs tesseract-ocr, tesseract-ocr-spa, poppler-utils and zbar-tools (see .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
pages=${1:-120}
dir=${BMC_OCR_DIR:-$(mktemp -d)}
cargo build --release --locked -p bmc-cli
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(tesseract --version | head -1)"
target/release/bmc invoice corpus --out "$dir" --count "$pages" --jobs "$(nproc)"
echo "pages, images, OCR output and report.json: $dir"
