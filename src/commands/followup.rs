//! `sankore findings` and `sankore forum`: the findings with their
//! evidence strength and forum outcomes, and a place's printable forum
//! pack. Shapes: `docs/cli.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use sankore_analysis::evidence::{self, FindingOverview};
use sankore_domain::{
    ActionStatus, Agreement, AuditAction, AuditEvent, ForumOutcome, Lang, Localized, OutcomeKind,
    PlaceCode, SessionKind,
};
use sankore_i18n::{Msg, outcome_msg};
use sankore_reports::followup::{actions_json, recommendations_json};
use sankore_reports::forum_pack::{PackInput, Stylesheet, forum_pack, forum_pack_pdf};
use sankore_store::{AuditStore, FollowupStore, Store};

use crate::cli::WorkspaceArg;

/// Output formats of the `list` subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Json,
    Md,
}

/// `sankore findings …`.
#[derive(Debug, Subcommand)]
pub enum Findings {
    /// List the findings.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ListFormat,
    },
}

/// `sankore recommendations …`.
#[derive(Debug, Subcommand)]
pub enum Recommendations {
    /// List the recommendations with who does what.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ListFormat,
    },
}

/// `sankore actions …`.
#[derive(Debug, Subcommand)]
pub enum Actions {
    /// List the follow-up actions.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Only the late ones.
        #[arg(long)]
        late: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ListFormat,
    },
    /// Set an action's status and outcome notes.
    Update {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Key of the action.
        #[arg(long, value_name = "KEY")]
        key: String,
        /// The new status.
        #[arg(long, value_enum)]
        status: StatusArg,
        /// What came of it (omitted: cleared).
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
    },
}

/// Action statuses as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Planned,
    UnderWay,
    Done,
    Dropped,
}

/// Forum outcomes as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    Validated,
    Amended,
    Rejected,
    Added,
}

/// Levels of agreement as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AgreementArg {
    Consensus,
    Majority,
    Split,
}

/// `sankore forum …`.
#[derive(Debug, Subcommand)]
pub enum Forum {
    /// Record a forum's outcome for one finding.
    Record {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Session code of the validation forum.
        #[arg(long, value_name = "CODE")]
        forum: String,
        /// Key of the finding.
        #[arg(long, value_name = "KEY")]
        finding: String,
        /// The outcome.
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// New wording in French (amended).
        #[arg(long, value_name = "TEXT")]
        wording_fr: Option<String>,
        /// New wording in English (amended).
        #[arg(long, value_name = "TEXT")]
        wording_en: Option<String>,
        /// Reasons (rejected).
        #[arg(long, value_name = "TEXT")]
        reasons: Option<String>,
        /// Level of agreement.
        #[arg(long, value_enum)]
        agreement: AgreementArg,
    },
    /// Write a place's printable forum pack.
    Pack {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Place code of the forum.
        #[arg(long, value_name = "CODE")]
        place: String,
        /// File to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "html")]
        format: PackFormat,
    },
}

/// Output formats of `forum pack`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PackFormat {
    Html,
    Pdf,
}

/// Help texts in `lang` of a command with a `list` subcommand (`findings`,
/// `recommendations`): `about` for the command, `list_about` for `list`.
pub fn localize_listing(
    command: clap::Command,
    lang: Lang,
    about: Msg,
    list_about: Msg,
) -> clap::Command {
    command
        .about(about.text(lang))
        .mut_subcommand("list", |c| c.about(list_about.text(lang)))
}

/// Help texts of `actions` in `lang`.
pub fn localize_actions(command: clap::Command, lang: Lang) -> clap::Command {
    localize_listing(command, lang, Msg::CliActions, Msg::CliActions).mut_subcommand("list", |c| {
        c.mut_arg("late", |a| a.help(Msg::CliActionsLate.text(lang)))
    })
}

