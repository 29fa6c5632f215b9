//! Bytes → certificates and keys. One entry point, [`parse_source`], sniffs
//! the format by content (the file extension is only a hint) and feeds an
//! [`Inventory`]: certificates de-duplicated by SHA-256, keys de-duplicated
//! by public key, every block set aside recorded in `dropped`, and every
//! block or file that could not be read recorded in `problems` without
//! stopping the others.

//!
//! The pieces: [`pem`] (the tolerant scanner), [`der`] (a small BER/DER
//! reader and writer), [`pkcs7`], [`pkcs12`], [`keys`] (every unencrypted
//! key form), [`encrypted`] (encrypted PKCS#8 and legacy PEM keys) and
//! [`stream`] (big PEM files parsed while they are read).
//! Formats and what is reported for each: `docs/formats.md`.

pub mod cert_der;
pub mod der;
pub mod encrypted;
pub mod kdf;
pub mod keys;
pub mod pem;
pub mod pkcs12;
pub mod pkcs12_null;
pub mod pkcs7;
pub mod stream;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Cert, DropReason, Dropped, KeyFormat, Origin, PrivateKey};
use encrypted::Decrypted;
use keys::{KeyError, Shape};
pub use stream::{StreamStop, parse_pem_file, parse_pem_stream, streams_as_pem};

/// Where passwords for encrypted inputs come from. The library never
/// prompts by itself: the command layer supplies a source that may read a
/// file, an environment variable or a terminal.
pub trait Passwords {
    /// The password to try for `path`, or `None` when none is available.
    /// `attempt` counts from 0; a source that cannot offer another password
    /// returns `None` for later attempts.
    fn get(&self, path: &str, attempt: usize) -> Result<Option<Zeroizing<String>>>;
    /// The environment variable a user can set, named in error messages.
    fn env_name(&self) -> &str {
        "CHAINFIX_PASSWORD"
    }
}

/// No passwords at all: encrypted inputs are reported as needing one.
pub struct NoPasswords;

impl Passwords for NoPasswords {
    fn get(&self, _path: &str, _attempt: usize) -> Result<Option<Zeroizing<String>>> {
        Ok(None)
    }
}

/// One password for every encrypted input.
pub struct FixedPassword(pub Zeroizing<String>);

impl Passwords for FixedPassword {
    fn get(&self, _path: &str, attempt: usize) -> Result<Option<Zeroizing<String>>> {
        Ok((attempt == 0).then(|| self.0.clone()))
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Inventory {
    pub certs: Vec<Cert>,
    pub keys: Vec<PrivateKey>,
    pub dropped: Vec<Dropped>,
    /// Files or blocks that could not be read. Commands that write output
    /// refuse to go on while this is not empty.
    pub problems: Vec<Error>,
    /// CRLs found among the inputs (DER, or PEM `X509 CRL` blocks).
    pub crls: Vec<crate::revocation::Crl>,
    /// Position of each certificate by id, so that de-duplicating a pile
    /// of 10,000 certificates stays linear. Rebuilt when `certs` was
    /// changed directly.
    pub cert_index: CertIndex,
    /// Key-derivation iterations spent so far (see [`kdf`]).
    pub kdf_spent: u64,
}

/// Certificate id → position in [`Inventory::certs`], keyed by the id's
/// first eight bytes with the position as a `u32` (16 bytes a slot; the
/// whole id and a `usize` took 40, 86 MB for a million certificates).
/// The rare id whose prefix is already taken by another goes to `more`.
#[derive(Debug, Default, Clone)]
pub struct CertIndex {
    by_prefix:
        std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<crate::model::IdHasher>>,
    more: crate::model::IdMap<usize>,
}

fn prefix(id: crate::model::CertId) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&id.0[..8]);
    u64::from_le_bytes(head)
}

impl CertIndex {
    fn len(&self) -> usize {
        self.by_prefix.len() + self.more.len()
    }
    fn insert(&mut self, certs: &[Cert], id: crate::model::CertId, at: usize) {
        match self.by_prefix.entry(prefix(id)) {
            std::collections::hash_map::Entry::Vacant(v) if at <= u32::MAX as usize => {
                v.insert(at as u32);
            }
            std::collections::hash_map::Entry::Occupied(o)
                if certs.get(*o.get() as usize).is_none_or(|c| c.id() == id) =>
            {
                *o.into_mut() = at as u32;
            }
            _ => {
                self.more.insert(id, at);
            }
        }
    }
    /// The position of `id` in `certs`, re-indexing when `certs` no longer
    /// agrees with the index.
    fn find(&mut self, certs: &[Cert], id: crate::model::CertId) -> Option<usize> {
        if self.len() != certs.len() {
            *self = CertIndex::default();
            for (i, c) in certs.iter().enumerate() {
                self.insert(certs, c.id(), i);
            }
        }
        let at = match self.by_prefix.get(&prefix(id)) {
            Some(&i) if certs.get(i as usize).is_some_and(|c| c.id() == id) => Some(i as usize),
            _ => self.more.get(&id).copied(),
        };
        match at {
            Some(i) if certs.get(i).is_some_and(|c| c.id() == id) => Some(i),
            // Stale (reordered behind our back): fall back to a scan.
            Some(_) => certs.iter().position(|c| c.id() == id),
            None => None,
        }
    }
}

