//! Agreement statistics against independent implementations (Python's
//! `krippendorff`, statsmodels, scikit-learn), through the fixtures written
//! by `scripts/reference/agreement_reference.py`, and property tests.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sankore_analysis::agreement::{
    Agreement, AgreementQuery, MISSING, Scope, Statistics, UnitKind, UnitTable, Units,
};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn same(what: &str, ours: Option<f64>, theirs: &Value) {
    match (ours, theirs.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!((a - b).abs() < TOLERANCE, "{what}: ours {a}, reference {b}"),
        (a, _) => panic!("{what}: ours {a:?}, reference {theirs}"),
    }
}

fn same_statistics(what: &str, ours: &Statistics, theirs: &Value) {
    same(&format!("{what} percent"), ours.percent, &theirs["percent"]);
    same(
        &format!("{what} cohen"),
        ours.cohen_kappa,
        &theirs["cohen_kappa"],
    );
    same(
        &format!("{what} fleiss"),
        ours.fleiss_kappa,
        &theirs["fleiss_kappa"],
    );
    same(
        &format!("{what} alpha"),
        ours.krippendorff_alpha,
        &theirs["krippendorff_alpha"],
    );
}

fn units_of(dataset: &Value) -> Units {
    let coders = dataset["coders"].as_u64().unwrap_or(0) as usize;
    let rows: Vec<Vec<u32>> = dataset["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .map(|values| {
                            values
                                .iter()
                                .map(|v| v.as_u64().map_or(MISSING, |v| v as u32))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    Units::from_rows(coders, &rows)
}

#[test]
fn reference_datasets_match_python() {
    let fixture = fixture("reference_statistics.json");
    let datasets = fixture["datasets"].as_array().cloned().unwrap_or_default();
    assert!(datasets.len() >= 7);
    for d in &datasets {
        let name = d["name"].as_str().unwrap_or("?");
        let ours = Statistics::compute(&units_of(d));
        same_statistics(name, &ours, &d["expected"]);
    }
}

#[test]
fn canonical_values_are_the_published_ones() {
    let fixture = fixture("reference_statistics.json");
    let by_name: BTreeMap<&str, &Value> = fixture["datasets"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| (d["name"].as_str().unwrap_or(""), d))
                .collect()
        })
        .unwrap_or_default();
    let alpha = Statistics::compute(&units_of(by_name["krippendorff_canonical"]))
        .krippendorff_alpha
        .unwrap_or_default();
    assert_eq!(format!("{alpha:.3}"), "0.691");
    let alpha4 = Statistics::compute(&units_of(by_name["krippendorff_four_coders"]))
        .krippendorff_alpha
        .unwrap_or_default();
    assert_eq!(format!("{alpha4:.3}"), "0.743");
    let kappa = Statistics::compute(&units_of(by_name["fleiss_table"]))
        .fleiss_kappa
        .unwrap_or_default();
    assert_eq!(format!("{kappa:.3}"), "0.210");
}

