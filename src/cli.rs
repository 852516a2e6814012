//! Command-line definitions, with help in French or English.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use sankore_i18n::{Lang, Msg};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The `sankore` command.
#[derive(Debug, Parser)]
#[command(name = "sankore", version, about)]
pub struct Cli {
    /// Language of messages and outputs.
    #[arg(long, global = true, env = "SANKORE_LANG", value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Read the workspace passphrase from this file.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The workspace a command works on.
#[derive(Debug, Args)]
pub struct WorkspaceArg {
    /// Workspace directory.
    #[arg(long, env = "SANKORE_WORKSPACE", value_name = "DIR")]
    pub workspace: PathBuf,
}

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Md,
    Csv,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

/// Default listening address of the workbench: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty workspace.
    Init {
        /// Directory to create.
        dir: PathBuf,
        /// Name of the study.
        #[arg(long)]
        name: String,
        /// First day of the study.
        #[arg(long, value_name = "YYYY-MM-DD")]
        start: Option<chrono::NaiveDate>,
        /// Last day of the study.
        #[arg(long, value_name = "YYYY-MM-DD")]
        end: Option<chrono::NaiveDate>,
    },
    /// Create the demo workspace.
    Demo {
        /// Directory to create.
        dir: PathBuf,
        /// Serve the workbench afterwards.
        #[arg(long)]
        serve: bool,
        /// Address to listen on.
        #[arg(long, default_value = DEFAULT_ADDR)]
        addr: SocketAddr,
    },
    /// Serve the workbench.
    Serve {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Address to listen on.
        #[arg(long, default_value = DEFAULT_ADDR)]
        addr: SocketAddr,
    },
    /// Produce a report.
    Report {
        #[command(subcommand)]
        report: Report,
    },
    /// Manage workbench accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Check integrity.
    Check {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// Export to another tool's format.
    Export {
        #[command(subcommand)]
        export: Export,
    },
    /// Import another tool's file into a new workspace.
    Import {
        #[command(subcommand)]
        import: Import,
    },
    /// The identity vault.
    Vault {
        #[command(subcommand)]
        vault: crate::commands::vault::Vault,
    },
    /// Participants: field registration and consent withdrawal.
    Participant {
        #[command(subcommand)]
        participant: crate::commands::vault::ParticipantCommand,
    },
    /// The study's settings.
    Settings(crate::commands::vault::SettingsArgs),
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        audit: crate::commands::audit::Audit,
    },
    /// Analyse the codings.
    Analyze {
        #[command(subcommand)]
        analyze: crate::commands::analyze::Analyze,
    },
    /// Quotes backing findings, and their disclosure scan.
    Quotes {
        #[command(subcommand)]
        quotes: crate::commands::report::Quotes,
    },
    /// Findings, their evidence strength and forum outcomes.
    Findings {
        #[command(subcommand)]
        findings: crate::commands::followup::Findings,
    },
    /// Validation forums.
    Forum {
        #[command(subcommand)]
        forum: crate::commands::followup::Forum,
    },
    /// Recommendations and who does what.
    Recommendations {
        #[command(subcommand)]
        recommendations: crate::commands::followup::Recommendations,
    },
    /// Follow-up actions.
    Actions {
        #[command(subcommand)]
        actions: crate::commands::followup::Actions,
    },
    /// Write an encrypted, authenticated backup of a workspace.
    Backup {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Backup file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a backup into a new workspace.
    Restore {
        /// Backup file to restore.
        file: PathBuf,
        /// New workspace directory (must be empty or absent).
        #[arg(long, value_name = "DIR")]
        workspace: PathBuf,
    },
    /// XLSForm instruments.
    Xlsform {
        #[command(subcommand)]
        xlsform: crate::commands::xlsform::Xlsform,
    },
}

/// Line breaks of exported texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineEndingsArg {
    Crlf,
    Lf,
}

/// Output formats of `import` summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

