//! Tables of a study for spreadsheets and statistics packages (`sankore
//! export codings|participants|matrix`), written by
//! `sankore_formats::tabular`.
//!
//! Only the matrix publishes counts of people; [`matrix`] with a
//! threshold hides the counts below it and the zeros of their rows (the
//! disclosure crate's `suppress_groups`: the matrix publishes no totals,
//! so no secondary suppression is needed, but a zero beside a hidden count
//! would say that everyone who said it shares the hidden column's
//! attribute) and says which.

use sankore_analysis::corpus::Corpus;
use sankore_analysis::matrix::{Attribute, Cell, Column as MatrixColumn, Matrix};
use sankore_disclosure::{Cell as CountCell, Reason, Suppressed, suppress_groups};
use sankore_domain::{ConsentStatus, Gender, Lang, SessionKind, StakeholderGroup, StudyRecords};
use sankore_formats::tabular::{Column, Table};
use sankore_i18n::Msg;

use crate::ReportError;

/// Every coding with the exact characters it covers: `document`,
/// `participant` (the participant code, or `SESSION/label` for a
/// focus-group member, of the turn the coding starts in), `code`,
/// `code_name`, `coder`, `start`, `end` (Unicode scalar offsets,
/// `[start, end)` over NFC text), `text`. A coding that does not fit its
/// document (a damaged workspace) is refused rather than written with an
/// empty `text`.
pub fn codings(records: &StudyRecords, corpus: &Corpus, lang: Lang) -> Result<Table, ReportError> {
    let mut columns = vec![
        Column::text("document").hxl("#meta+document"),
        Column::text("participant").hxl("#respondee+code"),
        Column::text("code").hxl("#indicator+code"),
        Column::text("code_name").hxl("#indicator+name"),
        Column::text("coder").hxl("#meta+coder"),
        Column::number("start").hxl("#meta+start"),
        Column::number("end").hxl("#meta+end"),
        Column::text("text").hxl("#description"),
    ];
    for (column, label) in columns.iter_mut().zip([
        Msg::Document,
        Msg::ParticipantCode,
        Msg::Code,
        Msg::Name,
        Msg::Coder,
        Msg::ExportStart,
        Msg::ExportEnd,
        Msg::ExportText,
    ]) {
        column.label = Some(label.text(lang).to_owned());
    }
    let documents: std::collections::HashMap<&str, &sankore_domain::Document> = records
        .documents
        .iter()
        .map(|d| (d.code.as_str(), d))
        .collect();
    let rows = (0..corpus.codings.len())
        .filter_map(|i| corpus.coding_ref(i))
        .map(|c| {
            let text = documents
                .get(c.document.as_str())
                .and_then(|d| d.span(c.start, c.end).ok().map(|s| d.text_of(s).to_owned()))
                .ok_or_else(|| {
                    ReportError::Render(format!(
                        "a coding of {} at [{}, {}) does not fit document {}",
                        c.code, c.start, c.end, c.document
                    ))
                })?;
            let name = corpus
                .codes
                .iter()
                .find(|k| k.key.as_str() == c.code)
                .map(|k| k.name.get(lang).to_owned())
                .unwrap_or_default();
            Ok(vec![
                c.document,
                c.speaker.unwrap_or_default(),
                c.code,
                name,
                c.coder,
                c.start.to_string(),
                c.end.to_string(),
                text,
            ])
        })
        .collect::<Result<_, ReportError>>()?;
    Ok(Table {
        name: "codings".to_owned(),
        columns,
        rows,
    })
}

/// The heading of a gender's column of a matrix in `lang` ("Women").
fn gender_heading(gender: Gender, lang: Lang) -> &'static str {
    match gender {
        Gender::Female => Msg::Women.text(lang),
        Gender::Male => Msg::Men.text(lang),
        Gender::Unspecified => Msg::Unspecified.text(lang),
    }
}

/// The label of one participant's gender in `lang` ("Woman").
fn gender_label(gender: Gender, lang: Lang) -> &'static str {
    match gender {
        Gender::Female => Msg::Woman.text(lang),
        Gender::Male => Msg::Man.text(lang),
        Gender::Unspecified => Msg::Unspecified.text(lang),
    }
}

/// The label of a consent status in `lang`.
fn consent_label(consent: ConsentStatus, lang: Lang) -> &'static str {
    match consent {
        ConsentStatus::Given => Msg::ConsentGiven.text(lang),
        ConsentStatus::Pending => Msg::ConsentPending.text(lang),
        ConsentStatus::Refused => Msg::ConsentRefused.text(lang),
        ConsentStatus::Withdrawn => Msg::ConsentWithdrawn.text(lang),
    }
}

