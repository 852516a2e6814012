//! XLSForm instruments: `sankore xlsform check FILE` (no workspace),
//! `sankore import xlsform FILE --workspace DIR` and
//! `sankore export xlsform --workspace DIR --instrument KEY --out FILE`.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use sankore_domain::instrument::Instrument;
use sankore_domain::{AuditAction, AuditEvent, Lang};
use sankore_formats::xlsform::{
    self, DEFAULT_RESEARCH_QUESTION_COLUMN, FileKind, ReadOptions, XlsFormError,
};
use sankore_i18n::Msg;
use sankore_store::{AuditStore, InstrumentStore, SavedInstrument};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{SummaryFormat, WorkspaceArg};

/// Forms larger than this are refused before being read.
const MAX_FORM_BYTES: u64 = 64 * 1024 * 1024;

/// The `xlsform` subcommands.
#[derive(Debug, Subcommand)]
pub enum Xlsform {
    /// Check an XLSForm as pyxform does, without a workspace.
    Check {
        /// The XLSForm file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// List the workspace's instruments.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// Link a question of an instrument to research questions.
    Link {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Key of the instrument (its form_id).
        #[arg(long, value_name = "KEY")]
        instrument: String,
        /// Name of the question.
        #[arg(long, value_name = "NAME")]
        question: String,
        /// Research question numbers (none: remove the links).
        #[arg(long, value_name = "N,N", value_delimiter = ',', num_args = 0..)]
        research_questions: Vec<u8>,
    },
}

/// `import xlsform`.
#[derive(Debug, Args)]
pub struct ImportXlsform {
    /// The XLSForm file.
    pub file: PathBuf,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// Survey column linking questions to research questions.
    #[arg(long, value_name = "COL", default_value = DEFAULT_RESEARCH_QUESTION_COLUMN)]
    pub research_question_column: String,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SummaryFormat,
}

/// `export xlsform`.
#[derive(Debug, Args)]
pub struct ExportXlsform {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// Key of the instrument (its form_id).
    #[arg(long, value_name = "KEY")]
    pub instrument: String,
    /// File to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// The help texts of `xlsform` in `lang`.
pub fn localize(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliXlsform))
        .mut_subcommand("check", |c| {
            c.about(t(Msg::CliXlsformCheck))
                .mut_arg("file", |a| a.help(t(Msg::CliXlsformFile)))
        })
        .mut_subcommand("list", |c| c.about(t(Msg::CliXlsformList)))
        .mut_subcommand("link", |c| {
            c.about(t(Msg::CliXlsformLink))
                .mut_arg("instrument", |a| a.help(t(Msg::CliInstrument)))
                .mut_arg("question", |a| a.help(t(Msg::CliXlsformQuestion)))
                .mut_arg("research_questions", |a| {
                    a.help(t(Msg::CliXlsformResearchQuestions))
                })
        })
}

/// The help texts of `import xlsform` in `lang`.
pub fn localize_import(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliImportXlsform))
        .mut_arg("file", |a| a.help(t(Msg::CliXlsformFile)))
        .mut_arg("research_question_column", |a| {
            a.help(t(Msg::CliResearchQuestionColumn))
        })
}

/// The help texts of `export xlsform` in `lang`.
pub fn localize_export(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliExportXlsform))
        .mut_arg("instrument", |a| a.help(t(Msg::CliInstrument)))
        .mut_arg("out", |a| a.help(t(Msg::CliOut)))
}

