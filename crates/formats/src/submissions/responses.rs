//! Submissions read against their form: every column matched to a
//! question (by XML name with the tool's group separator, by bare name, or
//! by label), every answer checked against the question's type and choice
//! list, repeat rows attached to their submission.
//!
//! Columns a header can name (see `docs/interop.md`):
//! - a question, by its path with the export's separator (`grp/age`,
//!   `grp-age`), its path inside its repeat, its bare name, or its label
//!   in any language (alone or after its groups' labels joined by `/`);
//! - one choice of a `select_multiple`: the question's header, `/`, then
//!   the choice's name or label, or `other` for an `or_other` one (cells
//!   `1`/`0`, `True`/`False`);
//! - the "specify other" answer of an `or_other` select: header `_other`;
//! - the parts of a geopoint: ODK Central's (`gps-Latitude`,
//!   `-Longitude`, `-Altitude`, `-Accuracy`, the only columns of a
//!   geopoint in its CSV) and KoBoToolbox's (`_gps_latitude`,
//!   `_gps_longitude`, `_gps_altitude`, `_gps_precision` beside the whole
//!   answer, after the groups inside a group: `grp/_gps_latitude`), read
//!   into the whole answer when the export has no column for it;
//! - the tools' own columns (`_id`, `_uuid`, `KEY`, ...), skipped.
//!
//! Anything else is refused as an unknown column.

use std::collections::HashMap;

use sankore_domain::instrument::{Instrument, Item, LocalizedText, QuestionType};
use sankore_domain::{AnswersBuilder, RepeatRow, Response};

use super::kobo::{SheetName, named_one, sheet_name_of};
use super::{Location, Result, RowRef, SubmissionError, Submissions, Table};

/// How an answer is checked and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Decimal,
    Date,
    SelectOne,
    SelectMultiple,
    Other,
}

/// One answer slot of a table, in form order.
struct Field<'f> {
    path: String,
    kind: Kind,
    /// Choice names and labels of a select.
    choices: Option<Choices<'f>>,
    or_other: bool,
    /// The column holding the whole answer.
    column: Option<usize>,
    /// One column per choice (select_multiple split by choice).
    choice_columns: Vec<(usize, &'f str)>,
    /// The columns of a geopoint's parts, by part (see
    /// [`Target::GeopointPart`]).
    geopoint_parts: [Option<usize>; 4],
}

struct Choices<'f> {
    list: &'f str,
    /// Each name to itself.
    names: Lookup<'f>,
    /// Each label (trimmed, in any language) to its choice's name.
    by_label: Lookup<'f>,
}

/// A string-keyed table of a choice list, looked up for every select
/// answer: a linear scan while the list is short (cheaper than hashing
/// the answer), a hash map beyond. The first value given for a key wins.
enum Lookup<'f> {
    Few(Vec<(&'f str, &'f str)>),
    Many(HashMap<&'f str, &'f str>),
}

impl<'f> Lookup<'f> {
    /// Up to this many keys, a linear scan.
    const FEW: usize = 16;

    fn new(pairs: impl IntoIterator<Item = (&'f str, &'f str)>) -> Self {
        let mut few: Vec<(&'f str, &'f str)> = Vec::new();
        let mut pairs = pairs.into_iter();
        for (key, value) in pairs.by_ref() {
            if few.iter().any(|(k, _)| *k == key) {
                continue;
            }
            if few.len() == Self::FEW {
                let mut many: HashMap<&'f str, &'f str> = few.into_iter().collect();
                many.entry(key).or_insert(value);
                for (key, value) in pairs {
                    many.entry(key).or_insert(value);
                }
                return Lookup::Many(many);
            }
            few.push((key, value));
        }
        Lookup::Few(few)
    }

    fn get(&self, key: &str) -> Option<&'f str> {
        match self {
            // The first bytes compared first: most keys differ there, and a
            // call to compare whole strings costs more than these short
            // keys.
            Lookup::Few(few) => few
                .iter()
                .find(|(k, _)| k.as_bytes().first() == key.as_bytes().first() && *k == key)
                .map(|(_, v)| *v),
            Lookup::Many(many) => many.get(key).copied(),
        }
    }

    fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// What a header may name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A field, by index.
    Field(usize),
    /// One choice column of a select_multiple field.
    Choice(usize, String),
    /// One part of a geopoint field, by its index in [`GEOPOINT_PARTS`],
    /// read when the export has no whole column.
    GeopointPart(usize, usize),
    /// Several things at the same rank.
    Ambiguous,
}

/// Header candidates, with their rank (lower wins).
#[derive(Default)]
struct Candidates(HashMap<String, (u8, Target)>);

impl Candidates {
    fn add(&mut self, header: &str, rank: u8, target: Target) {
        let header = header.trim();
        if header.is_empty() {
            return;
        }
        match self.0.get_mut(header) {
            None => {
                self.0.insert(header.to_owned(), (rank, target));
            }
            Some((r, t)) if *r > rank => {
                *r = rank;
                *t = target;
            }
            Some((r, t)) if *r == rank && *t != target => *t = Target::Ambiguous,
            Some(_) => {}
        }
    }
}

/// The labels of the groups and repeats enclosing `path`, outermost first.
fn ancestor_labels<'f>(form: &'f Instrument, path: &str) -> Vec<&'f LocalizedText> {
    let mut labels = Vec::new();
    let mut prefix = String::new();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        prefix.push('/');
        prefix.push_str(part);
        match form.item(&prefix) {
            Some(Item::Group(g)) => labels.push(&g.label),
            Some(Item::Repeat(r)) => labels.push(&r.label),
            _ => {}
        }
    }
    labels
}

