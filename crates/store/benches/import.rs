//! Import throughput (`scripts/bench-import.sh`): a KoBoToolbox CSV of
//! 100,000 submissions × 60 columns, parsed with the `csv` crate alone, and
//! imported (read, checked against the form, written to a real encrypted
//! workspace in one transaction, and the workspace closed) in the same run. A harness-less bench:
//! `cargo bench -p sankore-store --bench import -- [DIR] [ROWS]`.

use sankore_domain::instrument::{
    Choice, ChoiceList, Instrument, Item, LocalizedText, Question, QuestionType, Settings,
};
use sankore_formats::submissions::{kobo, responses};
use sankore_store::{Passphrase, ResponseImport, ResponseStore, Store, Workspace};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Question kinds of the 56 questions, in a fixed pattern.
fn kind(i: usize) -> QuestionType {
    match i % 8 {
        0 | 4 => QuestionType::Integer,
        1 => QuestionType::SelectOne {
            list: "l".to_owned(),
            or_other: false,
        },
        2 => QuestionType::SelectMultiple {
            list: "l".to_owned(),
            or_other: false,
        },
        3 => QuestionType::Date,
        5 => QuestionType::Decimal,
        _ => QuestionType::Text,
    }
}

fn form() -> Instrument {
    let survey = (0..56)
        .map(|i| {
            Item::Question(Question::new(
                format!("q{i}"),
                kind(i),
                LocalizedText::plain(format!("Question {i}")),
            ))
        })
        .collect();
    let list = ChoiceList {
        name: "l".to_owned(),
        choices: ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| Choice {
                name: (*n).to_owned(),
                label: LocalizedText::plain(n.to_uppercase()),
                extra: Default::default(),
            })
            .collect(),
    };
    let settings = Settings {
        form_id: "bench".to_owned(),
        ..Settings::default()
    };
    Instrument::new(settings, survey, vec![list]).unwrap_or_else(|e| panic!("{e}"))
}

/// The CSV: 56 answers and `_id`, `_uuid`, `_submission_time`, `_index`.
fn data(rows: usize) -> String {
    let mut out = String::with_capacity(rows * 700);
    let headers: Vec<String> = (0..56)
        .map(|i| format!("\"q{i}\""))
        .chain(["\"_id\"", "\"_uuid\"", "\"_submission_time\"", "\"_index\""].map(str::to_owned))
        .collect();
    out.push_str(&headers.join(";"));
    out.push('\n');
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let words = [
        "emploi",
        "jeunes",
        "marché",
        "sécurité",
        "école",
        "eau",
        "récolte",
        "conflit",
    ];
    for r in 0..rows {
        for i in 0..56 {
            let n = next();
            out.push('"');
            match i % 8 {
                0 | 4 => {
                    let _ = write!(out, "{}", n % 90);
                }
                1 => out.push(char::from(b'a' + (n % 5) as u8)),
                2 => out.push_str(["a c", "b", "d e", "a b c"][(n % 4) as usize]),
                3 => {
                    let _ = write!(out, "2017-0{}-{:02}", 4 + n % 3, 1 + n % 28);
                }
                5 => {
                    let _ = write!(out, "{}.{}", n % 1000, n % 100);
                }
                _ => {
                    for w in 0..(n % 6) {
                        if w > 0 {
                            out.push(' ');
                        }
                        out.push_str(words[((n >> (w * 3)) % 8) as usize]);
                    }
                }
            }
            out.push_str("\";");
        }
        let _ = writeln!(
            out,
            "\"{r}\";\"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}\";\"2017-05-02T10:00:00\";\"{}\"",
            next() as u32,
            next() as u16,
            next() % 4096,
            next() % 4096,
            next() % (1 << 48),
            r + 1
        );
    }
    out
}

