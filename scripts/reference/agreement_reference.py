#!/usr/bin/env python3
"""Reference values for Sankore's agreement statistics, computed with
independent implementations:

- Krippendorff's alpha (nominal): the `krippendorff` package;
- Fleiss' kappa: statsmodels (`fleiss_kappa` on `aggregate_raters`);
- Cohen's kappa: scikit-learn (`cohen_kappa_score`), cross-checked with
  statsmodels (`cohens_kappa` on the contingency table);
- percent agreement: numpy, from its definition (mean over units valued by
  at least two coders of the share of agreeing coder pairs, x 100).

Writes, in crates/analysis/tests/fixtures/:
- reference_statistics.json: (a) Krippendorff's canonical reliability data
  (alpha nominal 0.691) and his 4-coder example, (b) Fleiss' table
  (kappa 0.210), (c) generated datasets;
- demo_agreement_expected.json: the statistics of the unit data Sankore
  builds from the demo study (demo_units_*.json, written by
  `cargo run -p sankore-analysis --example export_agreement_units -- DIR`).

Usage: pip install krippendorff statsmodels scikit-learn numpy
       python3 scripts/reference/agreement_reference.py
"""

import json
import math
import os
import sys
import warnings

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "crates", "analysis", "tests", "fixtures")

warnings.simplefilter("ignore")


