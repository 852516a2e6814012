//! `sankore analyze`: matrix, co-occurrence, agreement, saturation and word
//! queries over a workspace's codings, printed as JSON, CSV or Markdown.
//! Shapes and definitions: `docs/cli.md` and `docs/analysis.md`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use sankore_analysis::agreement::{Agreement, AgreementQuery, Scope, Statistics, UnitKind};
use sankore_analysis::cooccurrence::{Cooccurrence, CooccurrenceQuery, Proximity};
use sankore_analysis::corpus::{Corpus, Filter};
use sankore_analysis::matrix::{Attribute, Cell, Matrix, MatrixQuery, push_factor_ranking};
use sankore_analysis::saturation::Saturation;
use sankore_analysis::words::{self, KwicQuery, Language, Selection, WordsQuery};
use sankore_domain::{CodeKey, Lang, SessionKind};
use sankore_i18n::Msg;
use sankore_store::Store;

use crate::cli::WorkspaceArg;

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Json,
    Csv,
    Md,
}

/// Session kinds as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Interview,
    FocusGroup,
    ValidationForum,
    Roundtable,
}

impl KindArg {
    fn kind(self) -> SessionKind {
        match self {
            KindArg::Interview => SessionKind::Interview,
            KindArg::FocusGroup => SessionKind::FocusGroup,
            KindArg::ValidationForum => SessionKind::ValidationForum,
            KindArg::Roundtable => SessionKind::Roundtable,
        }
    }
}

/// Matrix columns as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Place,
    Cercle,
    Group,
    Gender,
    AgeBand,
    SessionKind,
    ResearchQuestion,
    Coder,
}

impl ByArg {
    pub(crate) fn attribute(self) -> Attribute {
        match self {
            ByArg::Place => Attribute::Place,
            ByArg::Cercle => Attribute::Cercle,
            ByArg::Group => Attribute::Group,
            ByArg::Gender => Attribute::Gender,
            ByArg::AgeBand => Attribute::AgeBand,
            ByArg::SessionKind => Attribute::SessionKind,
            ByArg::ResearchQuestion => Attribute::ResearchQuestion,
            ByArg::Coder => Attribute::Coder,
        }
    }
}

/// Units of agreement as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    Character,
    Paragraph,
    Segment,
}

/// Documents counted by agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    Any,
    All,
}

/// Co-occurrence proximities as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProximityArg {
    Overlap,
    Within,
    Document,
}

/// Which codings count (shared options).
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only these coders' codings (comma-separated handles).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub coders: Vec<String>,
    /// Only documents of these session kinds (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    pub kinds: Vec<KindArg>,
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            coders: (!self.coders.is_empty()).then(|| self.coders.clone()),
            kinds: (!self.kinds.is_empty()).then(|| self.kinds.iter().map(|k| k.kind()).collect()),
        }
    }
}

/// Which codes are rows (shared options).
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// These codes (comma-separated keys), in this order.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub codes: Vec<String>,
    /// The codes under this one, at any depth (such as `push`).
    #[arg(long, value_name = "CODE", conflicts_with = "codes")]
    pub under: Option<String>,
}