impl Inventory {
    /// The error for inputs that gave no certificate, naming what was
    /// given instead: a CSR (the usual mix-up) or a key alone.
    pub fn no_certificate_error(&self) -> Error {
        let csr = self
            .dropped
            .iter()
            .find(|d| d.reason == DropReason::CertificateRequest);
        let crl = self.dropped.iter().find(|d| d.reason == DropReason::Crl);
        match csr {
            Some(d) => Error::OnlyCertificateRequest {
                origin: d.origin.to_string(),
            },
            None if crl.is_some() && self.keys.is_empty() => Error::OnlyCrl {
                origin: crl.map(|d| d.origin.to_string()).unwrap_or_default(),
            },
            None if !self.keys.is_empty() => Error::KeyWithoutCertificate {
                key: self.key_sources(),
            },
            None => Error::NoInputCertificates,
        }
    }
    /// Adds a certificate unless the same DER is already there, in which
    /// case the new origin is recorded on the first copy and as dropped.
    pub fn add_cert(&mut self, cert: Cert) {
        if let Some(i) = self.cert_index.find(&self.certs, cert.id()) {
            let first = &mut self.certs[i];
            let origin = cert.first_origin().clone();
            self.dropped.push(Dropped {
                origin: origin.clone(),
                reason: DropReason::Duplicate {
                    first: first.first_origin().to_string(),
                },
            });
            first.origins.push(origin);
        } else {
            let at = self.certs.len();
            self.cert_index.insert(&self.certs, cert.id(), at);
            self.certs.push(cert);
        }
    }

    /// Reads again, now, the DER of every certificate kept on disk (see
    /// [`crate::model::keep_der_on_disk`]) that a path search or a key
    /// can reach: each whose subject another certificate names as its
    /// issuer, each whose issuer is another's subject, and each that may
    /// match a key. The rest (a pool's strangers) stay on disk until
    /// something asks for them. An error when a file changed since it was
    /// read: nothing has used its certificates yet.
    pub fn load_needed(&self) -> Result<()> {
        use crate::chain::index::NameIndex;
        if !self.certs.iter().any(|c| c.unread_key_bits().is_some()) {
            return Ok(());
        }
        let certs = &self.certs;
        let pos = |i: usize| i as u32;
        let subjects = NameIndex::of_hashes(
            certs
                .iter()
                .enumerate()
                .map(|(i, c)| (c.subject_hash(), pos(i))),
        );
        let issuers = NameIndex::of_hashes(
            certs
                .iter()
                .enumerate()
                .map(|(i, c)| (c.issuer_hash(), pos(i))),
        );
        let keys: Vec<Option<u64>> = self
            .keys
            .iter()
            .map(|k| crate::model::key_bits(k.spki_der()))
            .collect();
        // Issuer and subject meet: both ends can be on a path.
        let mut needed = vec![false; certs.len()];
        subjects.meet(&issuers, |s, i| {
            if s == i {
                return;
            }
            let (issuer, child) = (&certs[s as usize], &certs[i as usize]);
            if issuer.subject_key() == child.issuer_key() && issuer.id() != child.id() {
                needed[s as usize] = true;
                needed[i as usize] = true;
            }
        });
        for (c, needed) in certs.iter().zip(needed) {
            let Some(bits) = c.unread_key_bits() else {
                continue;
            };
            if needed || keys.iter().any(|k| k.is_none_or(|k| k == bits)) {
                c.load()?;
            }
        }
        Ok(())
    }

    /// Adds a key unless a key with the same public key is already there.
    pub fn add_key(&mut self, key: PrivateKey) {
        if let Some(first) = self
            .keys
            .iter_mut()
            .find(|k| k.spki_der() == key.spki_der())
        {
            let origin = key.first_origin().clone();
            self.dropped.push(Dropped {
                origin: origin.clone(),
                reason: DropReason::DuplicateKey {
                    first: first.first_origin().to_string(),
                },
            });
            first.origins.push(origin);
        } else {
            self.keys.push(key);
        }
    }

