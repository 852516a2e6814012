#!/usr/bin/env bash
# Runs Sankore's whole test suite, installing what the tests need first.
# Usage: scripts/test.sh            (from anywhere in the checkout)
# Set SANKORE_SKIP_INSTALL=1 to skip the system-package step.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: libssl-dev + pkg-config build SQLCipher against the system
# OpenSSL; sqlite3 proves the database does not open without the key;
# libxml2-utils (xmllint) validates REFI-QDA exports against their schemas;
# chromium + chromium-driver run the workbench test in a real browser.
packages=(libssl-dev pkg-config sqlite3 libxml2-utils chromium chromium-driver)
# poppler-utils (pdftotext, pdftoppm) reads the PDF reports back in tests.
packages+=(poppler-utils)
if [ "${SANKORE_SKIP_INSTALL:-0}" != 1 ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# PyPI's pyxform, the reference XLSForm converter: the XLSForm writer's
# output must convert (crates/formats/tests/xlsform_writer.rs).
PYXFORM_VERSION=4.5.0
if [ "${SANKORE_SKIP_INSTALL:-0}" != 1 ] &&
  ! python3 -c "import sys, pyxform; sys.exit(pyxform.__version__ != '$PYXFORM_VERSION')" 2>/dev/null; then
  echo "installing: pyxform==$PYXFORM_VERSION"
  python3 -m pip install --quiet "pyxform==$PYXFORM_VERSION"
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
# Before the tests, so that their summary stays the last lines printed.
echo "== fuzz (each target briefly; SANKORE_FUZZ_SECONDS, default 20)"
scripts/fuzz.sh "${SANKORE_FUZZ_SECONDS:-20}"
echo "== cargo test"
cargo test --workspace --locked --no-fail-fast
