//! The study report: title page, methodology, one chapter per research
//! question, push factors by cercle, a map of the cercles, forum outcomes,
//! recommendations, actions and, in the coordinator's copy only, the
//! disclosure report. Every count of people and every quote passes the
//! disclosure gate first ([`build`]); the result is a list of blocks that
//! renders to self-contained HTML ([`html`]) or to PDF through typst
//! ([`pdf`]). Same input, same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use sankore_analysis::Methodology;
use sankore_analysis::corpus::Corpus;
use sankore_analysis::evidence::{FindingOverview, speakers_by_cercle};
use sankore_disclosure::quotes::{Attribution, MemoryNames, NameIndex, PlaceIndex, kinds, scan};
use sankore_disclosure::report::{DisclosureReport, QuoteDecision, QuoteEntry, Warning};
use sankore_disclosure::rules::{
    Settings, complete_count_of_tiny_group, homogeneous_small_cell, percentage_publishable,
};
use sankore_disclosure::{Cell, Equation, Reason, Suppressed, suppress_with};
use sankore_domain::instrument::Instrument;
use sankore_domain::{
    ActionStatus, Gender, PlaceLevel, SessionKind, StudyRecords, gazetteer::PlaceCode,
};
use sankore_i18n::{Lang, Msg, agreement_msg, outcome_msg};
use sankore_store::{
    DisclosureStore, FollowupStore, InstrumentStore, NameTokenIndex, QuoteReview, QuoteStore,
    Store, StoredCoding, VaultStore,
};
use sha2::{Digest, Sha256};

use crate::charts::{self, GroupRow, MapPlace, PALETTE};
use crate::{ReportError, escape_html};

/// Longest quote shown, in characters (longer ones are cut with `…`).
const QUOTE_MAX: usize = 600;

/// A piece of the report, rendered the same way in HTML and PDF.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title page.
    Title {
        title: String,
        subtitle: String,
        lines: Vec<String>,
        notice: String,
    },
    /// A chapter (level 1) or section (level 2) heading.
    Heading(u8, String),
    Paragraph(String),
    /// A small, muted note.
    Note(String),
    /// A table; `numeric[i]` right-aligns column `i`.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<bool>,
    },
    /// An SVG figure with its caption.
    Figure {
        svg: String,
        caption: String,
    },
    /// A quote and its pseudonymous attribution.
    Quote {
        text: String,
        attribution: String,
    },
    List(Vec<String>),
    PageBreak,
}

/// What a report is built from.
pub struct StudyInput<'a> {
    pub records: &'a StudyRecords,
    pub corpus: &'a Corpus,
    pub methodology: &'a Methodology,
    pub findings: &'a [FindingOverview],
    /// Quotes picked for findings, as `(finding key, coding)`.
    pub quotes: &'a [(String, StoredCoding)],
    pub reviews: &'a [QuoteReview],
    pub settings: &'a Settings,
    /// Names that must not appear in a quote (the identity vault's index).
    pub names: &'a dyn NameIndex,
    /// The data collection instruments, annexed when there are any.
    pub instruments: &'a [Instrument],
}

/// How to build it.
pub struct Options<'a> {
    pub lang: Lang,
    /// The threshold (overrides the study's setting when given).
    pub k: Option<u64>,
    /// The report's date (pinned for reproducible output).
    pub date: NaiveDate,
    /// Whether to annex the disclosure report (the coordinator's copy).
    pub coordinator_copy: bool,
    /// Areas to draw under the chef-lieu symbols (GeoJSON).
    pub areas: Option<&'a serde_json::Value>,
}

/// A built report: its blocks and what disclosure control decided.
pub struct Built {
    pub lang: Lang,
    pub title: String,
    pub blocks: Vec<Block>,
    pub disclosure: DisclosureReport,
}

/// SHA-256 (hex) of a quote's text, which a review is tied to.
pub fn text_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The counts of people the report publishes, with their equations.
struct Counts {
    cells: Vec<Cell>,
    equations: Vec<Equation>,
    index: BTreeMap<String, usize>,
}

impl Counts {
    fn add(&mut self, path: String, count: u64) -> usize {
        self.cells.push(Cell {
            path: path.clone(),
            count,
        });
        self.index.insert(path, self.cells.len() - 1);
        self.cells.len() - 1
    }
    fn at(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }
}

/// Counts after suppression: the number, or the neutral `withheld`
/// marker (the same for every reason, so the marker itself tells nothing).
struct Published {
    k: u64,
    hidden: BTreeSet<String>,
    marker: String,
}

impl Published {
    fn get(&self, path: &str, n: u64) -> Option<u64> {
        (!self.hidden.contains(path)).then_some(n)
    }
    fn show(&self, path: &str, n: u64) -> String {
        self.get(path, n)
            .map_or_else(|| self.marker.clone(), |n| n.to_string())
    }
}

fn cercle_name(records: &StudyRecords, code: &PlaceCode) -> String {
    records
        .gazetteer
        .cercle_of(code)
        .map_or_else(|| code.as_str().to_owned(), |p| p.name.clone())
}