/// The fields and header candidates of the questions in one repeat scope
/// (`None`: outside every repeat).
fn plan<'f>(
    form: &'f Instrument,
    scope: Option<&str>,
    separator: char,
) -> (Vec<Field<'f>>, Candidates) {
    let mut fields = Vec::new();
    let mut candidates = Candidates::default();
    for q in form.questions() {
        if q.repeat != scope {
            continue;
        }
        let (kind, list, or_other) = match &q.question.kind {
            QuestionType::Integer => (Kind::Integer, None, false),
            QuestionType::Decimal | QuestionType::Range => (Kind::Decimal, None, false),
            QuestionType::Date => (Kind::Date, None, false),
            QuestionType::SelectOne { list, or_other } => {
                (Kind::SelectOne, Some(list.as_str()), *or_other)
            }
            QuestionType::SelectMultiple { list, or_other } => {
                (Kind::SelectMultiple, Some(list.as_str()), *or_other)
            }
            _ => (Kind::Other, None, false),
        };
        let choices = list.and_then(|l| form.choice_list(l)).map(|l| Choices {
            list: l.name.as_str(),
            names: Lookup::new(l.choices.iter().map(|c| (c.name.as_str(), c.name.as_str()))),
            by_label: Lookup::new(l.choices.iter().flat_map(|c| {
                c.label
                    .iter()
                    .map(move |(_, text)| (text.trim(), c.name.as_str()))
            })),
        });
        let index = fields.len();
        let relative = scope
            .and_then(|s| q.path.strip_prefix(s))
            .unwrap_or(q.path)
            .trim_start_matches('/');
        let full = q.path.trim_start_matches('/');
        // Each header naming the question, with its rank and where its last
        // part (the name or label after the groups) starts.
        let mut bases: Vec<(String, u8, usize)> = [full, relative]
            .iter()
            .map(|p| {
                let header = p.replace('/', &separator.to_string());
                let last = header
                    .rfind(separator)
                    .map_or(0, |i| i + separator.len_utf8());
                (header, 0, last)
            })
            .collect();
        bases.push((q.question.name.clone(), 1, 0));
        bases.extend(
            q.question
                .label
                .iter()
                .map(|(_, t)| (t.trim().to_owned(), 2, 0)),
        );
        let ancestors = ancestor_labels(form, q.path);
        if !ancestors.is_empty() {
            for (language, text) in q.question.label.iter() {
                let mut joined: Vec<&str> = ancestors
                    .iter()
                    .filter_map(|l| l.get(language))
                    .map(str::trim)
                    .collect();
                joined.push("");
                let groups = joined.join("/");
                bases.push((format!("{groups}{}", text.trim()), 2, groups.len()));
            }
        }
        for (base, rank, _) in &bases {
            candidates.add(base, *rank, Target::Field(index));
        }
        if kind == Kind::SelectMultiple
            && let Some(l) = list.and_then(|l| form.choice_list(l))
        {
            for (base, rank, _) in &bases {
                for c in &l.choices {
                    let target = Target::Choice(index, c.name.clone());
                    candidates.add(&format!("{base}/{}", c.name), *rank, target.clone());
                    for (_, label) in c.label.iter() {
                        candidates.add(
                            &format!("{base}/{}", label.trim()),
                            *rank + 1,
                            target.clone(),
                        );
                    }
                }
                if or_other {
                    candidates.add(
                        &format!("{base}/other"),
                        *rank,
                        Target::Choice(index, "other".to_owned()),
                    );
                }
            }
        }
        if matches!(q.question.kind, QuestionType::Geopoint) {
            for (base, rank, last) in &bases {
                let (groups, name) = base.split_at(*last);
                for (part, (odk, kobo)) in [
                    ("Latitude", "latitude"),
                    ("Longitude", "longitude"),
                    ("Altitude", "altitude"),
                    ("Accuracy", "precision"),
                ]
                .iter()
                .enumerate()
                {
                    let target = Target::GeopointPart(index, part);
                    // ODK Central: `grp-gps-Latitude`.
                    candidates.add(&format!("{base}-{odk}"), *rank, target.clone());
                    // KoBoToolbox: `grp/_gps_latitude`, at any depth.
                    candidates.add(&format!("{groups}_{name}_{kobo}"), *rank, target);
                }
            }
        }
        fields.push(Field {
            path: q.path.to_owned(),
            kind,
            choices,
            or_other,
            column: None,
            choice_columns: Vec::new(),
            geopoint_parts: [None; 4],
        });
        if or_other {
            let other = fields.len();
            for (base, rank, _) in &bases {
                candidates.add(&format!("{base}_other"), *rank, Target::Field(other));
            }
            fields.push(Field {
                path: format!("{}_other", q.path),
                kind: Kind::Other,
                choices: None,
                or_other: false,
                column: None,
                choice_columns: Vec::new(),
                geopoint_parts: [None; 4],
            });
        }
    }
    (fields, candidates)
}

