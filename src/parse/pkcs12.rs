//! PKCS#12 (`.pfx`, `.p12`): the private keys and certificates inside,
//! via the `p12-keystore` crate, which reads both what OpenSSL 3 writes by
//! default (PBES2: PBKDF2-SHA256 + AES-256-CBC, HMAC-SHA256 MAC) and the
//! legacy forms (`-legacy`: PBE-SHA1-3DES keys, RC2-40 or 3DES
//! certificates, HMAC-SHA1 MAC).

use super::der::{self, INTEGER, SEQUENCE};

/// True when the bytes start like a PFX: SEQUENCE { INTEGER 3, SEQUENCE … }.
pub fn looks_like(bytes: &[u8]) -> bool {
    let Ok((outer, _)) = der::read(bytes) else {
        // A truncated file still has its first bytes.
        return prefix_looks_like(bytes);
    };
    if outer.tag != SEQUENCE {
        return false;
    }
    matches!(der::read(outer.content), Ok((v, rest))
        if v.tag == INTEGER && v.content == [3] && rest.first() == Some(&SEQUENCE))
}

fn prefix_looks_like(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&SEQUENCE) {
        return false;
    }
    let Some(skip) = der::header_len(bytes) else {
        return false;
    };
    bytes.get(skip..skip + 4) == Some(&[INTEGER, 1, 3, SEQUENCE])
}

/// True when the PFX or its outer ContentInfo uses indefinite lengths:
/// the `der` crate under `p12-keystore` reads DER only.
pub fn is_ber(bytes: &[u8]) -> bool {
    if bytes.get(1) == Some(&0x80) {
        return true;
    }
    // PFX { version, authSafe ContentInfo { OID, [0] { OCTET STRING } } }
    let Ok((outer, _)) = der::read(bytes) else {
        return false;
    };
    let Ok(kids) = der::children(outer.content) else {
        return false;
    };
    kids.get(1).is_some_and(|ci| {
        ci.raw.get(1) == Some(&0x80)
            || der::children(ci.content)
                .ok()
                .and_then(|c| {
                    c.get(1)
                        .map(|t| t.raw.get(1) == Some(&0x80) || t.content.first() == Some(&0x24))
                })
                .unwrap_or(false)
    })
}

/// What one PFX holds once decrypted.
pub struct Contents {
    /// Each key's PKCS#8 DER.
    pub keys: Vec<Vec<u8>>,
    /// Each certificate's DER, in bag order.
    pub certs: Vec<Vec<u8>>,
}

/// Why a PFX could not be opened with one password.
#[derive(Debug)]
pub enum OpenError {
    /// The MAC or the decryption failed: the password is wrong.
    WrongPassword,
    /// A scheme the reader does not support, as a sentence.
    Unsupported(String),
    /// The structure is damaged, as a sentence.
    Malformed(String),
}

/// Decrypts `bytes` with `password`.
pub fn open(bytes: &[u8], password: &str) -> Result<Contents, OpenError> {
    use p12_keystore::error::Error as E;
    match p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password) {
        Ok(a) => Ok(Contents {
            keys: a.keys.iter().map(|k| k.key.as_der().to_vec()).collect(),
            certs: a.certs.iter().map(|c| c.cert.as_der().to_vec()).collect(),
        }),
        Err(E::MacError(_) | E::UnpadError | E::Pkcs5Error(_) | E::InvalidPrivateKey) => {
            Err(OpenError::WrongPassword)
        }
        // Iterations or scrypt cost past the reader's limits (counts in
        // encrypted parts, which chainfix cannot see before decrypting).
        Err(E::InvalidParameters) => Err(OpenError::Unsupported(
            "the PKCS#12 file asks for more key-derivation work than chainfix accepts (over 1,000,000 iterations, or scrypt over 1 GiB); re-export it with `openssl pkcs12 -export`".into(),
        )),
        Err(E::UnsupportedEncryptionScheme | E::UnsupportedMacAlgorithm) => {
            Err(OpenError::Unsupported(
                "the PKCS#12 file uses an encryption or MAC scheme chainfix does not read; re-export it with `openssl pkcs12 -export`".into(),
            ))
        }
        Err(e) => Err(OpenError::Malformed(format!(
            "the PKCS#12 structure could not be read ({e})"
        ))),
    }
}