/// The demo's unit data, rebuilt, equals the exported data the reference
/// script read, and our statistics equal the script's.
#[test]
fn demo_agreement_matches_python() {
    let study = sankore_demo::reference_study();
    let expected = fixture("demo_agreement_expected.json");
    let mut checked = 0;
    for unit in [UnitKind::Paragraph, UnitKind::Character, UnitKind::Segment] {
        for (scope, scope_name) in [(Scope::Any, "any"), (Scope::All, "all")] {
            let name = format!("demo_units_{}_{scope_name}.json", unit.as_str());
            let exported = fixture(&name);
            let query = AgreementQuery {
                unit,
                coders: Some(vec!["R1".into(), "R2".into()]),
                code: None,
                scope,
            };
            let table = UnitTable::build(&query, &study.codebook, &study.documents, &study.codings)
                .unwrap_or_else(|e| panic!("{e}"));
            // Same units as the script read.
            let codes = exported["codes"].as_object().cloned().unwrap_or_default();
            assert_eq!(codes.len(), table.codes.len(), "{name}");
            for (key, runs) in &table.codes {
                let theirs = codes[key.as_str()].as_array().cloned().unwrap_or_default();
                let ours: Vec<Value> = runs
                    .iter()
                    .map(|r| {
                        let p: String = (0..2)
                            .map(|i| if r.pattern >> i & 1 == 1 { '1' } else { '0' })
                            .collect();
                        serde_json::json!([p, r.length])
                    })
                    .collect();
                assert_eq!(ours, theirs, "{name} {key}");
            }
            // Same statistics.
            let agreement = Agreement::from_table(&table, scope);
            let reference = &expected["files"][&name];
            for (view, ours) in [
                (
                    "all",
                    (&agreement.overall, &agreement.per_code, agreement.units),
                ),
                (
                    "excluding_uncoded",
                    (
                        &agreement.excluding_uncoded.overall,
                        &agreement.excluding_uncoded.per_code,
                        agreement.excluding_uncoded.units,
                    ),
                ),
            ] {
                let theirs = &reference[view];
                assert_eq!(
                    Some(ours.2),
                    theirs["units"].as_u64(),
                    "{name} {view} units"
                );
                same_statistics(
                    &format!("{name} {view} overall"),
                    ours.0,
                    &theirs["overall"],
                );
                for (code, stats) in &ours.1.0 {
                    same_statistics(
                        &format!("{name} {view} {code}"),
                        stats,
                        &theirs["per_code"][code.as_str()],
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

fn rows_strategy() -> impl Strategy<Value = (usize, Vec<Vec<u32>>)> {
    (2usize..5).prop_flat_map(|coders| {
        (
            Just(coders),
            prop::collection::vec(prop::collection::vec(0u32..4, coders), 2..40),
        )
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

fn all_close(a: &Statistics, b: &Statistics) -> bool {
    close(a.percent, b.percent)
        && close(a.cohen_kappa, b.cohen_kappa)
        && close(a.fleiss_kappa, b.fleiss_kappa)
        && close(a.krippendorff_alpha, b.krippendorff_alpha)
}

proptest! {
    #[test]
    fn identical_coders_agree_perfectly(coders in 2usize..6, values in prop::collection::vec(0u32..5, 2..60)) {
        let rows: Vec<Vec<u32>> = values.iter().map(|v| vec![*v; coders]).collect();
        let s = Statistics::compute(&Units::from_rows(coders, &rows));
        prop_assert!(close(s.percent, Some(100.0)));
        let distinct = values.iter().collect::<std::collections::BTreeSet<_>>().len();
        if distinct >= 2 {
            prop_assert!(close(s.krippendorff_alpha, Some(1.0)));
            prop_assert!(close(s.fleiss_kappa, Some(1.0)));
            if coders == 2 {
                prop_assert!(close(s.cohen_kappa, Some(1.0)));
            }
        } else {
            prop_assert_eq!(s.krippendorff_alpha, None);
        }
    }

    #[test]
    fn relabelling_values_changes_nothing((coders, rows) in rows_strategy(), shift in 1u32..1000, order in Just([3u32, 0, 2, 1])) {
        let relabelled: Vec<Vec<u32>> = rows
            .iter()
            .map(|r| r.iter().map(|v| order[*v as usize] * 7 + shift).collect())
            .collect();
        let a = Statistics::compute(&Units::from_rows(coders, &rows));
        let b = Statistics::compute(&Units::from_rows(coders, &relabelled));
        prop_assert!(all_close(&a, &b), "{a:?} {b:?}");
    }

    #[test]
    fn reordering_units_changes_nothing((coders, rows) in rows_strategy(), seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (state >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let a = Statistics::compute(&Units::from_rows(coders, &rows));
        let b = Statistics::compute(&Units::from_rows(coders, &shuffled));
        prop_assert!(all_close(&a, &b), "{a:?} {b:?}");
    }

    #[test]
    fn weights_equal_repeated_rows((coders, rows) in rows_strategy(), repeat in 1u64..5) {
        let mut weighted = Units::new(coders);
        let mut repeated = Vec::new();
        for row in &rows {
            weighted.push(row, repeat);
            for _ in 0..repeat {
                repeated.push(row.clone());
            }
        }
        let a = Statistics::compute(&weighted);
        let b = Statistics::compute(&Units::from_rows(coders, &repeated));
        prop_assert!(all_close(&a, &b), "{a:?} {b:?}");
    }
}
