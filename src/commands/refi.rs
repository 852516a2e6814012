//! `sankore export qdpx|qdc` and `sankore import qdpx|qdc`: REFI-QDA
//! exchange with NVivo, ATLAS.ti, MAXQDA and the others. The conversion
//! lives in `sankore_formats::refi`; this module reads and writes files and
//! the workspace.

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_domain::{AuditAction, AuditEvent};
use sankore_domain::{Lang, StudyRecords};
use sankore_formats::refi::{
    self, ImportOptions, ImportReport, Imported, Limits, LineEndings, RefiError,
};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AuditStore, Store, Workspace};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

use super::user::CLI_ACTOR;
use crate::cli::{Export, Import, LineEndingsArg, SummaryFormat};

/// Runs `sankore export ...`.
pub fn export(export: Export, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match export {
        Export::Xlsform(args) => return super::xlsform::export(args, file, lang),
        Export::Qdpx {
            workspace,
            out,
            line_endings,
        } => {
            let (mut store, records) = load(&workspace.workspace, file, lang)?;
            let endings = match line_endings {
                LineEndingsArg::Crlf => LineEndings::Crlf,
                LineEndingsArg::Lf => LineEndings::Lf,
            };
            let bytes = refi::export_project(&records, endings)?;
            write_atomically(&out, &bytes)?;
            store.record_audit(&AuditEvent::new(
                CLI_ACTOR,
                AuditAction::Export,
                "qdpx",
                format!(
                    "{} documents, {} codings, {} cases",
                    records.documents.len(),
                    records.codings.len(),
                    records.participants.len()
                ),
            ))?;
            super::print(&format!(
                "{}: {} documents, {} codings, {} codes, {} users, {} memos, {} cases -> {}\n",
                Msg::Exported.text(lang),
                records.documents.len(),
                records.codings.len(),
                records.codebook.codes().len(),
                users(&records),
                records.memos.len(),
                records.participants.len(),
                out.display()
            ))?;
        }
        Export::Qdc { workspace, out } => {
            let (mut store, records) = load(&workspace.workspace, file, lang)?;
            let names = records.study.languages.first().copied().unwrap_or(Lang::Fr);
            let text = refi::export_codebook(&records.codebook, names)?;
            write_atomically(&out, text.as_bytes())?;
            store.record_audit(&AuditEvent::new(
                CLI_ACTOR,
                AuditAction::Export,
                "qdc",
                format!("{} codes", records.codebook.codes().len()),
            ))?;
            super::print(&format!(
                "{}: {} codes -> {}\n",
                Msg::Exported.text(lang),
                records.codebook.codes().len(),
                out.display()
            ))?;
        }
        tables => return super::export::run(tables, file, lang),
    }
    Ok(ExitCode::SUCCESS)
}

fn load(dir: &Path, file: Option<&Path>, lang: Lang) -> Result<(SqliteStore, StudyRecords)> {
    let store = super::open(dir, file, lang)?;
    let records = store
        .load_study()?
        .context("the workspace holds no study yet")?;
    Ok((store, records))
}

/// Users the export writes: team members plus any other coder or author.
fn users(records: &StudyRecords) -> usize {
    let mut handles: std::collections::BTreeSet<&str> = records
        .study
        .team
        .iter()
        .map(|m| m.handle.as_str())
        .collect();
    handles.extend(records.codings.iter().map(|c| c.coder.as_str()));
    handles.extend(records.memos.iter().map(|m| m.author.as_str()));
    handles.len()
}

