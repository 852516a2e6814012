//! Writes the agreement unit data Sankore builds from the demo study (R1
//! and R2), so that `scripts/reference/agreement_reference.py` can compute
//! the statistics independently:
//!
//! ```sh
//! cargo run -p sankore-analysis --example export_agreement_units -- crates/analysis/tests/fixtures
//! ```
//!
//! One file per unit and scope, `demo_units_{unit}_{scope}.json`:
//! `{"unit", "scope", "coders", "documents", "codes": {CODE: [[PATTERN, LENGTH]…]}}`
//! where PATTERN has one `0`/`1` per coder, in the order of `coders`, and
//! runs follow the units in document order.

use std::path::PathBuf;
use std::process::ExitCode;

use sankore_analysis::agreement::{AgreementQuery, Scope, UnitKind, UnitTable};

/// The JSON form of a unit table.
fn to_json(table: &UnitTable, scope: Scope) -> serde_json::Value {
    let mut codes = serde_json::Map::new();
    for (key, runs) in &table.codes {
        let runs: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| {
                let pattern: String = (0..table.coders.len())
                    .map(|i| if r.pattern >> i & 1 == 1 { '1' } else { '0' })
                    .collect();
                serde_json::json!([pattern, r.length])
            })
            .collect();
        codes.insert(key.to_string(), serde_json::Value::Array(runs));
    }
    serde_json::json!({
        "unit": table.unit.as_str(),
        "scope": scope,
        "coders": table.coders,
        "documents": table.documents,
        "codes": codes,
    })
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: export_agreement_units DIR");
        return ExitCode::from(2);
    };
    let study = sankore_demo::reference_study();
    for unit in [UnitKind::Paragraph, UnitKind::Character, UnitKind::Segment] {
        for scope in [Scope::Any, Scope::All] {
            let query = AgreementQuery {
                unit,
                coders: Some(vec!["R1".to_owned(), "R2".to_owned()]),
                code: None,
                scope,
            };
            let table =
                match UnitTable::build(&query, &study.codebook, &study.documents, &study.codings) {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("export_agreement_units: {e}");
                        return ExitCode::FAILURE;
                    }
                };
            let scope_name = match scope {
                Scope::Any => "any",
                Scope::All => "all",
            };
            let path = dir.join(format!("demo_units_{}_{scope_name}.json", unit.as_str()));
            let text = to_json(&table, scope).to_string();
            if let Err(e) = std::fs::write(&path, text + "\n") {
                eprintln!("export_agreement_units: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("{}", path.display());
        }
    }
    ExitCode::SUCCESS
}