/// CPU time used by the process so far (user + system, all threads),
/// from `/proc/self/stat`: the machine may be shared, and CPU time does not
/// count the time spent waiting for a core.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Reads, checks and imports the CSV as `sankore import kobo` does;
/// returns the outcome and the time at the end of each phase.
fn import_file(
    store: &mut sankore_store::sqlite::SqliteStore,
    bytes: &[u8],
    form: &Instrument,
) -> (
    sankore_store::ResponseImportOutcome,
    Duration,
    Duration,
    Duration,
) {
    let start = Instant::now();
    let mut submissions = kobo::read_csv("kobo.csv", bytes).unwrap_or_else(|e| panic!("{e}"));
    let refused = submissions.set_aside_rejected().len();
    let read = start.elapsed();
    let linked = responses::link(&submissions, form).unwrap_or_else(|e| panic!("{e}"));
    let checked = start.elapsed();
    let outcome = store
        .import_responses(
            &ResponseImport {
                form,
                origin: submissions.origin.as_str(),
                responses: &linked,
                records: &[],
                refused,
                actor: "bench",
            },
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
    (outcome, read, checked, start.elapsed())
}

fn best(runs: &[Duration]) -> Duration {
    runs.iter().copied().min().unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let dir = std::path::PathBuf::from(
        args.first()
            .cloned()
            .unwrap_or_else(|| "target/bench-import".to_owned()),
    );
    let rows: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(100_000);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let text = data(rows);
    let path = dir.join("kobo.csv");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let form = form();
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "data: {rows} submissions × 60 columns, {mb:.1} MB ({})",
        path.display()
    );

    let mut parse = Vec::new();
    let mut parse_cpu = Vec::new();
    for _ in 0..3 {
        let cpu = cpu_time();
        let start = Instant::now();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(bytes.as_slice());
        let mut fields = 0usize;
        for record in reader.records() {
            fields += record.unwrap_or_else(|e| panic!("{e}")).len();
        }
        parse.push(start.elapsed());
        parse_cpu.push(cpu_time() - cpu);
        assert_eq!(fields, rows * 60);
    }

    let mut import = Vec::new();
    let mut import_cpu = Vec::new();
    let mut phases = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut reimport = Vec::new();
    for run in 0..3 {
        let ws = dir.join(format!("ws-{run}"));
        let _ = std::fs::remove_dir_all(&ws);
        let passphrase = Passphrase::new("a benchmark passphrase".to_owned());
        let (_, mut store) = Workspace::create(&ws, &passphrase).unwrap_or_else(|e| panic!("{e}"));
        let gazetteer = sankore_domain::gazetteer::timbuktu_2017();
        let study = sankore_domain::Study::new(
            "bench",
            chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default(),
            chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap_or_default(),
            vec![],
            vec![sankore_domain::Lang::Fr],
            &gazetteer.version,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        store
            .create_study(&study, &gazetteer)
            .unwrap_or_else(|e| panic!("{e}"));
        let cpu = cpu_time();
        let (outcome, read, checked, imported) = import_file(&mut store, &bytes, &form);
        // Closing checkpoints what the import left in the write-ahead log
        // into the database: part of the import's cost, as `sankore
        // import` pays it before exiting.
        let closing = Instant::now();
        drop(store);
        let total = imported + closing.elapsed();
        import_cpu.push(cpu_time() - cpu);
        assert_eq!(outcome.new, rows);
        import.push(total);
        if run == 0 || total <= best(&import) {
            phases = (read, checked - read, total - checked);
        }
        let mut store = Workspace::open(&ws)
            .and_then(|w| w.open_store(&passphrase))
            .unwrap_or_else(|e| panic!("{e}"));
        // The same file again: every submission known and compared.
        let (again, _, _, total) = import_file(&mut store, &bytes, &form);
        assert_eq!(again.unchanged, rows);
        reimport.push(total);
        drop(store);
        let _ = std::fs::remove_dir_all(&ws);
    }
    let (p, i) = (best(&parse), best(&import));
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "csv crate, parse only: best {:.3} s ({:.1} MB/s)",
        p.as_secs_f64(),
        rate(p)
    );
    println!(
        "sankore import:        best {:.3} s ({:.1} MB/s): read {:.3} s, check against the form {:.3} s, write and close {:.3} s",
        i.as_secs_f64(),
        rate(i),
        phases.0.as_secs_f64(),
        phases.1.as_secs_f64(),
        phases.2.as_secs_f64()
    );
    println!(
        "CPU time (all threads), best: parse {:.2} s, import {:.2} s",
        best(&parse_cpu).as_secs_f64(),
        best(&import_cpu).as_secs_f64()
    );
    println!(
        "re-import of the same file (all unchanged): best {:.3} s",
        best(&reimport).as_secs_f64()
    );
    let ratio = p.as_secs_f64() / i.as_secs_f64();
    println!("import throughput / parse throughput (wall clock): {ratio:.2} (target ≥ 0.33)");
    if ratio < 1.0 / 3.0 {
        std::process::exit(1);
    }
}