    /// Where the keys came from, for messages: `a.pem:1, b.key`.
    pub fn key_sources(&self) -> String {
        self.keys
            .iter()
            .map(|k| k.first_origin().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Fails when `path` (a `--key FILE`) yielded no private key.
    pub fn require_key_from(&self, path: &std::path::Path) -> Result<()> {
        let name = path.display().to_string();
        if self
            .keys
            .iter()
            .any(|key| key.origins.iter().any(|o| *o.source == *name))
        {
            Ok(())
        } else {
            Err(Error::NoKeyIn { path: name })
        }
    }

    pub fn drop_block(&mut self, origin: Origin, reason: DropReason) {
        self.dropped.push(Dropped { origin, reason });
    }

    /// Moves everything from `other` into `self`, de-duplicating.
    pub fn merge(&mut self, other: Inventory) {
        for c in other.certs {
            self.add_cert(c);
        }
        for k in other.keys {
            self.add_key(k);
        }
        self.dropped.extend(other.dropped);
        self.problems.extend(other.problems);
        self.crls.extend(other.crls);
    }
}

/// How many passwords to try for one encrypted input before giving up.
const MAX_PASSWORD_ATTEMPTS: usize = 3;

/// Java keystore magic numbers: JKS and JCEKS.
const JKS_MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];
const JCEKS_MAGIC: [u8; 4] = [0xce, 0xce, 0xce, 0xce];

/// Reads one source (a file's bytes, stdin, or a fetched body) into `inv`.
/// `name` is what messages call it; `hint` the lowercase extension if any.
/// The format is sniffed from the content; the hint only sharpens the
/// message when nothing could be recognised. Never panics: whatever cannot
/// be read becomes one [`Error`] in `inv.problems`.
pub fn parse_source(
    bytes: &[u8],
    name: &str,
    hint: Option<&str>,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    // Windows tools (PowerShell's `>` among them) write UTF-16 text.
    if let Some(text) = utf16_text(bytes) {
        return parse_source(text.as_bytes(), name, hint, passwords, inv);
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        inv.problems.push(Error::Empty {
            path: name.to_string(),
        });
        return;
    }
    if pem::looks_like_pem(bytes) {
        parse_pem(bytes, name, passwords, inv);
        return;
    }
    if bytes.starts_with(&JKS_MAGIC) || bytes.starts_with(&JCEKS_MAGIC) {
        read_keystore(bytes, name, passwords, inv);
        return;
    }
    if bytes[0] == der::SEQUENCE {
        parse_der(bytes, &Origin::file(name), name, hint, passwords, inv);
        return;
    }
    // A bare base64 body (a PEM block whose armour lines were lost).
    if let Some(decoded) = bare_base64(bytes)
        && decoded.first() == Some(&der::SEQUENCE)
    {
        parse_der(&decoded, &Origin::file(name), name, hint, passwords, inv);
        return;
    }
    inv.problems.push(Error::NotRecognised {
        path: name.to_string(),
        detail: match hint {
            Some("jks" | "keystore" | "jceks") => {
                "it has no Java keystore magic number, so it is not a JKS file".into()
            }
            Some("pfx" | "p12") => "it does not start like a PKCS#12 file".into(),
            _ => "neither PEM text nor DER data".into(),
        },
    });
}

/// A CRL among the inputs: kept for the revocation stage, and noted as
/// set aside so that no one takes it for a malformed certificate.
fn add_crl(der: &[u8], origin: Origin, inv: &mut Inventory) {
    match crate::revocation::Crl::from_der(der.to_vec(), &origin.to_string()) {
        Ok(c) => {
            inv.crls.push(c);
            inv.drop_block(origin, DropReason::Crl);
        }
        Err(detail) => inv.problems.push(Error::Malformed {
            origin: origin.to_string(),
            what: "the CRL".into(),
            detail,
        }),
    }
}

/// Java keystores (JKS, JCEKS) are read by the keystore module; this is
/// the one place the reader hands them over.
fn read_keystore(bytes: &[u8], name: &str, passwords: &dyn Passwords, inv: &mut Inventory) {
    // The JKS trailer is checked before anything else in the file is used:
    // a failed check means a wrong password (or a changed file).
    let got = with_password(passwords, name, &Origin::file(name), false, |pw| {
        match crate::keystore::jks::read(bytes, name, pw) {
            Ok((certs, keys, _)) => Attempt::Done((certs, keys)),
            Err(Error::KeystoreIntegrity { .. }) => Attempt::Wrong,
            Err(e) => Attempt::Fail(e),
        }
    });
    match got {
        Ok((certs, keys)) => {
            for c in certs {
                inv.add_cert(c);
            }
            for k in keys {
                inv.add_key(k);
            }
        }
        Err(Error::WrongPassword { .. }) => inv.problems.push(Error::KeystoreIntegrity {
            path: name.to_string(),
        }),
        Err(e) => inv.problems.push(e),
    }
}

/// UTF-16 text with a byte-order mark, as UTF-8 (lossy), when it holds a
/// PEM boundary.
fn utf16_text(bytes: &[u8]) -> Option<String> {
    let (le, rest) = match bytes {
        [0xff, 0xfe, rest @ ..] => (true, rest),
        [0xfe, 0xff, rest @ ..] => (false, rest),
        _ => return None,
    };
    let units: Vec<u16> = rest
        .chunks_exact(2)
        .map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    let text = String::from_utf16_lossy(&units);
    text.contains("-----BEGIN ").then_some(text)
}

fn bare_base64(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 16
        || !compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    {
        return None;
    }
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

pub(crate) fn parse_pem(bytes: &[u8], name: &str, passwords: &dyn Passwords, inv: &mut Inventory) {
    for block in pem::scan(bytes) {
        add_block(block, name, passwords, inv);
    }
}

/// Adds what one PEM block holds.
pub(crate) fn add_block(
    mut block: pem::Block,
    name: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    let origin = Origin::block(name, block.index);
    let label = block.label.to_ascii_uppercase();
    let body = match std::mem::replace(&mut block.body, Ok(Vec::new())) {
        Ok(b) => b,
        Err(detail) => {
            inv.problems.push(Error::Malformed {
                origin: origin.to_string(),
                what: format!("the PEM block {}", display_label(&block.label)),
                detail,
            });
            return;
        }
    };
    let encrypted = block
        .header("Proc-Type")
        .is_some_and(|v| v.to_ascii_uppercase().contains("ENCRYPTED"));
    match label.as_str() {
        // Some CAs mail a PKCS#7 bundle under a CERTIFICATE label.
        "CERTIFICATE" | "X509 CERTIFICATE" if pkcs7::looks_like(&body) => {
            add_pkcs7(&body, &origin, inv)
        }
        "CERTIFICATE" | "X509 CERTIFICATE" => add_cert(body, origin, inv),
        "TRUSTED CERTIFICATE" => {
            // OpenSSL appends trust settings after the certificate.
            let n = der::first_len(&body).unwrap_or(body.len());
            add_cert(body[..n].to_vec(), origin, inv)
        }
        "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => add_pkcs7(&body, &origin, inv),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" if encrypted => {
            let shape = match label.as_str() {
                "RSA PRIVATE KEY" => Shape::Pkcs1,
                "EC PRIVATE KEY" => Shape::Sec1,
                _ => Shape::Pkcs8,
            };
            add_legacy_encrypted(&block, &body, shape, &origin, name, passwords, inv);
        }
        "PRIVATE KEY" => add_key(&body, Shape::Pkcs8, KeyFormat::Pkcs8, origin, inv),
        "RSA PRIVATE KEY" => add_key(&body, Shape::Pkcs1, KeyFormat::Pkcs1, origin, inv),
        "EC PRIVATE KEY" => add_key(&body, Shape::Sec1, KeyFormat::Sec1, origin, inv),
        "ENCRYPTED PRIVATE KEY" => add_encrypted_pkcs8(&body, &origin, name, passwords, inv),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            inv.drop_block(origin, DropReason::CertificateRequest)
        }
        "X509 CRL" => add_crl(&body, origin, inv),
        _ => inv.drop_block(
            origin,
            DropReason::UnknownLabel {
                label: block.label.clone(),
            },
        ),
    }
}

fn display_label(label: &str) -> String {
    if label.is_empty() {
        "(no label)".into()
    } else {
        label.to_string()
    }
}

fn add_cert(der_bytes: Vec<u8>, origin: Origin, inv: &mut Inventory) {
    let cut = declared_len(&der_bytes).filter(|&n| n > der_bytes.len());
    let have = der_bytes.len();
    match Cert::from_der(der_bytes, origin.clone()) {
        Ok(c) => inv.add_cert(c),
        Err(detail) => inv.problems.push(Error::Malformed {
            origin: origin.to_string(),
            what: "the certificate".into(),
            // The parser's own words for a cut file ("nom error: Eof") say
            // nothing to a person; the sizes do.
            detail: match cut {
                Some(n) => format!("it is cut short: {have} of its {n} bytes are there"),
                None => detail,
            },
        }),
    }
}

/// The total size the first DER element's header announces (definite
/// lengths only), even when the data is shorter.
fn declared_len(bytes: &[u8]) -> Option<usize> {
    let hl = der::header_len(bytes)?;
    let first = *bytes.get(1)?;
    let content = match first {
        0..=0x7f => first as usize,
        0x80 => return None,
        _ if hl > 2 + std::mem::size_of::<u32>() => return None,
        _ => bytes
            .get(2..hl)?
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize),
    };
    Some(hl + content)
}

