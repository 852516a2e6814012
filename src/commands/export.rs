//! `sankore export responses|participants|codings|matrix`: tables for
//! Excel, SPSS, Stata and R users. The tables are built in
//! `sankore_formats::submissions::export` (responses) and
//! `sankore_reports::exports` (the others), written by
//! `sankore_formats::tabular`; every export is recorded in the audit log.

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use sankore_analysis::corpus::Corpus;
use sankore_analysis::matrix::{Matrix, MatrixQuery};
use sankore_domain::{AuditAction, AuditEvent, Lang};
use sankore_formats::submissions::export::{ResponseLayout, form_language, response_tables};
use sankore_formats::tabular::{self, Table};
use sankore_i18n::Msg;
use sankore_reports::exports::{self, Measure};
use sankore_store::{AuditStore, ResponseStore, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::analyze::ByArg;
use crate::cli::{Export, WorkspaceArg};

/// File formats of table exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

/// What every table export takes.
#[derive(Debug, Args)]
pub struct TableArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// File format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    /// Labels in this language instead of codes.
    #[arg(long, value_name = "fr|en", value_parser = parse_lang)]
    pub labels: Option<Lang>,
    /// File to write (CSV: standard output when omitted; XLSX needs it).
    #[arg(long, value_name = "FILE", required_if_eq("format", "xlsx"))]
    pub out: Option<PathBuf>,
    /// Add an HXL hashtag row.
    #[arg(long)]
    pub hxl: bool,
    /// Also write SPSS syntax.
    #[arg(long, value_name = "FILE", requires = "out")]
    pub spss: Option<PathBuf>,
    /// Also write a Stata do-file.
    #[arg(long, value_name = "FILE", requires = "out")]
    pub stata: Option<PathBuf>,
}

/// `export responses`.
#[derive(Debug, Args)]
pub struct ResponsesArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// The form (its form_id).
    #[arg(long, value_name = "FORM")]
    pub form: Option<String>,
    /// One column per choice of select_multiple questions.
    #[arg(long)]
    pub split: bool,
}

/// What a matrix cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    Participants,
    Segments,
    Documents,
    FocusGroups,
}

/// `export matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// The columns.
    #[arg(long, value_enum, default_value = "cercle")]
    pub by: ByArg,
    /// What each cell counts.
    #[arg(long, value_enum, default_value = "participants")]
    pub measure: MeasureArg,
    /// For people outside the team: small counts left empty.
    #[arg(long)]
    pub public: bool,
    /// Threshold of the public view (3 to 10).
    #[arg(long, default_value_t = sankore_disclosure::DEFAULT_K)]
    pub k: u64,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse::<Lang>().map_err(|e| e.to_string())
}

/// Help texts of one table export subcommand, in `lang`.
pub fn localize(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    let about = match command.get_name() {
        "responses" => Msg::CliExportResponses,
        "participants" => Msg::CliExportParticipants,
        "codings" => Msg::CliExportCodings,
        _ => Msg::CliExportMatrix,
    };
    let mut command = command
        .about(t(about))
        .mut_arg("format", |a| a.help(t(Msg::CliExportFileFormat)))
        .mut_arg("labels", |a| a.help(t(Msg::CliExportLabels)))
        .mut_arg("out", |a| a.help(t(Msg::CliExportOut)))
        .mut_arg("hxl", |a| a.help(t(Msg::CliExportHxl)))
        .mut_arg("spss", |a| a.help(t(Msg::CliExportSpss)))
        .mut_arg("stata", |a| a.help(t(Msg::CliExportStata)));
    match command.get_name() {
        "responses" => {
            command = command
                .mut_arg("form", |a| a.help(t(Msg::CliExportForm)))
                .mut_arg("split", |a| a.help(t(Msg::CliExportSplit)));
        }
        "matrix" => {
            command = command
                .mut_arg("by", |a| a.help(t(Msg::CliAnalyzeBy)))
                .mut_arg("measure", |a| a.help(t(Msg::CliExportMeasure)))
                .mut_arg("public", |a| a.help(t(Msg::CliExportPublic)))
                .mut_arg("k", |a| a.help(t(Msg::CliThreshold)));
        }
        _ => {}
    }
    command
}