/// What `export` writes; one variant per target format.
#[derive(Debug, Subcommand)]
pub enum Export {
    /// A REFI-QDA project (.qdpx).
    Qdpx {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// File to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Line breaks of the exported texts.
        #[arg(long, value_enum, default_value = "crlf")]
        line_endings: LineEndingsArg,
    },
    /// A REFI-QDA codebook (.qdc).
    Qdc {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// File to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// An instrument as an XLSForm workbook (.xlsx).
    Xlsform(crate::commands::xlsform::ExportXlsform),
    /// Responses to a form, with values and labels.
    Responses(crate::commands::export::ResponsesArgs),
    /// The participant register.
    Participants(crate::commands::export::TableArgs),
    /// Every coding with its exact text.
    Codings(crate::commands::export::TableArgs),
    /// Codes × an attribute, as a table.
    Matrix(crate::commands::export::MatrixArgs),
}

/// What `import` reads; one variant per source format.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// A REFI-QDA project (.qdpx).
    Qdpx {
        /// File to import.
        file: PathBuf,
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Import even if some sources or codings cannot be kept.
        #[arg(long)]
        allow_partial: bool,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// A REFI-QDA codebook (.qdc).
    Qdc {
        /// File to import.
        file: PathBuf,
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value = "text")]
        format: SummaryFormat,
    },
    /// An XLSForm instrument into an existing workspace's study.
    Xlsform(crate::commands::xlsform::ImportXlsform),
    /// Submissions exported from KoBoToolbox.
    Kobo(crate::commands::fielddata::KoboArgs),
    /// Submissions from ODK Central.
    Odk(crate::commands::fielddata::OdkArgs),
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add an account.
    Add {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// User name.
        #[arg(long)]
        name: String,
        /// Role.
        #[arg(long, value_parser = parse_role)]
        role: sankore_domain::Role,
        /// Read the password from this file.
        #[arg(long, value_name = "FILE")]
        password_file: PathBuf,
    },
    /// End every workbench session of an account.
    SignOutAll {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// User name.
        #[arg(long)]
        name: String,
    },
    /// Set an account's password (ends its sessions).
    Password {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// User name.
        #[arg(long)]
        name: String,
        /// Read the password from this file.
        #[arg(long, value_name = "FILE")]
        password_file: PathBuf,
    },
    /// Change an account's role.
    Role {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// User name.
        #[arg(long)]
        name: String,
        /// Role.
        #[arg(long, value_parser = parse_role)]
        role: sankore_domain::Role,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// User name.
        #[arg(long)]
        name: String,
    },
}

fn parse_role(text: &str) -> Result<sankore_domain::Role, String> {
    sankore_domain::Role::parse(text).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Report {
    /// The methodology table.
    Methodology {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ReportFormat,
        /// The public view: counts of people below the threshold hidden.
        #[arg(long)]
        public: bool,
        /// Threshold of the public view (3 to 10).
        #[arg(long, default_value_t = 5)]
        k: u64,
    },
    /// The study report.
    Study {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "pdf")]
        format: crate::commands::report::StudyFormat,
        /// File to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Threshold (3 to 10).
        #[arg(long)]
        k: Option<u64>,
        /// Date printed on the report.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<chrono::NaiveDate>,
        /// Annex the disclosure report.
        #[arg(long)]
        coordinator_copy: bool,
        /// Polygons of the cercles for the map.
        #[arg(long, value_name = "FILE")]
        geojson: Option<PathBuf>,
    },
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse::<Lang>().map_err(|e| e.to_string())
}

