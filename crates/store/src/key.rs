//! Passphrases and the keys derived from them.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Result, StoreError};

/// Shortest passphrase accepted for a new workspace.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// A passphrase, wiped from memory when dropped and never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps a passphrase, dropping one trailing line break (as left by files
    /// and prompts).
    pub fn new(mut text: String) -> Self {
        while text.ends_with('\n') || text.ends_with('\r') {
            text.pop();
        }
        Passphrase(text)
    }

    /// Refuses passphrases too short to protect a new workspace.
    pub fn check_strength(&self) -> Result<()> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            Err(StoreError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            })
        } else {
            Ok(())
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<hidden>)")
    }
}

/// Argon2id parameters and salt, stored in the workspace descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `argon2id`.
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Random salt, hex.
    pub salt: String,
}

impl KdfParams {
    /// Fresh parameters with a random 16-byte salt: 64 MiB, 3 passes, 1 lane
    /// (about a third of a second on a modest laptop).
    pub fn generate() -> Result<Self> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| StoreError::Stored {
            what: "random salt",
            detail: e.to_string(),
        })?;
        Ok(KdfParams {
            algorithm: "argon2id".to_owned(),
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
            salt: hex::encode(salt),
        })
    }

    /// Derives the 32-byte database key from a passphrase.
    pub fn derive(&self, passphrase: &Passphrase) -> Result<Zeroizing<[u8; 32]>> {
        let invalid = |detail: String| StoreError::Stored {
            what: "key derivation parameters",
            detail,
        };
        if self.algorithm != "argon2id" {
            return Err(invalid(format!(
                "unsupported algorithm {:?}",
                self.algorithm
            )));
        }
        let salt = hex::decode(&self.salt).map_err(|e| invalid(e.to_string()))?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| invalid(e.to_string()))?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut())
            .map_err(|e| invalid(e.to_string()))?;
        Ok(key)
    }
}

/// Hashes an account password for storage (Argon2id, PHC string with its
/// own random salt).
pub fn hash_password(password: &Passphrase) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    PasswordHasher::<argon2::password_hash::phc::PasswordHash>::hash_password(
        &Argon2::default(),
        password.as_bytes(),
    )
    .map(|hash| hash.to_string())
    .map_err(|e| StoreError::Stored {
        what: "password hash",
        detail: e.to_string(),
    })
}

/// Whether `password` matches a PHC hash made by [`hash_password`]. A
/// malformed hash never matches.
pub fn verify_password(password: &Passphrase, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_passphrase_same_key_other_salt_other_key() {
        let mut params = KdfParams::generate().unwrap_or_else(|e| panic!("{e}"));
        params.memory_kib = 1024;
        params.iterations = 1;
        let pass = Passphrase::new("correct horse battery\n".to_owned());
        let a = params.derive(&pass).unwrap_or_else(|e| panic!("{e}"));
        let b = params.derive(&pass).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(*a, *b);
        let other = KdfParams {
            salt: "00".repeat(16),
            ..params
        };
        let c = other.derive(&pass).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(*a, *c);
    }

    #[test]
    fn password_hashes_verify_and_differ() {
        let pass = Passphrase::new("mot de passe du codeur".to_owned());
        let a = hash_password(&pass).unwrap_or_default();
        let b = hash_password(&pass).unwrap_or_default();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify_password(&pass, &a));
        assert!(!verify_password(&Passphrase::new("autre".to_owned()), &a));
        assert!(!verify_password(&pass, "not a hash"));
    }

    #[test]
    fn short_passphrases_are_refused_and_never_printed() {
        let pass = Passphrase::new("short".to_owned());
        assert!(pass.check_strength().is_err());
        assert!(!format!("{pass:?}").contains("short"));
    }
}
