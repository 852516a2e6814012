//! `sankore analyze` end to end on the demo workspace: the agreement
//! contract, and each query's output formats.

use serde_json::Value;

mod support;

use support::{in_workspace, shared_demo, stdout_of};

fn analyze(args: &[&str]) -> String {
    stdout_of(&mut in_workspace(
        shared_demo(),
        &[&["analyze"], args].concat(),
    ))
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&analyze(args)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Equal JSON values, numbers to 1e-12 (JSON text round trips of floats
/// may differ in the last bit).
fn assert_close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            assert!((x - y).abs() < 1e-12, "{path}: {x} != {y}");
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                assert_close(v, w, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

const STATS: [&str; 4] = [
    "percent",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
];

#[test]
fn agreement_follows_the_contract() {
    let study = sankore_demo::reference_study();
    for unit in ["paragraph", "character", "segment"] {
        let out = json(&[
            "agreement",
            "--unit",
            unit,
            "--coders",
            "R1,R2",
            "--format",
            "json",
        ]);
        assert_eq!(out["unit"], unit);
        assert_eq!(out["coders"], serde_json::json!(["R1", "R2"]));
        let overall = out["overall"]
            .as_object()
            .unwrap_or_else(|| panic!("overall"));
        assert_eq!(overall.len(), 4);
        for key in STATS {
            assert!(overall[key].is_f64(), "{unit} {key}");
        }
        let per_code = out["per_code"]
            .as_object()
            .unwrap_or_else(|| panic!("per_code"));
        assert!(
            per_code.contains_key("push.economic.jobs"),
            "keyed by code key"
        );
        for stats in per_code.values() {
            let stats = stats.as_object().unwrap_or_else(|| panic!("stats"));
            let keys: Vec<&str> = stats.keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 4);
            assert!(STATS.iter().all(|k| keys.contains(k)));
        }
        // Same figures as the library on the same records.
        let query = sankore_analysis::agreement::AgreementQuery {
            unit: match unit {
                "paragraph" => sankore_analysis::agreement::UnitKind::Paragraph,
                "character" => sankore_analysis::agreement::UnitKind::Character,
                _ => sankore_analysis::agreement::UnitKind::Segment,
            },
            coders: Some(vec!["R1".into(), "R2".into()]),
            code: None,
            scope: sankore_analysis::agreement::Scope::Any,
        };
        let ours = sankore_analysis::agreement::Agreement::compute(
            &query,
            &study.codebook,
            &study.documents,
            &study.codings,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let expected = serde_json::to_value(&ours).unwrap_or_else(|e| panic!("{e}"));
        assert_close(&out, &expected, unit);
        // The uncoded-text pitfall: both views are there.
        assert!(out["excluding_uncoded"]["overall"]["krippendorff_alpha"].is_number());
    }
}

#[test]
fn agreement_on_one_code_and_its_errors() {
    let out = json(&[
        "agreement",
        "--unit",
        "paragraph",
        "--coders",
        "R1,R2",
        "--code",
        "push.economic.jobs",
        "--format",
        "json",
    ]);
    let per_code = out["per_code"]
        .as_object()
        .unwrap_or_else(|| panic!("per_code"));
    assert_eq!(per_code.keys().collect::<Vec<_>>(), ["push.economic.jobs"]);
    assert_eq!(out["overall"], out["per_code"]["push.economic.jobs"]);
    let failed = in_workspace(
        shared_demo(),
        &[
            "analyze",
            "agreement",
            "--unit",
            "paragraph",
            "--coders",
            "R1",
        ],
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("at least two coders"), "{stderr}");
}

#[test]
fn ranking_matrix_and_drill_down() {
    let out = json(&[
        "matrix",
        "--ranking",
        "--coders",
        "R1",
        "--kinds",
        "interview",
        "--format",
        "json",
    ]);
    let cercles = out["cercles"]
        .as_array()
        .unwrap_or_else(|| panic!("cercles"));
    assert_eq!(cercles.len(), 5);
    for c in cercles {
        let first = &c["ranking"][0];
        assert_eq!(first["rank"], 1);
        assert!(first["participants"].as_u64().unwrap_or(0) > 0);
    }
    let csv = analyze(&["matrix", "--by", "gender", "--format", "csv"]);
    assert!(csv.starts_with("code,column,measure,value\n"));
    assert!(csv.contains("push.economic.jobs,female,participants,"));
    let md = analyze(&[
        "matrix", "--by", "cercle", "--under", "push", "--format", "md",
    ]);
    assert!(md.contains("| Tombouctou |") || md.contains("Tombouctou"));
    let cell = json(&[
        "matrix",
        "--by",
        "cercle",
        "--cell",
        "push.economic.jobs=TBK",
        "--format",
        "json",
    ]);
    let codings = cell["codings"]
        .as_array()
        .unwrap_or_else(|| panic!("codings"));
    assert!(!codings.is_empty());
    assert!(codings.iter().all(|c| c["code"] == "push.economic.jobs"));
}

#[test]
fn cooccurrence_saturation_and_words() {
    let co = json(&[
        "cooccurrence",
        "--proximity",
        "document",
        "--under",
        "push",
        "--format",
        "json",
    ]);
    assert!(
        !co["pairs"]
            .as_array()
            .unwrap_or_else(|| panic!("pairs"))
            .is_empty()
    );
    let sat = json(&["saturation", "--coders", "R1", "--format", "json"]);
    assert_eq!(sat["overall"].as_array().map(Vec::len), Some(97));
    let words = json(&[
        "words",
        "--kinds",
        "interview",
        "--exclude-speakers",
        "Enquêteur,Enquêtrice",
        "--format",
        "json",
    ]);
    let terms = words["terms"].as_array().unwrap_or_else(|| panic!("terms"));
    assert!(
        terms.iter().any(|t| t["term"] == "jeun"),
        "jeunes/jeune stemmed together"
    );
    assert!(
        terms.iter().all(|t| t["term"] != "les"),
        "stop words left out"
    );
    let kwic = analyze(&["words", "--kwic", "emploi", "--format", "csv"]);
    assert!(kwic.starts_with("document,start,left,keyword,right\n"));
    assert!(kwic.lines().count() > 10);
}
