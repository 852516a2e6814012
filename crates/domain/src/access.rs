//! Roles and what each may do. The web layer and the service layer both
//! ask these questions; the answers live in one place.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::participant::stored_enum;

stored_enum!(
    /// A team member's role in a workspace.
    Role, "role" {
        /// Sets up the study and team; holds the identity-vault key.
        Coordinator => "coordinator",
        /// Registers participants, runs sessions, enters transcripts.
        Researcher => "researcher",
        /// Codes transcripts, writes memos, runs queries.
        Coder => "coder",
        /// Presents findings in forums and records outcomes.
        Facilitator => "facilitator",
        /// Reads dashboards and reports: aggregates only.
        Viewer => "viewer",
    }
);

/// Something a request may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See aggregate numbers (dashboards, published reports).
    ReadAggregates,
    /// Read transcripts, codings and memos.
    ReadTranscripts,
    /// Read participant and session records (pseudonymous).
    ReadParticipants,
    /// Add, change or remove codings and memos.
    Code,
    /// Create and edit participants, sessions and transcripts.
    EditRecords,
    /// Edit the codebook.
    EditCodebook,
    /// Manage accounts and roles.
    ManageUsers,
    /// Record validation-forum outcomes and read every finding, validated
    /// or not.
    RecordForumOutcomes,
    /// Register participants from the field, their identity going straight
    /// into the vault (sealed: registering does not open it).
    RegisterParticipants,
    /// Open the identity vault: read and change names, phones, locations.
    OpenVault,
    /// Withdraw a participant (their identity, interviews and words).
    WithdrawParticipants,
    /// Change the study's settings (retention date, coders' access).
    ManageStudy,
}

impl Role {
    /// Whether this role is allowed `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Coordinator => true,
            Role::Researcher => !matches!(
                permission,
                ManageUsers | OpenVault | WithdrawParticipants | ManageStudy
            ),
            Role::Coder => matches!(
                permission,
                ReadAggregates | ReadTranscripts | ReadParticipants | Code | EditCodebook
            ),
            Role::Facilitator => matches!(
                permission,
                ReadAggregates | ReadTranscripts | RecordForumOutcomes | RegisterParticipants
            ),
            Role::Viewer => matches!(permission, ReadAggregates),
        }
    }

    /// Refuses with a message naming the role and the permission.
    pub fn require(self, permission: Permission) -> Result<()> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(DomainError::Invalid {
                field: "role",
                reason: format!("{self} may not {permission:?}"),
            })
        }
    }
}

/// A user name: 2 to 40 letters, digits, `.`, `-` or `_` (no spaces, so it
/// cannot carry a full name by accident).
pub fn check_user_name(name: &str) -> Result<()> {
    let ok = (2..=40).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field: "user name",
            reason: "must be 2 to 40 letters, digits, '.', '-' or '_'".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_sees_aggregates_only() {
        for p in [
            Permission::ReadTranscripts,
            Permission::ReadParticipants,
            Permission::Code,
            Permission::EditRecords,
            Permission::EditCodebook,
            Permission::ManageUsers,
            Permission::RecordForumOutcomes,
        ] {
            assert!(!Role::Viewer.allows(p), "{p:?}");
        }
        assert!(Role::Viewer.allows(Permission::ReadAggregates));
    }

    #[test]
    fn only_coordinators_manage_users() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::ManageUsers),
                *role == Role::Coordinator
            );
        }
        assert!(Role::Coder.allows(Permission::Code));
        assert!(!Role::Facilitator.allows(Permission::Code));
    }

    #[test]
    fn only_coordinators_open_the_vault_withdraw_and_set_the_study() {
        for p in [
            Permission::OpenVault,
            Permission::WithdrawParticipants,
            Permission::ManageStudy,
        ] {
            for role in Role::ALL {
                assert_eq!(role.allows(p), *role == Role::Coordinator, "{role} {p:?}");
            }
        }
        let field: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.allows(Permission::RegisterParticipants))
            .collect();
        assert_eq!(
            field,
            vec![Role::Coordinator, Role::Researcher, Role::Facilitator]
        );
    }

    #[test]
    fn user_names() {
        assert!(check_user_name("awa.coder").is_ok());
        assert!(check_user_name("Awa Touré").is_err());
        assert!(check_user_name("x").is_err());
    }
}
