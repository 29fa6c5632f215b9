//! The PEM files curl and Salesforce take: an optional private key (PKCS#8,
//! encrypted with PBES2 when a password is given), then the leaf, then each
//! issuer in order. curl uses the first CERTIFICATE block as the client
//! certificate and sends the rest as its chain.

use pkcs8::der::pem::LineEnding;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Cert, PrivateKey};

/// The text of a fullcert file: key (if any), then `chain` in order.
/// Holds key material when `key` is given: callers write it as secret.
pub fn fullcert(
    key: Option<&PrivateKey>,
    key_password: Option<&str>,
    chain: &[&Cert],
) -> Result<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::new());
    if let Some(k) = key {
        out.push_str(&key_pem(k, key_password)?);
    }
    for c in chain {
        out.push_str(&c.to_pem());
    }
    Ok(out)
}

/// The key as `PRIVATE KEY` PEM, or `ENCRYPTED PRIVATE KEY` (PBES2:
/// PBKDF2-HMAC-SHA256 + AES-256-CBC, which OpenSSL 3 and curl read) when a
/// password is given.
pub fn key_pem(key: &PrivateKey, password: Option<&str>) -> Result<Zeroizing<String>> {
    let info =
        pkcs8::PrivateKeyInfoRef::try_from(key.pkcs8_der()).map_err(|e| Error::Malformed {
            origin: key.first_origin().to_string(),
            what: "the private key".into(),
            detail: e.to_string(),
        })?;
    let doc = match password {
        Some(pw) => {
            let enc = info.encrypt(pw.as_bytes()).map_err(|e| Error::Malformed {
                origin: key.first_origin().to_string(),
                what: "the private key (while encrypting it)".into(),
                detail: e.to_string(),
            })?;
            return enc
                .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
                .map_err(|e| Error::Malformed {
                    origin: key.first_origin().to_string(),
                    what: "the encrypted key".into(),
                    detail: e.to_string(),
                });
        }
        None => key.pkcs8_der(),
    };
    let text = ::pem::encode_config(
        &::pem::Pem::new("PRIVATE KEY", doc.to_vec()),
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    );
    Ok(Zeroizing::new(text))
}
