//! PKCS#12 (`.pfx`, `.p12`): the private keys and certificates inside,
//! via the `p12-keystore` crate, which reads both what OpenSSL 3 writes by
//! default (PBES2: PBKDF2-SHA256 + AES-256-CBC, HMAC-SHA256 MAC) and the
//! legacy forms (`-legacy`: PBE-SHA1-3DES keys, RC2-40 or 3DES
//! certificates, HMAC-SHA1 MAC).

use super::der::{self, INTEGER, SEQUENCE};
use super::encrypted::Decrypted;

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

/// What one PFX holds once decrypted.
pub struct Contents {
    /// Each key's PKCS#8 DER.
    pub keys: Vec<Vec<u8>>,
    /// Each certificate's DER, in bag order.
    pub certs: Vec<Vec<u8>>,
}

/// Decrypts `bytes` with `password`.
pub fn open(bytes: &[u8], password: &str) -> Result<Contents, Decrypted> {
    use p12_keystore::error::Error as E;
    match p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password) {
        Ok(a) => Ok(Contents {
            keys: a.keys.iter().map(|k| k.key.as_der().to_vec()).collect(),
            certs: a.certs.iter().map(|c| c.cert.as_der().to_vec()).collect(),
        }),
        Err(E::MacError(_) | E::UnpadError | E::Pkcs5Error(_) | E::InvalidPrivateKey) => {
            Err(Decrypted::WrongPassword)
        }
        Err(E::UnsupportedEncryptionScheme | E::UnsupportedMacAlgorithm) => {
            Err(Decrypted::Unsupported(
                "the PKCS#12 file uses an encryption or MAC scheme chainfix does not read; re-export it with `openssl pkcs12 -export`".into(),
            ))
        }
        Err(e) => Err(Decrypted::Malformed(format!(
            "the PKCS#12 structure could not be read ({e})"
        ))),
    }
}