/// Reads a form file; the outer error is about the file, the inner one
/// about its content.
fn read_form(path: &Path, column: &str) -> Result<Result<Instrument, XlsFormError>> {
    let kind = FileKind::from_path(path).ok_or_else(|| {
        anyhow!(
            "{}: not an XLSForm file name (use .xlsx, .xlsm, .xls, .csv or .md)",
            path.display()
        )
    })?;
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_FORM_BYTES {
        bail!(
            "{} is larger than {MAX_FORM_BYTES} bytes: refused",
            path.display()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_owned());
    let options = ReadOptions {
        form_id: stem,
        research_question_column: column.to_owned(),
    };
    Ok(xlsform::read(&bytes, kind, &options))
}

/// `French (fr)` → `fr`; a name without a code in brackets stays as it is.
fn language_code(name: &str) -> &str {
    name.rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .filter(|c| !c.is_empty())
        .unwrap_or(name)
}

/// The form's languages as a summary names them: by code, or as written
/// when two share a code (`label::fr` beside `label::French (fr)` are two
/// sets of labels).
fn language_names(languages: &[String]) -> Vec<&str> {
    let codes: Vec<&str> = languages.iter().map(|l| language_code(l)).collect();
    languages
        .iter()
        .zip(&codes)
        .map(|(name, code)| {
            if codes.iter().filter(|c| *c == code).count() > 1 {
                name.as_str()
            } else {
                code
            }
        })
        .collect()
}

fn count(n: usize, one: Msg, many: Msg, lang: Lang) -> String {
    let plural = match lang {
        Lang::Fr => n > 1,
        Lang::En => n != 1,
    };
    format!("{n} {}", if plural { many } else { one }.text(lang))
}

/// `23 questions, 4 groups, 1 repeat, 3 choice lists, languages fr, en`.
fn contents(form: &Instrument, lang: Lang) -> String {
    let (questions, groups, repeats) = form.counts();
    let mut parts = vec![
        count(questions, Msg::XlsformQuestion, Msg::XlsformQuestions, lang),
        count(groups, Msg::XlsformGroup, Msg::XlsformGroups, lang),
        count(repeats, Msg::XlsformRepeat, Msg::XlsformRepeats, lang),
        count(
            form.choice_lists().len(),
            Msg::XlsformChoiceList,
            Msg::XlsformChoiceLists,
            lang,
        ),
    ];
    let languages = language_names(form.languages());
    if !languages.is_empty() {
        parts.push(format!(
            "{} {}",
            Msg::XlsformLanguages.text(lang),
            languages.join(", ")
        ));
    }
    parts.join(", ")
}

fn quoted(key: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {key} »"),
        Lang::En => format!("{key:?}"),
    }
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => " :",
        Lang::En => ":",
    }
}

fn summary_json(form: &Instrument) -> serde_json::Value {
    let (questions, groups, repeats) = form.counts();
    json!({
        "form_id": form.key(),
        "title": form.title(),
        "version": form.version(),
        "questions": questions,
        "groups": groups,
        "repeats": repeats,
        "choice_lists": form.choice_lists().len(),
        "languages": form.languages(),
        "linked_questions": linked(form),
    })
}

fn linked(form: &Instrument) -> usize {
    form.questions()
        .iter()
        .filter(|q| !q.question.research_questions.is_empty())
        .count()
}