/// Certificates of a PKCS#7 bundle. Inside a PEM block they all carry the
/// block's number; a DER file numbers them 1, 2, … in stored order.
fn add_pkcs7(bytes: &[u8], origin: &Origin, inv: &mut Inventory) {
    match pkcs7::certificates(bytes) {
        Ok(bundle) => {
            let numbered = |i: usize| match origin.block {
                Some(_) => origin.clone(),
                None => origin.with_block(i),
            };
            if bundle.certs.is_empty() && bundle.skipped.is_empty() {
                inv.problems.push(Error::NoCertificates {
                    path: origin.to_string(),
                });
            }
            for (i, c) in bundle.certs.iter().enumerate() {
                add_cert(c.to_vec(), numbered(i + 1), inv);
            }
            for i in bundle.skipped {
                inv.drop_block(
                    numbered(i),
                    DropReason::UnknownLabel {
                        label: "PKCS#7 entry that is not an X.509 certificate".into(),
                    },
                );
            }
        }
        Err(detail) => inv.problems.push(Error::Malformed {
            origin: origin.to_string(),
            what: "the PKCS#7 bundle".into(),
            detail,
        }),
    }
}

fn key_problem(e: KeyError, origin: &Origin) -> Error {
    match e {
        KeyError::Malformed(detail) => Error::Malformed {
            origin: origin.to_string(),
            what: "the private key".into(),
            detail,
        },
        KeyError::Unsupported(detail) => Error::Unsupported {
            path: origin.to_string(),
            detail,
        },
    }
}