/// The language to speak before arguments are parsed: `--lang` if present,
/// else `SANKORE_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`),
/// else English.
pub fn early_lang(args: &[std::ffi::OsString]) -> Lang {
    let from_args = args.windows(2).find_map(|w| {
        (w[0].to_str() == Some("--lang")).then(|| w[1].to_str().and_then(|l| l.parse().ok()))?
    });
    let from_equals = args.iter().find_map(|a| {
        a.to_str()?
            .strip_prefix("--lang=")
            .and_then(|l| l.parse().ok())
    });
    from_args
        .or(from_equals)
        .or_else(|| {
            ["SANKORE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|v| std::env::var(v).ok().and_then(|l| l.parse().ok()))
        })
        .unwrap_or(Lang::En)
}

/// Localises the arguments that many commands share, `--workspace` and
/// `--format`, in `command` and all its subcommands, wherever they occur.
/// A command whose argument means something more (the new workspace of
/// `restore`, the file format of an export) sets its own help afterwards.
pub fn common_help(command: clap::Command, lang: Lang) -> clap::Command {
    command
        .mut_args(|a| match a.get_id().as_str() {
            "workspace" => a.help(Msg::CliWorkspace.text(lang)),
            "format" => a.help(Msg::CliFormat.text(lang)),
            _ => a,
        })
        .mut_subcommands(|c| common_help(c, lang))
}

/// The command tree with its help texts in `lang`.
pub fn localized_command(lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    let addr = |c: clap::Command| c.mut_arg("addr", |a| a.help(t(Msg::CliAddr)));
    let mut command = common_help(Cli::command(), lang)
        .about(t(Msg::CliAbout))
        .mut_arg("lang", |a| a.help(t(Msg::CliLang)))
        .mut_arg("passphrase_file", |a| a.help(t(Msg::CliPassphraseFile)))
        .mut_subcommand("init", |c| {
            c.about(t(Msg::CliInit))
                .mut_arg("dir", |a| a.help(t(Msg::CliInitDir)))
                .mut_arg("name", |a| a.help(t(Msg::CliInitName)))
                .mut_arg("start", |a| a.help(t(Msg::CliInitStart)))
                .mut_arg("end", |a| a.help(t(Msg::CliInitEnd)))
        })
        .mut_subcommand("demo", |c| {
            addr(c.about(t(Msg::CliDemo)))
                .mut_arg("dir", |a| a.help(t(Msg::CliInitDir)))
                .mut_arg("serve", |a| a.help(t(Msg::CliDemoServe)))
        })
        .mut_subcommand("serve", |c| addr(c.about(t(Msg::CliServe))))
        .mut_subcommand("report", |c| {
            c.about(t(Msg::CliReport))
                .mut_subcommand("methodology", |c| {
                    c.about(t(Msg::CliReportMethodology))
                        .mut_arg("public", |a| a.help(t(Msg::CliPublic)))
                        .mut_arg("k", |a| a.help(t(Msg::CliThreshold)))
                })
                .mut_subcommand("study", |c| {
                    c.about(t(Msg::CliReportStudy))
                        .mut_arg("out", |a| a.help(t(Msg::CliOut)))
                        .mut_arg("k", |a| a.help(t(Msg::CliStudyThreshold)))
                        .mut_arg("date", |a| a.help(t(Msg::CliReportDate)))
                        .mut_arg("coordinator_copy", |a| a.help(t(Msg::CliCoordinatorCopy)))
                        .mut_arg("geojson", |a| a.help(t(Msg::CliGeojson)))
                })
        })
        .mut_subcommand("check", |c| c.about(t(Msg::CliCheck)))
        .mut_subcommand("user", |c| {
            let name = |c: clap::Command| c.mut_arg("name", |a| a.help(t(Msg::CliUserName)));
            c.about(t(Msg::CliUser))
                .mut_subcommand("add", |c| {
                    name(c.about(t(Msg::CliUserAdd)))
                        .mut_arg("role", |a| a.help(t(Msg::CliUserRole)))
                        .mut_arg("password_file", |a| a.help(t(Msg::CliPasswordFile)))
                })
                .mut_subcommand("sign-out-all", |c| name(c.about(t(Msg::CliUserSignOutAll))))
                .mut_subcommand("password", |c| {
                    name(c.about(t(Msg::CliUserPassword)))
                        .mut_arg("password_file", |a| a.help(t(Msg::CliPasswordFile)))
                })
                .mut_subcommand("role", |c| {
                    name(c.about(t(Msg::CliUserRoleChange)))
                        .mut_arg("role", |a| a.help(t(Msg::CliUserRole)))
                })
                .mut_subcommand("unlock", |c| name(c.about(t(Msg::CliUserUnlock))))
        })
        .mut_subcommand("backup", |c| {
            c.about(t(Msg::CliBackup))
                .mut_arg("out", |a| a.help(t(Msg::CliBackupOut)))
        })
        .mut_subcommand("restore", |c| {
            c.about(t(Msg::CliRestore))
                .mut_arg("file", |a| a.help(t(Msg::CliRestoreFile)))
                .mut_arg("workspace", |a| a.help(t(Msg::CliRestoreWorkspace)))
        })
        .mut_subcommand("export", |c| {
            let out = |c: clap::Command| c.mut_arg("out", |a| a.help(t(Msg::CliOut)));
            c.about(t(Msg::CliExport))
                .mut_subcommand("qdpx", |c| {
                    out(c.about(t(Msg::CliExportQdpx)))
                        .mut_arg("line_endings", |a| a.help(t(Msg::CliLineEndings)))
                })
                .mut_subcommand("qdc", |c| out(c.about(t(Msg::CliExportQdc))))
                .mut_subcommand("xlsform", |c| {
                    crate::commands::xlsform::localize_export(c, lang)
                })
                .mut_subcommand("responses", |c| crate::commands::export::localize(c, lang))
                .mut_subcommand("participants", |c| {
                    crate::commands::export::localize(c, lang)
                })
                .mut_subcommand("codings", |c| crate::commands::export::localize(c, lang))
                .mut_subcommand("matrix", |c| crate::commands::export::localize(c, lang))
        })
        .mut_subcommand("import", |c| {
            let common = |c: clap::Command| {
                c.mut_arg("file", |a| a.help(t(Msg::CliImportFile)))
                    .mut_arg("workspace", |a| a.help(t(Msg::CliImportWorkspace)))
            };
            c.about(t(Msg::CliImport))
                .mut_subcommand("qdpx", |c| {
                    common(c.about(t(Msg::CliImportQdpx)))
                        .mut_arg("allow_partial", |a| a.help(t(Msg::CliAllowPartial)))
                })
                .mut_subcommand("qdc", |c| common(c.about(t(Msg::CliImportQdc))))
                .mut_subcommand("xlsform", |c| {
                    crate::commands::xlsform::localize_import(c, lang)
                })
                .mut_subcommand("kobo", |c| crate::commands::fielddata::localize(c, lang))
                .mut_subcommand("odk", |c| crate::commands::fielddata::localize(c, lang))
        })
        .mut_subcommand("analyze", |c| crate::commands::analyze::localize(c, lang))
        .mut_subcommand("quotes", |c| {
            crate::commands::report::localize_quotes(c, lang)
        })
        .mut_subcommand("audit", |c| crate::commands::audit::localize(c, lang))
        .mut_subcommand("vault", |c| crate::commands::vault::localize_vault(c, lang))
        .mut_subcommand("participant", |c| {
            crate::commands::vault::localize_participant(c, lang)
        })
        .mut_subcommand("settings", |c| {
            crate::commands::vault::localize_settings(c, lang)
        })
        .mut_subcommand("findings", |c| {
            crate::commands::followup::localize_listing(
                c,
                lang,
                Msg::CliFindings,
                Msg::CliFindingsList,
            )
        })
        .mut_subcommand("forum", |c| {
            crate::commands::followup::localize_forum(c, lang)
        })
        .mut_subcommand("recommendations", |c| {
            crate::commands::followup::localize_listing(
                c,
                lang,
                Msg::CliRecommendations,
                Msg::CliRecommendations,
            )
        })
        .mut_subcommand("actions", |c| {
            crate::commands::followup::localize_actions(c, lang)
        })
        .mut_subcommand("xlsform", |c| crate::commands::xlsform::localize(c, lang));
    if lang == Lang::Fr {
        command = command
            .help_template("{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}")
            .disable_help_flag(false);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        localized_command(Lang::En).debug_assert();
        localized_command(Lang::Fr).debug_assert();
    }

    #[test]
    fn lang_comes_from_args_first() {
        let args: Vec<std::ffi::OsString> = ["sankore", "--lang", "fr", "check"]
            .iter()
            .map(Into::into)
            .collect();
        assert_eq!(early_lang(&args), Lang::Fr);
        let args: Vec<std::ffi::OsString> =
            ["sankore", "--lang=en"].iter().map(Into::into).collect();
        assert_eq!(early_lang(&args), Lang::En);
    }
}
