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
    CertificateParams, DistinguishedName, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType,
    SigningKey,
};

pub use super::subject::Subject;
use crate::parse::der;
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

/// Parses `CN=a, O=b, C=US` (RFC 4514) or OpenSSL's `/C=US/O=b/CN=a`:
/// see [`super::subject`].
pub fn parse_subject(s: &str) -> Result<Subject> {
    Subject::parse(s)
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

/// A PEM CSR for `key`, signed by it, asking for `role`'s EKU. A server
/// request without SANs gets one from the commonName (RFC 6125 §6.4.4:
/// clients ignore the CN when SANs could be present; lint requires one).
pub fn make_csr(
    key: &PrivateKey,
    subject: &Subject,
    mut sans: Vec<SanType>,
    role: Role,
) -> Result<String> {
    if role == Role::Server
        && sans.is_empty()
        && let Some(cn) = subject.common_name()
        && let Ok(san) = parse_san(cn)
    {
        sans.push(san);
    }
    let kp = rcgen::KeyPair::try_from(key.pkcs8_der()).map_err(|e| {
        crypto(
            "CSR",
            format!("the key {} cannot sign ({e})", key.first_origin()),
        )
    })?;
    let mut params = CertificateParams::default();
    // rcgen holds one value per attribute type and chooses string types
    // itself: the subject is put in below, and the request signed again.
    params.distinguished_name = DistinguishedName::new();
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
    let der_bytes = with_subject(csr.der(), &subject.der(), &kp)?;
    Ok(::pem::encode(&::pem::Pem::new("CERTIFICATE REQUEST", der_bytes)).replace("\r\n", "\n"))
}

/// The CSR `csr` with its subject replaced by `name` and signed again.
fn with_subject(csr: &[u8], name: &[u8], kp: &rcgen::KeyPair) -> Result<Vec<u8>> {
    let bad = |d: String| crypto("CSR", d);
    let (outer, _) = der::expect(csr, der::SEQUENCE).map_err(bad)?;
    let parts = der::children(outer.content).map_err(bad)?;
    let [info, alg, _sig] = parts.as_slice() else {
        return Err(bad("rcgen wrote an unexpected request".into()));
    };
    let fields = der::children(info.content).map_err(bad)?;
    let [version, _empty_name, rest @ ..] = fields.as_slice() else {
        return Err(bad("rcgen wrote an unexpected request".into()));
    };
    let mut body: Vec<&[u8]> = vec![version.raw, name];
    body.extend(rest.iter().map(|t| t.raw));
    let info = der::seq(&body);
    let sig = kp.sign(&info).map_err(|e| crypto("CSR", e))?;
    Ok(der::seq(&[&info, alg.raw, &der::bit_string(&sig)]))
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
            &parse_subject("CN=client").unwrap(),
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