/// Assigns the table's columns to fields; refuses unknown and ambiguous
/// columns and two columns for one answer.
fn assign<'f>(
    table: &Table,
    submissions: &Submissions,
    fields: &mut [Field<'f>],
    candidates: &Candidates,
) -> Result<()> {
    let origin = submissions.origin;
    for (c, header) in table.headers.iter().enumerate() {
        if header.is_empty() {
            if (0..table.rows.len()).all(|r| table.cell(r, c).trim().is_empty()) {
                continue;
            }
            return Err(SubmissionError::UnknownColumn {
                place: table.place.clone(),
                column: format!("#{} (no header)", c + 1),
            });
        }
        let target = candidates.0.get(header.as_str()).map(|(_, t)| t);
        // KoBoToolbox's `_gps_latitude`... look like its own columns.
        if origin.is_meta(header) && !matches!(target, Some(Target::GeopointPart(..))) {
            continue;
        }
        match target {
            None => {
                return Err(SubmissionError::UnknownColumn {
                    place: table.place.clone(),
                    column: header.clone(),
                });
            }
            Some(Target::Ambiguous) => {
                return Err(SubmissionError::AmbiguousColumn {
                    place: table.place.clone(),
                    column: header.clone(),
                });
            }
            Some(Target::GeopointPart(f, part)) => {
                let field = &mut fields[*f];
                if let Some(first) = field.geopoint_parts[*part] {
                    return Err(SubmissionError::DuplicateColumn {
                        place: table.place.clone(),
                        column: format!("{} ({})", field.path, GEOPOINT_PARTS[*part]),
                        first: first + 1,
                        second: c + 1,
                    });
                }
                field.geopoint_parts[*part] = Some(c);
            }
            Some(Target::Field(f)) => {
                let field = &mut fields[*f];
                if let Some(first) = field.column {
                    return Err(SubmissionError::DuplicateColumn {
                        place: table.place.clone(),
                        column: field.path.clone(),
                        first: first + 1,
                        second: c + 1,
                    });
                }
                field.column = Some(c);
            }
            Some(Target::Choice(f, choice)) => {
                let field = &mut fields[*f];
                let name = field
                    .choices
                    .as_ref()
                    .and_then(|ch| ch.names.get(choice.as_str()))
                    .or_else(|| (field.or_other && choice == "other").then_some("other"))
                    .unwrap_or_default();
                field.choice_columns.push((c, name));
            }
        }
    }
    Ok(())
}

/// A cell of a per-choice column: selected or not.
fn selected(cell: &str) -> Option<bool> {
    match cell.trim() {
        "1" | "True" | "true" | "TRUE" => Some(true),
        "" | "0" | "False" | "false" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Refusing a value: name it only when it looks like a choice name (an XML
/// name), never free text.
fn bad_value(at: Location, value: &str, what: String) -> SubmissionError {
    let shown = if value.len() <= 64 && sankore_domain::instrument::check_name(value).is_ok() {
        format!("{value:?} ")
    } else {
        String::new()
    };
    SubmissionError::Value {
        at,
        reason: format!("value {shown}{what}"),
    }
}

/// Whether a text is a valid `YYYY-MM-DD` date (without a date parser's
/// format machinery: this runs for every date answer).
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => {
                chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
            }
            _ => false,
        }
}

/// Checks and normalises one answer: `raw` as the cell holds it, `trimmed`
/// without its surrounding whitespace (not empty).
fn value<'v, 'f: 'v>(
    field: &Field<'f>,
    raw: &'v str,
    trimmed: &'v str,
    at: impl Fn() -> Location,
) -> Result<std::borrow::Cow<'v, str>> {
    use std::borrow::Cow;
    let not_in_list = |v: &str, choices: &Choices<'_>| {
        bad_value(
            at(),
            v,
            format!("is not a choice of list {:?}", choices.list),
        )
    };
    match (field.kind, &field.choices) {
        (Kind::Integer, _) => {
            if trimmed.parse::<i64>().is_ok() {
                return Ok(Cow::Borrowed(trimmed));
            }
            match trimmed.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 9e15 => Ok(Cow::Owned(format!("{f:.0}"))),
                _ => Err(bad_value(at(), "", "is not an integer".to_owned())),
            }
        }
        (Kind::Decimal, _) => match trimmed.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Cow::Borrowed(trimmed)),
            _ => Err(bad_value(at(), "", "is not a number".to_owned())),
        },
        (Kind::Date, _) => {
            let day = trimmed.get(..10).unwrap_or(trimmed);
            if is_date(day) {
                Ok(Cow::Borrowed(day))
            } else {
                Err(bad_value(at(), "", "is not a date (YYYY-MM-DD)".to_owned()))
            }
        }
        (Kind::SelectOne, Some(choices)) => {
            if choices.names.contains(trimmed) || (field.or_other && trimmed == "other") {
                Ok(Cow::Borrowed(trimmed))
            } else if let Some(name) = choices.by_label.get(trimmed) {
                Ok(Cow::Borrowed(name))
            } else {
                Err(not_in_list(trimmed, choices))
            }
        }
        (Kind::SelectMultiple, Some(choices)) => {
            if let Some(name) = choices.by_label.get(trimmed)
                && !choices.names.contains(trimmed)
            {
                return Ok(Cow::Borrowed(name));
            }
            let is_choice =
                |token: &str| choices.names.contains(token) || (field.or_other && token == "other");
            let by_names = (|| {
                // Without whitespace other than spaces, the tokens are
                // those split by single spaces; already normalised (no
                // empty token), the answer is the text itself.
                if !trimmed
                    .bytes()
                    .any(|b| matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') || b >= 0x80)
                {
                    let mut normalised = true;
                    for token in trimmed.split(' ') {
                        if token.is_empty() {
                            normalised = false;
                        } else if !is_choice(token) {
                            return Err(not_in_list(token, choices));
                        }
                    }
                    if normalised {
                        return Ok(Cow::Borrowed(trimmed));
                    }
                }
                let mut out = String::with_capacity(trimmed.len());
                for token in trimmed.split_whitespace() {
                    if !is_choice(token) {
                        return Err(not_in_list(token, choices));
                    }
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(token);
                }
                Ok(Cow::Owned(out))
            })();
            // An export with labels as values joins the choices' labels
            // with spaces ("Emploi Foi"), labels that may hold spaces
            // themselves.
            by_names.or_else(
                |refused| match labels_joined(trimmed, choices, &is_choice) {
                    LabelSplit::One(names) => Ok(Cow::Owned(names)),
                    LabelSplit::Several => Err(bad_value(
                        at(),
                        "",
                        format!(
                            "reads as more than one set of choice labels of list {:?}",
                            choices.list
                        ),
                    )),
                    LabelSplit::None => Err(refused),
                },
            )
        }
        _ => Ok(Cow::Borrowed(raw)),
    }
}