fn add_key(der_bytes: &[u8], shape: Shape, format: KeyFormat, origin: Origin, inv: &mut Inventory) {
    // A label may not match the content (a PKCS#1 key under PRIVATE KEY):
    // trust the content when it is clearly another shape.
    let shape = keys::shape(der_bytes).unwrap_or(shape);
    match keys::read(der_bytes, shape, format, origin.clone()) {
        Ok(k) => inv.add_key(k),
        Err(e) => inv.problems.push(key_problem(e, &origin)),
    }
}

/// One step of a password loop.
enum Attempt<T> {
    Done(T),
    Wrong,
    Fail(Error),
}

/// Asks `passwords` for the file's password until `try_one` succeeds, the
/// source has no more to offer, or the attempts run out. With
/// `try_empty_first`, the empty password is tried before asking (PKCS#12
/// files exported with `-passout pass:`).
fn with_password<T>(
    passwords: &dyn Passwords,
    file: &str,
    origin: &Origin,
    try_empty_first: bool,
    mut try_one: impl FnMut(&str) -> Attempt<T>,
) -> Result<T> {
    let env = passwords.env_name().to_string();
    if try_empty_first {
        match try_one("") {
            Attempt::Done(t) => return Ok(t),
            Attempt::Wrong => {}
            Attempt::Fail(e) => return Err(e),
        }
    }
    for attempt in 0..MAX_PASSWORD_ATTEMPTS {
        let Some(pw) = passwords.get(file, attempt)? else {
            return Err(if attempt == 0 {
                Error::PasswordNeeded {
                    path: origin.to_string(),
                    env,
                }
            } else {
                Error::WrongPassword {
                    path: origin.to_string(),
                    env,
                }
            });
        };
        match try_one(&pw) {
            Attempt::Done(t) => return Ok(t),
            Attempt::Wrong => continue,
            Attempt::Fail(e) => return Err(e),
        }
    }
    Err(Error::WrongPassword {
        path: origin.to_string(),
        env,
    })
}

fn add_legacy_encrypted(
    block: &pem::Block,
    body: &[u8],
    shape: Shape,
    origin: &Origin,
    file: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    let (cipher, iv) = match block
        .header("DEK-Info")
        .ok_or_else(|| "the encrypted key has no DEK-Info header".to_string())
        .and_then(encrypted::parse_dek_info)
    {
        Ok(c) => c,
        Err(detail) => {
            inv.problems.push(Error::Unsupported {
                path: origin.to_string(),
                detail,
            });
            return;
        }
    };
    let result = with_password(passwords, file, origin, false, |pw| {
        match encrypted::decrypt_legacy(cipher, &iv, body, pw.as_bytes()) {
            Decrypted::Plain(plain) => {
                match keys::read(&plain, shape, KeyFormat::LegacyEncryptedPem, origin.clone()) {
                    Ok(k) => Attempt::Done(k),
                    // Garbage that happened to unpad: the password was wrong.
                    Err(KeyError::Malformed(_)) => Attempt::Wrong,
                    Err(e) => Attempt::Fail(key_problem(e, origin)),
                }
            }
            Decrypted::WrongPassword => Attempt::Wrong,
            Decrypted::Unsupported(detail) | Decrypted::Malformed(detail) => {
                Attempt::Fail(Error::Unsupported {
                    path: origin.to_string(),
                    detail,
                })
            }
        }
    });
    match result {
        Ok(k) => inv.add_key(k),
        Err(e) => inv.problems.push(e),
    }
}

