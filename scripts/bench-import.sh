#!/usr/bin/env bash
# Import throughput: a KoBoToolbox CSV of 100,000 submissions × 60 columns,
# parsed with the csv crate alone vs imported by Sankore (read, checked
# against the form, written to a real encrypted workspace in one
# transaction), in the same run. Figures go to docs/benchmarks.md.
#
#   scripts/bench-import.sh [DIR] [ROWS]    # default DIR: target/bench-import
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/bench-import}"
rows="${2:-100000}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -p sankore-store --bench import -- "$(realpath -m "$dir")" "$rows"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
