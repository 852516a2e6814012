//! Where a passphrase comes from: `--passphrase-file`, then
//! `SANKORE_PASSPHRASE`, then a prompt when a person is at the terminal.

use anyhow::{Context, Result, bail};
use sankore_i18n::{Lang, Msg};
use sankore_store::Passphrase;
use std::io::IsTerminal;
use std::path::Path;

/// Environment variable holding the passphrase (for scripts and tests).
pub const ENV: &str = "SANKORE_PASSPHRASE";

/// Whether the passphrase protects a workspace being created (asked twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Open,
    Create,
}

/// Reads the passphrase from the first source that has one.
pub fn obtain(file: Option<&Path>, purpose: Purpose, lang: Lang) -> Result<Passphrase> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read passphrase file {}", path.display()))?;
        let first_line = text.lines().next().unwrap_or_default().to_owned();
        return Ok(Passphrase::new(first_line));
    }
    if let Ok(value) = std::env::var(ENV) {
        return Ok(Passphrase::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!("{}", Msg::NoPassphrase.text(lang));
    }
    match purpose {
        Purpose::Open => Ok(Passphrase::new(rpassword::prompt_password(
            Msg::PromptPassphrase.text(lang),
        )?)),
        Purpose::Create => {
            let first = Passphrase::new(rpassword::prompt_password(
                Msg::PromptNewPassphrase.text(lang),
            )?);
            first.check_strength()?;
            let second = Passphrase::new(rpassword::prompt_password(
                Msg::PromptConfirmPassphrase.text(lang),
            )?);
            if first != second {
                bail!("{}", Msg::PassphraseMismatch.text(lang));
            }
            Ok(first)
        }
    }
}
