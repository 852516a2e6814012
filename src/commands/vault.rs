//! `sankore vault`, `sankore participant` and `sankore settings`: the
//! identity vault, registering participants from the field, consent
//! withdrawal, retention and the study's settings. Each acts as a named
//! account whose password is checked, so the store's role checks and the
//! audit log know who acted.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use sankore_domain::{
    AgeBand, ConsentStatus, Gender, Lang, Participant, ParticipantCode, PlaceCode,
};
use sankore_i18n::Msg;
use sankore_store::key::verify_password;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{Account, AccountStore, Identity, Passphrase, StudySettings, VaultStore};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::WorkspaceArg;

/// Environment variable holding the acting account's password (scripts).
pub const PASSWORD_ENV: &str = "SANKORE_PASSWORD";

/// The account a command acts as.
#[derive(Debug, Args)]
pub struct ActingUser {
    /// Account name.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Read the account's password from this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// Output formats of `vault show` and `settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// `sankore vault …`.
#[derive(Debug, Subcommand)]
pub enum Vault {
    /// Create the identity vault, held by a coordinator.
    Init {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[command(flatten)]
        acting: ActingUser,
    },
    /// Show a participant's identity (coordinators; audited).
    Show {
        /// Participant code.
        code: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[command(flatten)]
        acting: ActingUser,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// Give another coordinator their own copy of the vault key.
    Grant {
        /// The coordinator receiving it.
        name: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[command(flatten)]
        acting: ActingUser,
        /// File holding the receiving coordinator's password.
        #[arg(long, value_name = "FILE")]
        grantee_password_file: PathBuf,
    },
    /// Destroy every identity when the study's retention date has passed.
    PurgeExpired {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
}

/// `sankore participant …`.
#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Register a participant; their identity goes straight into the vault.
    Add {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[command(flatten)]
        acting: ActingUser,
        /// Pseudonymous code.
        #[arg(long)]
        code: String,
        /// female, male or unspecified.
        #[arg(long)]
        gender: String,
        /// Age band (under-18, 18-24, 25-34, 35-49, 50-64, 65+, unknown).
        #[arg(long, default_value = "unknown")]
        age_band: String,
        /// Stakeholder group key.
        #[arg(long)]
        group: String,
        /// Place code (commune or cercle).
        #[arg(long)]
        place: String,
        /// Consent status.
        #[arg(long, default_value = "given")]
        consent: String,
        /// Full name (sealed in the vault).
        #[arg(long)]
        name: Option<String>,
        /// Phone number (sealed in the vault).
        #[arg(long)]
        phone: Option<String>,
        /// Exact location (sealed in the vault).
        #[arg(long)]
        location: Option<String>,
    },
    /// Withdraw a participant's consent: remove their identity, interviews
    /// and words.
    Withdraw {
        /// Participant code.
        code: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[command(flatten)]
        acting: ActingUser,
        /// Why (no names: recorded in the audit log).
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `sankore settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    #[command(flatten)]
    pub acting: ActingUser,
    /// Destroy identities after this day (YYYY-MM-DD), or `none`.
    #[arg(long, value_name = "YYYY-MM-DD|none")]
    pub identity_retention_until: Option<String>,
    /// Coders read only the documents assigned to them.
    #[arg(long, value_name = "BOOL")]
    pub coders_see_assigned_only: Option<bool>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ShowFormat,
}

/// Help texts of these commands in `lang`.
pub fn localize_vault(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliVault))
        .mut_subcommand("init", |c| acting(c.about(t(Msg::CliVaultInit)), lang))
        .mut_subcommand("show", |c| {
            acting(c.about(t(Msg::CliVaultShow)), lang)
                .mut_arg("code", |a| a.help(t(Msg::CliParticipantCode)))
        })
        .mut_subcommand("grant", |c| {
            acting(c.about(t(Msg::CliVaultGrant)), lang)
                .mut_arg("name", |a| a.help(t(Msg::CliVaultGrantee)))
                .mut_arg("grantee_password_file", |a| {
                    a.help(t(Msg::CliVaultGranteePassword))
                })
        })
        .mut_subcommand("purge-expired", |c| c.about(t(Msg::CliVaultPurge)))
}

/// Help texts of `participant` in `lang`.
pub fn localize_participant(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .about(t(Msg::CliParticipant))
        .mut_subcommand("add", |c| {
            acting(c.about(t(Msg::CliParticipantAdd)), lang)
                .mut_arg("code", |a| a.help(t(Msg::CliParticipantCode)))
                .mut_arg("gender", |a| a.help(t(Msg::CliParticipantGender)))
                .mut_arg("age_band", |a| a.help(t(Msg::CliParticipantAge)))
                .mut_arg("group", |a| a.help(t(Msg::CliParticipantGroup)))
                .mut_arg("place", |a| a.help(t(Msg::CliParticipantPlace)))
                .mut_arg("consent", |a| a.help(t(Msg::CliParticipantConsent)))
                .mut_arg("name", |a| a.help(t(Msg::CliIdentityName)))
                .mut_arg("phone", |a| a.help(t(Msg::CliIdentityPhone)))
                .mut_arg("location", |a| a.help(t(Msg::CliIdentityLocation)))
        })
        .mut_subcommand("withdraw", |c| {
            acting(c.about(t(Msg::CliParticipantWithdraw)), lang)
                .mut_arg("code", |a| a.help(t(Msg::CliParticipantCode)))
                .mut_arg("reason", |a| a.help(t(Msg::CliWithdrawReason)))
        })
}

/// Help texts of `settings` in `lang`.
pub fn localize_settings(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    acting(command.about(t(Msg::CliSettings)), lang)
        .mut_arg("identity_retention_until", |a| a.help(t(Msg::CliRetention)))
        .mut_arg("coders_see_assigned_only", |a| {
            a.help(t(Msg::CliAssignedOnly))
        })
}

fn acting(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    command
        .mut_arg("user", |a| a.help(t(Msg::CliActingUser)))
        .mut_arg("password_file", |a| a.help(t(Msg::CliPasswordFile)))
}

/// The account's password: `--password-file`, else `SANKORE_PASSWORD`,
/// else a prompt at a terminal.
fn account_password(acting: &ActingUser, lang: Lang) -> Result<Passphrase> {
    if let Some(path) = &acting.password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read password file {}", path.display()))?;
        return Ok(Passphrase::new(
            text.lines().next().unwrap_or_default().to_owned(),
        ));
    }
    if let Ok(value) = std::env::var(PASSWORD_ENV) {
        return Ok(Passphrase::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!("{}", Msg::NoAccountPassword.text(lang));
    }
    Ok(Passphrase::new(rpassword::prompt_password(format!(
        "{} {}: ",
        Msg::PromptAccountPassword.text(lang),
        acting.user
    ))?))
}

/// Opens the workspace and signs the acting account in.
fn sign_in(
    workspace: &Path,
    acting: &ActingUser,
    passphrase_file: Option<&Path>,
    lang: Lang,
) -> Result<(SqliteStore, Account, Passphrase)> {
    let store = super::open(workspace, passphrase_file, lang)?;
    let password = account_password(acting, lang)?;
    let account = match store.user_credentials(&acting.user)? {
        Some(found) if !found.locked && verify_password(&password, &found.password_hash) => {
            found.account
        }
        _ => bail!("{}", Msg::WrongAccountPassword.text(lang)),
    };
    Ok((store, account, password))
}

/// Runs a `vault` subcommand.
pub fn run_vault(vault: Vault, passphrase_file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match vault {
        Vault::Init { workspace, acting } => {
            let (mut store, account, password) =
                sign_in(&workspace.workspace, &acting, passphrase_file, lang)?;
            store.init_vault(&account, &password)?;
            eprintln!("{}: {}", Msg::VaultCreated.text(lang), account.name);
        }
        Vault::Show {
            code,
            workspace,
            acting,
            format,
        } => {
            let (mut store, account, password) =
                sign_in(&workspace.workspace, &acting, passphrase_file, lang)?;
            store.purge_expired_identities(chrono::Local::now().date_naive())?;
            let secret = store.open_vault(&account, &password)?;
            let identity = store
                .identity(&account, &secret, &code)?
                .with_context(|| format!("{} {code}", Msg::NoIdentity.text(lang)))?;
            let text = match format {
                ShowFormat::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "code": code,
                        "name": identity.name,
                        "phone": identity.phone,
                        "location": identity.location,
                    }))?
                ),
                ShowFormat::Text => format!(
                    "{}: {code}\n{}: {}\n{}: {}\n{}: {}\n",
                    Msg::Code.text(lang),
                    Msg::Name.text(lang),
                    identity.name,
                    Msg::IdentityPhone.text(lang),
                    identity.phone.as_deref().unwrap_or("—"),
                    Msg::IdentityLocation.text(lang),
                    identity.location.as_deref().unwrap_or("—"),
                ),
            };
            super::print(&text)?;
        }
        Vault::Grant {
            name,
            workspace,
            acting,
            grantee_password_file,
        } => {
            let (mut store, account, password) =
                sign_in(&workspace.workspace, &acting, passphrase_file, lang)?;
            let theirs = account_password(
                &ActingUser {
                    user: name.clone(),
                    password_file: Some(grantee_password_file),
                },
                lang,
            )?;
            let secret = store.open_vault(&account, &password)?;
            store.grant_vault(&account, &secret, &name, &theirs)?;
            eprintln!("{}: {name}", Msg::VaultGranted.text(lang));
        }
        Vault::PurgeExpired { workspace } => {
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let today = chrono::Local::now().date_naive();
            let purged = store.purge_expired_identities(today)?;
            super::print(&format!("{}: {purged}\n", Msg::IdentitiesPurged.text(lang)))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `participant` subcommand.
pub fn run_participant(
    command: ParticipantCommand,
    passphrase_file: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    match command {
        ParticipantCommand::Add {
            workspace,
            acting,
            code,
            gender,
            age_band,
            group,
            place,
            consent,
            name,
            phone,
            location,
        } => {
            let participant = Participant {
                code: ParticipantCode::new(&code)?,
                gender: Gender::parse(&gender)?,
                age_band: AgeBand::parse(&age_band)?,
                group,
                place: PlaceCode::new(&place)?,
                consent: ConsentStatus::parse(&consent)?,
            };
            let identity =
                Identity::from_fields(name.as_deref(), phone.as_deref(), location.as_deref())?;
            let (mut store, account, _) =
                sign_in(&workspace.workspace, &acting, passphrase_file, lang)?;
            store.register_participant(&account, &participant, identity.as_ref())?;
            eprintln!("{}: {code}", Msg::ParticipantRegistered.text(lang));
        }
        ParticipantCommand::Withdraw {
            code,
            workspace,
            acting,
            reason,
        } => {
            let (mut store, account, password) =
                sign_in(&workspace.workspace, &acting, passphrase_file, lang)?;
            let secret = if store.has_identity(&code)? {
                Some(store.open_vault(&account, &password)?)
            } else {
                None
            };
            let terms = sankore_analysis::search::SearchTerms::default();
            let report = store.withdraw_participant(
                &account,
                secret.as_ref(),
                &code,
                reason.as_deref(),
                &|text| terms.index(text),
            )?;
            super::print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            eprintln!("{}: {}", Msg::ParticipantWithdrawn.text(lang), report.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `settings`.
pub fn run_settings(
    args: SettingsArgs,
    passphrase_file: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    let (mut store, account, _) = sign_in(
        &args.workspace.workspace,
        &args.acting,
        passphrase_file,
        lang,
    )?;
    let mut settings = store.study_settings()?;
    let mut changed = false;
    if let Some(until) = &args.identity_retention_until {
        settings.identity_retention_until = match until.as_str() {
            "none" => None,
            date => Some(
                date.parse::<chrono::NaiveDate>()
                    .with_context(|| format!("--identity-retention-until {date:?}"))?,
            ),
        };
        changed = true;
    }
    if let Some(only) = args.coders_see_assigned_only {
        settings.coders_see_assigned_only = only;
        changed = true;
    }
    if changed {
        store.set_study_settings(&account, &settings)?;
    }
    super::print(&settings_text(&settings, args.format, lang)?)?;
    Ok(ExitCode::SUCCESS)
}

fn settings_text(settings: &StudySettings, format: ShowFormat, lang: Lang) -> Result<String> {
    Ok(match format {
        ShowFormat::Json => format!("{}\n", serde_json::to_string_pretty(settings)?),
        ShowFormat::Text => format!(
            "{}: {}\n{}: {}\n",
            Msg::RetentionLabel.text(lang),
            settings
                .identity_retention_until
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            Msg::AssignedOnlyLabel.text(lang),
            settings.coders_see_assigned_only
        ),
    })
}

/// Creates the demo's vault, held by its coordinator account, and seals a
/// SYNTHETIC identity (invented words, see
/// [`sankore_demo::synthetic_identity`]) for every participant.
pub fn demo_vault(
    store: &mut SqliteStore,
    records: &sankore_domain::StudyRecords,
    accounts: &[(String, sankore_domain::Role, String)],
) -> Result<()> {
    let (name, _, password) = accounts
        .iter()
        .find(|(_, role, _)| *role == sankore_domain::Role::Coordinator)
        .context("the demo has no coordinator account")?;
    let account = store
        .user_credentials(name)?
        .map(|found| found.account)
        .context("the demo coordinator account is missing")?;
    store.init_vault(&account, &Passphrase::new(password.clone()))?;
    let identities: Vec<(String, Identity)> = records
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| (p.code.to_string(), sankore_demo::synthetic_identity(i)))
        .collect();
    store.add_identities(&account, &identities)?;
    Ok(())
}
