//! What each command does. One module per command family; this module
//! dispatches and holds the helpers they share (opening a workspace,
//! printing).

use anyhow::{Context, Result, bail};
use chrono::{Days, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_domain::{AuditAction, AuditEvent, Lang, Study, TeamMember};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AuditStore, Store, Workspace};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{CheckFormat, Cli, Command, Report, ReportFormat};
use crate::passphrase::{self, Purpose};

pub(crate) mod analyze;
pub(crate) mod audit;
mod backup;
pub(crate) mod export;
pub(crate) mod fielddata;
pub(crate) mod followup;
pub(crate) mod refi;
pub(crate) mod report;
mod user;
pub(crate) mod vault;
pub(crate) mod xlsform;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let lang = cli.lang.unwrap_or_else(|| crate::cli::early_lang(&[]));
    let file = cli.passphrase_file.as_deref();
    match cli.command {
        Command::Init {
            dir,
            name,
            start,
            end,
        } => {
            init(&dir, &name, start, end, file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            dir,
            serve: then_serve,
            addr,
        } => {
            let store = demo(&dir, file, lang)?;
            if then_serve {
                serve(store, addr, lang)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { workspace, addr } => {
            let store = open(&workspace.workspace, file, lang)?;
            serve(store, addr, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            report:
                Report::Methodology {
                    workspace,
                    format,
                    public,
                    k,
                },
        } => {
            let mut store = open(&workspace.workspace, file, lang)?;
            let methodology = sankore_analysis::methodology::from_store(&store)?
                .context("the workspace holds no study yet")?;
            let format = match format {
                ReportFormat::Json => sankore_reports::Format::Json,
                ReportFormat::Md => sankore_reports::Format::Markdown,
                ReportFormat::Csv => sankore_reports::Format::Csv,
            };
            let text = if public {
                sankore_reports::methodology::render_public(&methodology, format, lang, k)?
            } else {
                sankore_reports::methodology::render(&methodology, format, lang)?
            };
            print(&text)?;
            store.record_audit(&AuditEvent::new(
                user::CLI_ACTOR,
                AuditAction::Report,
                "methodology",
                if public {
                    format!("{format:?}, public, k = {k}")
                } else {
                    format!("{format:?}, internal")
                },
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            report:
                Report::Study {
                    workspace,
                    format,
                    out,
                    k,
                    date,
                    coordinator_copy,
                    geojson,
                },
        } => report::run_study(
            report::StudyArgs {
                workspace: workspace.workspace,
                format,
                out,
                k,
                date,
                coordinator_copy,
                geojson,
            },
            file,
            lang,
        ),
        Command::Quotes { quotes } => report::run_quotes(quotes, file, lang),
        Command::Check { workspace, format } => check(&workspace.workspace, format, file, lang),
        Command::Export { export } => refi::export(export, file, lang),
        Command::Import { import } => refi::import(import, file, lang),
        Command::Analyze { analyze } => analyze::run(analyze, file, lang),
        Command::Audit { audit } => audit::run(audit, file, lang),
        Command::Vault { vault } => vault::run_vault(vault, file, lang),
        Command::Participant { participant } => vault::run_participant(participant, file, lang),
        Command::Settings(args) => vault::run_settings(args, file, lang),
        Command::Findings { findings } => followup::run_findings(findings, file, lang),
        Command::Forum { forum } => followup::run_forum(forum, file, lang),
        Command::Recommendations { recommendations } => {
            followup::run_recommendations(recommendations, file, lang)
        }
        Command::Actions { actions } => followup::run_actions(actions, file, lang),
        Command::Xlsform { xlsform } => xlsform::run(xlsform, file, lang),
        Command::User { action } => {
            user::run(action, file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { workspace, out } => {
            backup::backup(&workspace.workspace, &out, file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore {
            file: bundle,
            workspace,
        } => {
            backup::restore(&bundle, &workspace, file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes to standard output, treating a closed pipe as the end.
pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

pub(crate) fn open(dir: &Path, file: Option<&Path>, lang: Lang) -> Result<SqliteStore> {
    let workspace = Workspace::open(dir)?;
    let passphrase = passphrase::obtain(file, Purpose::Open, lang)?;
    Ok(workspace.open_store(&passphrase)?)
}

pub(crate) fn create(dir: &Path, file: Option<&Path>, lang: Lang) -> Result<SqliteStore> {
    let passphrase = passphrase::obtain(file, Purpose::Create, lang)?;
    let (_, store) = Workspace::create(dir, &passphrase)?;
    Ok(store)
}

fn init(
    dir: &Path,
    name: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    file: Option<&Path>,
    lang: Lang,
) -> Result<()> {
    let start = start.unwrap_or_else(|| chrono::Local::now().date_naive());
    let end = match end {
        Some(end) => end,
        None => start
            .checked_add_days(Days::new(90))
            .context("start date too late")?,
    };
    let gazetteer = timbuktu_2017();
    let coordinator = TeamMember {
        handle: "COORD".to_owned(),
        role: "coordinator".to_owned(),
    };
    // Check the study before anything is written.
    let study = Study::new(
        name,
        start,
        end,
        vec![coordinator],
        vec![Lang::Fr, Lang::En],
        &gazetteer.version,
    )?;
    let mut store = create(dir, file, lang)?;
    store.create_study(&study, &gazetteer)?;
    eprintln!("{}: {}", Msg::WorkspaceCreated.text(lang), dir.display());
    Ok(())
}

fn demo(dir: &Path, file: Option<&Path>, lang: Lang) -> Result<SqliteStore> {
    let records = sankore_demo::reference_study();
    let mut store = create(dir, file, lang)?;
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
    let accounts = user::demo_accounts(&mut store)?;
    for (name, role, _) in &accounts {
        store.record_audit(&AuditEvent::new(
            user::CLI_ACTOR,
            AuditAction::UserAdded,
            name,
            role.as_str(),
        ))?;
    }
    vault::demo_vault(&mut store, &records, &accounts)?;
    eprintln!("{}: {}", Msg::WorkspaceCreated.text(lang), dir.display());
    eprintln!("{}", Msg::DemoSynthetic.text(lang));
    eprintln!("{}", Msg::DemoVault.text(lang));
    eprintln!("{}", Msg::DemoAccounts.text(lang));
    for (name, role, password) in accounts {
        eprintln!("  {name:<14} {:<12} {password}", role.as_str());
    }
    Ok(store)
}

fn serve(store: SqliteStore, addr: SocketAddr, lang: Lang) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async {
        let server = sankore_web::Server::bind(addr, store, lang).await?;
        let bound = server.local_addr()?;
        // Scripts and tests read the first line to find the port. A reader
        // that goes away must not stop the server, so write errors are ignored.
        let banner = format!(
            "{} http://{bound}/\n{}\n",
            Msg::Serving.text(lang),
            Msg::ServingSignIn.text(lang)
        );
        let _ = print(&banner);
        server.run().await?;
        Ok(())
    })
}

fn check(dir: &Path, format: CheckFormat, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let store = open(dir, file, lang)?;
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let results = store.check()?;
    spinner.finish_and_clear();
    let ok = results.iter().all(|r| r.ok);
    match format {
        CheckFormat::Json => {
            let json = serde_json::json!({ "ok": ok, "checks": results });
            print(&(serde_json::to_string_pretty(&json)? + "\n"))?;
        }
        CheckFormat::Text => {
            let mut text = String::new();
            for r in &results {
                text.push_str(&format!(
                    "{:<4} {}\n",
                    if r.ok { "ok" } else { "FAIL" },
                    r.name
                ));
                for p in &r.problems {
                    text.push_str(&format!("     - {p}\n"));
                }
            }
            print(&text)?;
        }
    }
    if !ok {
        let failed = results.iter().filter(|r| !r.ok).count();
        bail!(
            "{}: {failed} of {}",
            Msg::CheckFailed.text(lang),
            results.len()
        );
    }
    eprintln!("{}", Msg::CheckPassed.text(lang));
    Ok(ExitCode::SUCCESS)
}