fn add_encrypted_pkcs8(
    body: &[u8],
    origin: &Origin,
    file: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    // Check the structure first: a damaged file is not a password question.
    let pkcs12_pbe = encrypted::uses_pkcs12_pbe(body);
    if !pkcs12_pbe && let Err(e) = pkcs8::EncryptedPrivateKeyInfoRef::try_from(body) {
        if let Some(scheme) = encrypted::pbes1_scheme(body) {
            inv.problems.push(Error::Unsupported {
                path: origin.to_string(),
                detail: format!(
                    "the key is encrypted with the old PBES1 scheme {scheme}, which chainfix does not read; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out key.pem`"
                ),
            });
            return;
        }
        inv.problems.push(Error::Malformed {
            origin: origin.to_string(),
            what: "the encrypted private key".into(),
            detail: e.to_string(),
        });
        return;
    }
    let work = kdf::visible_work(body).total;
    let mut spent = inv.kdf_spent;
    let result = with_password(passwords, file, origin, false, |pw| {
        match kdf::charge(&mut spent, work, &origin.to_string()).map(|()| {
            encrypted::decrypt_pkcs12_pbe(body, pw.as_bytes())
                .unwrap_or_else(|| encrypted::decrypt_pkcs8(body, pw.as_bytes()))
        }) {
            Err(e) => Attempt::Fail(e),
            Ok(decrypted) => match decrypted {
                Decrypted::Plain(plain) => {
                    match keys::read(
                        &plain,
                        Shape::Pkcs8,
                        KeyFormat::EncryptedPkcs8,
                        origin.clone(),
                    ) {
                        Ok(k) => Attempt::Done(k),
                        Err(KeyError::Malformed(_)) => Attempt::Wrong,
                        Err(e) => Attempt::Fail(key_problem(e, origin)),
                    }
                }
                Decrypted::WrongPassword => Attempt::Wrong,
                Decrypted::Unsupported(detail) => Attempt::Fail(Error::Unsupported {
                    path: origin.to_string(),
                    detail,
                }),
                Decrypted::Malformed(detail) => Attempt::Fail(Error::Malformed {
                    origin: origin.to_string(),
                    what: "the encrypted private key".into(),
                    detail,
                }),
            },
        }
    });
    inv.kdf_spent = spent;
    match result {
        Ok(k) => inv.add_key(k),
        Err(e) => inv.problems.push(e),
    }
}

fn add_pkcs12(bytes: &[u8], file: &str, passwords: &dyn Passwords, inv: &mut Inventory) {
    let origin = Origin::file(file);
    if pkcs12::is_ber(bytes) {
        inv.problems.push(Error::Unsupported {
            path: file.to_string(),
            detail: format!(
                "this PKCS#12 file uses BER indefinite lengths (as EJBCA and Bouncy Castle write), which chainfix cannot read yet; re-encode it with `openssl pkcs12 -in {file} -nodes -out all.pem` and give all.pem"
            ),
        });
        return;
    }
    let work = kdf::visible_work(bytes);
    if work.max > kdf::PKCS12_MAX_ITERATIONS {
        inv.problems.push(Error::Unsupported {
            path: file.to_string(),
            detail: format!(
                "the PKCS#12 file asks for {} key-derivation iterations, more than the {} chainfix accepts (OpenSSL writes 2,048); re-export it with `openssl pkcs12 -export`",
                work.max,
                kdf::PKCS12_MAX_ITERATIONS
            ),
        });
        return;
    }
    let mut spent = inv.kdf_spent;
    // OpenSSL's null password (zero bytes, not RFC 7292's 00 00) is tried
    // with the empty one, before any password is asked for.
    let null = pkcs12_null::open(bytes);
    let result = null.map(Ok).unwrap_or_else(|| {
        with_password(passwords, file, &origin, true, |pw| {
            if let Err(e) = kdf::charge(&mut spent, work.total, file) {
                return Attempt::Fail(e);
            }
            match pkcs12::open(bytes, pw) {
                Ok(c) => Attempt::Done(c),
                Err(pkcs12::OpenError::WrongPassword) => Attempt::Wrong,
                Err(pkcs12::OpenError::Unsupported(detail)) => Attempt::Fail(Error::Unsupported {
                    path: file.to_string(),
                    detail,
                }),
                Err(pkcs12::OpenError::Malformed(detail)) => Attempt::Fail(Error::Malformed {
                    origin: file.to_string(),
                    what: "the PKCS#12 file".into(),
                    detail,
                }),
            }
        })
    });
    inv.kdf_spent = spent;
    let contents = match result {
        Ok(c) => c,
        Err(e) => {
            inv.problems.push(e);
            return;
        }
    };
    if contents.certs.is_empty() && contents.keys.is_empty() {
        inv.problems.push(Error::NoCertificates {
            path: file.to_string(),
        });
    }
    let had_certs = !contents.certs.is_empty();
    for (i, c) in contents.certs.into_iter().enumerate() {
        add_cert(c, origin.with_block(i + 1), inv);
    }
    for k in contents.keys {
        let k = Zeroizing::new(k);
        match keys::read(&k, Shape::Pkcs8, KeyFormat::Pkcs12, origin.clone()) {
            Ok(k) => inv.add_key(k),
            // A DSA key beside a certificate that was read: the
            // certificate is still worth showing; the key is noted.
            Err(KeyError::Unsupported(detail)) if had_certs => {
                inv.drop_block(origin.clone(), DropReason::UnsupportedKey { detail })
            }
            Err(e) => inv.problems.push(key_problem(e, &origin)),
        }
    }
}

