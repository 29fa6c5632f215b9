//! PKCS#12 (.p12/.pfx) through the `p12-keystore` crate: modern encryption
//! by default (PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256
//! MAC: Java 17's and OpenSSL 3's defaults), or `--legacy` (3DES and
//! HMAC-SHA1) for old consumers. Never RC2-40: OpenSSL 3 and curl refuse it.

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKeyChain,
};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};
use crate::model::{Cert, PrivateKey};

/// Which encryption the file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC.
    Modern,
    /// 3DES (pbeWithSHAAnd3-KeyTripleDES-CBC), HMAC-SHA1 MAC.
    Legacy,
}

/// Iterations: Java 17's default for both schemes (10 000); OpenSSL's
/// legacy default is 2 048, which every old reader accepts.
const MODERN_ITERATIONS: u32 = 10_000;
const LEGACY_ITERATIONS: u32 = 2_048;

fn crypto(detail: impl std::fmt::Display) -> Error {
    Error::Crypto {
        what: "PKCS#12 file".into(),
        detail: detail.to_string(),
    }
}

/// A PKCS#12 file with one key entry under `alias`: the key and `chain`
/// (leaf first), encrypted and MACed with `password`.
pub fn write(
    alias: &str,
    key: &PrivateKey,
    chain: &[&Cert],
    password: &str,
    encryption: Encryption,
) -> Result<Vec<u8>> {
    let leaf = chain
        .first()
        .ok_or_else(|| crypto("no certificate for the key"))?;
    let local_key_id: Vec<u8> = Sha1::digest(leaf.der()).to_vec();
    let p12_key = p12_keystore::PrivateKey::from_der(key.pkcs8_der()).map_err(crypto)?;
    let certs = chain
        .iter()
        .map(|c| Certificate::from_der(c.der()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(crypto)?;
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, p12_key, certs)),
    );
    let w = store.writer(password);
    let w = match encryption {
        Encryption::Modern => w
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .encryption_iterations(MODERN_ITERATIONS)
            .mac_algorithm(MacAlgorithm::HmacSha256)
            .mac_iterations(MODERN_ITERATIONS),
        Encryption::Legacy => w
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .encryption_iterations(LEGACY_ITERATIONS)
            .mac_algorithm(MacAlgorithm::HmacSha1)
            .mac_iterations(LEGACY_ITERATIONS),
    };
    w.write().map_err(crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_modern_and_legacy_and_reads_them_back() {
        let (cert, key) = crate::keystore::sample_cert_and_key();
        for enc in [Encryption::Modern, Encryption::Legacy] {
            let bytes = write("a", &key, &[&cert], "pw", enc).unwrap();
            // Read back through the one reader every command uses.
            let pw = crate::parse::FixedPassword(zeroize::Zeroizing::new("pw".to_string()));
            let mut inv = crate::parse::Inventory::default();
            crate::parse::parse_source(&bytes, "t.p12", Some("p12"), &pw, &mut inv);
            assert!(inv.problems.is_empty(), "{:?}", inv.problems);
            assert_eq!(inv.certs, vec![cert.clone()]);
            assert_eq!(inv.keys[0].pkcs8_der(), key.pkcs8_der());
            let wrong = crate::parse::FixedPassword(zeroize::Zeroizing::new("wrong".to_string()));
            let mut inv = crate::parse::Inventory::default();
            crate::parse::parse_source(&bytes, "t.p12", Some("p12"), &wrong, &mut inv);
            assert!(matches!(inv.problems[..], [Error::WrongPassword { .. }]));
        }
    }
}
