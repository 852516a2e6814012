//! The identity vault's cryptography: pure functions, no I/O.
//!
//! Names, phone numbers and exact locations of participants are kept apart
//! from the research data, encrypted under a key only coordinators hold:
//!
//! - The vault has one X25519 key pair. Each identity record is **sealed**
//!   to the vault's public key ([`seal`]), so field staff can add identities
//!   without unlocking anything; only the secret key opens them ([`open`]).
//!   The construction is age's X25519 recipient: a fresh ephemeral key per
//!   record, HKDF-SHA256 over the shared secret (salt: ephemeral public key
//!   then vault public key), ChaCha20-Poly1305 with the participant's code
//!   as associated data, so a sealed record cannot be moved to another
//!   participant.
//! - The vault's secret key is stored **wrapped** once per coordinator
//!   ([`WrappedSecret`]): ChaCha20-Poly1305 under Argon2id of that
//!   coordinator's password, bound to their account name and to the vault's
//!   public key.
//! - A keyed index of name tokens ([`NameKey`]) lets the quote scanner ask
//!   "is this word someone's name?" without unlocking the vault: HMAC-SHA256
//!   of each folded name token under a random key.
//!
//! Errors never carry identity contents.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Version byte in front of every sealed record.
const SEALED_V1: u8 = 1;
/// Domain separation of sealed identity records.
const IDENTITY_LABEL: &[u8] = b"sankore-vault/v1/identity";
/// Domain separation of wrapped vault secrets.
const WRAP_LABEL: &[u8] = b"sankore-vault/v1/wrap";
/// Poly1305 tag length.
const TAG: usize = 16;

/// Why a vault operation failed. Never carries identity contents.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VaultError {
    /// The password does not unwrap this coordinator's copy of the key.
    #[error("wrong password for the identity vault")]
    WrongPassword,
    /// A sealed record or wrapped key is malformed or was altered.
    #[error("damaged vault data: {0}")]
    Damaged(&'static str),
    /// The operating system gave no randomness.
    #[error("no randomness available: {0}")]
    Random(String),
    /// Key derivation parameters are unusable.
    #[error("invalid key derivation parameters: {0}")]
    Kdf(String),
    /// A phone or place was given without a name.
    #[error("an identity needs a name")]
    MissingName,
}

/// Result of vault operations.
pub type Result<T> = std::result::Result<T, VaultError>;

fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut()).map_err(|e| VaultError::Random(e.to_string()))?;
    Ok(bytes)
}

/// What the vault holds about one participant.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct Identity {
    /// Full name as the person gives it.
    pub name: String,
    /// Phone number, if any.
    #[serde(default)]
    pub phone: Option<String>,
    /// Exact location (village, quarter, GPS), if any.
    #[serde(default)]
    pub location: Option<String>,
}

impl Identity {
    /// An identity from typed fields, trimmed, blanks as absent: none when
    /// all are blank; refused when a phone or place comes without a name
    /// (the vault keys on the person).
    pub fn from_fields(
        name: Option<&str>,
        phone: Option<&str>,
        location: Option<&str>,
    ) -> Result<Option<Identity>> {
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match (clean(name), clean(phone), clean(location)) {
            (None, None, None) => Ok(None),
            (None, _, _) => Err(VaultError::MissingName),
            (Some(name), phone, location) => Ok(Some(Identity {
                name,
                phone,
                location,
            })),
        }
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(<sealed>)")
    }
}

/// The vault's public key: anyone may seal identities to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultPublicKey([u8; 32]);

impl VaultPublicKey {
    /// From its 32 stored bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| VaultError::Damaged("vault public key"))?;
        Ok(VaultPublicKey(bytes))
    }

    /// The 32 bytes to store.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The vault's secret key, wiped from memory when dropped. Held only while
/// a coordinator has the vault open.
#[derive(Clone)]
pub struct VaultSecret(StaticSecret);

impl std::fmt::Debug for VaultSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultSecret(<hidden>)")
    }
}

impl VaultSecret {
    /// A fresh vault key pair.
    pub fn generate() -> Result<(VaultSecret, VaultPublicKey)> {
        let secret = StaticSecret::from(*random::<32>()?);
        let public = VaultPublicKey(PublicKey::from(&secret).to_bytes());
        Ok((VaultSecret(secret), public))
    }

