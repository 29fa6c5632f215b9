//! A new private key and a certificate signing request, the first step of
//! every journey: the CSR carries the subject, the SANs and, in its
//! extensionRequest, the Extended Key Usage of the role (clientAuth for
//! mutual TLS towards Salesforce, serverAuth for a server).
//!
//! RSA keys come from the `rsa` crate (ring cannot generate RSA) with the
//! OS random source behind ring's `SystemRandom`; P-256 keys from ring via
//! rcgen. Signing the CSR goes through rcgen with ring.

use std::str::FromStr;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType,
};
use ring::rand::SecureRandom;

use crate::error::{Error, Result};
use crate::model::{KeyAlgorithm, KeyFormat, Origin, PrivateKey};

/// `--key-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyType {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    P256,
}

/// `--role`: which Extended Key Usage the CSR asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    Client,
    Server,
}

fn crypto(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Crypto {
        what: what.to_string(),
        detail: detail.to_string(),
    }
}

/// rand_core 0.6 adapter over ring's OS random source, for the `rsa` crate.
struct OsRandom(ring::rand::SystemRandom);

impl rsa::rand_core::RngCore for OsRandom {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0
            .fill(dest)
            .expect("the operating system's random source works")
    }
    fn try_fill_bytes(
        &mut self,
        dest: &mut [u8],
    ) -> std::result::Result<(), rsa::rand_core::Error> {
        self.0
            .fill(dest)
            .map_err(|_| rsa::rand_core::Error::from(core::num::NonZeroU32::new(1).expect("1")))
    }
}

impl rsa::rand_core::CryptoRng for OsRandom {}

/// A new private key of `kind`, named `origin` in messages.
pub fn generate_key(kind: KeyType, origin: Origin) -> Result<PrivateKey> {
    let der: zeroize::Zeroizing<Vec<u8>> = match kind {
        KeyType::P256 => {
            let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|e| crypto("P-256 key", e))?;
            zeroize::Zeroizing::new(kp.serialize_der())
        }
        KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
            use rsa::pkcs8::EncodePrivateKey;
            let bits = match kind {
                KeyType::Rsa2048 => 2048,
                KeyType::Rsa3072 => 3072,
                _ => 4096,
            };
            let mut rng = OsRandom(ring::rand::SystemRandom::new());
            let k = rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|e| crypto("RSA key", e))?;
            let doc = k.to_pkcs8_der().map_err(|e| crypto("RSA key", e))?;
            zeroize::Zeroizing::new(doc.as_bytes().to_vec())
        }
    };
    crate::parse::keys::from_pkcs8(&der, KeyFormat::Pkcs8, origin)
        .map_err(|d| crypto("key", d.to_string()))
}

/// Parses `CN=a, O=b, C=US` (or OpenSSL's `/CN=a/O=b/C=US`).
pub fn parse_subject(s: &str) -> Result<DistinguishedName> {
    let bad = |why: String| {
        Error::Usage(format!(
            "--subject {s:?} {why}; write it like \"CN=client.example.com, O=Example, C=US\""
        ))
    };
    let parts: Vec<&str> = if s.trim_start().starts_with('/') {
        s.split('/').collect()
    } else {
        s.split(',').collect()
    };
    let mut dn = DistinguishedName::new();
    let mut any = false;
    for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| bad(format!("has {p:?} without '='")))?;
        let v = v.trim();
        if v.is_empty() {
            return Err(bad(format!("has an empty value for {k}")));
        }
        let t = match k.trim().to_ascii_uppercase().as_str() {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "C" => DnType::CountryName,
            "ST" | "S" => DnType::StateOrProvinceName,
            "L" => DnType::LocalityName,
            other => {
                return Err(bad(format!(
                    "uses {other}, which chainfix does not know (CN, O, OU, C, ST, L)"
                )));
            }
        };
        if t == DnType::CountryName && v.len() != 2 {
            return Err(bad(format!("has C={v}; a country is two letters")));
        }
        dn.push(t, v);
        any = true;
    }
    if !any {
        return Err(bad("is empty".into()));
    }
    Ok(dn)
}