impl CodeArgs {
    fn codes(&self, corpus: &Corpus) -> Result<Option<Vec<CodeKey>>> {
        if let Some(root) = &self.under {
            return Ok(Some(corpus.codes_under(root)?));
        }
        if self.codes.is_empty() {
            return Ok(None);
        }
        self.codes
            .iter()
            .map(|c| {
                corpus.require_code(c)?;
                Ok(CodeKey::new(c)?)
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

/// The `analyze` subcommands.
#[derive(Debug, Subcommand)]
pub enum Analyze {
    /// Codes × an attribute: segments, documents, participants, focus groups.
    Matrix {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The columns.
        #[arg(long, value_enum, default_value = "cercle")]
        by: ByArg,
        #[command(flatten)]
        codes: CodeArgs,
        #[command(flatten)]
        filter: FilterArgs,
        /// The push-factor ranking per cercle instead (codes under --under, default `push`).
        #[arg(long, conflicts_with_all = ["by", "cell", "codes"])]
        ranking: bool,
        /// Drill down: the codings of one cell, as CODE=COLUMN (COLUMN empty: unattributed).
        #[arg(long, value_name = "CODE=COLUMN")]
        cell: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: AnalyzeFormat,
    },
    /// Codes applied together: overlapping, within N characters, or in the same document.
    Cooccurrence {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// When codings count as together.
        #[arg(long, value_enum, default_value = "overlap")]
        proximity: ProximityArg,
        /// With `--proximity within`: the largest gap, in characters.
        #[arg(long, default_value_t = 0)]
        distance: usize,
        #[command(flatten)]
        codes: CodeArgs,
        #[command(flatten)]
        filter: FilterArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: AnalyzeFormat,
    },
    /// Agreement between coders: percent, Cohen's and Fleiss' kappa, Krippendorff's alpha.
    Agreement {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The unit of text.
        #[arg(long, value_enum)]
        unit: UnitArg,
        /// Coders to compare (comma-separated; default every coder).
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        coders: Vec<String>,
        /// One code only.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        /// Documents counted: coded by any of the coders, or by all of them.
        #[arg(long, value_enum, default_value = "any")]
        scope: ScopeArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: AnalyzeFormat,
    },
    /// New codes per successive interview, overall and per stakeholder group.
    Saturation {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Only these coders' codings (comma-separated handles).
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        coders: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: AnalyzeFormat,
    },
    /// Word frequencies, or a keyword in context, stemmed, without stop words.
    Words {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Keyword in context: every occurrence of this word.
        #[arg(long, value_name = "WORD")]
        kwic: Option<String>,
        /// How many terms to list.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Count words as written, without stemming.
        #[arg(long)]
        no_stem: bool,
        /// Keep stop words.
        #[arg(long)]
        keep_stop_words: bool,
        /// Shortest word counted, in characters.
        #[arg(long, default_value_t = 2)]
        min_length: usize,
        /// Only the text coded with this code.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
        /// Only text inside speaker turns.
        #[arg(long)]
        turns_only: bool,
        /// Leave out the turns of these speaker labels (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "LABEL")]
        exclude_speakers: Vec<String>,
        /// Characters of context on each side of a keyword.
        #[arg(long, default_value_t = 40)]
        width: usize,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: AnalyzeFormat,
    },
}

/// Localizes the help of `analyze` and its subcommands.
pub fn localize(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    let coders = |c: clap::Command| c.mut_arg("coders", |a| a.help(t(Msg::CliAnalyzeCoders)));
    command
        .about(t(Msg::CliAnalyze))
        .mut_subcommand("matrix", |c| {
            coders(c.about(t(Msg::CliAnalyzeMatrix)))
                .mut_arg("by", |a| a.help(t(Msg::CliAnalyzeBy)))
                .mut_arg("ranking", |a| a.help(t(Msg::CliAnalyzeRanking)))
                .mut_arg("cell", |a| a.help(t(Msg::CliAnalyzeCell)))
        })
        .mut_subcommand("cooccurrence", |c| {
            coders(c.about(t(Msg::CliAnalyzeCooccurrence)))
        })
        .mut_subcommand("agreement", |c| {
            coders(c.about(t(Msg::CliAnalyzeAgreement)))
                .mut_arg("unit", |a| a.help(t(Msg::CliAnalyzeUnit)))
                .mut_arg("scope", |a| a.help(t(Msg::CliAnalyzeScope)))
        })
        .mut_subcommand("saturation", |c| {
            coders(c.about(t(Msg::CliAnalyzeSaturation)))
        })
        .mut_subcommand("words", |c| {
            coders(c.about(t(Msg::CliAnalyzeWords)))
                .mut_arg("kwic", |a| a.help(t(Msg::CliAnalyzeKwic)))
        })
}

/// Runs one `analyze` subcommand.
pub fn run(analyze: Analyze, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let text = match analyze {
        Analyze::Matrix {
            workspace,
            by,
            codes,
            filter,
            ranking,
            cell,
            format,
        } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            let corpus = Corpus::from_store(&store)?;
            if ranking {
                let root = codes.under.clone().unwrap_or_else(|| "push".to_owned());
                let root = CodeKey::new(&root)?;
                let ranking = push_factor_ranking(&corpus, &root, &filter.filter())?;
                render_ranking(&ranking, format, lang)?
            } else {
                let query = MatrixQuery {
                    attribute: by.attribute(),
                    codes: codes.codes(&corpus)?,
                    filter: filter.filter(),
                };
                match cell {
                    Some(cell) => {
                        let (code, column) =
                            cell.split_once('=').context("--cell takes CODE=COLUMN")?;
                        let code = CodeKey::new(code)?;
                        let column = (!column.is_empty()).then_some(column);
                        let codings = Matrix::drill_down(&corpus, &query, &code, column)?;
                        render_codings(&codings, format)?
                    }
                    None => render_matrix(&Matrix::compute(&corpus, &query)?, format, lang)?,
                }
            }
        }
        Analyze::Cooccurrence {
            workspace,
            proximity,
            distance,
            codes,
            filter,
            format,
        } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            let corpus = Corpus::from_store(&store)?;
            let query = CooccurrenceQuery {
                proximity: match proximity {
                    ProximityArg::Overlap => Proximity::Overlap,
                    ProximityArg::Within => Proximity::Within(distance),
                    ProximityArg::Document => Proximity::Document,
                },
                codes: codes.codes(&corpus)?,
                filter: filter.filter(),
            };
            render_cooccurrence(&Cooccurrence::compute(&corpus, &query)?, format)?
        }
        Analyze::Agreement {
            workspace,
            unit,
            coders,
            code,
            scope,
            format,
        } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            let query = AgreementQuery {
                unit: match unit {
                    UnitArg::Character => UnitKind::Character,
                    UnitArg::Paragraph => UnitKind::Paragraph,
                    UnitArg::Segment => UnitKind::Segment,
                },
                coders: (!coders.is_empty()).then_some(coders),
                code: code.as_deref().map(CodeKey::new).transpose()?,
                scope: match scope {
                    ScopeArg::Any => Scope::Any,
                    ScopeArg::All => Scope::All,
                },
            };
            render_agreement(&Agreement::from_store(&store, &query)?, format, lang)?
        }
        Analyze::Saturation {
            workspace,
            coders,
            format,
        } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            let corpus = Corpus::from_store(&store)?;
            let filter = Filter {
                coders: (!coders.is_empty()).then_some(coders),
                kinds: None,
            };
            render_saturation(&Saturation::compute(&corpus, &filter)?, format, lang)?
        }
        Analyze::Words {
            workspace,
            kwic,
            limit,
            no_stem,
            keep_stop_words,
            min_length,
            code,
            filter,
            turns_only,
            exclude_speakers,
            width,
            format,
        } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            if store.study()?.is_none() {
                bail!("the workspace holds no study yet");
            }
            let codebook = store.codebook()?;
            let code = match code {
                Some(c) => {
                    let key = CodeKey::new(&c)?;
                    if codebook.get(&key).is_none() {
                        bail!("unknown code {c:?}");
                    }
                    Some(key)
                }
                None => None,
            };
            let filter = filter.filter();
            let selection = Selection {
                kinds: filter.kinds,
                code,
                coders: filter.coders,
                turns_only,
                exclude_speakers,
            };
            let documents = store.documents()?;
            let sessions = store.sessions()?;
            let codings = store.codings()?;
            let default_language = match lang {
                Lang::Fr => Language::Fr,
                Lang::En => Language::En,
            };
            match kwic {
                Some(keyword) => {
                    let query = KwicQuery {
                        keyword,
                        selection,
                        default_language,
                        stem: !no_stem,
                        width,
                    };
                    let hits = words::keyword_in_context(&query, &documents, &sessions, &codings)?;
                    render_kwic(&hits, format)?
                }
                None => {
                    let query = WordsQuery {
                        selection,
                        default_language,
                        stem: !no_stem,
                        stop_words: !keep_stop_words,
                        min_length,
                        limit,
                    };
                    let f = words::frequencies(&query, &documents, &sessions, &codings);
                    render_words(&f, format)?
                }
            }
        }
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Pretty JSON of a value, with a final line break (a macro, so that the
/// binary need not name serde's trait).
macro_rules! json {
    ($value:expr) => {
        serde_json::to_string_pretty($value).map(|text| text + "\n")
    };
}

/// A CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// A Markdown table cell: pipes escaped, line breaks as spaces.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n",
        header.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | ")
    );
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{x:.3}"))
}

