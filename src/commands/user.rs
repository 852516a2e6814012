//! `sankore user add|sign-out-all|password|role|unlock`: workbench accounts.

use anyhow::{Context, Result};
use sankore_domain::Role;
use sankore_domain::{AuditAction, AuditEvent};
use sankore_i18n::{Lang, Msg};
use sankore_store::key::hash_password;
use sankore_store::{AccountStore, AuditStore, Passphrase, VaultStore};
use std::path::Path;

use crate::cli::UserAction;

/// Who the audit log names for a command run with the workspace passphrase.
pub(crate) const CLI_ACTOR: &str = "cli";

/// Runs a `sankore user` subcommand.
pub fn run(action: UserAction, passphrase_file: Option<&Path>, lang: Lang) -> Result<()> {
    match action {
        UserAction::Add {
            workspace,
            name,
            role,
            password_file,
        } => add(
            &workspace.workspace,
            &name,
            role,
            &password_file,
            passphrase_file,
            lang,
        ),
        UserAction::SignOutAll { workspace, name } => {
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let (account, ended) = store.end_user_sessions(&name, CLI_ACTOR)?;
            eprintln!(
                "{}: {} ({ended})",
                Msg::SessionsEnded.text(lang),
                account.name
            );
            Ok(())
        }
        UserAction::Password {
            workspace,
            name,
            password_file,
        } => {
            let password = read_password(&password_file)?;
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let account = store.set_password(&name, &hash_password(&password)?, CLI_ACTOR)?;
            eprintln!("{}: {}", Msg::PasswordChanged.text(lang), account.name);
            // Without the old password the vault key cannot be re-wrapped.
            if store.holds_vault_copy(&account)? {
                eprintln!("{}", Msg::VaultCopyStale.text(lang));
            }
            Ok(())
        }
        UserAction::Role {
            workspace,
            name,
            role,
        } => {
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let (account, former) = store.set_role(&name, role, CLI_ACTOR)?;
            eprintln!(
                "{}: {} ({former} → {})",
                Msg::RoleChanged.text(lang),
                account.name,
                account.role
            );
            Ok(())
        }
        UserAction::Unlock { workspace, name } => {
            let mut store = super::open(&workspace.workspace, passphrase_file, lang)?;
            let (account, was_locked) = store.unlock_user(&name, CLI_ACTOR)?;
            let msg = if was_locked {
                Msg::AccountUnlocked
            } else {
                Msg::AccountWasNotLocked
            };
            eprintln!("{}: {}", msg.text(lang), account.name);
            Ok(())
        }
    }
}

/// The first line of a password file, refused when too short.
fn read_password(password_file: &Path) -> Result<Passphrase> {
    let text = std::fs::read_to_string(password_file)
        .with_context(|| format!("cannot read password file {}", password_file.display()))?;
    let password = Passphrase::new(text.lines().next().unwrap_or_default().to_owned());
    password
        .check_strength()
        .context("account password too short")?;
    Ok(password)
}

/// Adds an account whose password is the first line of `password_file`.
pub fn add(
    workspace: &Path,
    name: &str,
    role: Role,
    password_file: &Path,
    passphrase_file: Option<&Path>,
    lang: Lang,
) -> Result<()> {
    let password = read_password(password_file)?;
    let mut store = super::open(workspace, passphrase_file, lang)?;
    let account = store.add_user(name, role, &hash_password(&password)?)?;
    store.record_audit(&AuditEvent::new(
        CLI_ACTOR,
        AuditAction::UserAdded,
        &account.name,
        account.role.as_str(),
    ))?;
    eprintln!(
        "{}: {} ({})",
        Msg::UserAdded.text(lang),
        account.name,
        account.role
    );
    // The first coordinator holds the identity vault from the start.
    if role == Role::Coordinator && !store.vault_exists()? {
        store.init_vault(&account, &password)?;
        eprintln!("{}: {}", Msg::VaultCreated.text(lang), account.name);
    }
    Ok(())
}

/// Creates one demo account per role with a random password, and returns
/// `(name, role, password)` to show once.
pub fn demo_accounts(store: &mut impl AccountStore) -> Result<Vec<(String, Role, String)>> {
    let accounts = [
        ("coordinatrice", Role::Coordinator),
        ("chercheur", Role::Researcher),
        ("codeuse", Role::Coder),
        ("animateur", Role::Facilitator),
        ("lecteur", Role::Viewer),
    ];
    let mut out = Vec::new();
    for (name, role) in accounts {
        let mut bytes = [0u8; 9];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let password = hex::encode(bytes);
        store.add_user(
            name,
            role,
            &hash_password(&Passphrase::new(password.clone()))?,
        )?;
        out.push((name.to_owned(), role, password));
    }
    Ok(out)
}