    /// The public key that goes with this secret.
    pub fn public_key(&self) -> VaultPublicKey {
        VaultPublicKey(PublicKey::from(&self.0).to_bytes())
    }
}

fn identity_aad(code: &str) -> Vec<u8> {
    let mut aad = IDENTITY_LABEL.to_vec();
    aad.push(0);
    aad.extend_from_slice(code.as_bytes());
    aad
}

/// The record key of an ephemeral/vault key pair exchange.
fn record_key(
    shared: &x25519_dalek::SharedSecret,
    ephemeral: &[u8; 32],
    vault: &[u8; 32],
) -> Result<Zeroizing<[u8; 32]>> {
    if !shared.was_contributory() {
        return Err(VaultError::Damaged("low-order key"));
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(vault);
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
        .expand(IDENTITY_LABEL, key.as_mut())
        .map_err(|_| VaultError::Damaged("key expansion"))?;
    Ok(key)
}

/// Seals `identity` for participant `code` to the vault's public key.
///
/// Layout: version byte `1`, the 32-byte ephemeral public key, then the
/// ChaCha20-Poly1305 ciphertext and tag of the identity's JSON (nonce zero:
/// each record has its own key).
pub fn seal(vault: &VaultPublicKey, code: &str, identity: &Identity) -> Result<Vec<u8>> {
    let ephemeral = StaticSecret::from(*random::<32>()?);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(vault.0));
    let key = record_key(&shared, &ephemeral_public, &vault.0)?;
    let plain = Zeroizing::new(
        serde_json::to_vec(identity).map_err(|_| VaultError::Damaged("identity encoding"))?,
    );
    let sealed = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
        .encrypt(
            &Nonce::default(),
            Payload {
                msg: &plain,
                aad: &identity_aad(code),
            },
        )
        .map_err(|_| VaultError::Damaged("sealing"))?;
    let mut out = Vec::with_capacity(1 + 32 + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&ephemeral_public);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a record [`seal`]ed for participant `code`.
pub fn open(secret: &VaultSecret, code: &str, sealed: &[u8]) -> Result<Identity> {
    if sealed.len() < 1 + 32 + TAG || sealed[0] != SEALED_V1 {
        return Err(VaultError::Damaged("sealed identity"));
    }
    let mut ephemeral = [0u8; 32];
    ephemeral.copy_from_slice(&sealed[1..33]);
    let shared = secret.0.diffie_hellman(&PublicKey::from(ephemeral));
    let key = record_key(&shared, &ephemeral, &secret.public_key().0)?;
    let plain = Zeroizing::new(
        ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .decrypt(
                &Nonce::default(),
                Payload {
                    msg: &sealed[33..],
                    aad: &identity_aad(code),
                },
            )
            .map_err(|_| VaultError::Damaged("sealed identity"))?,
    );
    serde_json::from_slice(&plain).map_err(|_| VaultError::Damaged("identity encoding"))
}

/// Argon2id cost of a password-wrapped key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfCost {
    /// 64 MiB, 3 passes, 1 lane: the cost of the workspace key.
    fn default() -> Self {
        KdfCost {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }
}

/// The vault secret wrapped under one coordinator's password (stored as
/// JSON; nothing in it is secret without the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedSecret {
    /// Always 1.
    pub version: u32,
    pub kdf: KdfCost,
    /// Argon2id salt, hex (16 bytes).
    pub salt: String,
    /// ChaCha20-Poly1305 nonce, hex (12 bytes).
    pub nonce: String,
    /// The encrypted 32-byte secret and its tag, hex.
    pub ciphertext: String,
}

fn wrap_aad(account: &str, vault: &VaultPublicKey) -> Vec<u8> {
    let mut aad = WRAP_LABEL.to_vec();
    aad.push(0);
    aad.extend_from_slice(account.to_lowercase().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&vault.0);
    aad
}

fn wrapping_key(password: &[u8], salt: &[u8], cost: KdfCost) -> Result<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(cost.memory_kib, cost.iterations, cost.parallelism, Some(32))
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password, salt, key.as_mut())
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    Ok(key)
}

