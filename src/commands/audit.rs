//! `sankore audit verify|show`: the hash-chained audit log.

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use sankore_domain::{AuditAction, Lang};
use sankore_i18n::Msg;
use sankore_store::{AuditEntry, AuditFilter, AuditStore, AuditVerification};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::WorkspaceArg;

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
}

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum Audit {
    /// Check that no entry was altered, removed or reordered.
    Verify {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: AuditFormat,
    },
    /// List entries, oldest first.
    Show {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Only this actor's entries.
        #[arg(long)]
        actor: Option<String>,
        /// Only this action (sign_in, export, withdrawal, ...).
        #[arg(long, value_parser = parse_action)]
        action: Option<AuditAction>,
        /// Only entries recorded on or after this date or instant.
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// Only entries recorded before this date or instant.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
        /// Only the most recent N entries.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: AuditFormat,
    },
}

fn parse_action(s: &str) -> Result<AuditAction, String> {
    s.parse().map_err(|_| {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

/// The `audit` help texts in `lang`.
pub fn localize(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliAudit))
        .mut_subcommand("verify", |c| c.about(t(Msg::CliAuditVerify)))
        .mut_subcommand("show", |c| {
            c.about(t(Msg::CliAuditShow))
                .mut_arg("actor", |a| a.help(t(Msg::CliAuditActor)))
                .mut_arg("action", |a| a.help(t(Msg::CliAuditAction)))
                .mut_arg("since", |a| a.help(t(Msg::CliAuditSince)))
                .mut_arg("until", |a| a.help(t(Msg::CliAuditUntil)))
                .mut_arg("limit", |a| a.help(t(Msg::CliAuditLimit)))
        })
}

/// Runs an `audit` subcommand.
pub fn run(audit: Audit, passphrase_file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match audit {
        Audit::Verify { workspace, format } => {
            let store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let verdict = store.verify_audit()?;
            match format {
                AuditFormat::Json => {
                    super::print(&format!("{}\n", serde_json::to_string_pretty(&verdict)?))?
                }
                AuditFormat::Text => super::print(&verdict_text(&verdict, lang))?,
            }
            Ok(match verdict {
                AuditVerification::Intact { .. } => ExitCode::SUCCESS,
                AuditVerification::Broken { .. } => ExitCode::FAILURE,
            })
        }
        Audit::Show {
            workspace,
            actor,
            action,
            since,
            until,
            limit,
            format,
        } => {
            let store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let entries = store
                .audit_entries(&AuditFilter {
                    actor,
                    action,
                    since,
                    until,
                    limit,
                })
                .context("cannot read the audit log")?;
            match format {
                AuditFormat::Json => {
                    super::print(&format!("{}\n", serde_json::to_string_pretty(&entries)?))?
                }
                AuditFormat::Text => super::print(&entries_text(&entries))?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verdict_text(verdict: &AuditVerification, lang: Lang) -> String {
    match verdict {
        AuditVerification::Intact { entries, head } => format!(
            "{}: {entries} {}, {} {head}\n",
            Msg::AuditIntact.text(lang),
            Msg::AuditEntries.text(lang),
            Msg::AuditHead.text(lang)
        ),
        AuditVerification::Broken { seq, reason } => format!(
            "{}: {} {seq}: {reason}\n",
            Msg::AuditBroken.text(lang),
            Msg::AuditEntry.text(lang)
        ),
    }
}

/// One line per entry: position, time, actor, action, target, detail.
fn entries_text(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let _ = writeln!(
            out,
            "{:>6}  {}  {}  {}  {}  {}",
            e.seq, e.at, e.event.actor, e.event.action, e.event.target, e.event.detail
        );
    }
    out
}
