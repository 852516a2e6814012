//! What the audit log records: who did what to which record.
//!
//! An audit event names pseudonymous codes, counts, file kinds and reasons
//! typed by staff — never a participant's name, contact or words — because
//! the log outlives everything else (a withdrawal keeps its audit entry).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// A kind of audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A user signed in to the workbench.
    SignIn,
    /// A sign-in was refused (wrong password, unknown name, locked account).
    SignInRefused,
    /// A user signed out, or all their sessions were ended.
    SignOut,
    /// A password was changed.
    PasswordChange,
    /// An account was added.
    UserAdded,
    /// An account's role changed, or it was locked or unlocked.
    RoleChange,
    /// The identity vault was unlocked.
    VaultOpen,
    /// An identity was read from the vault.
    IdentityRead,
    /// An identity was written to the vault.
    IdentityWrite,
    /// Data left the workspace in a file (export).
    Export,
    /// A report was produced.
    Report,
    /// Data came into the workspace from a file or a server.
    Import,
    /// A person overrode a disclosure-control decision.
    DisclosureOverride,
    /// A participant withdrew their consent and their data was removed.
    Withdrawal,
    /// Identities past the study's retention date were destroyed.
    RetentionPurge,
    /// The workspace was backed up.
    Backup,
    /// The workspace was restored from a backup.
    Restore,
    /// The mapping of a form's responses was saved in the workbench.
    MappingSaved,
}

impl AuditAction {
    /// Every action, in declaration order.
    pub const ALL: [AuditAction; 18] = [
        AuditAction::SignIn,
        AuditAction::SignInRefused,
        AuditAction::SignOut,
        AuditAction::PasswordChange,
        AuditAction::UserAdded,
        AuditAction::RoleChange,
        AuditAction::VaultOpen,
        AuditAction::IdentityRead,
        AuditAction::IdentityWrite,
        AuditAction::Export,
        AuditAction::Report,
        AuditAction::Import,
        AuditAction::DisclosureOverride,
        AuditAction::Withdrawal,
        AuditAction::RetentionPurge,
        AuditAction::Backup,
        AuditAction::Restore,
        AuditAction::MappingSaved,
    ];

    /// The stable name stored and shown (`sign_in`, `export`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInRefused => "sign_in_refused",
            AuditAction::SignOut => "sign_out",
            AuditAction::PasswordChange => "password_change",
            AuditAction::UserAdded => "user_added",
            AuditAction::RoleChange => "role_change",
            AuditAction::VaultOpen => "vault_open",
            AuditAction::IdentityRead => "identity_read",
            AuditAction::IdentityWrite => "identity_write",
            AuditAction::Export => "export",
            AuditAction::Report => "report",
            AuditAction::Import => "import",
            AuditAction::DisclosureOverride => "disclosure_override",
            AuditAction::Withdrawal => "withdrawal",
            AuditAction::RetentionPurge => "retention_purge",
            AuditAction::Backup => "backup",
            AuditAction::Restore => "restore",
            AuditAction::MappingSaved => "mapping_saved",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| DomainError::Invalid {
                field: "audit action",
                reason: format!("unknown action {s:?}"),
            })
    }
}

/// One audited event, before the log gives it a place and a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Who acted: an account name, or `cli` for a command run with the
    /// workspace passphrase.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: a pseudonymous code, a file kind, an account name.
    pub target: String,
    /// Free detail without personal data: counts, formats, a staff reason.
    pub detail: String,
}

impl AuditEvent {
    /// An event; `target` and `detail` must hold no personal data.
    pub fn new(
        actor: impl Into<String>,
        action: AuditAction,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        AuditEvent {
            actor: actor.into(),
            action,
            target: target.into(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            assert!(seen.insert(action.as_str()));
            assert_eq!(action.as_str().parse::<AuditAction>().unwrap(), action);
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::from(action.as_str())
            );
        }
        assert!("delete_everything".parse::<AuditAction>().is_err());
    }
}