impl WrappedSecret {
    /// Wraps `secret` for the coordinator `account` under `password`.
    pub fn wrap(
        secret: &VaultSecret,
        account: &str,
        password: &[u8],
        cost: KdfCost,
    ) -> Result<WrappedSecret> {
        let salt = random::<16>()?;
        let nonce = random::<12>()?;
        let key = wrapping_key(password, salt.as_ref(), cost)?;
        let plain = Zeroizing::new(secret.0.to_bytes());
        let ciphertext = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .encrypt(
                Nonce::from_slice(nonce.as_ref()),
                Payload {
                    msg: plain.as_ref(),
                    aad: &wrap_aad(account, &secret.public_key()),
                },
            )
            .map_err(|_| VaultError::Damaged("wrapping"))?;
        Ok(WrappedSecret {
            version: 1,
            kdf: cost,
            salt: hex::encode(salt.as_ref()),
            nonce: hex::encode(nonce.as_ref()),
            ciphertext: hex::encode(ciphertext),
        })
    }

    /// Unwraps the vault secret with the coordinator's password; the result
    /// must match the vault's public key.
    pub fn unwrap(
        &self,
        account: &str,
        password: &[u8],
        vault: &VaultPublicKey,
    ) -> Result<VaultSecret> {
        let damaged = |_| VaultError::Damaged("wrapped key");
        if self.version != 1 {
            return Err(VaultError::Damaged("wrapped key version"));
        }
        let salt = hex::decode(&self.salt).map_err(damaged)?;
        let nonce = hex::decode(&self.nonce).map_err(damaged)?;
        let ciphertext = hex::decode(&self.ciphertext).map_err(damaged)?;
        if nonce.len() != 12 {
            return Err(VaultError::Damaged("wrapped key nonce"));
        }
        let key = wrapping_key(password, &salt, self.kdf)?;
        let plain = Zeroizing::new(
            ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &wrap_aad(account, vault),
                    },
                )
                .map_err(|_| VaultError::WrongPassword)?,
        );
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Damaged("wrapped key length"))?;
        let secret = VaultSecret(StaticSecret::from(bytes));
        if secret.public_key() != *vault {
            return Err(VaultError::Damaged("wrapped key belongs to another vault"));
        }
        Ok(secret)
    }
}

/// The key of the name-token index (kept in the research database, so the
/// index answers without the vault being open).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct NameKey([u8; 32]);

impl std::fmt::Debug for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NameKey(<hidden>)")
    }
}

impl NameKey {
    /// A fresh random key.
    pub fn generate() -> Result<NameKey> {
        Ok(NameKey(*random::<32>()?))
    }

    /// From its 32 stored bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<NameKey> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| VaultError::Damaged("name key"))?;
        Ok(NameKey(bytes))
    }

    /// The 32 bytes to store.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// HMAC-SHA256 digests of the name tokens of `text` (see
    /// [`name_tokens`]), one per distinct token.
    pub fn digests(&self, text: &str) -> Vec<[u8; 32]> {
        name_tokens(text)
            .iter()
            .map(|token| {
                // HMAC takes keys of any length: this cannot fail.
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
                    .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
                mac.update(token.as_bytes());
                mac.finalize().into_bytes().into()
            })
            .collect()
    }
}

/// The name-token index loaded in memory: answers "is this word someone's
/// name?" for a whole text without going back to the database, and says
/// nothing of whose.
#[derive(Debug, Clone)]
pub struct NameTokenIndex {
    key: NameKey,
    digests: std::collections::HashSet<[u8; 32]>,
}

impl NameTokenIndex {
    /// An index over stored `digests` made with `key`.
    pub fn new(key: NameKey, digests: impl IntoIterator<Item = [u8; 32]>) -> Self {
        NameTokenIndex {
            key,
            digests: digests.into_iter().collect(),
        }
    }

    /// Whether `token`, one word as written (any case, any accents), is a
    /// token of some name in the vault. Anything that is not exactly one
    /// name token (two words, one letter, digits) is not.
    pub fn is_name(&self, token: &str) -> bool {
        match self.key.digests(token).as_slice() {
            [digest] => self.digests.contains(digest),
            _ => false,
        }
    }
}