fn csv_number(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

const MEASURES: [&str; 4] = ["segments", "documents", "participants", "focus_groups"];

fn measures(cell: &Cell) -> [u64; 4] {
    [
        cell.segments,
        cell.documents,
        cell.participants,
        cell.focus_groups,
    ]
}

fn render_matrix(m: &Matrix, format: AnalyzeFormat, lang: Lang) -> Result<String> {
    Ok(match format {
        AnalyzeFormat::Json => json!(m)?,
        AnalyzeFormat::Csv => {
            let mut out = csv_line(&[
                "code".into(),
                "column".into(),
                "measure".into(),
                "value".into(),
            ]);
            for row in &m.rows {
                let columns = m
                    .columns
                    .iter()
                    .map(|c| c.key.as_str())
                    .zip(&row.cells)
                    .chain(std::iter::once(("", &row.unattributed)));
                for (key, cell) in columns {
                    for (name, value) in MEASURES.iter().zip(measures(cell)) {
                        out.push_str(&csv_line(&[
                            row.code.clone(),
                            key.to_owned(),
                            (*name).to_owned(),
                            value.to_string(),
                        ]));
                    }
                }
            }
            out
        }
        AnalyzeFormat::Md => {
            let mut header = vec![Msg::Code.text(lang).to_owned()];
            header.extend(m.columns.iter().map(|c| c.label.clone()));
            header.push(Msg::AnalysisUnattributed.text(lang).to_owned());
            let rows: Vec<Vec<String>> = m
                .rows
                .iter()
                .filter(|r| r.cells.iter().any(|c| c.segments > 0) || r.unattributed.segments > 0)
                .map(|r| {
                    let mut line = vec![r.name.get(lang).to_owned()];
                    line.extend(
                        r.cells
                            .iter()
                            .chain(std::iter::once(&r.unattributed))
                            .map(|c| format!("{} ({})", c.participants, c.segments)),
                    );
                    line
                })
                .collect();
            format!(
                "{}\n\n{}",
                Msg::AnalysisMatrixLegend.text(lang),
                md_table(&header, &rows)
            )
        }
    })
}

fn render_ranking(
    ranking: &[sankore_analysis::matrix::CercleRanking],
    format: AnalyzeFormat,
    lang: Lang,
) -> Result<String> {
    Ok(match format {
        AnalyzeFormat::Json => json!(&serde_json::json!({ "cercles": ranking }))?,
        AnalyzeFormat::Csv => {
            let mut out = csv_line(&[
                "cercle".into(),
                "rank".into(),
                "code".into(),
                "participants".into(),
                "segments".into(),
                "documents".into(),
                "focus_groups".into(),
            ]);
            for c in ranking {
                for r in &c.ranking {
                    out.push_str(&csv_line(&[
                        c.cercle.clone(),
                        r.rank.to_string(),
                        r.code.clone(),
                        r.counts.participants.to_string(),
                        r.counts.segments.to_string(),
                        r.counts.documents.to_string(),
                        r.counts.focus_groups.to_string(),
                    ]));
                }
            }
            out
        }
        AnalyzeFormat::Md => {
            let mut out = String::new();
            for c in ranking {
                let rows: Vec<Vec<String>> = c
                    .ranking
                    .iter()
                    .filter(|r| r.counts.segments > 0)
                    .map(|r| {
                        vec![
                            r.rank.to_string(),
                            r.name.get(lang).to_owned(),
                            r.counts.participants.to_string(),
                            r.counts.segments.to_string(),
                        ]
                    })
                    .collect();
                let _ = write!(
                    out,
                    "## {}\n\n{}\n",
                    c.name,
                    md_table(
                        &[
                            "#".into(),
                            Msg::Code.text(lang).into(),
                            Msg::Participants.text(lang).into(),
                            Msg::AnalysisSegments.text(lang).into(),
                        ],
                        &rows
                    )
                );
            }
            out
        }
    })
}

fn render_codings(
    codings: &[sankore_analysis::corpus::CodingRef],
    format: AnalyzeFormat,
) -> Result<String> {
    Ok(match format {
        AnalyzeFormat::Json => json!(&serde_json::json!({ "codings": codings }))?,
        AnalyzeFormat::Csv | AnalyzeFormat::Md => {
            let header: Vec<String> = ["document", "start", "end", "code", "coder", "speaker"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            let rows: Vec<Vec<String>> = codings
                .iter()
                .map(|c| {
                    vec![
                        c.document.clone(),
                        c.start.to_string(),
                        c.end.to_string(),
                        c.code.clone(),
                        c.coder.clone(),
                        c.speaker.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            if format == AnalyzeFormat::Md {
                md_table(&header, &rows)
            } else {
                std::iter::once(&header)
                    .chain(&rows)
                    .map(|r| csv_line(r))
                    .collect()
            }
        }
    })
}

fn render_cooccurrence(co: &Cooccurrence, format: AnalyzeFormat) -> Result<String> {
    let header: Vec<String> = ["a", "b", "both", "either", "documents", "jaccard"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = co
        .pairs
        .iter()
        .map(|p| {
            vec![
                p.a.clone(),
                p.b.clone(),
                p.both.to_string(),
                p.either.to_string(),
                p.documents.to_string(),
                match format {
                    AnalyzeFormat::Md => format!("{:.3}", p.jaccard),
                    _ => p.jaccard.to_string(),
                },
            ]
        })
        .collect();
    Ok(match format {
        AnalyzeFormat::Json => json!(co)?,
        AnalyzeFormat::Csv => std::iter::once(&header)
            .chain(&rows)
            .map(|r| csv_line(r))
            .collect(),
        AnalyzeFormat::Md => md_table(&header, &rows),
    })
}

fn statistics_row(name: &str, units: u64, s: &Statistics, csv: bool) -> Vec<String> {
    let f = if csv { csv_number } else { number };
    vec![
        name.to_owned(),
        units.to_string(),
        f(s.percent),
        f(s.cohen_kappa),
        f(s.fleiss_kappa),
        f(s.krippendorff_alpha),
    ]
}

fn render_agreement(a: &Agreement, format: AnalyzeFormat, lang: Lang) -> Result<String> {
    if format == AnalyzeFormat::Json {
        return Ok(json!(a)?);
    }
    let csv = format == AnalyzeFormat::Csv;
    let mut header: Vec<String> = [
        "code",
        "units",
        "percent",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let units_of = |view: &sankore_analysis::agreement::PerCode<u64>, code: &str| {
        view.0
            .iter()
            .find(|(k, _)| k == code)
            .map_or(0, |(_, n)| *n)
    };
    let table = |overall: &Statistics,
                 units: u64,
                 per_code: &sankore_analysis::agreement::PerCode<Statistics>,
                 counts: &sankore_analysis::agreement::PerCode<u64>| {
        let mut rows = vec![statistics_row("(overall)", units, overall, csv)];
        rows.extend(
            per_code
                .0
                .iter()
                .map(|(code, s)| statistics_row(code, units_of(counts, code), s, csv)),
        );
        rows
    };
    let all = table(&a.overall, a.units, &a.per_code, &a.per_code_units);
    let coded = table(
        &a.excluding_uncoded.overall,
        a.excluding_uncoded.units,
        &a.excluding_uncoded.per_code,
        &a.excluding_uncoded.per_code_units,
    );
    Ok(if csv {
        header.insert(0, "view".into());
        let mut out = csv_line(&header);
        for (view, rows) in [("all", &all), ("excluding_uncoded", &coded)] {
            for row in rows {
                let mut line = vec![view.to_owned()];
                line.extend(row.iter().cloned());
                out.push_str(&csv_line(&line));
            }
        }
        out
    } else {
        format!(
            "{} {} · {} {} · {} {}\n\n{}\n{}\n\n{}",
            Msg::AnalysisUnit.text(lang),
            a.unit.as_str(),
            Msg::AnalysisCoders.text(lang),
            a.coders.join(", "),
            Msg::AnalysisDocuments.text(lang),
            a.documents,
            md_table(&header, &all),
            Msg::AnalysisExcludingUncoded.text(lang),
            md_table(&header, &coded)
        )
    })
}

fn render_saturation(s: &Saturation, format: AnalyzeFormat, lang: Lang) -> Result<String> {
    let header: Vec<String> = [
        "curve",
        "session",
        "date",
        "group",
        "codes",
        "new",
        "cumulative",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut rows = Vec::new();
    let curves = std::iter::once(("overall", &s.overall))
        .chain(s.by_group.iter().map(|g| (g.group.as_str(), &g.steps)));
    for (curve, steps) in curves {
        for step in steps {
            rows.push(vec![
                curve.to_owned(),
                step.session.clone(),
                step.date.to_string(),
                step.group.clone().unwrap_or_default(),
                step.codes.to_string(),
                step.new.to_string(),
                step.cumulative.to_string(),
            ]);
        }
    }
    Ok(match format {
        AnalyzeFormat::Json => json!(s)?,
        AnalyzeFormat::Csv => std::iter::once(&header)
            .chain(&rows)
            .map(|r| csv_line(r))
            .collect(),
        AnalyzeFormat::Md => format!(
            "{}\n\n{}",
            Msg::AnalysisSaturationLegend.text(lang),
            md_table(&header, &rows)
        ),
    })
}

fn render_words(f: &words::Frequencies, format: AnalyzeFormat) -> Result<String> {
    let header: Vec<String> = ["term", "form", "count", "documents"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = f
        .terms
        .iter()
        .map(|t| {
            vec![
                t.term.clone(),
                t.form.clone(),
                t.count.to_string(),
                t.documents.to_string(),
            ]
        })
        .collect();
    Ok(match format {
        AnalyzeFormat::Json => json!(f)?,
        AnalyzeFormat::Csv => std::iter::once(&header)
            .chain(&rows)
            .map(|r| csv_line(r))
            .collect(),
        AnalyzeFormat::Md => md_table(&header, &rows),
    })
}

fn render_kwic(hits: &[words::Concordance], format: AnalyzeFormat) -> Result<String> {
    let header: Vec<String> = ["document", "start", "left", "keyword", "right"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = hits
        .iter()
        .map(|h| {
            vec![
                h.document.clone(),
                h.start.to_string(),
                h.left.clone(),
                h.keyword.clone(),
                h.right.clone(),
            ]
        })
        .collect();
    Ok(match format {
        AnalyzeFormat::Json => json!(&serde_json::json!({ "occurrences": hits }))?,
        AnalyzeFormat::Csv => std::iter::once(&header)
            .chain(&rows)
            .map(|r| csv_line(r))
            .collect(),
        AnalyzeFormat::Md => md_table(&header, &rows),
    })
}