/// The participant register: pseudonymous codes and attributes. With
/// `labels`, genders, groups, places and consent are written as their
/// names in that language; values keep their labels for SPSS and Stata
/// either way.
pub fn participants(records: &StudyRecords, lang: Lang, labels: bool) -> Table {
    let group_label = |key: &str| {
        records
            .groups
            .iter()
            .find(|g| g.key == key)
            .map(|g| g.label.get(lang).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let place_label = |code: &sankore_domain::PlaceCode| {
        records
            .gazetteer
            .get(code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let mut gender = Column::text("gender")
        .hxl("#respondee+gender")
        .label(Msg::Gender.text(lang));
    let mut group = Column::text("group")
        .hxl("#respondee+group")
        .label(Msg::Group.text(lang));
    let mut place = Column::text("place")
        .hxl("#adm3+code")
        .label(Msg::Place.text(lang));
    let mut consent = Column::text("consent")
        .hxl("#status+consent")
        .label(Msg::Consent.text(lang));
    if !labels {
        consent.value_labels = ConsentStatus::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), consent_label(*c, lang).to_owned()))
            .collect();
        gender.value_labels = Gender::ALL
            .iter()
            .map(|g| (g.as_str().to_owned(), gender_label(*g, lang).to_owned()))
            .collect();
        group.value_labels = records
            .groups
            .iter()
            .map(|g| (g.key.clone(), g.label.get(lang).to_owned()))
            .collect();
        let mut used: Vec<&sankore_domain::PlaceCode> =
            records.participants.iter().map(|p| &p.place).collect();
        used.sort();
        used.dedup();
        place.value_labels = used
            .into_iter()
            .map(|c| (c.to_string(), place_label(c)))
            .collect();
    }
    let columns = vec![
        Column::text("code")
            .hxl("#respondee+code")
            .label(Msg::ParticipantCode.text(lang)),
        gender,
        Column::text("age_band")
            .hxl("#respondee+age")
            .label(Msg::AgeBand.text(lang)),
        group,
        place,
        consent,
    ];
    let rows = records
        .participants
        .iter()
        .map(|p| {
            let (gender, group, place, consent) = if labels {
                (
                    gender_label(p.gender, lang).to_owned(),
                    group_label(&p.group),
                    place_label(&p.place),
                    consent_label(p.consent, lang).to_owned(),
                )
            } else {
                (
                    p.gender.as_str().to_owned(),
                    p.group.clone(),
                    p.place.to_string(),
                    p.consent.as_str().to_owned(),
                )
            };
            vec![
                p.code.to_string(),
                gender,
                p.age_band.as_str().to_owned(),
                group,
                place,
                consent,
            ]
        })
        .collect();
    Table {
        name: "participants".to_owned(),
        columns,
        rows,
    }
}

/// What a matrix export counts in each cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Segments,
    Documents,
    Participants,
    FocusGroups,
}

impl Measure {
    fn of(self, cell: &Cell) -> u64 {
        match self {
            Measure::Segments => cell.segments,
            Measure::Documents => cell.documents,
            Measure::Participants => cell.participants,
            Measure::FocusGroups => cell.focus_groups,
        }
    }
}

/// A matrix column's label in `lang`: genders, stakeholder groups (the
/// study's `groups`) and session kinds are translated; places, age bands
/// and coders read the same in every language.
fn column_label(
    attribute: Attribute,
    column: &MatrixColumn,
    groups: &[StakeholderGroup],
    lang: Lang,
) -> String {
    let translated = match attribute {
        Attribute::Gender => Gender::parse(&column.key)
            .ok()
            .map(|g| gender_heading(g, lang).to_owned()),
        Attribute::Group => groups
            .iter()
            .find(|g| g.key == column.key)
            .map(|g| g.label.get(lang).to_owned()),
        Attribute::SessionKind => SessionKind::parse(&column.key).ok().map(|kind| {
            match kind {
                SessionKind::Interview => Msg::Interviews,
                SessionKind::FocusGroup => Msg::FocusGroups,
                SessionKind::ValidationForum => Msg::ValidationForums,
                SessionKind::Roundtable => Msg::Roundtables,
            }
            .text(lang)
            .to_owned()
        }),
        _ => None,
    };
    translated.unwrap_or_else(|| column.label.clone())
}