/// Runs an `xlsform` subcommand.
pub fn run(command: Xlsform, passphrase_file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match command {
        Xlsform::Check { file, format } => check(&file, format, lang),
        Xlsform::List { workspace, format } => {
            let store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let list = store.instruments()?;
            match format {
                SummaryFormat::Json => {
                    super::print(&format!("{}\n", serde_json::to_string_pretty(&list)?))?
                }
                SummaryFormat::Text => {
                    let mut text = String::new();
                    for i in &list {
                        text.push_str(&format!(
                            "{}\t{}\t{}\t{} {}\n",
                            i.key,
                            i.version.as_deref().unwrap_or("-"),
                            i.title,
                            count(
                                i.linked_questions,
                                Msg::XlsformQuestion,
                                Msg::XlsformQuestions,
                                lang
                            ),
                            Msg::XlsformLinked.text(lang)
                        ));
                    }
                    super::print(&text)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Xlsform::Link {
            workspace,
            instrument,
            question,
            research_questions,
        } => {
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            store
                .link_research_questions(&instrument, &question, &research_questions)
                .with_context(|| format!("cannot link {question} of instrument {instrument}"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(file: &Path, format: SummaryFormat, lang: Lang) -> Result<ExitCode> {
    let form = match read_form(file, DEFAULT_RESEARCH_QUESTION_COLUMN) {
        Ok(form) => form,
        // A file that cannot be read at all is refused in JSON too, so a
        // script gets the one shape (no sheet, row or column).
        Err(e) if matches!(format, SummaryFormat::Json) => Err(XlsFormError {
            sheet: None,
            row: None,
            column: None,
            message: format!("{e:#}"),
        }),
        Err(e) => return Err(e),
    };
    match (form, format) {
        (Ok(form), SummaryFormat::Text) => {
            super::print(&format!(
                "{} {} {}{} {}\n",
                Msg::XlsformForm.text(lang),
                quoted(form.key(), lang),
                Msg::XlsformAccepted.text(lang),
                colon(lang),
                contents(&form, lang)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        (Ok(form), SummaryFormat::Json) => {
            let mut value = summary_json(&form);
            value["accepted"] = json!(true);
            super::print(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
            Ok(ExitCode::SUCCESS)
        }
        (Err(e), SummaryFormat::Text) => {
            eprintln!(
                "{} {} {}{} {e}",
                Msg::XlsformForm.text(lang),
                quoted(&file.display().to_string(), lang),
                Msg::XlsformRefused.text(lang),
                colon(lang)
            );
            Ok(ExitCode::FAILURE)
        }
        (Err(e), SummaryFormat::Json) => {
            let value = json!({
                "accepted": false,
                "error": {
                    "sheet": e.sheet,
                    "row": e.row,
                    "column": e.column,
                    "message": e.message,
                    "text": e.to_string(),
                },
            });
            super::print(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `import xlsform`: reads the form, then stores it with an audit entry in
/// one transaction (a refused form changes nothing).
pub fn import(args: ImportXlsform, passphrase_file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let form = read_form(&args.file, &args.research_question_column)?.map_err(|e| {
        anyhow!(
            "{} {} {}{} {e}",
            Msg::XlsformForm.text(lang),
            quoted(&args.file.display().to_string(), lang),
            Msg::XlsformRefused.text(lang),
            colon(lang)
        )
    })?;
    let mut store = super::open(&args.workspace.workspace, passphrase_file, lang)?;
    let event = AuditEvent::new(
        "cli",
        AuditAction::Import,
        format!("instrument {}", form.key()),
        format!("xlsform, {} questions", form.counts().0),
    );
    let outcome = store
        .save_instrument(&form, &event)
        .with_context(|| format!("cannot store instrument {}", form.key()))?;
    match args.format {
        SummaryFormat::Json => {
            let mut value = summary_json(&form);
            value["outcome"] = json!(outcome);
            super::print(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
        }
        SummaryFormat::Text => {
            let outcome = match outcome {
                SavedInstrument::New => Msg::InstrumentNew,
                SavedInstrument::Replaced => Msg::InstrumentReplaced,
                SavedInstrument::Unchanged => Msg::InstrumentUnchanged,
            };
            super::print(&format!(
                "{}{} {} {} ({}), {}; {} {}\n",
                Msg::Imported.text(lang),
                colon(lang),
                Msg::XlsformForm.text(lang),
                quoted(form.key(), lang),
                outcome.text(lang),
                contents(&form, lang),
                count(
                    linked(&form),
                    Msg::XlsformQuestion,
                    Msg::XlsformQuestions,
                    lang
                ),
                Msg::XlsformLinked.text(lang),
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `export xlsform`: writes a stored instrument as `.xlsx`.
pub fn export(args: ExportXlsform, passphrase_file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let mut store = super::open(&args.workspace.workspace, passphrase_file, lang)?;
    let Some(form) = store.instrument(&args.instrument)? else {
        let keys: Vec<String> = store.instruments()?.into_iter().map(|i| i.key).collect();
        bail!(
            "no instrument {} in this workspace (instruments: {})",
            args.instrument,
            if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            }
        );
    };
    let bytes = xlsform::write_xlsx(&form)?;
    super::refi::write_atomically(&args.out, &bytes)?;
    store.record_audit(&AuditEvent::new(
        "cli",
        AuditAction::Export,
        format!("instrument {}", form.key()),
        "xlsform",
    ))?;
    eprintln!("{}: {}", Msg::Exported.text(lang), args.out.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_named_by_code_unless_two_share_one() {
        let names = |l: &[&str]| {
            let owned: Vec<String> = l.iter().map(|s| (*s).to_owned()).collect();
            language_names(&owned).join(", ")
        };
        assert_eq!(names(&["French (fr)", "English (en)"]), "fr, en");
        assert_eq!(
            names(&["fr", "French (fr)", "Bambara"]),
            "fr, French (fr), Bambara"
        );
        assert_eq!(names(&[]), "");
    }
}
