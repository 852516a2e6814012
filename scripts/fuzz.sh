#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each briefly, starting
# from its corpus in fuzz/corpus/TARGET. A crash stops the script with the
# failing input saved in fuzz/artifacts/TARGET/ (see docs/fuzzing.md).
# Usage: scripts/fuzz.sh [SECONDS]   (seconds per target, default 20)
# Builds in $CARGO_TARGET_DIR/fuzz (or target/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

target_dir="$(pwd)/target/fuzz"
[ -n "${CARGO_TARGET_DIR:-}" ] && target_dir="$CARGO_TARGET_DIR/fuzz"
# Only the stable compiler exists here; cargo fuzz passes a few unstable
# flags, which the stable compiler accepts with RUSTC_BOOTSTRAP. No
# sanitizer (-s none): a sanitizer needs a nightly standard library. Rust's
# own checks (bounds, overflow, debug assertions: cargo fuzz turns them on)
# still turn memory and arithmetic errors into crashes.
export RUSTC_BOOTSTRAP=1
# The fuzz crate uses the workspace's versions: its lock file starts as a
# copy of the root one (cargo adds the fuzzing crates to it).
cp Cargo.lock fuzz/Cargo.lock
cd fuzz
cargo fuzz build -s none --target-dir "$target_dir"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch" "${TMPDIR:-/tmp}"/sankore-fuzz-api-*' EXIT
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target" "$scratch/$target"
  echo "== fuzz $target for ${seconds}s"
  # New inputs go to the scratch directory (first), the kept corpus is read
  # only; add an input to the corpus by hand when it is worth keeping.
  log="$scratch/$target.log"
  if ! cargo fuzz run -s none --target-dir "$target_dir" "$target" \
    "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -seed="${SANKORE_FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log" || true
done