/// A matrix as a table: one row per code (`code`, `name`), one column per
/// attribute value (labelled in `lang`; `groups` are the study's), then
/// `unattributed`. With `k`, counts from 1 to k-1 are left empty and listed
/// in the second value returned.
pub fn matrix(
    m: &Matrix,
    groups: &[StakeholderGroup],
    measure: Measure,
    lang: Lang,
    k: Option<u64>,
) -> Result<(Table, Vec<Suppressed>), ReportError> {
    let mut columns = vec![
        Column::text("code")
            .hxl("#indicator+code")
            .label(Msg::Code.text(lang)),
        Column::text("name")
            .hxl("#indicator+name")
            .label(Msg::Name.text(lang)),
    ];
    for c in &m.columns {
        columns.push(
            Column::number(c.key.clone())
                .hxl(&format!("#value+{}", hxl_attribute(&c.key)))
                .label(column_label(m.attribute, c, groups, lang)),
        );
    }
    columns.push(
        Column::number("unattributed")
            .hxl("#value+unattributed")
            .label(Msg::AnalysisUnattributed.text(lang)),
    );
    let mut cells = Vec::new();
    for row in &m.rows {
        for (column, cell) in m
            .columns
            .iter()
            .map(|c| c.key.as_str())
            .chain(std::iter::once("unattributed"))
            .zip(row.cells.iter().chain(std::iter::once(&row.unattributed)))
        {
            cells.push(CountCell {
                path: format!("{}.{column}", row.code),
                count: measure.of(cell),
            });
        }
    }
    let width = m.columns.len() + 1;
    let row_cells: Vec<Vec<usize>> = (0..m.rows.len())
        .map(|r| (r * width..(r + 1) * width).collect())
        .collect();
    let rows_of_cells: Vec<&[usize]> = row_cells.iter().map(Vec::as_slice).collect();
    let hidden: Vec<(usize, Reason)> = match k {
        Some(k) => suppress_groups(&cells, &rows_of_cells, k)
            .map_err(|e| ReportError::Render(e.to_string()))?,
        None => Vec::new(),
    };
    let mut shown: Vec<String> = cells.iter().map(|c| c.count.to_string()).collect();
    let suppressed = hidden
        .iter()
        .map(|(i, reason)| {
            shown[*i] = String::new();
            Suppressed {
                path: cells[*i].path.clone(),
                reason: *reason,
                k: k.unwrap_or_default(),
            }
        })
        .collect();
    let rows = m
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let mut line = vec![row.code.clone(), row.name.get(lang).to_owned()];
            line.extend_from_slice(&shown[r * width..(r + 1) * width]);
            line
        })
        .collect();
    Ok((
        Table {
            name: "matrix".to_owned(),
            columns,
            rows,
        },
        suppressed,
    ))
}

