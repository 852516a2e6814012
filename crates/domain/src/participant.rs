//! Participants, known only by a pseudonymous code.
//!
//! A participant record never holds a name, a phone number or an exact
//! location: those live in the identity vault. The code format is restricted
//! so that a name cannot be typed into it by mistake.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{DomainError, Result};
use crate::gazetteer::PlaceCode;

/// A pseudonymous participant code such as `TBK-INT-023`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ParticipantCode(String);

impl ParticipantCode {
    /// 3 to 32 of upper-case ASCII letters, digits and inner `-`, with at least
    /// one digit (so that a bare name in capitals is refused).
    pub fn new(code: &str) -> Result<Self> {
        let shape = (3..=32).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-')
            && !code.ends_with('-')
            && !code.contains("--");
        if shape && code.chars().any(|c| c.is_ascii_digit()) {
            Ok(ParticipantCode(code.to_owned()))
        } else {
            Err(DomainError::Invalid {
                field: "participant code",
                reason: "must be 3 to 32 of A-Z, 0-9 and inner '-', with a digit".to_owned(),
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ParticipantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ParticipantCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self> {
        ParticipantCode::new(&value)
    }
}

impl From<ParticipantCode> for String {
    fn from(value: ParticipantCode) -> Self {
        value.0
    }
}

/// Declares an enum stored as a fixed lowercase string, with its parser.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text stored and exchanged for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses [`Self::as_str`]'s output.
            pub fn parse(value: &str) -> Result<Self> {
                match value {
                    $($text => Ok($name::$variant),)+
                    other => Err(DomainError::Invalid {
                        field: $field,
                        reason: format!("{other:?} is not one of {}", [$($text),+].join(", ")),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use stored_enum;

stored_enum!(
    /// Gender as recorded by the study.
    Gender, "gender" {
        Female => "female",
        Male => "male",
        /// Not recorded, or the participant preferred not to say.
        Unspecified => "unspecified",
    }
);

stored_enum!(
    /// Age band: exact ages are not kept in research records.
    AgeBand, "age band" {
        Under18 => "under-18",
        From18To24 => "18-24",
        From25To34 => "25-34",
        From35To49 => "35-49",
        From50To64 => "50-64",
        Over64 => "65+",
        Unknown => "unknown",
    }
);

stored_enum!(
    /// Where a participant's consent stands.
    ConsentStatus, "consent status" {
        Given => "given",
        Pending => "pending",
        Refused => "refused",
        /// Consent withdrawn: the participant's contributions must be removed.
        Withdrawn => "withdrawn",
    }
);

/// A study participant, pseudonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub code: ParticipantCode,
    pub gender: Gender,
    pub age_band: AgeBand,
    /// Key of the stakeholder group.
    pub group: String,
    pub place: PlaceCode,
    pub consent: ConsentStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_refuse_names() {
        assert!(ParticipantCode::new("TBK-INT-023").is_ok());
        assert!(ParticipantCode::new("Amadou Touré").is_err());
        assert!(
            ParticipantCode::new("AMADOU").is_err(),
            "no digit: looks like a name"
        );
        assert!(ParticipantCode::new("TBK--1").is_err());
    }

    #[test]
    fn enums_round_trip() {
        for g in Gender::ALL {
            assert_eq!(Gender::parse(g.as_str()), Ok(*g));
        }
        for a in AgeBand::ALL {
            assert_eq!(AgeBand::parse(a.as_str()), Ok(*a));
        }
        for c in ConsentStatus::ALL {
            assert_eq!(ConsentStatus::parse(c.as_str()), Ok(*c));
        }
        assert!(Gender::parse("woman").is_err());
    }

    proptest! {
        #[test]
        fn valid_codes_survive_serde(code in "[A-Z]{2,4}(-[A-Z]{2,4})?-[0-9]{1,4}") {
            let parsed = ParticipantCode::new(&code);
            prop_assert!(parsed.is_ok());
            let json = serde_json::to_string(&parsed.clone().unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
            let back: std::result::Result<ParticipantCode, _> = serde_json::from_str(&json);
            prop_assert_eq!(back.ok(), parsed.ok());
        }

        #[test]
        fn lowercase_is_refused(code in "[a-z][a-z0-9-]{2,20}") {
            prop_assert!(ParticipantCode::new(&code).is_err());
        }
    }
}