/// How a select_multiple answer splits into choice labels.
enum LabelSplit {
    /// One way: the choices' names, space-separated.
    One(String),
    /// More than one way (labels such as `A`, `B` and `A B`).
    Several,
    /// None.
    None,
}

/// Splits an answer's words into consecutive choice labels (or names),
/// each one or more words, trying every split.
fn labels_joined(
    answer: &str,
    choices: &Choices<'_>,
    is_choice: &dyn Fn(&str) -> bool,
) -> LabelSplit {
    /// Longest label tried, in words.
    const MOST_WORDS: usize = 16;
    let words: Vec<&str> = answer.split_whitespace().collect();
    let n = words.len();
    // ways[i]: how many splits words[i..] has (counted up to 2), and the
    // first one's next label: its end and its choice's name.
    let mut ways: Vec<(u8, Option<(usize, String)>)> = vec![(0, None); n + 1];
    ways[n].0 = 1;
    for i in (0..n).rev() {
        for j in i + 1..=n.min(i + MOST_WORDS) {
            if ways[j].0 == 0 {
                continue;
            }
            let phrase = words[i..j].join(" ");
            let name = if is_choice(&phrase) {
                Some(phrase)
            } else {
                choices.by_label.get(&phrase).map(str::to_owned)
            };
            if let Some(name) = name {
                ways[i].0 = (ways[i].0 + ways[j].0).min(2);
                ways[i].1.get_or_insert((j, name));
            }
        }
    }
    match ways[0].0 {
        0 => LabelSplit::None,
        1 => {
            let mut names = Vec::new();
            let mut i = 0;
            while let Some((next, name)) = ways[i].1.clone() {
                names.push(name);
                i = next;
            }
            LabelSplit::One(names.join(" "))
        }
        _ => LabelSplit::Several,
    }
}

/// `text` without white space at either end; at once when it starts and
/// ends with a visible ASCII character, as most answers do.
fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// The answers of one row of a table.
fn answers(table: &Table, row: usize, fields: &[Field<'_>]) -> Result<sankore_domain::Answers> {
    let Some(record) = table.rows.get(row) else {
        return Ok(sankore_domain::Answers::default());
    };
    // Room for the cells and, per answer, its path and two lengths.
    let room = fields.iter().map(|f| f.path.len() + 8).sum::<usize>();
    let mut builder = AnswersBuilder::with_capacity(record.text_len() + room);
    for field in fields {
        match field.column {
            Some(c) => {
                let raw = record.get(c).unwrap_or("");
                let trimmed = trim(raw);
                if trimmed.is_empty() {
                    continue;
                }
                let v = value(field, raw, trimmed, || table.location(row, Some(c)))?;
                builder.push(&field.path, &v);
            }
            None if !field.choice_columns.is_empty() => {
                let mut chosen = String::new();
                for (c, name) in &field.choice_columns {
                    match selected(record.get(*c).unwrap_or("")) {
                        Some(true) => {
                            if !chosen.is_empty() {
                                chosen.push(' ');
                            }
                            chosen.push_str(name);
                        }
                        Some(false) => {}
                        None => {
                            return Err(SubmissionError::Value {
                                at: table.location(row, Some(*c)),
                                reason: "a choice column holds neither 1/0 nor True/False"
                                    .to_owned(),
                            });
                        }
                    }
                }
                if !chosen.is_empty() {
                    builder.push(&field.path, &chosen);
                }
            }
            None if field.geopoint_parts.iter().any(Option::is_some) => {
                if let Some(point) = geopoint_of_parts(table, row, &field.geopoint_parts)? {
                    builder.push(&field.path, &point);
                }
            }
            None => {}
        }
    }
    Ok(builder.finish())
}

/// The parts of a geopoint, in the order of its answer.
const GEOPOINT_PARTS: [&str; 4] = ["latitude", "longitude", "altitude", "accuracy"];

/// A geopoint (`lat lon alt acc`, as collected) from the columns of its
/// parts, for exports that write only those (ODK Central's CSV); `None`
/// when every part is empty, refused when latitude or longitude is empty
/// beside another part. Missing altitude or accuracy before a given one
/// count as 0.
fn geopoint_of_parts(
    table: &Table,
    row: usize,
    parts: &[Option<usize>; 4],
) -> Result<Option<String>> {
    let mut values = Vec::with_capacity(4);
    for column in parts {
        let value = column.map_or("", |c| table.cell(row, c).trim());
        if !value.is_empty() && !value.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(bad_value(
                table.location(row, *column),
                "",
                "is not a number (a part of a geopoint)".to_owned(),
            ));
        }
        values.push(value);
    }
    if values.iter().all(|v| v.is_empty()) {
        return Ok(None);
    }
    if let Some(part) = (0..2).find(|p| values[*p].is_empty()) {
        let present = values.iter().position(|v| !v.is_empty()).unwrap_or(0);
        return Err(SubmissionError::Value {
            at: table.location(row, parts[present]),
            reason: format!("a geopoint part without its {}", GEOPOINT_PARTS[part]),
        });
    }
    let given = values.iter().rposition(|v| !v.is_empty()).unwrap_or(1) + 1;
    let point: Vec<&str> = values[..given]
        .iter()
        .map(|v| if v.is_empty() { "0" } else { v })
        .collect();
    Ok(Some(point.join(" ")))
}