/// Parses one `--san`: `DNS:name`, `IP:addr`, `email:addr`, `URI:uri`, or a
/// bare name / address.
pub fn parse_san(s: &str) -> Result<SanType> {
    let bad = |why: &str| {
        Error::Usage(format!(
            "--san {s:?} {why}; write DNS:host.example.com, IP:10.0.0.1, email:a@example.com or URI:https://…"
        ))
    };
    let (kind, value) = match s.split_once(':') {
        Some((k, v))
            if ["dns", "ip", "email", "uri"].contains(&k.to_ascii_lowercase().as_str()) =>
        {
            (k.to_ascii_lowercase(), v)
        }
        _ => (String::new(), s),
    };
    let ia5 = |v: &str| rcgen::string::Ia5String::try_from(v).map_err(|_| bad("is not ASCII"));
    Ok(match kind.as_str() {
        "dns" => SanType::DnsName(ia5(value)?),
        "ip" => SanType::IpAddress(
            std::net::IpAddr::from_str(value).map_err(|_| bad("is not an IP address"))?,
        ),
        "email" => SanType::Rfc822Name(ia5(value)?),
        "uri" => SanType::URI(ia5(value)?),
        _ => match std::net::IpAddr::from_str(value) {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(ia5(value)?),
        },
    })
}

/// A PEM CSR for `key`, signed by it, asking for `role`'s EKU.
pub fn make_csr(
    key: &PrivateKey,
    subject: DistinguishedName,
    sans: Vec<SanType>,
    role: Role,
) -> Result<String> {
    let kp = rcgen::KeyPair::try_from(key.pkcs8_der()).map_err(|e| {
        crypto(
            "CSR",
            format!("the key {} cannot sign ({e})", key.first_origin()),
        )
    })?;
    let mut params = CertificateParams::default();
    params.distinguished_name = subject;
    params.subject_alt_names = sans;
    params.key_usages = match key.algorithm() {
        KeyAlgorithm::Rsa { .. } => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ],
        _ => vec![KeyUsagePurpose::DigitalSignature],
    };
    params.extended_key_usages = vec![match role {
        Role::Client => ExtendedKeyUsagePurpose::ClientAuth,
        Role::Server => ExtendedKeyUsagePurpose::ServerAuth,
    }];
    let csr = params
        .serialize_request(&kp)
        .map_err(|e| crypto("CSR", e))?;
    csr.pem().map_err(|e| crypto("CSR", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_in_both_spellings() {
        assert!(parse_subject("CN=a.example, O=Ex, C=US").is_ok());
        assert!(parse_subject("/CN=a.example/O=Ex").is_ok());
        assert!(parse_subject("CN=a, C=USA").is_err());
        assert!(parse_subject("hello").is_err());
        assert!(parse_subject("").is_err());
    }

    #[test]
    fn sans() {
        assert!(matches!(
            parse_san("DNS:a.example").unwrap(),
            SanType::DnsName(_)
        ));
        assert!(matches!(
            parse_san("10.0.0.1").unwrap(),
            SanType::IpAddress(_)
        ));
        assert!(matches!(
            parse_san("email:a@b.c").unwrap(),
            SanType::Rfc822Name(_)
        ));
        assert!(parse_san("IP:nope").is_err());
    }

    #[test]
    fn p256_csr_carries_client_auth() {
        let k = generate_key(KeyType::P256, Origin::file("new")).unwrap();
        let pem = make_csr(
            &k,
            parse_subject("CN=client").unwrap(),
            vec![parse_san("DNS:client.example").unwrap()],
            Role::Client,
        )
        .unwrap();
        let der = ::pem::parse(pem).unwrap().into_contents();
        use x509_parser::prelude::FromDer;
        let (_, req) =
            x509_parser::certification_request::X509CertificationRequest::from_der(&der).unwrap();
        let exts: Vec<String> = req
            .requested_extensions()
            .into_iter()
            .flatten()
            .map(|e| format!("{e:?}"))
            .collect();
        assert!(
            exts.iter().any(|e| e.contains("client_auth: true")),
            "{exts:?}"
        );
    }
}
