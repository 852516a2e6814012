//! Benchmarks of the analyses at scale (not a timed unit test): run by
//! `scripts/bench-analysis.sh`, which also runs the Python/DuckDB peers on
//! the same data.
//!
//! `cargo bench -p sankore-analysis --bench analysis -- DIR` generates, with
//! a fixed seed:
//! - a study of 10,000 participants (one interview and one transcript
//!   each, five cercles, seven groups), a flat codebook of 100 codes and
//!   1,000,000 codings by three coders, and times the corpus build and the
//!   matrix query (codes × cercle and codes × group: segments, documents,
//!   distinct participants);
//! - reliability data of 100,000 units × 3 coders (5 values), and times
//!   Krippendorff's alpha.
//!
//! It writes the data and Rust's answers to DIR (CSV) for the peers.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sankore_analysis::agreement::{Units, krippendorff_alpha};
use sankore_analysis::corpus::{Corpus, CorpusInput, Filter};
use sankore_analysis::matrix::{Attribute, Matrix, MatrixQuery};
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_domain::{
    AgeBand, Code, CodeKey, Codebook, Coding, CodingOrigin, Color, ConsentStatus, Document,
    DocumentKind, Gender, Localized, Participant, ParticipantCode, PlaceCode, Session, SessionKind,
    Span, StakeholderGroup, TextBody, Turn,
};

const PARTICIPANTS: usize = 10_000;
const CODES: usize = 100;
const CODINGS: usize = 1_000_000;
const UNITS: usize = 100_000;
const DOC_LEN: usize = 2_000;
const RUNS: usize = 15;

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn fail(what: &str) -> ! {
    eprintln!("bench: {what}");
    std::process::exit(1)
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| fail(&e.to_string()))
}