/// Runs one table export.
pub fn run(export: Export, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let (args, tables, target, extra) = match export {
        Export::Responses(args) => {
            let store = super::open(&args.table.workspace.workspace, file, lang)?;
            let forms = store.response_forms()?;
            let form = match &args.form {
                Some(id) => forms
                    .iter()
                    .find(|f| f.key() == id)
                    .with_context(|| format!("no responses to a form {id:?} in the workspace"))?,
                None => match forms.as_slice() {
                    [one] => one,
                    [] => bail!("the workspace holds no responses yet (sankore import kobo|odk)"),
                    _ => bail!(
                        "responses to several forms: choose one with --form ({})",
                        forms.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ")
                    ),
                },
            };
            // A form without named languages has one set of labels: those.
            let language = args.table.labels.map(|l| {
                form_language(form, l.code())
                    .or(form.languages().is_empty().then_some(""))
                    .with_context(|| format!("the form has no labels in {}", l.code()))
            });
            let language = language.transpose()?;
            let syntax = args.table.spss.is_some() || args.table.stata.is_some();
            let layout = ResponseLayout {
                // SPSS and Stata read codes and apply the labels themselves.
                labels: if syntax { None } else { language },
                label_language: language,
                split: args.split,
            };
            let responses: Vec<_> = store
                .responses(form.key())?
                .into_iter()
                .map(|r| r.response)
                .collect();
            let tables = response_tables(form, &responses, &layout);
            let target = format!("responses:{}", form.key());
            (args.table, tables, target, store)
        }
        Export::Participants(args) => {
            let store = super::open(&args.workspace.workspace, file, lang)?;
            let records = store
                .load_study()?
                .context("the workspace holds no study yet")?;
            let labels = args.labels.is_some() && args.spss.is_none() && args.stata.is_none();
            let table = exports::participants(&records, args.labels.unwrap_or(lang), labels);
            (args, vec![table], "participants".to_owned(), store)
        }
        Export::Codings(args) => {
            let store = super::open(&args.workspace.workspace, file, lang)?;
            let records = store
                .load_study()?
                .context("the workspace holds no study yet")?;
            let corpus = Corpus::from_store(&store)?;
            let table = exports::codings(&records, &corpus, args.labels.unwrap_or(lang))?;
            (args, vec![table], "codings".to_owned(), store)
        }
        Export::Matrix(args) => {
            let store = super::open(&args.table.workspace.workspace, file, lang)?;
            let corpus = Corpus::from_store(&store)?;
            let query = MatrixQuery {
                attribute: args.by.attribute(),
                codes: None,
                filter: Default::default(),
            };
            let m = Matrix::compute(&corpus, &query)?;
            let measure = match args.measure {
                MeasureArg::Participants => Measure::Participants,
                MeasureArg::Segments => Measure::Segments,
                MeasureArg::Documents => Measure::Documents,
                MeasureArg::FocusGroups => Measure::FocusGroups,
            };
            let (table, hidden) = exports::matrix(
                &m,
                &corpus.groups,
                measure,
                args.table.labels.unwrap_or(lang),
                args.public.then_some(args.k),
            )?;
            if args.public {
                eprintln!(
                    "{} {}: k = {}",
                    hidden.len(),
                    Msg::CellsHidden.text(lang),
                    args.k
                );
            }
            let target = format!(
                "matrix:{}{}",
                args.by.attribute().as_str(),
                if args.public { ":public" } else { "" }
            );
            (args.table, vec![table], target, store)
        }
        Export::Qdpx { .. } | Export::Qdc { .. } | Export::Xlsform(_) => {
            unreachable!("handled by refi::export")
        }
    };
    let mut store = extra;
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    let written = write(&args, &tables)?;
    let format = match args.format {
        TableFormat::Csv => "csv",
        TableFormat::Xlsx => "xlsx",
    };
    store.record_audit(&AuditEvent::new(
        "cli",
        AuditAction::Export,
        &target,
        format!(
            "{format}, {rows} rows{}{}{}{}",
            args.labels
                .map(|l| format!(", labels {}", l.code()))
                .unwrap_or_default(),
            if args.hxl { ", hxl" } else { "" },
            if args.spss.is_some() { ", spss" } else { "" },
            if args.stata.is_some() { ", stata" } else { "" },
        ),
    ))?;
    for (path, rows) in written {
        eprintln!("{}: {rows} -> {}", Msg::Exported.text(lang), path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the tables as asked: CSV (the first table to the file or
/// standard output, each repeat table to `STEM-NAME.csv` beside it) or
/// XLSX, then the syntax files; returns each data file written with its
/// number of rows.
fn write(args: &TableArgs, tables: &[Table]) -> Result<Vec<(PathBuf, usize)>> {
    let Some(first) = tables.first() else {
        return Ok(Vec::new());
    };
    let mut written = Vec::new();
    match (args.format, &args.out) {
        (TableFormat::Xlsx, None) => bail!("--format xlsx needs --out FILE"),
        (TableFormat::Xlsx, Some(out)) => {
            let bytes = tabular::to_xlsx(tables, args.hxl)?;
            super::refi::write_atomically(out, &bytes)?;
            written.push((out.clone(), tables.iter().map(|t| t.rows.len()).sum()));
        }
        (TableFormat::Csv, None) => {
            if tables.len() > 1 {
                eprintln!(
                    "note: {} repeat table(s) not written: give --out FILE to write them beside it, or use --format xlsx",
                    tables.len() - 1
                );
            }
            super::print(&tabular::to_csv(first, args.hxl))?;
        }
        (TableFormat::Csv, Some(out)) => {
            super::refi::write_atomically(out, tabular::to_csv(first, args.hxl).as_bytes())?;
            written.push((out.clone(), first.rows.len()));
            for table in &tables[1..] {
                let path = beside(out, &table.name);
                super::refi::write_atomically(&path, tabular::to_csv(table, args.hxl).as_bytes())?;
                written.push((path, table.rows.len()));
            }
        }
    }
    // One syntax file per table (a repeat table's beside the first's),
    // reading its CSV file or its sheet of the workbook.
    for (i, table) in tables.iter().enumerate() {
        let data = match args.format {
            TableFormat::Csv => written.get(i).map(|(path, _)| path),
            TableFormat::Xlsx => args.out.as_ref(),
        };
        let Some(data) = data else {
            continue;
        };
        let named = |syntax: &Path| {
            if i == 0 {
                syntax.to_path_buf()
            } else {
                beside(syntax, &table.name)
            }
        };
        let syntaxes: [(&Option<PathBuf>, SyntaxWriter); 2] = [
            (&args.spss, tabular::to_spss),
            (&args.stata, tabular::to_stata),
        ];
        for (syntax, write_syntax) in syntaxes {
            let Some(syntax) = syntax else {
                continue;
            };
            let path = named(syntax);
            let name = data_file_from(&path, data)?;
            super::refi::write_atomically(
                &path,
                write_syntax(table, data_file(args.format, &name), args.hxl).as_bytes(),
            )?;
        }
        if let Some(spss) = &args.spss
            && args.format == TableFormat::Csv
        {
            let broken = tabular::cells_with_line_breaks(table);
            if broken > 0 {
                eprintln!(
                    "warning: {broken} cells hold line breaks, which SPSS reads as new cases: open the XLSX export for them (see the note in {})",
                    named(spss).display()
                );
            }
        }
    }
    Ok(written)
}

/// Writes an SPSS syntax or Stata do-file for a table read from a data
/// file (`tabular::to_spss`, `tabular::to_stata`).
type SyntaxWriter = fn(&Table, tabular::DataFile<'_>, bool) -> String;

/// The data file named `name`, as written in `format`.
fn data_file(format: TableFormat, name: &str) -> tabular::DataFile<'_> {
    match format {
        TableFormat::Csv => tabular::DataFile::Csv(name),
        TableFormat::Xlsx => tabular::DataFile::Xlsx(name),
    }
}

/// The data file as a syntax file at `syntax` names it: relative to the
/// syntax file's directory (`people.csv`, `../people.csv`) when they share
/// a root, else its whole path.
fn data_file_from(syntax: &Path, data: &Path) -> Result<String> {
    let folder = syntax
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder = std::fs::canonicalize(folder)
        .with_context(|| format!("cannot find the directory of {}", syntax.display()))?;
    let data =
        std::fs::canonicalize(data).with_context(|| format!("cannot find {}", data.display()))?;
    Ok(tabular::relative_path(&folder, &data))
}

/// `DIR/STEM-NAME.EXT` for `DIR/STEM.EXT` (a repeat table's file beside
/// the first table's).
fn beside(out: &Path, name: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = out
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    out.with_file_name(format!("{stem}-{name}{extension}"))
}
