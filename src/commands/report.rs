//! `report study` (the study report in PDF or HTML, through disclosure
//! control) and `quotes` (listing, approving and editing quotes the scan
//! flagged). Shapes: `docs/cli.md`; rules: `docs/disclosure.md`.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use sankore_domain::audit::{AuditAction, AuditEvent};
use sankore_i18n::{Lang, Msg};
use sankore_reports::study::{self, Options};
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AuditStore, DisclosureStore, QuoteReview, QuoteStore};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::WorkspaceArg;

/// Output formats of `report study`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StudyFormat {
    Pdf,
    Html,
}

/// What `report study` was asked for.
pub struct StudyArgs {
    pub workspace: PathBuf,
    pub format: StudyFormat,
    pub out: PathBuf,
    pub k: Option<u64>,
    pub date: Option<NaiveDate>,
    pub coordinator_copy: bool,
    pub geojson: Option<PathBuf>,
}

/// Builds the report of the study in `store`; no quote may hold a name
/// from the identity vault or a participant's code.
pub fn build(
    store: &SqliteStore,
    lang: Lang,
    k: Option<u64>,
    date: NaiveDate,
    coordinator_copy: bool,
    areas: Option<&serde_json::Value>,
) -> Result<study::Built> {
    let names = study::names(store)?;
    Ok(study::from_store(
        store,
        &names,
        &Options {
            lang,
            k,
            date,
            coordinator_copy,
            areas,
        },
    )?)
}

/// Renders a built report in `format`.
pub fn render(built: &study::Built, format: StudyFormat, date: NaiveDate) -> Result<Vec<u8>> {
    Ok(match format {
        StudyFormat::Html => study::html(built).into_bytes(),
        StudyFormat::Pdf => study::pdf(built, date)?,
    })
}