/// Best and median of `RUNS` timings of `f`.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    let Some(out) = last else { fail("no run") };
    (times[0], times[RUNS / 2], out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from("target/bench-analysis"), PathBuf::from);
    ok(std::fs::create_dir_all(&dir));
    let mut rng = Rng(0x5A4E_4B4F_5245_2017);

    // The study.
    let gazetteer = timbuktu_2017();
    let cercles = ["TBK", "GDM", "GRH", "DIR", "NFK"];
    let groups: Vec<StakeholderGroup> = (0..7)
        .map(|g| {
            ok(StakeholderGroup::new(
                &format!("g{g}"),
                &format!("group {g}"),
                Localized::default(),
            ))
        })
        .collect();
    let codes: Vec<Code> = (0..CODES)
        .map(|c| Code {
            key: ok(CodeKey::new(&format!("c{c:03}"))),
            parent: None,
            name: Localized::new(format!("code {c}"), format!("code {c}")),
            description: Localized::default(),
            color: ok(Color::parse("#336699")),
            research_questions: vec![],
        })
        .collect();
    let codebook = ok(Codebook::new(1, "bench", codes, 6));
    let text = "x".repeat(DOC_LEN - 1) + "\n";
    let body = TextBody::new(&text);
    let date = NaiveDate::from_ymd_opt(2017, 5, 1).unwrap_or_default();
    let mut participants = Vec::with_capacity(PARTICIPANTS);
    let mut sessions = Vec::with_capacity(PARTICIPANTS);
    let mut documents = Vec::with_capacity(PARTICIPANTS);
    let mut cercle_of = Vec::with_capacity(PARTICIPANTS);
    for p in 0..PARTICIPANTS {
        let code = ok(ParticipantCode::new(&format!("P-{p:05}")));
        let cercle = rng.below(cercles.len());
        cercle_of.push(cercle);
        let place = ok(PlaceCode::new(cercles[cercle]));
        participants.push(Participant {
            code: code.clone(),
            gender: if rng.below(2) == 0 {
                Gender::Female
            } else {
                Gender::Male
            },
            age_band: AgeBand::From25To34,
            group: format!("g{}", rng.below(7)),
            place: place.clone(),
            consent: ConsentStatus::Given,
        });
        sessions.push(Session {
            code: format!("S-{p:05}"),
            kind: SessionKind::Interview,
            place,
            date,
            facilitators: vec!["R1".into()],
            participants: vec![code.clone()],
            composition: vec![],
            declared_total: None,
        });
        documents.push(Document {
            code: format!("D-{p:05}"),
            session: Some(format!("S-{p:05}")),
            title: "bench".into(),
            kind: DocumentKind::Transcript,
            language: "fr".into(),
            body: body.clone(),
            turns: vec![Turn {
                speaker: code.to_string(),
                participant: Some(code),
                span: ok(Span::new(0, DOC_LEN, DOC_LEN)),
            }],
        });
    }
    let coders = ["R1", "R2", "R3"];
    let mut codings = Vec::with_capacity(CODINGS);
    let mut csv = String::with_capacity(CODINGS * 24);
    csv.push_str("code,doc,participant,cercle,grp,coder\n");
    for _ in 0..CODINGS {
        let doc = rng.below(PARTICIPANTS);
        // Codes are skewed: low ids far more frequent.
        let code = rng.below(CODES).min(rng.below(CODES));
        let start = rng.below(DOC_LEN - 100);
        let coder = rng.below(coders.len());
        codings.push(Coding {
            document: format!("D-{doc:05}"),
            span: ok(Span::new(start, start + 1 + rng.below(99), DOC_LEN)),
            code: ok(CodeKey::new(&format!("c{code:03}"))),
            coder: coders[coder].to_owned(),
            memo: None,
            origin: CodingOrigin::Manual,
        });
        let group: usize = participants[doc].group[1..].parse().unwrap_or(0);
        let _ = writeln!(csv, "{code},{doc},{doc},{},{group},{coder}", cercle_of[doc]);
    }
    ok(std::fs::write(dir.join("codings.csv"), csv));

    let input = CorpusInput {
        codebook: &codebook,
        gazetteer: &gazetteer,
        groups: &groups,
        participants: &participants,
        sessions: &sessions,
        documents: &documents,
        codings: &codings,
    };
    let start = Instant::now();
    let corpus = ok(Corpus::build(&input));
    let build = start.elapsed();
    println!(
        "corpus build: {:.1} ms ({} codings, {} participants, {} codes)",
        ms(build),
        corpus.codings.len(),
        corpus.participants.len(),
        corpus.codes.len()
    );

    for (attribute, column) in [(Attribute::Cercle, "cercle"), (Attribute::Group, "grp")] {
        let query = MatrixQuery {
            attribute,
            codes: None,
            filter: Filter::default(),
        };
        let (best, median, matrix) = time(|| ok(Matrix::compute(&corpus, &query)));
        println!(
            "matrix codes x {column}: best {:.2} ms, median {:.2} ms ({RUNS} runs)",
            ms(best),
            ms(median)
        );
        let mut out = format!("code,{column},segments,documents,participants\n");
        for (r, row) in matrix.rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                if cell.segments > 0 {
                    let _ = writeln!(
                        out,
                        "{r},{c},{},{},{}",
                        cell.segments, cell.documents, cell.participants
                    );
                }
            }
        }
        ok(std::fs::write(
            dir.join(format!("rust_matrix_{column}.csv")),
            out,
        ));
    }

    // Reliability data: a true value per unit, each coder right 80% of the time.
    let mut units = Units::new(3);
    let mut csv = String::with_capacity(UNITS * 8);
    csv.push_str("a,b,c\n");
    for _ in 0..UNITS {
        let truth = rng.below(5) as u32;
        let row: Vec<u32> = (0..3)
            .map(|_| {
                if rng.below(10) < 8 {
                    truth
                } else {
                    rng.below(5) as u32
                }
            })
            .collect();
        let _ = writeln!(csv, "{},{},{}", row[0], row[1], row[2]);
        units.push(&row, 1);
    }
    ok(std::fs::write(dir.join("reliability.csv"), csv));
    let (best, median, alpha) = time(|| krippendorff_alpha(&units));
    let alpha = alpha.unwrap_or(f64::NAN);
    println!(
        "krippendorff alpha 100000 units x 3 coders: best {:.3} ms, median {:.3} ms, alpha {alpha:.12}",
        ms(best),
        ms(median)
    );
    ok(std::fs::write(
        dir.join("rust_alpha.txt"),
        format!("{alpha:.15}\n"),
    ));
    println!("data and answers in {}", dir.display());
}