/// Runs `recommendations list`.
pub fn run_recommendations(
    command: Recommendations,
    file: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    let Recommendations::List { workspace, format } = command;
    let store = super::open(&workspace.workspace, file, lang)?;
    let list = store.recommendations()?;
    let text = match format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&recommendations_json(&list))?;
            text.push('\n');
            text
        }
        ListFormat::Md => {
            let t = |m: Msg| m.text(lang);
            let mut out = format!("# {}\n", t(Msg::Recommendations));
            for r in &list {
                let _ = writeln!(
                    out,
                    "\n## {} (`{}`)\n\n{} : {}\n\n| {} | {} |\n|---|---|",
                    cell(r.text.get(lang)),
                    r.key,
                    t(Msg::FindingsTitle),
                    r.findings.join(", "),
                    t(Msg::Stakeholder),
                    t(Msg::StakeholderRoles)
                );
                for (who, what) in &r.roles {
                    let _ = writeln!(out, "| {} | {} |", cell(who), cell(what.get(lang)));
                }
            }
            out
        }
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `actions list`.
pub fn run_actions(command: Actions, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let (workspace, late, format) = match command {
        Actions::List {
            workspace,
            late,
            format,
        } => (workspace, late, format),
        Actions::Update {
            workspace,
            key,
            status,
            notes,
        } => {
            let status = match status {
                StatusArg::Planned => ActionStatus::Planned,
                StatusArg::UnderWay => ActionStatus::UnderWay,
                StatusArg::Done => ActionStatus::Done,
                StatusArg::Dropped => ActionStatus::Dropped,
            };
            let mut store = super::open(&workspace.workspace, file, lang)?;
            store.update_action(&key, status, notes.as_deref())?;
            super::print(&format!("{key}: {status}\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let store = super::open(&workspace.workspace, file, lang)?;
    let today = chrono::Utc::now().date_naive();
    let list: Vec<_> = store
        .actions()?
        .into_iter()
        .filter(|a| !late || a.is_late(today))
        .collect();
    let text = match format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&actions_json(&list, today))?;
            text.push('\n');
            text
        }
        ListFormat::Md => {
            let t = |m: Msg| m.text(lang);
            let mut out = format!(
                "# {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---|\n",
                t(Msg::Actions),
                t(Msg::Title),
                t(Msg::Due),
                t(Msg::Responsible),
                t(Msg::Status),
                t(Msg::Late)
            );
            for a in &list {
                let _ = writeln!(
                    out,
                    "| {} (`{}`) | {} | {} | {} | {} |",
                    cell(a.title.get(lang)),
                    a.key,
                    a.due.map(|d| d.to_string()).unwrap_or_default(),
                    cell(&a.responsible),
                    a.status,
                    if a.is_late(today) { t(Msg::Late) } else { "" }
                );
            }
            out
        }
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Help texts of `forum` in `lang`.
pub fn localize_forum(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliForum))
        .mut_subcommand("pack", |c| {
            c.about(t(Msg::CliForumPack))
                .mut_arg("place", |a| a.help(t(Msg::CliForumPlace)))
                .mut_arg("out", |a| a.help(t(Msg::CliOut)))
                .mut_arg("format", |a| a.help(t(Msg::CliForumPackFormat)))
        })
        .mut_subcommand("record", |c| {
            c.about(t(Msg::CliForumRecord))
                .mut_arg("forum", |a| a.help(t(Msg::SessionCode)))
                .mut_arg("finding", |a| a.help(t(Msg::Finding)))
                .mut_arg("outcome", |a| a.help(t(Msg::RecordOutcome)))
                .mut_arg("wording_fr", |a| a.help(t(Msg::NewWordingFr)))
                .mut_arg("wording_en", |a| a.help(t(Msg::NewWordingEn)))
                .mut_arg("reasons", |a| a.help(t(Msg::Reasons)))
                .mut_arg("agreement", |a| a.help(t(Msg::AgreementLevel)))
        })
}

/// Runs `findings list`.
pub fn run_findings(command: Findings, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let Findings::List { workspace, format } = command;
    let store = super::open(&workspace.workspace, file, lang)?;
    let findings = evidence::from_store(&store)?;
    let text = match format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&serde_json::json!({
                "findings": findings,
            }))?;
            text.push('\n');
            text
        }
        ListFormat::Md => markdown(&findings, lang),
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// A Markdown table cell: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