/// Runs `report study`: writes the report and, beside it, the disclosure
/// report (`FILE.disclosure.json`).
pub fn run_study(args: StudyArgs, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let store = super::open(&args.workspace, file, lang)?;
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let areas = match &args.geojson {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not GeoJSON", path.display()))?;
            if value["type"] != "FeatureCollection" {
                bail!("{}: expected a GeoJSON FeatureCollection", path.display());
            }
            Some(value)
        }
        None => None,
    };
    let built = build(
        &store,
        lang,
        args.k,
        date,
        args.coordinator_copy,
        areas.as_ref(),
    )?;
    let bytes = render(&built, args.format, date)?;
    let mut store = store;
    store.record_audit(&AuditEvent::new(
        super::user::CLI_ACTOR,
        AuditAction::Report,
        "report study",
        format!(
            "{} {}{}: {} counts withheld, {} quotes overridden",
            match args.format {
                StudyFormat::Pdf => "pdf",
                StudyFormat::Html => "html",
            },
            lang.code(),
            if args.coordinator_copy {
                " coordinator copy"
            } else {
                ""
            },
            built.disclosure.suppressed.len(),
            built.disclosure.overrides().count()
        ),
    ))?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut annex = args.out.clone().into_os_string();
    annex.push(".disclosure.json");
    let annex = PathBuf::from(annex);
    std::fs::write(
        &annex,
        serde_json::to_string_pretty(&built.disclosure)? + "\n",
    )
    .with_context(|| format!("cannot write {}", annex.display()))?;
    let blocked = built
        .disclosure
        .quotes
        .iter()
        .filter(|q| q.decision == sankore_disclosure::report::QuoteDecision::Blocked)
        .count();
    super::print(&format!(
        "{}: {} ({} {}, {} {}) -> {}\n",
        Msg::ReportWritten.text(lang),
        args.out.display(),
        built.disclosure.suppressed.len(),
        Msg::ReportCountsWithheld.text(lang),
        blocked,
        Msg::ReportQuotesBlocked.text(lang),
        annex.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `sankore quotes …`: the quotes picked for findings and the scan.
#[derive(Debug, Subcommand)]
pub enum Quotes {
    /// List the quotes with what the scan found (never their text).
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Pick a coding as a quote for a finding.
    Pick {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        coding: String,
    },
    /// Approve a flagged quote as it stands.
    Approve {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        coding: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
    },
    /// Publish an edited wording of a quote instead of its text.
    Edit {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        coding: String,
        /// File holding the new wording.
        #[arg(long, value_name = "FILE")]
        text_file: PathBuf,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
    },
}

/// Help texts of `quotes` in `lang`.
pub fn localize_quotes(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    let common = |c: clap::Command| {
        c.mut_arg("finding", |a| a.help(t(Msg::CliQuoteFinding)))
            .mut_arg("coding", |a| a.help(t(Msg::CliQuoteCoding)))
    };
    let decided = |c: clap::Command| {
        common(c)
            .mut_arg("reason", |a| a.help(t(Msg::CliQuoteReason)))
            .mut_arg("by", |a| a.help(t(Msg::CliQuoteBy)))
    };
    command
        .about(t(Msg::CliQuotes))
        .mut_subcommand("list", |c| c.about(t(Msg::CliQuotesList)))
        .mut_subcommand("pick", |c| common(c.about(t(Msg::CliQuotesPick))))
        .mut_subcommand("approve", |c| decided(c.about(t(Msg::CliQuotesApprove))))
        .mut_subcommand("edit", |c| {
            decided(c.about(t(Msg::CliQuotesEdit)))
                .mut_arg("text_file", |a| a.help(t(Msg::CliQuoteTextFile)))
        })
}

/// The text a quote was taken from (for its fingerprint).
fn quoted_text(store: &SqliteStore, coding: &str) -> Result<String> {
    use sankore_store::CodingStore;
    let stored = store
        .coding(coding)?
        .with_context(|| format!("no coding {coding}"))?;
    let (document, _) = store
        .document(&stored.coding.document)?
        .with_context(|| format!("no document {}", stored.coding.document))?;
    Ok(document.body.slice(stored.coding.span).trim().to_owned())
}

/// Runs a `quotes` command.
pub fn run_quotes(command: Quotes, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match command {
        Quotes::List { workspace } => {
            let store = super::open(&workspace.workspace, file, lang)?;
            let date = chrono::Local::now().date_naive();
            let built = build(&store, lang, None, date, false, None)?;
            let json = serde_json::json!({ "quotes": built.disclosure.quotes });
            super::print(&(serde_json::to_string_pretty(&json)? + "\n"))?;
        }
        Quotes::Pick {
            workspace,
            finding,
            coding,
        } => {
            let mut store = super::open(&workspace.workspace, file, lang)?;
            store.quote_coding(&finding, &coding)?;
            super::print(&format!(
                "{}: {finding} {coding}\n",
                Msg::QuotePicked.text(lang)
            ))?;
        }
        Quotes::Approve {
            workspace,
            finding,
            coding,
            reason,
            by,
        } => decide(
            &workspace.workspace,
            finding,
            coding,
            None,
            reason,
            by,
            file,
            lang,
        )?,
        Quotes::Edit {
            workspace,
            finding,
            coding,
            text_file,
            reason,
            by,
        } => {
            let text = std::fs::read_to_string(&text_file)
                .with_context(|| format!("cannot read {}", text_file.display()))?;
            decide(
                &workspace.workspace,
                finding,
                coding,
                Some(text.trim().to_owned()),
                reason,
                by,
                file,
                lang,
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn decide(
    workspace: &Path,
    finding: String,
    coding: String,
    edited_text: Option<String>,
    reason: String,
    by: String,
    file: Option<&Path>,
    lang: Lang,
) -> Result<()> {
    let mut store = super::open(workspace, file, lang)?;
    if !store
        .finding_quotes()?
        .iter()
        .any(|(f, c)| f == &finding && c.id == coding)
    {
        bail!("coding {coding} is not a quote of finding {finding}");
    }
    let text = quoted_text(&store, &coding)?;
    let review = store.review_quote(&QuoteReview {
        finding,
        coding,
        text_sha256: study::text_sha256(&text),
        edited_text,
        reason,
        actor: by,
        decided_at: String::new(),
    })?;
    super::print(&format!(
        "{}: {} {} ({})\n",
        Msg::QuoteReviewed.text(lang),
        review.finding,
        review.coding,
        review.actor
    ))?;
    Ok(())
}