/// What a DER blob is, judged by its first few elements.
#[derive(Debug, PartialEq, Eq)]
enum DerKind {
    Pkcs7,
    Pkcs12,
    Key(Shape),
    EncryptedKey,
    Csr,
    Crl,
    Certificate,
    Unknown,
}

fn sniff_der(bytes: &[u8]) -> DerKind {
    if pkcs7::looks_like(bytes) {
        return DerKind::Pkcs7;
    }
    if pkcs12::looks_like(bytes) {
        return DerKind::Pkcs12;
    }
    if let Some(shape) = keys::shape(bytes) {
        return DerKind::Key(shape);
    }
    if let Ok((outer, _)) = der::read(bytes)
        && let Ok(kids) = der::children(outer.content)
    {
        let tags: Vec<u8> = kids.iter().map(|t| t.tag).collect();
        if tags == [der::SEQUENCE, der::OCTET_STRING] {
            return DerKind::EncryptedKey;
        }
        if let [info, ..] = kids.as_slice()
            && info.tag == der::SEQUENCE
            && let Ok(fields) = der::children(info.content)
        {
            let t: Vec<u8> = fields.iter().map(|f| f.tag).collect();
            if t.len() >= 4 && t[..4] == [der::INTEGER, der::SEQUENCE, der::SEQUENCE, 0xa0] {
                return DerKind::Csr;
            }
            // TBSCertList: [version INTEGER,] signature, issuer, thisUpdate.
            let t = t.strip_prefix(&[der::INTEGER]).unwrap_or(&t);
            if t.len() >= 3
                && t[..2] == [der::SEQUENCE, der::SEQUENCE]
                && matches!(t[2], UTC_TIME | GENERALIZED_TIME)
            {
                return DerKind::Crl;
            }
        }
    }
    if certificate_prefix(bytes) {
        DerKind::Certificate
    } else {
        DerKind::Unknown
    }
}

const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// SEQUENCE { SEQUENCE { [0] version | INTEGER serial …: the first bytes of
/// a certificate, complete or not.
fn certificate_prefix(bytes: &[u8]) -> bool {
    fn skip_header(b: &[u8]) -> Option<&[u8]> {
        der::header_len(b).and_then(|n| b.get(n..))
    }
    let Some(inner) = skip_header(bytes) else {
        return false;
    };
    if inner.first() != Some(&der::SEQUENCE) {
        return false;
    }
    matches!(
        skip_header(inner).and_then(|t| t.first().copied()),
        Some(0xa0 | der::INTEGER)
    )
}

