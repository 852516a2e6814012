//! The queries on the demo study, checked against naive recomputations
//! from the records (sets and maps, no interning).

use std::collections::{BTreeMap, BTreeSet};

use sankore_analysis::cooccurrence::{Cooccurrence, CooccurrenceQuery, Proximity};
use sankore_analysis::corpus::{Corpus, CorpusInput, Filter};
use sankore_analysis::matrix::{Attribute, Matrix, MatrixQuery, push_factor_ranking};
use sankore_analysis::saturation::Saturation;
use sankore_analysis::triangulation::triangulate;
use sankore_domain::{CodeKey, SessionKind, StudyRecords};

fn study() -> StudyRecords {
    sankore_demo::reference_study()
}

fn corpus(r: &StudyRecords) -> Corpus {
    Corpus::build(&CorpusInput {
        codebook: &r.codebook,
        gazetteer: &r.gazetteer,
        groups: &r.groups,
        participants: &r.participants,
        sessions: &r.sessions,
        documents: &r.documents,
        codings: &r.codings,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn key(k: &str) -> CodeKey {
    CodeKey::new(k).unwrap_or_else(|e| panic!("{e}"))
}

/// Segments, and the sets of documents, speakers and focus groups.
type Sets = (u64, BTreeSet<String>, BTreeSet<String>, BTreeSet<String>);

/// Naive matrix by cercle: (code, cercle) -> (segments, documents,
/// participants, focus groups).
fn naive_by_cercle(
    r: &StudyRecords,
    coder: Option<&str>,
) -> BTreeMap<(String, String), (u64, u64, u64, u64)> {
    let session_of: BTreeMap<&str, &sankore_domain::Session> =
        r.sessions.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut sets: BTreeMap<(String, String), Sets> = BTreeMap::new();
    for c in &r.codings {
        if coder.is_some_and(|x| x != c.coder) {
            continue;
        }
        let Some(d) = r.documents.iter().find(|d| d.code == c.document) else {
            continue;
        };
        let Some(s) = d.session.as_deref().and_then(|s| session_of.get(s)) else {
            continue;
        };
        let cercle = r
            .gazetteer
            .cercle_of(&s.place)
            .map(|p| p.code.to_string())
            .unwrap_or_default();
        let entry = sets.entry((c.code.to_string(), cercle)).or_default();
        entry.0 += 1;
        entry.1.insert(d.code.clone());
        if let Some(t) = d
            .turns
            .iter()
            .find(|t| t.span.start() <= c.span.start() && c.span.start() < t.span.end())
        {
            match &t.participant {
                Some(p) => {
                    entry.2.insert(p.to_string());
                }
                None if s.kind == SessionKind::FocusGroup => {
                    entry.2.insert(format!("{}/{}", s.code, t.speaker));
                }
                None => {}
            }
        }
        if s.kind == SessionKind::FocusGroup {
            entry.3.insert(s.code.clone());
        }
    }
    sets.into_iter()
        .map(|(k, (n, d, p, f))| (k, (n, d.len() as u64, p.len() as u64, f.len() as u64)))
        .collect()
}

#[test]
fn matrix_by_cercle_equals_a_naive_count() {
    let r = study();
    let corpus = corpus(&r);
    for coder in [None, Some("R1"), Some("R2")] {
        let filter = Filter {
            coders: coder.map(|c| vec![c.to_owned()]),
            kinds: None,
        };
        let m = Matrix::compute(
            &corpus,
            &MatrixQuery {
                attribute: Attribute::Cercle,
                codes: None,
                filter,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let naive = naive_by_cercle(&r, coder);
        let mut seen = 0;
        for row in &m.rows {
            for (col, cell) in m.columns.iter().zip(&row.cells) {
                let expected = naive
                    .get(&(row.code.clone(), col.key.clone()))
                    .copied()
                    .unwrap_or_default();
                assert_eq!(
                    (
                        cell.segments,
                        cell.documents,
                        cell.participants,
                        cell.focus_groups
                    ),
                    expected,
                    "{coder:?} {} {}",
                    row.code,
                    col.key
                );
                seen += cell.segments;
            }
        }
        let total = r
            .codings
            .iter()
            .filter(|c| coder.is_none_or(|x| x == c.coder))
            .count() as u64;
        let unattributed: u64 = m.rows.iter().map(|r| r.unattributed.segments).sum();
        assert_eq!(seen + unattributed, total);
    }
}

#[test]
fn push_factor_ranking_comes_from_the_codings() {
    let r = study();
    let corpus = corpus(&r);
    let filter = Filter {
        coders: Some(vec!["R1".into()]),
        kinds: Some(vec![SessionKind::Interview]),
    };
    let ranking =
        push_factor_ranking(&corpus, &key("push"), &filter).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ranking.len(), 5);
    // Interviewees of each cercle raising each factor, counted naively.
    let mut raised: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for p in &r.participants {
        let cercle = r
            .gazetteer
            .cercle_of(&p.place)
            .map(|c| c.code.to_string())
            .unwrap_or_default();
        let doc = format!("{}-T", p.code);
        for c in r
            .codings
            .iter()
            .filter(|c| c.coder == "R1" && c.document == doc)
        {
            raised
                .entry((cercle.clone(), c.code.to_string()))
                .or_default()
                .insert(p.code.to_string());
        }
    }
    let mut tops = BTreeSet::new();
    for cercle in &ranking {
        for (i, f) in cercle.ranking.iter().enumerate() {
            let n = raised
                .get(&(cercle.cercle.clone(), f.code.clone()))
                .map_or(0, |s| s.len() as u64);
            assert_eq!(f.counts.participants, n, "{} {}", cercle.cercle, f.code);
            assert_eq!(f.rank, i + 1);
            if let Some(next) = cercle.ranking.get(i + 1) {
                assert!(f.counts.participants >= next.counts.participants);
            }
        }
        // The seven push factors are all raised in every cercle.
        for factor in sankore_demo::PUSH_FACTORS {
            let f = cercle
                .ranking
                .iter()
                .find(|f| f.code == factor)
                .unwrap_or_else(|| panic!("{factor}"));
            assert!(f.counts.participants > 0, "{} {factor}", cercle.cercle);
        }
        tops.insert(
            cercle.ranking[..3]
                .iter()
                .map(|f| f.code.clone())
                .collect::<Vec<_>>(),
        );
    }
    assert!(tops.len() >= 3, "rankings differ between cercles: {tops:?}");
}

#[test]
fn drill_down_returns_the_cell() {
    let r = study();
    let corpus = corpus(&r);
    let query = MatrixQuery {
        attribute: Attribute::Gender,
        codes: None,
        filter: Filter::default(),
    };
    let m = Matrix::compute(&corpus, &query).unwrap_or_else(|e| panic!("{e}"));
    let jobs = m
        .rows
        .iter()
        .find(|r| r.code == "push.economic.jobs")
        .unwrap_or_else(|| panic!("row"));
    let female = m
        .columns
        .iter()
        .position(|c| c.key == "female")
        .unwrap_or_else(|| panic!("col"));
    let codings = Matrix::drill_down(&corpus, &query, &key("push.economic.jobs"), Some("female"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codings.len() as u64, jobs.cells[female].segments);
    assert!(
        codings
            .iter()
            .all(|c| c.code == "push.economic.jobs" && c.speaker.is_some())
    );
    let unattributed = Matrix::drill_down(&corpus, &query, &key("push.economic.jobs"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        unattributed.len() as u64,
        jobs.unattributed.segments,
        "focus-group members have no gender"
    );
}

#[test]
fn every_attribute_accounts_for_every_coding() {
    let r = study();
    let corpus = corpus(&r);
    for attribute in Attribute::ALL {
        let m = Matrix::compute(
            &corpus,
            &MatrixQuery {
                attribute,
                codes: None,
                filter: Filter::default(),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let counted: u64 = m
            .rows
            .iter()
            .map(|row| {
                row.cells.iter().map(|c| c.segments).sum::<u64>() + row.unattributed.segments
            })
            .sum();
        if attribute == Attribute::ResearchQuestion {
            let expected: u64 = r
                .codings
                .iter()
                .map(|c| {
                    r.codebook
                        .get(&c.code)
                        .map_or(1, |k| k.research_questions.len().max(1) as u64)
                })
                .sum();
            assert_eq!(counted, expected);
        } else {
            assert_eq!(counted, r.codings.len() as u64, "{attribute:?}");
        }
    }
}

#[test]
fn cooccurrence_by_document_is_a_jaccard_of_document_sets() {
    let r = study();
    let corpus = corpus(&r);
    let co = Cooccurrence::compute(
        &corpus,
        &CooccurrenceQuery {
            proximity: Proximity::Document,
            codes: None,
            filter: Filter::default(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut docs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in &r.codings {
        docs.entry(c.code.to_string())
            .or_default()
            .insert(c.document.clone());
    }
    assert!(!co.pairs.is_empty());
    for p in &co.pairs {
        let (a, b) = (&docs[&p.a], &docs[&p.b]);
        let both = a.intersection(b).count() as u64;
        let either = a.union(b).count() as u64;
        assert_eq!((p.both, p.either), (both, either), "{} {}", p.a, p.b);
        assert!((p.jaccard - both as f64 / either as f64).abs() < 1e-12);
    }
    // Passages: R1's passages never overlap each other, so overlapping
    // pairs come only from R2's recodings and second codes.
    let overlap = Cooccurrence::compute(
        &corpus,
        &CooccurrenceQuery {
            proximity: Proximity::Overlap,
            codes: None,
            filter: Filter {
                coders: Some(vec!["R1".into()]),
                kinds: None,
            },
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(overlap.pairs.is_empty(), "{:?}", overlap.pairs.first());
    let near = Cooccurrence::compute(
        &corpus,
        &CooccurrenceQuery {
            proximity: Proximity::Within(200),
            codes: None,
            filter: Filter {
                coders: Some(vec!["R1".into()]),
                kinds: None,
            },
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        near.pairs
            .iter()
            .any(|p| p.a.starts_with("push.") && p.b.starts_with("push."))
    );
    assert!(
        near.pairs
            .iter()
            .all(|p| p.both <= p.either && p.jaccard <= 1.0)
    );
}

#[test]
fn saturation_curves_add_up() {
    let r = study();
    let corpus = corpus(&r);
    let s = Saturation::compute(
        &corpus,
        &Filter {
            coders: Some(vec!["R1".into()]),
            kinds: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.overall.len(), 97);
    let interview_codes: BTreeSet<&str> = r
        .codings
        .iter()
        .filter(|c| c.coder == "R1" && c.document.contains("-INT-"))
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(
        s.overall.last().map(|x| x.cumulative),
        Some(interview_codes.len())
    );
    assert_eq!(s.overall[0].new, s.overall[0].codes);
    for w in s.overall.windows(2) {
        assert!((w[0].date, &w[0].session) <= (w[1].date, &w[1].session));
        assert_eq!(w[1].cumulative, w[0].cumulative + w[1].new);
    }
    let per_group: usize = s.by_group.iter().map(|g| g.steps.len()).sum();
    assert_eq!(per_group, 97);
    // Saturation: the second half of the interviews adds little.
    let late: usize = s.overall[48..].iter().map(|x| x.new).sum();
    assert!(late * 5 < interview_codes.len(), "{late}");
}

#[test]
fn findings_are_triangulated() {
    let r = study();
    let corpus = corpus(&r);
    let t = triangulate(&corpus, &r.findings, &Filter::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.len(), r.findings.len());
    for factor in sankore_demo::PUSH_FACTORS {
        let f = t
            .iter()
            .find(|f| f.codes == [factor.to_owned()])
            .unwrap_or_else(|| panic!("{factor}"));
        let of = |kind: &str| {
            f.by_source
                .iter()
                .find(|e| e.key == kind)
                .map_or(0, |e| e.counts.segments)
        };
        assert!(of("interview") > 0 && of("focus-group") > 0, "{factor}");
        assert!(f.source_kinds >= 2);
        assert_eq!(f.by_cercle.len(), 5);
        assert!(f.by_cercle.iter().all(|e| e.counts.participants > 0));
    }
}