/// `each(row)` for every row of a table, on all cores (rows are
/// independent), in row order; the first problem in row order is the one
/// reported.
fn for_rows<T: Send>(table: &Table, each: impl Fn(usize) -> Result<T> + Sync) -> Result<Vec<T>> {
    let rows = table.rows.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    if threads == 1 || rows < 4096 {
        return (0..rows).map(each).collect();
    }
    let chunk = rows.div_ceil(threads);
    let each = &each;
    let parts: Vec<Result<Vec<T>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..rows)
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(rows);
                scope.spawn(move || {
                    let mut part = Vec::with_capacity(if start == 0 { rows } else { end - start });
                    for row in start..end {
                        part.push(each(row)?);
                    }
                    Ok(part)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(SubmissionError::Value {
                        at: table.location(0, None),
                        reason: "checking the answers failed".to_owned(),
                    })
                })
            })
            .collect()
    });
    // The first part has room for all rows: the others are moved once.
    let mut parts = parts.into_iter();
    let mut all = parts.next().transpose()?.unwrap_or_default();
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// The repeat of the form a repeat table holds: by name (or its path
/// joined by `-`), or by the name cut as sheet names are (see
/// [`sheet_name_of`]); refused when several repeats may be the one.
fn repeat_path<'f>(form: &'f Instrument, table: &Table) -> Result<&'f str> {
    let name = table.repeat.as_deref().unwrap_or_default();
    let candidates = form
        .questions()
        .into_iter()
        .filter_map(|q| q.repeat)
        .flat_map(|repeat| {
            let last = repeat.rsplit('/').next().unwrap_or(repeat);
            let dashed = repeat.trim_start_matches('/').replace('/', "-");
            [
                (repeat, sheet_name_of(name, last)),
                (repeat, (dashed == name).then_some(SheetName::Exact)),
            ]
        });
    named_one(candidates)
        .map_err(|(first, second)| SubmissionError::AmbiguousRepeat {
            place: table.place.clone(),
            repeat: name.to_owned(),
            first: first.to_owned(),
            second: second.to_owned(),
        })?
        .ok_or_else(|| SubmissionError::UnknownRepeat {
            place: table.place.clone(),
            repeat: name.to_owned(),
        })
}

