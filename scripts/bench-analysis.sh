#!/usr/bin/env bash
# Benchmarks of the analyses: generates the data (1,000,000 codings x 10,000
# participants x 100 codes; 100,000 units x 3 coders), runs the Rust bench,
# then the DuckDB and Python peers on the same data, in the same run.
# Needs: pip install duckdb krippendorff numpy
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-target/bench-analysis}"
mkdir -p "$DIR"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB"
cargo bench -p sankore-analysis --bench analysis -- "$DIR"
python3 scripts/reference/bench_peer.py "$DIR"