/// Loads a study from a store and builds its report; `names` is the index
/// no quote may match (the identity vault's, else the participants' codes).
pub fn from_store(
    store: &(impl Store + FollowupStore + QuoteStore + DisclosureStore + InstrumentStore),
    names: &dyn NameIndex,
    options: &Options<'_>,
) -> Result<Built, ReportError> {
    let records = store.load_study()?.ok_or(ReportError::NoStudy)?;
    let corpus = Corpus::from_store(store)?;
    let methodology =
        sankore_analysis::methodology::from_store(store)?.ok_or(ReportError::NoStudy)?;
    let findings = sankore_analysis::evidence::overview(
        &corpus,
        &records.findings,
        &records.research_questions,
        &records.sessions,
        &records.forum_outcomes,
    );
    let instruments = store
        .instruments()?
        .iter()
        .filter_map(|i| store.instrument(&i.key).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    build(
        &StudyInput {
            records: &records,
            corpus: &corpus,
            methodology: &methodology,
            findings: &findings,
            quotes: &store.finding_quotes()?,
            reviews: &store.quote_reviews()?,
            settings: &store.disclosure_settings()?,
            names,
            instruments: &instruments,
        },
        options,
    )
}

/// The identity vault's keyed name-token index, as the scan's name index.
pub struct VaultNames(pub NameTokenIndex);

impl NameIndex for VaultNames {
    fn is_name(&self, token: &str) -> bool {
        self.0.is_name(token)
    }
}

/// The names no published quote may hold: every name token in the identity
/// vault (asked through its keyed index, without opening the vault) and
/// every participant's pseudonymous code.
pub fn names(store: &(impl Store + VaultStore)) -> Result<(VaultNames, MemoryNames), ReportError> {
    let codes = store.participants()?;
    Ok((
        VaultNames(store.name_index()?),
        MemoryNames::new(codes.iter().map(|p| p.code.as_str())),
    ))
}

/// Applies disclosure control and lays the report out.
pub fn build(input: &StudyInput<'_>, options: &Options<'_>) -> Result<Built, ReportError> {
    let lang = options.lang;
    let t = |m: Msg| m.text(lang).to_owned();
    let k = options.k.unwrap_or(input.settings.k);
    sankore_disclosure::check_threshold(k).map_err(|e| ReportError::Render(e.to_string()))?;
    let r = input.records;
    let m = input.methodology;
    let cercles: Vec<_> = r.gazetteer.at_level(PlaceLevel::Cercle).collect();

    // 1. Every count of people, in one system of equations.
    let (cells, equations, _) = crate::methodology::people(m);
    let mut counts = Counts {
        index: cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.path.clone(), i))
            .collect(),
        cells,
        equations,
    };
    // People heard, by cercle (interviews and focus groups) for the map.
    let mut heard_by_cercle: BTreeMap<String, u64> = BTreeMap::new();
    for s in &r.sessions {
        let n = match s.kind {
            SessionKind::Interview | SessionKind::FocusGroup => u64::from(s.headcount()),
            _ => continue,
        };
        *heard_by_cercle.entry(cercle_name(r, &s.place)).or_default() += n;
    }
    let heard = counts.add(
        "heard.participants".into(),
        m.interviews.sessions + m.focus_groups.participants,
    );
    if let (Some(i), Some(f)) = (
        counts.at("interviews.sessions"),
        counts.at("focus_groups.participants"),
    ) {
        counts.equations.push(Equation {
            total: heard,
            parts: vec![i, f],
        });
    }
    let by_cercle: Vec<usize> = cercles
        .iter()
        .map(|c| {
            let n = heard_by_cercle.get(&c.name).copied().unwrap_or(0);
            counts.add(format!("heard.by_cercle.{}", c.code.as_str()), n)
        })
        .collect();
    if by_cercle
        .iter()
        .map(|i| counts.cells[*i].count)
        .sum::<u64>()
        == counts.cells[heard].count
    {
        counts.equations.push(Equation {
            total: heard,
            parts: by_cercle,
        });
    }
    // Forum attendance, each forum and their sum.
    let forums: Vec<_> = r
        .sessions
        .iter()
        .filter(|s| s.kind == SessionKind::ValidationForum)
        .collect();
    let forum_cells: Vec<usize> = forums
        .iter()
        .map(|s| {
            counts.add(
                format!("forums.{}.participants", s.code),
                u64::from(s.headcount()),
            )
        })
        .collect();
    if let Some(total) = counts.at("validation_forums.participants")
        && forum_cells
            .iter()
            .map(|i| counts.cells[*i].count)
            .sum::<u64>()
            == counts.cells[total].count
    {
        counts.equations.push(Equation {
            total,
            parts: forum_cells,
        });
    }
    // Evidence: distinct speakers per finding, and per cercle.
    let mut by_factor: Vec<(usize, Vec<usize>)> = Vec::new();
    for (f, overview) in r.findings.iter().zip(input.findings) {
        let speakers = speakers_by_cercle(input.corpus, f);
        let total = counts.add(
            format!("findings.{}.participants", f.key),
            overview.strength.participants,
        );
        let parts: Vec<usize> = input
            .corpus
            .cercles
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let n = speakers.iter().filter(|(cc, _)| *cc as usize == ci).count() as u64;
                counts.add(format!("findings.{}.by_cercle.{}", f.key, c.code), n)
            })
            .collect();
        let parts_sum: u64 = parts.iter().map(|i| counts.cells[*i].count).sum();
        if parts_sum == overview.strength.participants {
            counts.equations.push(Equation {
                total,
                parts: parts.clone(),
            });
        }
        by_factor.push((total, parts));
    }

    // 2. Tiny real populations counted whole, then suppression.
    let mut warnings = Vec::new();
    let mut primary = Vec::new();
    for (path, population) in &input.settings.populations {
        if let Some(i) = counts.at(path)
            && complete_count_of_tiny_group(counts.cells[i].count, *population, k)
        {
            primary.push((i, Reason::TinyPopulation));
            warnings.push(Warning::CompleteCountOfTinyGroup { path: path.clone() });
        }
    }
    let hidden = suppress_with(&counts.cells, &counts.equations, k, &primary)
        .map_err(|e| ReportError::Render(e.to_string()))?;
    let suppressed: Vec<Suppressed> = hidden
        .iter()
        .map(|(i, reason)| Suppressed {
            path: counts.cells[*i].path.clone(),
            reason: *reason,
            k,
        })
        .collect();
    let published = Published {
        k,
        hidden: suppressed.iter().map(|s| s.path.clone()).collect(),
        marker: t(Msg::ReportWithheld),
    };

    // l-diversity: a published cell of the push-factor chart where
    // everyone heard in a small cercle spoke to the finding.
    for (_, parts) in &by_factor {
        for (part, cercle) in parts.iter().zip(&cercles) {
            let heard = heard_by_cercle.get(&cercle.name).copied().unwrap_or(0);
            let spoke = counts.cells[*part].count.min(heard);
            if !published.hidden.contains(&counts.cells[*part].path)
                && homogeneous_small_cell(&[heard - spoke, spoke], k)
            {
                warnings.push(Warning::Homogeneous {
                    path: counts.cells[*part].path.clone(),
                });
            }
        }
    }

    // 3. Quotes: scanned, attributed pseudonymously, decided.
    let places = place_index(r);
    let mut quote_entries = Vec::new();
    let mut quotes_by_finding: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for (finding, stored) in input.quotes {
        let Some(document) = r
            .documents
            .iter()
            .find(|d| d.code == stored.coding.document)
        else {
            continue;
        };
        let text = document.body.slice(stored.coding.span).trim().to_owned();
        let flags = scan(&text, input.names, &places);
        let review = input.reviews.iter().find(|rv| {
            rv.finding == *finding && rv.coding == stored.id && rv.text_sha256 == text_sha256(&text)
        });
        let (decision, shown, checked_flags) = match (flags.is_empty(), review) {
            (_, Some(rv)) if rv.edited_text.is_some() => {
                let edited = rv.edited_text.clone().unwrap_or_default();
                let again = scan(&edited, input.names, &places);
                if again.is_empty() {
                    (QuoteDecision::Edited, Some(edited), again)
                } else {
                    (QuoteDecision::Blocked, None, again)
                }
            }
            (false, Some(_)) => (QuoteDecision::Approved, Some(text.clone()), flags),
            (true, _) => (QuoteDecision::Clean, Some(text.clone()), flags),
            (false, None) => (QuoteDecision::Blocked, None, flags),
        };
        let (attribution, coarsened) = attribution(r, document, stored, k);
        quote_entries.push(QuoteEntry {
            finding: finding.clone(),
            coding: stored.id.clone(),
            flags: kinds(&checked_flags),
            decision: decision.clone(),
            by: review
                .filter(|_| matches!(decision, QuoteDecision::Approved | QuoteDecision::Edited))
                .map(|rv| rv.actor.clone()),
            reason: review
                .filter(|_| matches!(decision, QuoteDecision::Approved | QuoteDecision::Edited))
                .map(|rv| rv.reason.clone()),
            attribution_coarsened: coarsened,
        });
        if let Some(shown) = shown {
            let shown = if shown.chars().count() > QUOTE_MAX {
                let cut: String = shown.chars().take(QUOTE_MAX).collect();
                format!("{}…", cut.trim_end())
            } else {
                shown
            };
            quotes_by_finding
                .entry(finding.as_str())
                .or_default()
                .push((shown, attribution_text(r, &attribution, lang)));
        }
    }

    let disclosure = DisclosureReport {
        k,
        quasi_identifiers: input.settings.quasi_identifiers.clone(),
        suppressed,
        warnings,
        quotes: quote_entries,
    };

    // 4. The layout.
    let mut blocks = Vec::new();
    let cercle_names: Vec<String> = cercles.iter().map(|c| c.name.clone()).collect();
    blocks.push(Block::Title {
        title: r.study.name.clone(),
        subtitle: t(Msg::ReportStudyTitle),
        lines: vec![
            format!(
                "{} : {} – {}",
                t(Msg::Period),
                long_date(r.study.start, lang),
                long_date(r.study.end, lang)
            ),
            format!("{} : {}", t(Msg::Places), cercle_names.join(", ")),
            format!("{} : {}", t(Msg::Date), long_date(options.date, lang)),
        ],
        notice: if options.coordinator_copy {
            t(Msg::ReportCoordinatorCopy)
        } else {
            t(Msg::ReportPublicCopy)
        },
    });
    blocks.push(Block::PageBreak);

    // Methodology.
    blocks.push(Block::Heading(1, t(Msg::Methodology)));
    blocks.push(Block::Paragraph(t(Msg::ReportMethodIntro)));
    let p = &published;
    let mut rows = vec![
        vec![t(Msg::TeamSize), m.study.team_size.to_string()],
        vec![t(Msg::Places), m.places.len().to_string()],
        vec![t(Msg::ResearchQuestions), m.research_questions.to_string()],
        vec![
            format!("{} — {}", t(Msg::Interviews), t(Msg::Participants)),
            p.show("interviews.participants", m.interviews.participants),
        ],
        vec![
            format!("{} — {}", t(Msg::Interviews), t(Msg::Women)),
            women_share(p, m, lang),
        ],
        vec![
            format!("{} — {}", t(Msg::Interviews), t(Msg::Men)),
            p.show("interviews.men", m.interviews.men),
        ],
        vec![
            format!("{} — {}", t(Msg::FocusGroups), t(Msg::Sessions)),
            m.focus_groups.sessions.to_string(),
        ],
        vec![
            format!("{} — {}", t(Msg::FocusGroups), t(Msg::Participants)),
            p.show("focus_groups.participants", m.focus_groups.participants),
        ],
    ];
    for (group, n) in &m.focus_groups.by_group.0 {
        let label = r
            .groups
            .iter()
            .find(|g| &g.name == group)
            .map_or(group.as_str(), |g| g.label.get(lang));
        rows.push(vec![
            format!("    {label}"),
            p.show(&format!("focus_groups.by_group.{group}"), *n),
        ]);
    }
    rows.extend([
        vec![
            format!("{} — {}", t(Msg::ValidationForums), t(Msg::Sessions)),
            m.validation_forums.sessions.to_string(),
        ],
        vec![
            format!("{} — {}", t(Msg::ValidationForums), t(Msg::Participants)),
            p.show(
                "validation_forums.participants",
                m.validation_forums.participants,
            ),
        ],
    ]);
    blocks.push(Block::Table {
        header: vec![t(Msg::Measure), t(Msg::Value)],
        rows,
        numeric: vec![false, true],
    });
    blocks.push(Block::Note(format!(
        "{} {k}.",
        t(Msg::ReportSuppressionNote)
    )));
    blocks.push(Block::Heading(2, t(Msg::ReportTimeline)));
    let mut timeline = Vec::new();
    for (kind, msg) in [
        (SessionKind::Interview, Msg::Interviews),
        (SessionKind::FocusGroup, Msg::FocusGroups),
        (SessionKind::ValidationForum, Msg::ValidationForums),
    ] {
        let dates: Vec<NaiveDate> = r
            .sessions
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.date)
            .collect();
        if let (Some(a), Some(b)) = (dates.iter().min(), dates.iter().max()) {
            timeline.push(vec![
                t(msg),
                format!("{} – {}", long_date(*a, lang), long_date(*b, lang)),
            ]);
        }
    }
    blocks.push(Block::Table {
        header: vec![t(Msg::ReportPhase), t(Msg::Period)],
        rows: timeline,
        numeric: vec![false, false],
    });
    // The map.
    let map_places: Vec<MapPlace> = cercles
        .iter()
        .filter_map(|c| {
            let coordinates = c.chef_lieu.as_ref()?;
            let n = heard_by_cercle.get(&c.name).copied().unwrap_or(0);
            Some(MapPlace {
                name: c.name.clone(),
                lat: coordinates.lat,
                lon: coordinates.lon,
                value: p
                    .get(&format!("heard.by_cercle.{}", c.code.as_str()), n)
                    .and_then(|v| u32::try_from(v).ok()),
            })
        })
        .collect();
    let hidden_label = t(Msg::ReportWithheld);
    blocks.push(Block::Figure {
        svg: charts::place_map(&map_places, options.areas, &hidden_label),
        caption: t(Msg::ReportMapCaption),
    });
    blocks.push(Block::PageBreak);

    // Push factors by cercle.
    blocks.push(Block::Heading(1, t(Msg::ReportPushFactors)));
    let series: Vec<(&str, &str)> = input
        .corpus
        .cercles
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), PALETTE[i % PALETTE.len()]))
        .collect();
    let group_rows: Vec<GroupRow> = input
        .findings
        .iter()
        .zip(&by_factor)
        .map(|(f, (_, parts))| GroupRow {
            label: f.statement.get(lang).to_owned(),
            values: parts
                .iter()
                .map(|i| {
                    let c = &counts.cells[*i];
                    p.get(&c.path, c.count).and_then(|v| u32::try_from(v).ok())
                })
                .collect(),
        })
        .collect();
    blocks.push(Block::Figure {
        svg: charts::grouped_bars(&group_rows, &series, &hidden_label),
        caption: t(Msg::ReportPushCaption),
    });
    blocks.push(Block::PageBreak);

    // One chapter per research question.
    for q in &r.research_questions {
        let mine: Vec<&FindingOverview> = input
            .findings
            .iter()
            .filter(|f| f.research_question.number == q.number)
            .collect();
        blocks.push(Block::Heading(
            1,
            format!(
                "{} {} — {}",
                t(Msg::ResearchQuestion),
                q.number,
                q.text.get(lang)
            ),
        ));
        if mine.is_empty() {
            blocks.push(Block::Note(t(Msg::ReportNoFindings)));
            continue;
        }
        for f in mine {
            blocks.push(Block::Heading(2, f.statement.get(lang).to_owned()));
            let s = &f.strength;
            let status = if f.validated {
                t(Msg::ReportValidated)
            } else {
                t(Msg::ReportNotValidated)
            };
            blocks.push(Block::Paragraph(format!(
                "{} : {} {} · {} {} · {} {} · {}",
                t(Msg::ReportEvidence),
                p.show(&format!("findings.{}.participants", f.key), s.participants),
                t(Msg::ReportPeople),
                s.sources,
                t(Msg::ReportSources),
                s.cercles,
                t(Msg::ReportCercles),
                status
            )));
            for (text, who) in quotes_by_finding.get(f.key.as_str()).into_iter().flatten() {
                blocks.push(Block::Quote {
                    text: text.clone(),
                    attribution: who.clone(),
                });
            }
        }
    }
    blocks.push(Block::PageBreak);

    // Forum outcomes.
    blocks.push(Block::Heading(1, t(Msg::ValidationForums)));
    blocks.push(Block::Paragraph(t(Msg::ReportForumIntro)));
    let mut forum_rows = Vec::new();
    for s in &forums {
        let mut tally = [0u64; 4];
        for f in input.findings {
            for o in f.outcomes.iter().filter(|o| o.forum == s.code) {
                tally[o.kind as usize] += 1;
            }
        }
        forum_rows.push(vec![
            cercle_name(r, &s.place),
            long_date(s.date, lang),
            p.show(
                &format!("forums.{}.participants", s.code),
                u64::from(s.headcount()),
            ),
            tally[0].to_string(),
            tally[1].to_string(),
            tally[2].to_string(),
            tally[3].to_string(),
        ]);
    }
    blocks.push(Block::Table {
        header: vec![
            t(Msg::Place),
            t(Msg::Date),
            t(Msg::Participants),
            t(outcome_msg(sankore_domain::OutcomeKind::Validated)),
            t(outcome_msg(sankore_domain::OutcomeKind::Amended)),
            t(outcome_msg(sankore_domain::OutcomeKind::Rejected)),
            t(outcome_msg(sankore_domain::OutcomeKind::Added)),
        ],
        rows: forum_rows,
        numeric: vec![false, false, true, true, true, true, true],
    });
    if input.findings.iter().any(|f| !f.outcomes.is_empty()) {
        blocks.push(Block::Heading(2, t(Msg::ReportOutcomeDetail)));
        let mut header = vec![t(Msg::Finding)];
        header.extend(forums.iter().map(|s| cercle_name(r, &s.place)));
        let rows = input
            .findings
            .iter()
            .map(|f| {
                let mut row = vec![f.statement.get(lang).to_owned()];
                row.extend(forums.iter().map(|s| {
                    f.outcomes
                        .iter()
                        .filter(|o| o.forum == s.code)
                        .map(|o| {
                            format!(
                                "{} ({})",
                                t(outcome_msg(o.kind)),
                                t(agreement_msg(o.agreement))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }));
                row
            })
            .collect();
        blocks.push(Block::Table {
            header,
            rows,
            numeric: vec![false; forums.len() + 1],
        });
    }
    blocks.push(Block::PageBreak);

    // Recommendations and who should act.
    blocks.push(Block::Heading(1, t(Msg::Recommendations)));
    let mut stakeholders: Vec<String> = Vec::new();
    for rec in &r.recommendations {
        for (who, _) in &rec.roles {
            if !stakeholders.contains(who) {
                stakeholders.push(who.clone());
            }
        }
    }
    for (i, rec) in r.recommendations.iter().enumerate() {
        blocks.push(Block::Heading(
            2,
            format!("R{} — {}", i + 1, rec.text.get(lang)),
        ));
        let roles: Vec<String> = rec
            .roles
            .iter()
            .map(|(who, what)| format!("{who} : {}", what.get(lang)))
            .collect();
        if !roles.is_empty() {
            blocks.push(Block::List(roles));
        }
    }
    if !stakeholders.is_empty() {
        blocks.push(Block::Heading(2, t(Msg::StakeholderRoles)));
        let mut header = vec![t(Msg::Stakeholder)];
        header.extend((1..=r.recommendations.len()).map(|i| format!("R{i}")));
        let rows = stakeholders
            .iter()
            .map(|who| {
                let mut row = vec![who.clone()];
                row.extend(r.recommendations.iter().map(|rec| {
                    if rec.roles.iter().any(|(w, _)| w == who) {
                        "●".to_owned()
                    } else {
                        String::new()
                    }
                }));
                row
            })
            .collect();
        let mut numeric = vec![false];
        numeric.extend(std::iter::repeat_n(true, r.recommendations.len()));
        blocks.push(Block::Table {
            header,
            rows,
            numeric,
        });
    }

    // Actions.
    blocks.push(Block::Heading(1, t(Msg::Actions)));
    let action_rows = r
        .actions
        .iter()
        .map(|a| {
            let places: BTreeSet<String> = a.places.iter().map(|c| cercle_name(r, c)).collect();
            vec![
                a.title.get(lang).to_owned(),
                places.into_iter().collect::<Vec<_>>().join(", "),
                a.responsible.clone(),
                a.due.map(|d| long_date(d, lang)).unwrap_or_default(),
                t(status_msg(a.status)),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        header: vec![
            t(Msg::Title),
            t(Msg::Places),
            t(Msg::Responsible),
            t(Msg::Due),
            t(Msg::Status),
        ],
        rows: action_rows,
        numeric: vec![false; 5],
    });

    crate::study_instruments::annex(&mut blocks, input.instruments, lang);

    if options.coordinator_copy {
        blocks.push(Block::PageBreak);
        disclosure_annex(&mut blocks, &disclosure, lang);
    }

    Ok(Built {
        lang,
        title: r.study.name.clone(),
        blocks,
        disclosure,
    })
}

/// Women among interviewees, with their share when publishable.
fn women_share(p: &Published, m: &Methodology, lang: Lang) -> String {
    let shown = p.show("interviews.women", m.interviews.women);
    let base = m.interviews.participants;
    let publishable = p.get("interviews.women", m.interviews.women).is_some()
        && p.get("interviews.participants", base).is_some()
        && percentage_publishable(m.interviews.women, base, p.k);
    if publishable && base > 0 {
        let pct = (m.interviews.women * 100 + base / 2) / base;
        match lang {
            Lang::Fr => format!("{shown} ({pct} %)"),
            Lang::En => format!("{shown} ({pct}%)"),
        }
    } else {
        shown
    }
}

fn status_msg(status: ActionStatus) -> Msg {
    match status {
        ActionStatus::Planned => Msg::ReportPlanned,
        ActionStatus::UnderWay => Msg::ReportUnderWay,
        ActionStatus::Done => Msg::ReportDone,
        ActionStatus::Dropped => Msg::ReportDropped,
    }
}

/// A date written out (`12 mai 2017`, `12 May 2017`).
fn long_date(date: NaiveDate, lang: Lang) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = date.month0() as usize;
    let name = match lang {
        Lang::Fr => FR[month],
        Lang::En => EN[month],
    };
    format!("{} {name} {}", date.day(), date.year())
}

/// The gazetteer's communes and villages, minus names shared with a
/// cercle or the region (a chef-lieu commune named like its cercle).
fn place_index(r: &StudyRecords) -> PlaceIndex {
    let places = r.gazetteer.places();
    PlaceIndex::new(
        places
            .iter()
            .filter(|p| !matches!(p.level, PlaceLevel::Region | PlaceLevel::Cercle))
            .map(|p| p.name.as_str()),
        places
            .iter()
            .filter(|p| matches!(p.level, PlaceLevel::Region | PlaceLevel::Cercle))
            .map(|p| p.name.as_str()),
    )
}

/// Who said a quote, at most group, cercle and gender, coarsened until at
/// least `k` people of the study share it; and whether it was coarsened.
fn attribution(
    r: &StudyRecords,
    document: &sankore_domain::Document,
    stored: &StoredCoding,
    k: u64,
) -> (Attribution, bool) {
    let start = stored.coding.span.start();
    let turn = document
        .turns
        .iter()
        .find(|t| t.span.start() <= start && start < t.span.end());
    let session = document
        .session
        .as_ref()
        .and_then(|code| r.sessions.iter().find(|s| &s.code == code));
    let participant = turn
        .and_then(|t| t.participant.as_ref())
        .and_then(|code| r.participants.iter().find(|p| &p.code == code));
    let cercle = session
        .map(|s| &s.place)
        .or(participant.map(|p| &p.place))
        .map(|place| cercle_name(r, place));
    let (group, gender) = match participant {
        Some(p) => (Some(p.group.clone()), Some(p.gender.as_str().to_owned())),
        None => {
            // A focus-group member: the session's group when it has one.
            let groups: BTreeSet<&str> = session
                .map(|s| s.composition.iter().map(|c| c.group.as_str()).collect())
                .unwrap_or_default();
            (
                (groups.len() == 1)
                    .then(|| groups.iter().next().map(|g| (*g).to_owned()))
                    .flatten(),
                None,
            )
        }
    };
    let full = Attribution {
        group,
        cercle,
        gender,
    };
    // How many people of the study (registered, or counted in a focus
    // group) match an attribution.
    let population = |a: &Attribution| -> u64 {
        let matches = |group: &str, gender: Gender, place: &PlaceCode| {
            a.group.as_deref().is_none_or(|g| g == group)
                && a.gender.as_deref().is_none_or(|g| g == gender.as_str())
                && a.cercle
                    .as_deref()
                    .is_none_or(|c| c == cercle_name(r, place))
        };
        let registered = r
            .participants
            .iter()
            .filter(|p| matches(&p.group, p.gender, &p.place))
            .count() as u64;
        let counted: u64 = r
            .sessions
            .iter()
            .filter(|s| s.kind == SessionKind::FocusGroup)
            .flat_map(|s| s.composition.iter().map(move |c| (s, c)))
            .filter(|(s, c)| matches(&c.group, c.gender, &s.place))
            .map(|(_, c)| u64::from(c.count))
            .sum();
        registered + counted
    };
    let shown = full.clone().coarsened(k, population);
    let coarsened = shown != full;
    (shown, coarsened)
}

fn attribution_text(r: &StudyRecords, a: &Attribution, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(g) = &a.group {
        parts.push(
            r.groups
                .iter()
                .find(|x| &x.key == g)
                .map_or(g.clone(), |x| x.label.get(lang).to_owned()),
        );
    }
    if let Some(gender) = &a.gender {
        let msg = match gender.as_str() {
            "female" => Some(Msg::ReportWoman),
            "male" => Some(Msg::ReportMan),
            _ => None,
        };
        if let Some(msg) = msg {
            parts.push(msg.text(lang).to_owned());
        }
    }
    if let Some(c) = &a.cercle {
        parts.push(c.clone());
    }
    if parts.is_empty() {
        Msg::ReportParticipant.text(lang).to_owned()
    } else {
        parts.join(", ")
    }
}

fn disclosure_annex(blocks: &mut Vec<Block>, d: &DisclosureReport, lang: Lang) {
    let t = |m: Msg| m.text(lang).to_owned();
    blocks.push(Block::Heading(1, t(Msg::ReportDisclosureAnnex)));
    blocks.push(Block::Paragraph(format!(
        "{} k = {} · {} : {}",
        t(Msg::ReportThreshold),
        d.k,
        t(Msg::ReportQuasiIdentifiers),
        d.quasi_identifiers
            .iter()
            .map(|q| q.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    )));
    let reason = |r: Reason| match r {
        Reason::BelowThreshold => t(Msg::ReportBelowThreshold),
        Reason::Complementary => t(Msg::ReportComplementary),
        Reason::TinyPopulation => t(Msg::ReportTinyPopulation),
        Reason::RevealingZero => t(Msg::ReportRevealingZero),
    };
    blocks.push(Block::Heading(2, t(Msg::ReportSuppressed)));
    blocks.push(Block::Table {
        header: vec![t(Msg::ReportCell), t(Msg::Reasons)],
        rows: d
            .suppressed
            .iter()
            .map(|s| vec![s.path.clone(), reason(s.reason)])
            .collect(),
        numeric: vec![false, false],
    });
    if !d.warnings.is_empty() {
        blocks.push(Block::Heading(2, t(Msg::ReportWarnings)));
        blocks.push(Block::List(
            d.warnings
                .iter()
                .map(|w| match w {
                    Warning::CompleteCountOfTinyGroup { path } => {
                        format!("{} : {path}", t(Msg::ReportTinyPopulation))
                    }
                    Warning::Homogeneous { path } => {
                        format!("{} : {path}", t(Msg::ReportHomogeneous))
                    }
                    Warning::PercentageWithheld { path } => {
                        format!("{} : {path}", t(Msg::ReportPercentWithheld))
                    }
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading(2, t(Msg::ReportQuotesReviewed)));
    blocks.push(Block::Table {
        header: vec![
            t(Msg::Finding),
            t(Msg::Codings),
            t(Msg::ReportFlags),
            t(Msg::ReportDecision),
            t(Msg::ReportBy),
        ],
        rows: d
            .quotes
            .iter()
            .map(|q| {
                vec![
                    q.finding.clone(),
                    q.coding.chars().take(8).collect(),
                    q.flags
                        .iter()
                        .map(|f| format!("{f:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", "),
                    format!("{:?}", q.decision).to_lowercase(),
                    match (&q.by, &q.reason) {
                        (Some(by), Some(reason)) => format!("{by} — {reason}"),
                        _ => String::new(),
                    },
                ]
            })
            .collect(),
        numeric: vec![false; 5],
    });
}

/// The report's print styles (inline in the HTML file).
const REPORT_CSS: &str = "body{font-family:'Libertinus Serif',Georgia,serif;font-size:11pt;line-height:1.45;max-width:46em;margin:2em auto;color:#1b1b1b}
h1{font-size:20pt;color:#1f4e79;border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.5em}
h2{font-size:13.5pt;color:#1f4e79;margin-top:1.2em}
table{border-collapse:collapse;width:100%;margin:.8em 0;font-size:10pt}
th{background:#1f4e79;color:#fff;text-align:left;padding:.35em .5em}
td{border-bottom:1px solid #d5dbe1;padding:.3em .5em}td.n,th.n{text-align:right}
blockquote{border-left:3px solid #c0392b;margin:.8em 0;padding:.2em 1em;background:#f7f4ef;font-style:italic}
blockquote footer{font-style:normal;font-size:9.5pt;color:#555;margin-top:.3em}
.note{font-size:9pt;color:#555}.title{text-align:center;padding:6em 0 4em}
.title h1{border:none;font-size:28pt}.title .sub{font-size:16pt;color:#555}
.title .notice{margin-top:3em;font-weight:bold;color:#c0392b}
figure{margin:1em 0}figcaption{font-size:9pt;color:#555;text-align:center}
.break{page-break-after:always;break-after:page}
@media print{body{margin:0;max-width:none}.break{height:0}}
";

/// Renders a built report as one self-contained HTML file: inline styles
/// and SVG, no script, no external address.
pub fn html(built: &Built) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{REPORT_CSS}</style>\n</head>\n<body>\n",
        built.lang.code(),
        escape_html(&built.title)
    );
    for block in &built.blocks {
        match block {
            Block::Title {
                title,
                subtitle,
                lines,
                notice,
            } => {
                let _ = writeln!(
                    out,
                    "<section class=\"title\"><h1>{}</h1><p class=\"sub\">{}</p>",
                    escape_html(title),
                    escape_html(subtitle)
                );
                for l in lines {
                    let _ = writeln!(out, "<p>{}</p>", escape_html(l));
                }
                let _ = writeln!(
                    out,
                    "<p class=\"notice\">{}</p></section>",
                    escape_html(notice)
                );
            }
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape_html(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape_html(text));
            }
            Block::Note(text) => {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", escape_html(text));
            }
            Block::Table {
                header,
                rows,
                numeric,
            } => {
                let class = |i: usize| {
                    if numeric.get(i).copied().unwrap_or(false) {
                        " class=\"n\""
                    } else {
                        ""
                    }
                };
                out.push_str("<table><thead><tr>");
                for (i, h) in header.iter().enumerate() {
                    let _ = write!(out, "<th{}>{}</th>", class(i), escape_html(h));
                }
                out.push_str("</tr></thead><tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for (i, c) in row.iter().enumerate() {
                        let _ = write!(out, "<td{}>{}</td>", class(i), escape_html(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
            Block::Figure { svg, caption } => {
                let _ = writeln!(
                    out,
                    "<figure>{svg}<figcaption>{}</figcaption></figure>",
                    escape_html(caption)
                );
            }
            Block::Quote { text, attribution } => {
                let _ = writeln!(
                    out,
                    "<blockquote><p>« {} »</p><footer>— {}</footer></blockquote>",
                    escape_html(text),
                    escape_html(attribution)
                );
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for i in items {
                    let _ = write!(out, "<li>{}</li>", escape_html(i));
                }
                out.push_str("</ul>\n");
            }
            Block::PageBreak => out.push_str("<div class=\"break\"></div>\n"),
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The typst source of a built report and the SVG files it includes.
#[cfg(feature = "pdf")]
pub fn typst_source(built: &Built) -> (String, Vec<(String, Vec<u8>)>) {
    use sankore_pdf::{escape as e, string as s};
    let mut files = Vec::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#set document(title: {}, date: none)
#set page(paper: \"a4\", margin: (x: 2.2cm, y: 2.4cm), numbering: \"1\", footer: context [#set text(8pt, fill: luma(110)); {} #h(1fr) #counter(page).display()])
#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"{}\")
#set par(justify: true, leading: 0.62em)
#show heading.where(level: 1): it => block(below: 0.9em, above: 1.2em)[#set text(17pt, fill: rgb(\"#1f4e79\")); #it.body #v(-0.5em) #line(length: 100%, stroke: 1pt + rgb(\"#1f4e79\"))]
#show heading.where(level: 2): set text(12.5pt, fill: rgb(\"#1f4e79\"))
#set table(stroke: (x, y) => (bottom: 0.4pt + luma(200)), inset: 5pt)
#show table.cell.where(y: 0): set text(fill: white, weight: \"bold\")",
        s(&built.title),
        e(&built.title),
        built.lang.code()
    );
    for block in &built.blocks {
        match block {
            Block::Title {
                title,
                subtitle,
                lines,
                notice,
            } => {
                let _ = writeln!(
                    out,
                    "#page(numbering: none, footer: none)[#align(center + horizon)[#block(width: 100%, fill: rgb(\"#1f4e79\"), inset: 1.6cm)[#set text(fill: white); #text(24pt, weight: \"bold\")[{}] \\ #v(0.4em) #text(15pt)[{}]] #v(1.5cm) {} #v(1.5cm) #text(fill: rgb(\"#c0392b\"), weight: \"bold\")[{}]]]",
                    e(title),
                    e(subtitle),
                    lines
                        .iter()
                        .map(|l| format!("#text(12pt)[{}] \\", e(l)))
                        .collect::<Vec<_>>()
                        .join(" "),
                    e(notice)
                );
            }
            Block::Heading(level, text) => {
                let _ = writeln!(out, "\n{} {}\n", "=".repeat(usize::from(*level)), e(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "\n{}\n", e(text));
            }
            Block::Note(text) => {
                let _ = writeln!(out, "\n#text(8.5pt, fill: luma(90))[{}]\n", e(text));
            }
            Block::Table {
                header,
                rows,
                numeric,
            } => {
                let align: Vec<&str> = (0..header.len())
                    .map(|i| {
                        if numeric.get(i).copied().unwrap_or(false) {
                            "right"
                        } else {
                            "left"
                        }
                    })
                    .collect();
                // Numbers take their width; text columns share the rest.
                let columns = if header.len() == 2 {
                    "(1fr, auto)".to_owned()
                } else {
                    format!(
                        "({},)",
                        align
                            .iter()
                            .map(|a| if *a == "right" { "auto" } else { "1fr" })
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = write!(
                    out,
                    "#table(columns: {columns}, align: ({}), fill: (x, y) => if y == 0 {{ rgb(\"#1f4e79\") }} else if calc.even(y) {{ rgb(\"#f2f5f8\") }},\n  table.header(",
                    align.join(", ") + ","
                );
                for h in header {
                    let _ = write!(out, "[{}], ", e(h));
                }
                out.push_str("),\n");
                for row in rows {
                    out.push_str("  ");
                    for c in row {
                        let _ = write!(out, "[{}], ", e(c));
                    }
                    out.push('\n');
                }
                out.push_str(")\n");
            }
            Block::Figure { svg, caption } => {
                let path = format!("/figure-{}.svg", files.len() + 1);
                let _ = writeln!(
                    out,
                    "#figure(image({}, width: 100%), caption: [{}])",
                    s(&path),
                    e(caption)
                );
                files.push((path, svg.clone().into_bytes()));
            }
            Block::Quote { text, attribution } => {
                let _ = writeln!(
                    out,
                    "#block(inset: (left: 10pt, y: 6pt), stroke: (left: 2pt + rgb(\"#c0392b\")), fill: rgb(\"#f7f4ef\"), width: 100%)[#emph[« {} »] \\ #text(8.5pt, fill: luma(80))[— {}]]",
                    e(text),
                    e(attribution)
                );
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", e(i));
                }
                out.push('\n');
            }
            Block::PageBreak => out.push_str("#pagebreak(weak: true)\n"),
        }
    }
    (out, files)
}

/// Typesets a built report as PDF, dated `date` (with the `pdf` feature).
#[cfg(feature = "pdf")]
pub fn pdf(built: &Built, date: NaiveDate) -> Result<Vec<u8>, ReportError> {
    let (source, files) = typst_source(built);
    let job = sankore_pdf::Job {
        source,
        files: files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect(),
        today: (
            date.year(),
            u8::try_from(date.month()).unwrap_or(1),
            u8::try_from(date.day()).unwrap_or(1),
        ),
    };
    sankore_pdf::render(job).map_err(|e| ReportError::Render(e.to_string()))
}
