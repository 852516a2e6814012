#!/usr/bin/env python3
"""The peers of Sankore's analysis benchmark, on the data the Rust bench
wrote to DIR: DuckDB runs the matrix query as a GROUP BY, Python's
`krippendorff` computes alpha. Both answers are checked against Rust's.

Usage: python3 scripts/reference/bench_peer.py DIR
"""

import csv
import statistics
import sys
import time

import duckdb
import krippendorff
import numpy as np

RUNS = 15


def timed(f):
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[0] * 1000, statistics.median(times) * 1000, out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "target/bench-analysis"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE codings AS SELECT * FROM read_csv_auto('{d}/codings.csv')")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    for column in ("cercle", "grp"):
        query = (
            f"SELECT code, {column}, count(*) AS segments, count(DISTINCT doc) AS documents, "
            f"count(DISTINCT participant) AS participants FROM codings GROUP BY code, {column}"
        )
        best, median, rows = timed(lambda: con.execute(query).fetchall())
        print(f"duckdb {duckdb.__version__} ({threads} threads) matrix codes x {column}: "
              f"best {best:.2f} ms, median {median:.2f} ms ({RUNS} runs)")
        with open(f"{d}/rust_matrix_{column}.csv") as f:
            ours = {(int(r["code"]), int(r[column])): (int(r["segments"]), int(r["documents"]), int(r["participants"]))
                    for r in csv.DictReader(f)}
        theirs = {(r[0], r[1]): tuple(r[2:]) for r in rows}
        if ours != theirs:
            sys.exit(f"matrix codes x {column}: Rust and DuckDB differ")
        print(f"  same {len(theirs)} cells as Rust")
    data = np.loadtxt(f"{d}/reliability.csv", delimiter=",", skiprows=1).T
    best, median, alpha = timed(lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    print(f"python krippendorff {krippendorff.__version__ if hasattr(krippendorff, '__version__') else ''} "
          f"alpha 100000 units x 3 coders: best {best:.3f} ms, median {median:.3f} ms, alpha {alpha:.12f}")
    ours = float(open(f"{d}/rust_alpha.txt").read())
    if abs(ours - alpha) > 1e-9:
        sys.exit(f"alpha differs: Rust {ours}, Python {alpha}")
    print("  same alpha as Rust")


if __name__ == "__main__":
    main()