fn parse_der(
    bytes: &[u8],
    origin: &Origin,
    name: &str,
    hint: Option<&str>,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    match sniff_der(bytes) {
        DerKind::Pkcs7 => add_pkcs7(bytes, origin, inv),
        DerKind::Pkcs12 => add_pkcs12(bytes, name, passwords, inv),
        DerKind::Key(shape) => {
            let format = match shape {
                Shape::Pkcs8 => KeyFormat::Pkcs8,
                Shape::Pkcs1 => KeyFormat::Pkcs1,
                Shape::Sec1 => KeyFormat::Sec1,
            };
            add_key(bytes, shape, format, origin.clone(), inv)
        }
        DerKind::EncryptedKey => add_encrypted_pkcs8(bytes, origin, name, passwords, inv),
        DerKind::Csr => inv.drop_block(origin.clone(), DropReason::CertificateRequest),
        DerKind::Crl => add_crl(bytes, origin.clone(), inv),
        DerKind::Certificate => add_cert(bytes.to_vec(), origin.clone(), inv),
        DerKind::Unknown => {
            let what = match hint {
                Some("p7b" | "p7c" | "p7") => Some("the PKCS#7 bundle"),
                Some("pfx" | "p12") => Some("the PKCS#12 file"),
                Some("key") => Some("the private key"),
                _ => None,
            };
            let detail = match der::read(bytes) {
                Err(e) => e,
                Ok((_, rest)) if !rest.is_empty() => {
                    format!("{} unexpected byte(s) after the data", rest.len())
                }
                Ok(_) => "an ASN.1 structure of no known kind".into(),
            };
            inv.problems.push(match what {
                Some(what) => Error::Malformed {
                    origin: origin.to_string(),
                    what: what.into(),
                    detail,
                },
                None => Error::NotRecognised {
                    path: origin.to_string(),
                    detail,
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_whitespace_bom_and_garbage_are_problems() {
        for (bytes, want) in [
            (&b""[..], "is empty"),
            (b"  \r\n\t ", "is empty"),
            (b"\xef\xbb\xbf\n", "is empty"),
            (b"\x00\x01\x02garbage", "is not a certificate"),
            (b"hello world, no pem here", "is not a certificate"),
            (b"\x30\x82\x05", "is not a certificate"),
        ] {
            let mut inv = Inventory::default();
            parse_source(bytes, "f.pem", None, &NoPasswords, &mut inv);
            assert_eq!(inv.problems.len(), 1, "{bytes:?}");
            let msg = inv.problems[0].to_string();
            assert!(msg.contains("f.pem") && msg.contains(want), "{msg}");
        }
    }

    #[test]
    fn duplicates_found_through_the_index_even_after_direct_pushes() {
        let pem_text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/examples/salesforce-client/client.crt"
        ))
        .unwrap();
        let der_bytes = pem::scan(&pem_text).remove(0).body.unwrap();
        let cert = |b: usize| Cert::from_der(der_bytes.clone(), Origin::block("a", b)).unwrap();
        let mut inv = Inventory::default();
        inv.add_cert(cert(1));
        inv.add_cert(cert(2));
        assert_eq!(inv.certs.len(), 1);
        assert_eq!(inv.certs[0].origins.len(), 2);
        // Someone empties and refills `certs` directly: the index follows.
        inv.certs.clear();
        inv.certs.push(cert(3));
        inv.add_cert(cert(4));
        assert_eq!(inv.certs.len(), 1);
        assert_eq!(inv.dropped.len(), 2);
    }

    #[test]
    fn keystore_magic_is_handed_over() {
        let mut inv = Inventory::default();
        parse_source(
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02",
            "a.jks",
            Some("jks"),
            &NoPasswords,
            &mut inv,
        );
        assert!(
            matches!(inv.problems[0], Error::PasswordNeeded { .. }),
            "{}",
            inv.problems[0]
        );
        let mut inv = Inventory::default();
        parse_source(
            b"\xce\xce\xce\xce\x00\x00\x00\x02",
            "a.jceks",
            None,
            &NoPasswords,
            &mut inv,
        );
        assert!(
            matches!(inv.problems[0], Error::PasswordNeeded { .. }),
            "{}",
            inv.problems[0]
        );
    }

    #[test]
    fn csr_and_unknown_labels_are_dropped_not_problems() {
        let text = "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n-----BEGIN DH PARAMETERS-----\nMAA=\n-----END DH PARAMETERS-----\n";
        let mut inv = Inventory::default();
        parse_source(text.as_bytes(), "x.pem", None, &NoPasswords, &mut inv);
        assert!(inv.problems.is_empty());
        assert_eq!(inv.dropped.len(), 2);
        assert_eq!(inv.dropped[0].reason, DropReason::CertificateRequest);
        assert_eq!(
            inv.dropped[1].reason,
            DropReason::UnknownLabel {
                label: "DH PARAMETERS".into()
            }
        );
        assert_eq!(inv.dropped[1].origin.to_string(), "x.pem:2");
    }

    #[test]
    fn password_loop() {
        struct Seq(Vec<&'static str>);
        impl Passwords for Seq {
            fn get(&self, _: &str, attempt: usize) -> Result<Option<Zeroizing<String>>> {
                Ok(self.0.get(attempt).map(|s| Zeroizing::new(s.to_string())))
            }
        }
        let o = Origin::file("k.pem");
        let try_it = |pw: &str| {
            if pw == "right" {
                Attempt::Done(())
            } else {
                Attempt::Wrong
            }
        };
        assert!(with_password(&Seq(vec!["bad", "right"]), "k.pem", &o, false, try_it).is_ok());
        assert!(matches!(
            with_password(&Seq(vec![]), "k.pem", &o, false, try_it),
            Err(Error::PasswordNeeded { .. })
        ));
        assert!(matches!(
            with_password(&Seq(vec!["bad"]), "k.pem", &o, false, try_it),
            Err(Error::WrongPassword { .. })
        ));
        assert!(matches!(
            with_password(
                &Seq(vec!["a", "b", "c", "right"]),
                "k.pem",
                &o,
                false,
                try_it
            ),
            Err(Error::WrongPassword { .. })
        ));
    }
}