/// The tokens of a name that the index keeps: folded (lowercase, no
/// accents), split on anything but letters, at least two letters each,
/// distinct, in order. `N'Diaye Aïssata` gives `diaye`, `aissata`.
pub fn name_tokens(text: &str) -> Vec<String> {
    let folded = sankore_domain::text::fold(text);
    let mut tokens: Vec<String> = Vec::new();
    for token in folded.split(|c: char| !c.is_alphabetic()) {
        if token.chars().count() >= 2 && !tokens.iter().any(|t| t == token) {
            tokens.push(token.to_owned());
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfCost = KdfCost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    fn identity() -> Identity {
        Identity {
            name: "Synthétique Aïssata Fictive".to_owned(),
            phone: Some("+223 00 00 00 01".to_owned()),
            location: Some("Quartier imaginaire".to_owned()),
        }
    }

    #[test]
    fn sealed_records_open_with_the_secret_only_and_for_their_code_only() {
        let (secret, public) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        let sealed = seal(&public, "TBK-INT-001", &identity()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!String::from_utf8_lossy(&sealed).contains("Fictive"));
        assert_eq!(open(&secret, "TBK-INT-001", &sealed), Ok(identity()));
        assert_eq!(
            open(&secret, "TBK-INT-002", &sealed),
            Err(VaultError::Damaged("sealed identity")),
            "moved to another code"
        );
        let (other, _) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(open(&other, "TBK-INT-001", &sealed).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(open(&secret, "TBK-INT-001", &altered).is_err());
        assert!(open(&secret, "TBK-INT-001", &sealed[..20]).is_err());
        let again = seal(&public, "TBK-INT-001", &identity()).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(sealed, again, "a fresh ephemeral key per record");
    }

    #[test]
    fn wrapped_secret_needs_the_password_account_and_vault() {
        let (secret, public) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        let wrapped = WrappedSecret::wrap(&secret, "Coordinatrice", b"mot de passe long", CHEAP)
            .unwrap_or_else(|e| panic!("{e}"));
        let back = wrapped
            .unwrap("coordinatrice", b"mot de passe long", &public)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.public_key(), public);
        assert_eq!(
            wrapped.unwrap("coordinatrice", b"autre", &public).err(),
            Some(VaultError::WrongPassword)
        );
        assert_eq!(
            wrapped
                .unwrap("chercheur", b"mot de passe long", &public)
                .err(),
            Some(VaultError::WrongPassword),
            "bound to the account"
        );
        let (_, other) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            wrapped
                .unwrap("coordinatrice", b"mot de passe long", &other)
                .is_err()
        );
        let json = serde_json::to_string(&wrapped).unwrap_or_default();
        let secret_hex = hex::encode(secret.0.to_bytes());
        assert!(!json.contains(&secret_hex));
    }

    #[test]
    fn identities_from_typed_fields() {
        assert_eq!(Identity::from_fields(Some(" "), None, Some("")), Ok(None));
        assert_eq!(
            Identity::from_fields(None, Some("+223"), None),
            Err(VaultError::MissingName)
        );
        let typed = Identity::from_fields(Some(" Awa "), Some(" "), Some("Kabara"));
        assert_eq!(
            typed,
            Ok(Some(Identity {
                name: "Awa".to_owned(),
                phone: None,
                location: Some("Kabara".to_owned()),
            }))
        );
    }

    #[test]
    fn name_tokens_fold_and_split() {
        assert_eq!(
            name_tokens("N'Diaye Aïssata  MAÏGA-Touré"),
            vec!["diaye", "aissata", "maiga", "toure"]
        );
        assert!(name_tokens("A. B").is_empty());
        let key = NameKey::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.digests("Aïssata"), key.digests("AISSATA"));
        let other = NameKey::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(key.digests("Aïssata"), other.digests("Aïssata"), "keyed");
        let index = NameTokenIndex::new(key.clone(), key.digests("N'Diaye Aïssata"));
        assert!(index.is_name("AISSATA") && index.is_name("Diaye"));
        assert!(!index.is_name("puits") && !index.is_name("Aïssata Diaye"));
    }

    proptest::proptest! {
        #[test]
        fn any_identity_round_trips(name in "\\PC{1,40}", phone in proptest::option::of("[0-9 +]{4,16}")) {
            let (secret, public) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
            let identity = Identity { name, phone, location: None };
            let sealed = seal(&public, "X-1", &identity).unwrap_or_else(|e| panic!("{e}"));
            proptest::prop_assert_eq!(open(&secret, "X-1", &sealed), Ok(identity));
        }
    }
}