/// Writes next to the target, then renames: a reader never sees half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    std::fs::write(&partial, bytes)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Runs `sankore import ...`: the file is read and checked whole before
/// the workspace is created, then written in one transaction.
pub fn import(import: Import, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let (path, dir, allow_partial, format, codebook) = match import {
        Import::Qdpx {
            file,
            workspace,
            allow_partial,
            format,
        } => (file, workspace.workspace, allow_partial, format, false),
        Import::Qdc {
            file,
            workspace,
            format,
        } => (file, workspace.workspace, false, format, true),
        Import::Xlsform(args) => return super::xlsform::import(args, file, lang),
        field => return super::fielddata::run(field, file, lang),
    };
    if Workspace::open(&dir).is_ok() {
        bail!(
            "{} is already a workspace: importing into an existing study is not supported; import into a new or empty directory",
            dir.display()
        );
    }
    let limits = Limits::default();
    let size = std::fs::metadata(&path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > limits.max_total_bytes {
        bail!(
            "{} is larger than {} bytes: refused",
            path.display(),
            limits.max_total_bytes
        );
    }
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let fallback_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Imported project".to_owned());
    let options = ImportOptions {
        gazetteer: timbuktu_2017(),
        today: chrono::Local::now().date_naive(),
        fallback_name,
        allow_partial,
        limits,
    };
    let imported = if codebook {
        refi::import_codebook(&bytes, &options)
    } else {
        refi::import_project(&bytes, &options)
    };
    let Imported { records, report } = match imported {
        Ok(imported) => imported,
        Err(e @ RefiError::Partial { .. }) => {
            bail!("{} refused: {e} (--allow-partial)", path.display())
        }
        Err(e) => bail!("{} refused: {e}", path.display()),
    };
    drop(bytes);

    let mut store = super::create(&dir, file, lang)?;
    let bar = ProgressBar::new(1).with_message(Msg::WritingStudy.text(lang));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    store.import_study(&records, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    eprintln!("{}: {}", Msg::WorkspaceCreated.text(lang), dir.display());
    match format {
        SummaryFormat::Json => {
            let text = serde_json::to_string_pretty(&summary_json(&report))?;
            super::print(&(text + "\n"))?;
        }
        SummaryFormat::Text => {
            super::print(&(summary_line(&report, lang) + "\n"))?;
            for s in &report.skipped {
                eprintln!(
                    "{}: {} {} ({} codings): {}",
                    Msg::LeftOut.text(lang),
                    s.element,
                    s.guid,
                    s.codings,
                    s.reason
                );
            }
            for n in &report.not_kept {
                eprintln!("{}: {n}", Msg::NotKept.text(lang));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary_line(report: &ImportReport, lang: Lang) -> String {
    let mut line = format!(
        "{}: {} documents, {} codings, {} codes, {} users, {} memos, {} participants",
        Msg::Imported.text(lang),
        report.documents,
        report.codings,
        report.codes,
        report.users,
        report.memos,
        report.participants
    );
    if let Some(d) = &report.detection {
        line.push_str(&format!(
            "; {} {} ({}/{} selection boundaries between words",
            Msg::PositionsCounted.text(lang),
            d.scheme,
            d.aligned,
            d.boundaries
        ));
        if d.names_compared > 0 {
            line.push_str(&format!(
                ", {}/{} selection names match",
                d.names_matched, d.names_compared
            ));
        }
        if d.equivalent.len() == refi::PositionScheme::ALL.len() {
            line.push_str(", every scheme agrees on this file");
        }
        line.push(')');
    }
    if !report.skipped.is_empty() {
        let codings: usize = report.skipped.iter().map(|s| s.codings).sum();
        line.push_str(&format!(
            "; {}: {} sources or parts, {codings} codings",
            Msg::LeftOut.text(lang),
            report.skipped.len()
        ));
    }
    line
}

fn summary_json(report: &ImportReport) -> serde_json::Value {
    json!({
        "origin": report.origin,
        "documents": report.documents,
        "codings": report.codings,
        "codes": report.codes,
        "users": report.users,
        "memos": report.memos,
        "participants": report.participants,
        "cases_renamed": report.cases_renamed,
        "codes_renamed": report.codes_renamed,
        "positions": report.detection.as_ref().map(|d| json!({
            "scheme": d.scheme.as_str(),
            "label": d.scheme.to_string(),
            "equivalent": d.equivalent.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "boundaries": d.boundaries,
            "between_words": d.aligned,
            "names_compared": d.names_compared,
            "names_matched": d.names_matched,
        })),
        "left_out": report.skipped.iter().map(|s| json!({
            "element": s.element,
            "guid": s.guid,
            "codings": s.codings,
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "not_kept": report.not_kept,
    })
}
