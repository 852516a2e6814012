#!/usr/bin/env bash
# Times the demo study's full study report (PDF and HTML, French and
# English) with the release binary, five runs each, and prints the figures.
# Usage: scripts/bench-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/sankore"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "bench passphrase for the demo" > "$work/pass"
"$bin" --passphrase-file "$work/pass" demo "$work/demo" 2>/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
for format in pdf html; do
  for lang in fr en; do
    best=""
    all=""
    for run in 1 2 3 4 5; do
      start=$(date +%s%N)
      "$bin" --passphrase-file "$work/pass" --lang "$lang" report study --workspace "$work/demo" \
        --format "$format" --out "$work/report.$format" --date 2017-07-15 --coordinator-copy >/dev/null
      ms=$(( ($(date +%s%N) - start) / 1000000 ))
      all="$all $ms"
      if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    size=$(stat -c %s "$work/report.$format")
    echo "report study --format $format --lang $lang: best ${best} ms (runs:${all} ms), ${size} bytes"
  done
done