/// An HXL attribute from a column key: lower-case letters, digits, `_`,
/// starting with a letter as HXL requires (`18-24` gives `v18_24`).
fn hxl_attribute(key: &str) -> String {
    let attribute: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if attribute.starts_with(|c: char| c.is_ascii_lowercase()) {
        attribute
    } else {
        format!("v{attribute}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_analysis::corpus::CorpusInput;
    use sankore_analysis::matrix::{Attribute, MatrixQuery};

    fn demo() -> (StudyRecords, Corpus) {
        let records = sankore_demo::reference_study();
        let corpus = Corpus::build(&CorpusInput {
            codebook: &records.codebook,
            gazetteer: &records.gazetteer,
            groups: &records.groups,
            participants: &records.participants,
            sessions: &records.sessions,
            documents: &records.documents,
            codings: &records.codings,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        (records, corpus)
    }

    #[test]
    fn codings_carry_their_exact_text() {
        let (records, corpus) = demo();
        let table = codings(&records, &corpus, Lang::Fr).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.rows.len(), corpus.codings.len());
        for row in &table.rows {
            let doc = records
                .documents
                .iter()
                .find(|d| d.code == row[0])
                .unwrap_or_else(|| panic!("document {}", row[0]));
            let start: usize = row[5].parse().unwrap_or_default();
            let end: usize = row[6].parse().unwrap_or_default();
            let expected: String = doc
                .body
                .as_str()
                .chars()
                .skip(start)
                .take(end - start)
                .collect();
            assert_eq!(row[7], expected);
        }
    }

    #[test]
    fn a_coding_outside_its_document_is_refused_not_emptied() {
        let (mut records, corpus) = demo();
        let first = corpus.coding_ref(0).map(|c| c.document).unwrap_or_default();
        records.documents.retain(|d| d.code != first);
        let refused = codings(&records, &corpus, Lang::En).map(|t| t.rows.len());
        assert!(
            matches!(&refused, Err(ReportError::Render(m)) if m.contains(&first)),
            "{refused:?}"
        );
    }

    /// The position of a table's column.
    fn column(t: &Table, name: &str) -> usize {
        t.columns
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    #[test]
    fn participants_consent_is_labelled_like_the_other_attributes() {
        let (records, _) = demo();
        let named = participants(&records, Lang::Fr, true);
        let c = column(&named, "consent");
        assert!(named.rows.iter().any(|r| r[c] == "consentement donné"));
        assert!(named.rows.iter().all(|r| r[c] != "given"));
        let coded = participants(&records, Lang::Fr, false);
        let c = column(&coded, "consent");
        assert!(coded.rows.iter().any(|r| r[c] == "given"));
        assert!(
            coded.columns[c]
                .value_labels
                .contains(&("given".to_owned(), "consentement donné".to_owned()))
        );
    }

    /// A participant is a woman or a man; a matrix column counts women or
    /// men.
    #[test]
    fn a_participants_gender_is_singular_and_a_columns_plural() {
        let (records, _) = demo();
        let named = participants(&records, Lang::Fr, true);
        let g = column(&named, "gender");
        assert!(named.rows.iter().any(|r| r[g] == "Femme"));
        assert!(named.rows.iter().all(|r| r[g] != "Femmes"));
        let coded = participants(&records, Lang::En, false);
        let g = column(&coded, "gender");
        assert!(
            coded.columns[g]
                .value_labels
                .contains(&("male".to_owned(), "Man".to_owned()))
        );
        assert_eq!(gender_heading(Gender::Female, Lang::Fr), "Femmes");
    }

    #[test]
    fn hxl_attributes_start_with_a_letter() {
        assert_eq!(hxl_attribute("18-24"), "v18_24");
        assert_eq!(hxl_attribute("65+"), "v65_");
        assert_eq!(hxl_attribute("GDM-08"), "gdm_08");
        assert_eq!(hxl_attribute(""), "v");
    }

    #[test]
    fn matrix_columns_are_labelled_in_the_language_asked() {
        let (records, corpus) = demo();
        let labels = |attribute: Attribute, lang: Lang| {
            let m = Matrix::compute(
                &corpus,
                &MatrixQuery {
                    attribute,
                    codes: None,
                    filter: Default::default(),
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let (table, _) = matrix(&m, &corpus.groups, Measure::Segments, lang, None)
                .unwrap_or_else(|e| panic!("{e}"));
            table.columns[2..]
                .iter()
                .map(|c| c.label.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let genders = labels(Attribute::Gender, Lang::Fr);
        assert_eq!(genders[0], Msg::Women.text(Lang::Fr));
        assert_eq!(genders[1], Msg::Men.text(Lang::Fr));
        let groups = labels(Attribute::Group, Lang::Fr);
        for g in &records.groups {
            assert!(
                groups.contains(&g.label.get(Lang::Fr).to_owned()),
                "{groups:?}"
            );
        }
        assert_ne!(groups, labels(Attribute::Group, Lang::En));
        let kinds = labels(Attribute::SessionKind, Lang::Fr);
        assert!(
            kinds.contains(&Msg::FocusGroups.text(Lang::Fr).to_owned()),
            "{kinds:?}"
        );
    }

    #[test]
    fn public_matrix_hides_small_counts() {
        let (_, corpus) = demo();
        let m = Matrix::compute(
            &corpus,
            &MatrixQuery {
                attribute: Attribute::Gender,
                codes: None,
                filter: Default::default(),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (table, hidden) = matrix(&m, &corpus.groups, Measure::Participants, Lang::En, Some(5))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!hidden.is_empty());
        assert!(hidden.iter().any(|h| h.reason == Reason::RevealingZero));
        for row in &table.rows {
            for cell in &row[2..] {
                let n: u64 = cell.parse().unwrap_or(0);
                assert!(cell.is_empty() || n == 0 || n >= 5, "{cell}");
            }
            // A zero beside a hidden count would say who the hidden are.
            if row[2..].iter().any(String::is_empty) {
                assert!(row[2..].iter().all(|c| c != "0"), "{row:?}");
            }
        }
        let (open, none) = matrix(&m, &corpus.groups, Measure::Participants, Lang::En, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(none.is_empty());
        assert_eq!(open.rows.len(), table.rows.len());
    }
}
