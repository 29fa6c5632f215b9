//! Keys and keystores: our own JKS writer and reader ([`jks`], which
//! also reads JCEKS with [`jceks`]'s key protector), PKCS#12
//! writing ([`p12`]), Salesforce's import rules checked before anything is
//! written ([`salesforce`]), and new keys and CSRs ([`csr`]). Keys are
//! read by [`crate::parse::keys`], the one key reader.

pub mod csr;
pub mod jceks;
pub mod jks;
pub mod p12;
pub mod salesforce;
pub mod subject;

/// A self-signed P-256 certificate and its key, for the writers' unit tests.
#[cfg(test)]
pub(crate) fn sample_cert_and_key() -> (crate::model::Cert, crate::model::PrivateKey) {
    use crate::model::{Cert, KeyFormat, Origin};
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["a.test".into()])
        .unwrap()
        .self_signed(&kp)
        .unwrap();
    let cert = Cert::from_der(cert.der().to_vec(), Origin::file("c")).unwrap();
    let key =
        crate::parse::keys::from_pkcs8(&kp.serialize_der(), KeyFormat::Pkcs8, Origin::file("k"))
            .unwrap();
    (cert, key)
}