def clean(x):
    """A float, or None for an undefined statistic."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def percent(data):
    """data: coders x units, nan for missing."""
    present = ~np.isnan(data)
    m = present.sum(axis=0)
    pairable = m >= 2
    if not pairable.any():
        return None
    same = np.zeros(data.shape[1])
    for v in np.unique(data[present]):
        n = (data == v).sum(axis=0)
        same += n * (n - 1)
    share = same[pairable] / (m[pairable] * (m[pairable] - 1))
    return 100.0 * share.mean()


def statistics(data):
    """The four statistics of reliability data (coders x units, nan missing)."""
    data = np.asarray(data, dtype=float)
    coders = data.shape[0]
    out = {"percent": clean(percent(data))}
    # Cohen: exactly two coders, units both valued.
    if coders == 2:
        both = ~np.isnan(data).any(axis=0)
        a, b = data[0, both].astype(int), data[1, both].astype(int)
        if len(set(a.tolist()) | set(b.tolist())) < 2:
            out["cohen_kappa"] = None
        else:
            k = clean(cohen_kappa_score(a, b))
            labels = sorted(set(a.tolist()) | set(b.tolist()))
            index = {v: i for i, v in enumerate(labels)}
            table = np.zeros((len(labels), len(labels)))
            for x, y in zip(a, b):
                table[index[x], index[y]] += 1
            k2 = clean(cohens_kappa(table).kappa)
            assert k is None or abs(k - k2) < 1e-9, (k, k2)
            out["cohen_kappa"] = k
    else:
        out["cohen_kappa"] = None
    # Fleiss: units every coder valued.
    complete = data[:, ~np.isnan(data).any(axis=0)].T.astype(int)
    if len(complete) and len(np.unique(complete)) >= 2:
        table, _ = aggregate_raters(complete)
        out["fleiss_kappa"] = clean(fleiss_kappa(table, method="fleiss"))
    else:
        out["fleiss_kappa"] = None
    # Krippendorff: units at least two coders valued.
    try:
        out["krippendorff_alpha"] = clean(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        )
    except ValueError:
        out["krippendorff_alpha"] = None
    return out


def rows_of(data):
    """Coders x units (nan missing) as unit rows with None for missing."""
    return [[None if math.isnan(v) else int(v) for v in unit] for unit in np.asarray(data, dtype=float).T]


def reference_datasets():
    nan = np.nan
    sets = []
    # (a) Krippendorff (2011), "Computing Krippendorff's alpha-reliability":
    # the data of the krippendorff package's documentation (alpha nominal 0.691).
    canonical = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    sets.append(("krippendorff_canonical", canonical))
    # His four-coder example with missing data (alpha nominal 0.743).
    four = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    sets.append(("krippendorff_four_coders", four))
    # (b) Fleiss' kappa example table (10 subjects, 14 raters, 5 categories;
    # kappa 0.210), turned into 14 rating columns per subject.
    fleiss = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    units = []
    for counts in fleiss:
        ratings = [c for c, n in enumerate(counts, start=1) for _ in range(n)]
        units.append(ratings)
    sets.append(("fleiss_table", np.array(units, dtype=float).T))
    # (c) Generated datasets.
    rng = np.random.default_rng(20170420)
    truth = rng.integers(0, 4, 200)
    two = np.array([np.where(rng.random(200) < 0.8, truth, rng.integers(0, 4, 200)) for _ in range(2)], dtype=float)
    sets.append(("generated_two_coders_four_values", two))
    truth = rng.integers(0, 2, 150)
    three = np.array([np.where(rng.random(150) < 0.85, truth, 1 - truth) for _ in range(3)], dtype=float)
    three[rng.random(three.shape) < 0.1] = nan
    sets.append(("generated_three_coders_binary_missing", three))
    truth = rng.integers(0, 3, 100)
    five = np.array([np.where(rng.random(100) < 0.6, truth, rng.integers(0, 3, 100)) for _ in range(5)], dtype=float)
    sets.append(("generated_five_coders_three_values", five))
    labels = np.array([rng.permutation([7, 42, 1000])[truth] for _ in range(2)], dtype=float)
    sets.append(("generated_two_coders_odd_labels", labels))
    out = []
    for name, data in sets:
        data = np.asarray(data, dtype=float)
        out.append({
            "name": name,
            "coders": int(data.shape[0]),
            "rows": rows_of(data),
            "expected": statistics(data),
        })
    return out


def expand(runs, coders):
    """Coders x units 0/1 array from [[pattern, length]...] runs."""
    patterns = np.array([[int(ch) for ch in p] for p, _ in runs], dtype=np.int8).reshape(-1, coders)
    lengths = np.array([n for _, n in runs], dtype=np.int64)
    return np.repeat(patterns, lengths, axis=0).T.astype(float)


def views(data_by_code, coders):
    result = {}
    for name, keep_uncoded in (("all", True), ("excluding_uncoded", False)):
        per_code = {}
        pooled = []
        for code, data in data_by_code.items():
            if not keep_uncoded:
                data = data[:, data.sum(axis=0) > 0]
            per_code[code] = statistics(data) | {"units": int(data.shape[1])}
            pooled.append(data)
        everything = np.concatenate(pooled, axis=1) if pooled else np.zeros((coders, 0))
        result[name] = {
            "units": int(everything.shape[1]),
            "overall": statistics(everything),
            "per_code": per_code,
        }
    return result


def demo_expected():
    expected = {}
    for unit in ("paragraph", "character", "segment"):
        for scope in ("any", "all"):
            name = f"demo_units_{unit}_{scope}.json"
            path = os.path.join(FIXTURES, name)
            if not os.path.exists(path):
                sys.exit(f"missing {path}: run the export example first")
            with open(path) as f:
                units = json.load(f)
            coders = len(units["coders"])
            data = {code: expand(runs, coders) for code, runs in units["codes"].items()}
            expected[name] = views(data, coders)
            overall = expected[name]["all"]["overall"]
            print(f"{name}: units {expected[name]['all']['units']}, overall {overall}", file=sys.stderr)
    return expected


def main():
    datasets = reference_datasets()
    for d in datasets:
        print(d["name"], d["expected"], file=sys.stderr)
    with open(os.path.join(FIXTURES, "reference_statistics.json"), "w") as f:
        json.dump({"generated_by": "scripts/reference/agreement_reference.py", "datasets": datasets}, f, indent=1)
        f.write("\n")
    with open(os.path.join(FIXTURES, "demo_agreement_expected.json"), "w") as f:
        json.dump({"generated_by": "scripts/reference/agreement_reference.py", "files": demo_expected()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