/// Reads every submission against the form: each column matched, each
/// answer checked, repeat rows attached. The first problem refuses the
/// whole export.
pub fn link(submissions: &Submissions, form: &Instrument) -> Result<Vec<Response>> {
    let separator = submissions.origin.separator();
    let main = submissions.main();
    let (mut fields, candidates) = plan(form, None, separator);
    assign(main, submissions, &mut fields, &candidates)?;
    let mut responses = for_rows(main, |row| {
        Ok(Response {
            key: submissions.keys[row].clone(),
            submitted_at: submissions.submitted_at(row).map(str::to_owned),
            answers: answers(main, row, &fields)?,
            repeats: Vec::new(),
        })
    })?;
    // Repeat tables, outer repeats before inner ones, so a parent row is
    // always placed before its children.
    let mut order: Vec<(usize, &str)> = Vec::new();
    for (t, table) in submissions.tables.iter().enumerate().skip(1) {
        order.push((t, repeat_path(form, table)?));
    }
    order.sort_by_key(|(t, path)| (path.matches('/').count(), *t));
    let mut placed: HashMap<RowRef, usize> = HashMap::new();
    for (t, path) in order {
        let table = &submissions.tables[t];
        let (mut fields, candidates) = plan(form, Some(path), separator);
        assign(table, submissions, &mut fields, &candidates)?;
        for row in 0..table.rows.len() {
            let root = submissions.submission_of((t, row));
            let parent = match submissions.parents[t].get(row).copied().flatten() {
                Some((0, _)) | None => None,
                Some(p) => Some(
                    *placed
                        .get(&p)
                        .ok_or_else(|| SubmissionError::MissingParent {
                            at: table.location(row, None),
                            parent: "(a row of a repeat not nested around this one)".to_owned(),
                        })?,
                ),
            };
            let answers = answers(table, row, &fields)?;
            let repeats = &mut responses[root].repeats;
            placed.insert((t, row), repeats.len());
            repeats.push(RepeatRow {
                repeat: path.to_owned(),
                parent,
                answers,
            });
        }
    }
    Ok(responses)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sankore_domain::instrument::{Choice, ChoiceList, Group, Question, Repeat, Settings};

    #[test]
    fn trimming_answers_agrees_with_the_standard_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "é",
            " é ",
            "\u{a0}x\u{a0}",
            "x\u{3000}",
            "a b",
            "\r\n",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    fn text(fr: &str, en: &str) -> LocalizedText {
        let mut t = LocalizedText::default();
        t.set(Some("French (fr)"), fr);
        t.set(Some("English (en)"), en);
        t
    }

    fn question(name: &str, kind: QuestionType, fr: &str, en: &str) -> Item {
        Item::Question(Question::new(name, kind, text(fr, en)))
    }

    /// A small form with a group, a select_one, a select_multiple with
    /// "other", and nested repeats.
    pub(crate) fn form() -> Instrument {
        let choices = |name: &str, items: &[(&str, &str, &str)]| ChoiceList {
            name: name.to_owned(),
            choices: items
                .iter()
                .map(|(n, fr, en)| Choice {
                    name: (*n).to_owned(),
                    label: text(fr, en),
                    extra: Default::default(),
                })
                .collect(),
        };
        let survey = vec![
            question(
                "start",
                QuestionType::Meta {
                    meta: sankore_domain::instrument::MetaKind::Start,
                },
                "",
                "",
            ),
            Item::Group(Group {
                name: "resp".to_owned(),
                label: text("Répondant", "Respondent"),
                relevant: None,
                appearance: None,
                extra: Default::default(),
                children: vec![
                    question("code", QuestionType::Text, "Code", "Code"),
                    question(
                        "gender",
                        QuestionType::SelectOne {
                            list: "gender".to_owned(),
                            or_other: false,
                        },
                        "Sexe",
                        "Sex",
                    ),
                    question("age", QuestionType::Integer, "Âge", "Age"),
                    question(
                        "day",
                        QuestionType::Date,
                        "Date de l'entretien",
                        "Interview date",
                    ),
                ],
            }),
            question("story", QuestionType::Text, "Récit", "Story"),
            question(
                "reasons",
                QuestionType::SelectMultiple {
                    list: "reasons".to_owned(),
                    or_other: true,
                },
                "Raisons",
                "Reasons",
            ),
            Item::Repeat(Repeat {
                name: "member".to_owned(),
                label: text("Membre", "Member"),
                relevant: None,
                appearance: None,
                repeat_count: None,
                extra: Default::default(),
                children: vec![
                    question(
                        "m_age",
                        QuestionType::Integer,
                        "Âge du membre",
                        "Member's age",
                    ),
                    Item::Repeat(Repeat {
                        name: "job".to_owned(),
                        label: text("Emploi", "Job"),
                        relevant: None,
                        appearance: None,
                        repeat_count: None,
                        extra: Default::default(),
                        children: vec![question(
                            "job_name",
                            QuestionType::Text,
                            "Emploi",
                            "Job name",
                        )],
                    }),
                ],
            }),
        ];
        let lists = vec![
            choices("gender", &[("f", "Femme", "Woman"), ("m", "Homme", "Man")]),
            choices(
                "reasons",
                &[
                    ("jobs", "Emploi", "Jobs"),
                    ("justice", "Justice", "Justice"),
                    ("faith", "Foi", "Faith"),
                ],
            ),
        ];
        let settings = Settings {
            form_id: "enquete".to_owned(),
            ..Settings::default()
        };
        Instrument::new(settings, survey, lists).unwrap_or_else(|e| panic!("{e}"))
    }

    fn csv(rows: &[&str]) -> String {
        let header = "\"start\";\"resp/code\";\"resp/gender\";\"resp/age\";\"resp/day\";\"story\";\"reasons\";\"reasons/jobs\";\"reasons/justice\";\"reasons/faith\";\"reasons_other\";\"_id\";\"_uuid\";\"_submission_time\";\"_validation_status\";\"_index\"";
        std::iter::once(header)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n")
    }

    const ROW1: &str = "\"2024-03-01T09:00:00\";\"TBK-001\";\"f\";\"34\";\"2024-03-01\";\"Il a dit \"\"non\"\".\";\"jobs faith\";\"1\";\"0\";\"1\";\"\";\"11\";\"u-1\";\"2024-03-01T10:00:00\";\"\";\"1\"";

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn kobo_csv_links_to_the_form() {
        let data = csv(&[ROW1]);
        let subs = ok(super::super::kobo::read_csv("k.csv", data.as_bytes()));
        let responses = ok(link(&subs, &form()));
        assert_eq!(responses.len(), 1);
        let r = &responses[0];
        assert_eq!(r.key, "u-1");
        assert_eq!(r.submitted_at.as_deref(), Some("2024-03-01T10:00:00"));
        let v = &r.answers;
        assert_eq!(v.get("/resp/gender"), Some("f"));
        assert_eq!(v.get("/resp/age"), Some("34"));
        assert_eq!(v.get("/story"), Some("Il a dit \"non\"."));
        assert_eq!(v.get("/reasons"), Some("jobs faith"));
        assert_eq!(v.get("/reasons_other"), None);
    }

    #[test]
    fn large_exports_are_checked_in_parallel_with_the_first_error_reported() {
        let rows: Vec<String> = (0..6000)
            .map(|i| {
                let gender = match i {
                    3000 => "x",
                    5500 => "y",
                    _ if i % 2 == 0 => "f",
                    _ => "m",
                };
                ROW1.replace("\"u-1\"", &format!("\"u-{i}\"")).replacen(
                    "\"f\"",
                    &format!("\"{gender}\""),
                    1,
                )
            })
            .collect();
        let good: Vec<String> = rows
            .iter()
            .map(|r| r.replace("\"x\"", "\"f\"").replace("\"y\"", "\"m\""))
            .collect();
        let refs: Vec<&str> = good.iter().map(String::as_str).collect();
        let subs = ok(super::super::kobo::read_csv("k.csv", csv(&refs).as_bytes()));
        let responses = ok(link(&subs, &form()));
        assert_eq!(responses.len(), 6000);
        assert_eq!(responses[4321].key, "u-4321");
        assert_eq!(responses[4321].answers.get("/resp/gender"), Some("m"));
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let subs = ok(super::super::kobo::read_csv("k.csv", csv(&refs).as_bytes()));
        assert_eq!(
            link(&subs, &form()).err().map(|e| e.to_string()).as_deref(),
            Some(
                "k.csv, line 3002, column \"resp/gender\": value \"x\" is not a choice of list \"gender\""
            )
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-2-29"));
        assert!(!is_date("2024/02/28"));
        assert!(!is_date("2024-02-2x"));
    }

    #[test]
    fn labels_as_headers_and_values() {
        let data = "\"Code\";\"Sexe\";\"Âge\";\"Raisons/Emploi\";\"Raisons/Foi\";\"_uuid\"\n\"A-1\";\"Femme\";\"7\";\"1\";\"0\";\"u-9\"\n";
        let subs = ok(super::super::kobo::read_csv("k.csv", data.as_bytes()));
        let responses = ok(link(&subs, &form()));
        let v = &responses[0].answers;
        assert_eq!(v.get("/resp/gender"), Some("f"));
        assert_eq!(v.get("/reasons"), Some("jobs"));
        // The summary column of a labels export: labels joined by spaces.
        let data = "\"Code\";\"Raisons\";\"_uuid\"\n\"A-1\";\"Emploi Foi\";\"u-9\"\n";
        let subs = ok(super::super::kobo::read_csv("k.csv", data.as_bytes()));
        let responses = ok(link(&subs, &form()));
        assert_eq!(responses[0].answers.get("/reasons"), Some("jobs faith"));
    }

    #[test]
    fn bad_answers_and_columns_are_refused_with_position() {
        let bad_choice = ROW1.replace("\"f\"", "\"x\"");
        let subs = ok(super::super::kobo::read_csv(
            "k.csv",
            csv(&[&bad_choice]).as_bytes(),
        ));
        assert_eq!(
            link(&subs, &form()).err().map(|e| e.to_string()).as_deref(),
            Some(
                "k.csv, line 2, column \"resp/gender\": value \"x\" is not a choice of list \"gender\""
            )
        );
        let bad_int = ROW1.replace("\"34\"", "\"trente\"");
        let subs = ok(super::super::kobo::read_csv(
            "k.csv",
            csv(&[&bad_int]).as_bytes(),
        ));
        assert_eq!(
            link(&subs, &form()).err().map(|e| e.to_string()).as_deref(),
            Some("k.csv, line 2, column \"resp/age\": value is not an integer")
        );
        let unknown = csv(&[ROW1]).replacen("\"story\"", "\"histoire\"", 1);
        let subs = ok(super::super::kobo::read_csv("k.csv", unknown.as_bytes()));
        assert!(matches!(
            link(&subs, &form()),
            Err(SubmissionError::UnknownColumn { column, .. }) if column == "histoire"
        ));
    }

    #[test]
    fn choice_lookup_keeps_the_first_value_of_a_key_short_or_long() {
        let short = Lookup::new([("a", "1"), ("b", "2"), ("a", "3")]);
        assert!(matches!(short, Lookup::Few(_)));
        assert_eq!(short.get("a"), Some("1"));
        assert_eq!(short.get("b"), Some("2"));
        assert_eq!(short.get("c"), None);
        assert!(short.contains("b") && !short.contains(""));
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let long = Lookup::new(
            keys.iter()
                .map(|k| (k.as_str(), "first"))
                .chain(keys.iter().map(|k| (k.as_str(), "second"))),
        );
        assert!(matches!(long, Lookup::Many(_)));
        for k in &keys {
            assert_eq!(long.get(k), Some("first"), "{k}");
        }
        assert_eq!(long.get("k40"), None);
    }

    #[test]
    fn select_multiple_answers_are_normalised_and_checked() {
        let names = ["jobs", "faith", "justice"];
        let field = Field {
            path: "/reasons".to_owned(),
            kind: Kind::SelectMultiple,
            choices: Some(Choices {
                list: "reasons",
                names: Lookup::new(names.map(|n| (n, n))),
                by_label: Lookup::new([
                    ("Emploi", "jobs"),
                    ("jobs faith", "justice"),
                    ("Manque d'emploi", "jobs"),
                    ("Foi", "faith"),
                    ("Foi religieuse", "faith"),
                    ("religieuse", "justice"),
                ]),
            }),
            or_other: true,
            column: Some(0),
            choice_columns: Vec::new(),
            geopoint_parts: [None; 4],
        };
        let at = || Location {
            place: "k.csv".to_owned(),
            unit: "line",
            row: 2,
            column: None,
        };
        let check = |raw: &str| {
            value(&field, raw, raw.trim(), at)
                .map(|v| (matches!(v, std::borrow::Cow::Borrowed(_)), v.into_owned()))
                .map_err(|e| e.to_string())
        };
        let borrowed = |v: &str| Ok((true, v.to_owned()));
        let normalised = |v: &str| Ok((false, v.to_owned()));
        assert_eq!(check("jobs"), borrowed("jobs"));
        assert_eq!(check(" faith jobs other "), borrowed("faith jobs other"));
        assert_eq!(check("faith  jobs"), normalised("faith jobs"));
        assert_eq!(check("faith\tjobs\r\n"), normalised("faith jobs"));
        assert_eq!(check("faith\u{a0}jobs"), normalised("faith jobs"));
        assert_eq!(check("Emploi"), borrowed("jobs"));
        // A whole answer written as a label is that label's choice.
        assert_eq!(check("jobs faith"), borrowed("justice"));
        assert_eq!(check("faith jobs"), borrowed("faith jobs"));
        let refused =
            Err("k.csv, line 2: value \"x\" is not a choice of list \"reasons\"".to_owned());
        assert_eq!(check("jobs x faith"), refused);
        assert_eq!(check("jobs  x"), refused);
        assert_eq!(check("x\tjobs"), refused);
        // Labels joined by spaces, as exports with labels as values write
        // them, labels holding spaces themselves.
        assert_eq!(check("Manque d'emploi Emploi"), normalised("jobs jobs"));
        assert_eq!(check("Emploi other"), normalised("jobs other"));
        // "Foi religieuse" is one label, or "Foi" then "religieuse".
        assert_eq!(
            check("Emploi Foi religieuse"),
            Err("k.csv, line 2: value reads as more than one set of choice labels of list \"reasons\"".to_owned())
        );
        assert_eq!(
            check("Manque d'emploi x"),
            Err("k.csv, line 2: value \"Manque\" is not a choice of list \"reasons\"".to_owned())
        );
    }

    /// A form with a geopoint in a group and one at the top level.
    fn geo_form() -> Instrument {
        let survey = vec![
            Item::Group(Group {
                name: "resp".to_owned(),
                label: text("Répondant", "Respondent"),
                relevant: None,
                appearance: None,
                extra: Default::default(),
                children: vec![question(
                    "gps",
                    QuestionType::Geopoint,
                    "Position",
                    "Location",
                )],
            }),
            question("spot", QuestionType::Geopoint, "Lieu", "Spot"),
        ];
        let settings = Settings {
            form_id: "geo".to_owned(),
            ..Settings::default()
        };
        Instrument::new(settings, survey, Vec::new()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn odk(text: &str) -> Result<Vec<Response>> {
        let zip = super::super::odk::tests::zip_of(&[("geo.csv", text)]);
        let limits = crate::archive::ArchiveLimits::default();
        link(
            &super::super::odk::read_zip("s.zip", &zip, &limits)?,
            &geo_form(),
        )
    }

    fn kobo(text: &str) -> Result<Vec<Response>> {
        link(
            &super::super::kobo::read_csv("k.csv", text.as_bytes())?,
            &geo_form(),
        )
    }

    fn geopoints(responses: &[Response]) -> Vec<(Option<&str>, Option<&str>)> {
        responses
            .iter()
            .map(|r| (r.answers.get("/resp/gps"), r.answers.get("/spot")))
            .collect()
    }

    const ODK_PARTS: &str = "SubmissionDate,resp-gps-Latitude,resp-gps-Longitude,resp-gps-Altitude,resp-gps-Accuracy,spot-Latitude,spot-Longitude,spot-Altitude,spot-Accuracy,KEY";

    #[test]
    fn geopoints_are_read_whole_or_from_their_parts() {
        let expected = [(Some("16.77 -3.00 250 5"), Some("16.7 -3.1")), (None, None)];
        // ODK Central writes a geopoint only as its parts.
        let parts = format!(
            "{ODK_PARTS}\n2024-03-01,16.77,-3.00,250,5,16.7,-3.1,,,uuid:a\n2024-03-01,,,,,,,,,uuid:b\n"
        );
        assert_eq!(geopoints(&ok(odk(&parts))), expected);
        // KoBoToolbox writes the whole answer, which wins, and its parts,
        // inside a group after the group's path.
        let whole = "\"resp/gps\";\"resp/_gps_latitude\";\"resp/_gps_longitude\";\"resp/_gps_altitude\";\"resp/_gps_precision\";\"spot\";\"_spot_latitude\";\"_spot_longitude\";\"_spot_altitude\";\"_spot_precision\";\"_uuid\"\n\"16.77 -3.00 250 5\";\"16.77\";\"-3\";\"250\";\"5\";\"16.7 -3.1\";\"16.7\";\"-3.1\";\"\";\"\";\"a\"\n\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"b\"\n";
        assert_eq!(geopoints(&ok(kobo(whole))), expected);
        // Its parts alone, at any depth, by XML names or by labels.
        let alone = whole
            .replacen("\"resp/gps\";", "", 1)
            .replacen("\"spot\";", "", 1)
            .replacen("\"16.77 -3.00 250 5\";", "", 1)
            .replacen("\"16.7 -3.1\";", "", 1)
            .replace(
                "\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";",
                "\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";",
            );
        let expected = [(Some("16.77 -3 250 5"), Some("16.7 -3.1")), (None, None)];
        assert_eq!(geopoints(&ok(kobo(&alone))), expected);
        let labels = alone
            .replace("resp/_gps_", "Répondant/_Position_")
            .replace("_spot_", "_Lieu_");
        assert_eq!(geopoints(&ok(kobo(&labels))), expected);
    }

    #[test]
    fn broken_geopoint_parts_are_refused_with_position() {
        let line = |cells: &str| format!("{ODK_PARTS}\n2024-03-01,{cells},,,,,uuid:a\n");
        let refused = |cells: &str| odk(&line(cells)).err().map(|e| e.to_string());
        let at = |column: &str, reason: &str| {
            Some(format!(
                "s.zip, entry \"geo.csv\", line 2, column \"{column}\": {reason}"
            ))
        };
        assert_eq!(
            refused("16.77,,250,5"),
            at("resp-gps-Latitude", "a geopoint part without its longitude")
        );
        assert_eq!(
            refused(",,250,"),
            at("resp-gps-Altitude", "a geopoint part without its latitude")
        );
        assert_eq!(
            refused("16.77,nord,,"),
            at(
                "resp-gps-Longitude",
                "value is not a number (a part of a geopoint)"
            )
        );
        // Two columns for one part.
        let twice = "\"resp/_gps_latitude\";\"Répondant/_Position_latitude\";\"_uuid\"\n\"1\";\"1\";\"a\"\n";
        assert_eq!(
            kobo(twice).err().map(|e| e.to_string()).as_deref(),
            Some("k.csv: two columns are headed \"/resp/gps (latitude)\" (columns 1 and 2)")
        );
    }

    #[test]
    fn repeat_sheets_named_by_cut_names_are_found_unless_several_repeats_may_be_theirs() {
        let repeat = |name: &str| {
            Item::Repeat(Repeat {
                name: name.to_owned(),
                label: text("Membres", "Members"),
                relevant: None,
                appearance: None,
                repeat_count: None,
                extra: Default::default(),
                children: vec![question(
                    &format!("{name}_age"),
                    QuestionType::Integer,
                    "Âge",
                    "Age",
                )],
            })
        };
        let settings = Settings {
            form_id: "f".to_owned(),
            ..Settings::default()
        };
        let form = |names: &[&str]| {
            Instrument::new(
                settings.clone(),
                names.iter().map(|n| repeat(n)).collect(),
                Vec::new(),
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let sheet = |name: &str| Table {
            place: format!("k.xlsx, sheet {name:?}"),
            repeat: Some(name.to_owned()),
            unit: "row",
            headers: Vec::new(),
            hxl: None,
            rows: super::super::Rows::default(),
            lines: Vec::new(),
        };
        let first = "household_members_information_first";
        let second = "household_members_information_second";
        let one = form(&["member", first]);
        for name in [
            "household_members_informatio...",
            "household_members_information_f",
        ] {
            assert_eq!(ok(repeat_path(&one, &sheet(name))), format!("/{first}"));
        }
        assert_eq!(ok(repeat_path(&one, &sheet("member"))), "/member");
        let two = form(&[first, second]);
        assert_eq!(
            repeat_path(&two, &sheet("household_members_informatio..."))
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "k.xlsx, sheet \"household_members_informatio...\": \"household_members_informatio...\" may be repeat group \"/household_members_information_first\" or \"/household_members_information_second\" of the form: give them names that differ sooner, and export again"
            )
        );
        assert!(matches!(
            repeat_path(&two, &sheet("members")),
            Err(SubmissionError::UnknownRepeat { .. })
        ));
    }
}