fn markdown(findings: &[FindingOverview], lang: Lang) -> String {
    let t = |m: Msg| m.text(lang);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", t(Msg::FindingsTitle));
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---:|---:|---:|---|",
        t(Msg::Finding),
        t(Msg::ResearchQuestion),
        t(Msg::Places),
        t(Msg::Participants),
        t(Msg::Sources),
        t(Msg::Cercles),
        t(Msg::ForumOutcomes),
    );
    for f in findings {
        let places = if f.places.is_empty() {
            t(Msg::WholeArea).to_owned()
        } else {
            f.places
                .iter()
                .map(PlaceCode::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let outcomes: Vec<String> = f
            .outcomes
            .iter()
            .map(|o| format!("{} {}", o.place.as_str(), t(outcome_msg(o.kind))))
            .collect();
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            cell(f.statement.get(lang)),
            f.key,
            f.research_question.number,
            places,
            f.strength.participants,
            f.strength.sources,
            f.strength.cercles,
            outcomes.join(", ")
        );
    }
    out
}

/// Runs `forum pack` or `forum record`.
pub fn run_forum(command: Forum, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match command {
        Forum::Pack {
            workspace,
            place,
            out,
            format,
        } => pack(&workspace.workspace, &place, &out, format, file, lang),
        Forum::Record {
            workspace,
            forum,
            finding,
            outcome,
            wording_fr,
            wording_en,
            reasons,
            agreement,
        } => {
            let wording = (wording_fr.is_some() || wording_en.is_some()).then(|| {
                Localized::new(
                    wording_fr.unwrap_or_default(),
                    wording_en.unwrap_or_default(),
                )
            });
            let outcome = ForumOutcome::new(ForumOutcome {
                forum,
                finding,
                kind: match outcome {
                    OutcomeArg::Validated => OutcomeKind::Validated,
                    OutcomeArg::Amended => OutcomeKind::Amended,
                    OutcomeArg::Rejected => OutcomeKind::Rejected,
                    OutcomeArg::Added => OutcomeKind::Added,
                },
                wording,
                reasons,
                agreement: match agreement {
                    AgreementArg::Consensus => Agreement::Consensus,
                    AgreementArg::Majority => Agreement::Majority,
                    AgreementArg::Split => Agreement::Split,
                },
            })?;
            let mut store = super::open(&workspace.workspace, file, lang)?;
            store.record_forum_outcome(&outcome)?;
            super::print(&format!(
                "{}: {} {} {}\n",
                Msg::RecordOutcome.text(lang),
                outcome.forum,
                outcome.finding,
                Msg::text(outcome_msg(outcome.kind), lang)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn pack(
    workspace: &Path,
    place: &str,
    out: &Path,
    format: PackFormat,
    file: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    let mut store = super::open(workspace, file, lang)?;
    let study = store.study()?.context("the workspace holds no study yet")?;
    let code = PlaceCode::new(place.trim())?;
    let gazetteer = store.gazetteer()?;
    let name = gazetteer
        .get(&code)
        .map(|p| p.name.clone())
        .with_context(|| format!("place {code} is not in the study's gazetteer"))?;
    let sessions = store.sessions()?;
    let forum = sessions
        .iter()
        .find(|s| s.kind == SessionKind::ValidationForum && s.place == code);
    let findings: Vec<FindingOverview> = evidence::from_store(&store)?
        .into_iter()
        .filter(|f| f.applies_to(code.as_str()))
        .collect();
    let groups = store.groups()?;
    let input = PackInput {
        study: &study.name,
        place_code: code.as_str(),
        place_name: &name,
        forum,
        findings: &findings,
        groups: &groups,
    };
    let bytes = match format {
        PackFormat::Html => forum_pack(&input, lang, Stylesheet::Inline).into_bytes(),
        PackFormat::Pdf => forum_pack_pdf(&input, lang)?,
    };
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    store.record_audit(&AuditEvent::new(
        super::user::CLI_ACTOR,
        AuditAction::Report,
        "forum pack",
        format!("place {code}, {} findings", findings.len()),
    ))?;
    super::print(&format!(
        "{}: {} {} -> {}\n",
        Msg::PackWritten.text(lang),
        findings.len(),
        Msg::FindingsTitle.text(lang).to_lowercase(),
        out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
