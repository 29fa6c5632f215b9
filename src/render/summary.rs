//! A flat, serialisable description of a certificate or key, shared by
//! every command's table and JSON. Field names are a documented contract
//! (docs/json.md): add fields, never rename them.

use serde::Serialize;
use x509_parser::prelude::*;

use crate::model::{Cert, KeyAlgorithm, KeyFormat, PrivateKey};

/// What `inspect` and the reports say about one certificate.
#[derive(Clone, Debug, Serialize)]
pub struct CertSummary {
    pub kind: &'static str,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub key: KeyAlgorithm,
    pub signature_algorithm: String,
    pub is_ca: bool,
    pub self_issued: bool,
    pub eku: Vec<String>,
    pub sans: Vec<String>,
    pub ca_issuers: Vec<String>,
    pub ocsp: Vec<String>,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    pub sha256: String,
    pub sources: Vec<String>,
    /// SHA-256 of the SubjectPublicKeyInfo: equal to a private key's
    /// `public_key_sha256` when that key belongs to this certificate.
    pub public_key_sha256: String,
    /// Why OpenSSL (and so curl, nginx, Python) refuses to parse this
    /// certificate although chainfix read it; null when it does not.
    pub openssl_refuses: Option<String>,
}

/// What the reports say about a private key (never the key itself).
#[derive(Clone, Debug, Serialize)]
pub struct KeySummary {
    pub kind: &'static str,
    pub key: KeyAlgorithm,
    pub format: KeyFormat,
    /// SHA-256 of the public key info: safe to show, stable across formats.
    pub public_key_sha256: String,
    pub sources: Vec<String>,
}

impl KeySummary {
    pub fn of(k: &PrivateKey) -> KeySummary {
        KeySummary {
            kind: "private-key",
            key: k.algorithm().clone(),
            format: k.format,
            public_key_sha256: k.public_id().hex(),
            sources: k.origins.iter().map(ToString::to_string).collect(),
        }
    }
}

pub use crate::model::rfc3339;

/// `YYYY-MM-DD` for tables.
pub fn date(t: i64) -> String {
    rfc3339(t).chars().take(10).collect()
}

/// Names for the EKU purposes a certificate lists.
pub fn eku_names(x: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(eku)) = x.extended_key_usage() else {
        return Vec::new();
    };
    let e = eku.value;
    let mut v = Vec::new();
    for (on, name) in [
        (e.server_auth, "serverAuth"),
        (e.client_auth, "clientAuth"),
        (e.code_signing, "codeSigning"),
        (e.email_protection, "emailProtection"),
        (e.time_stamping, "timeStamping"),
        (e.ocsp_signing, "OCSPSigning"),
        (e.any, "anyExtendedKeyUsage"),
    ] {
        if on {
            v.push(name.to_string());
        }
    }
    v.extend(e.other.iter().map(|o| o.to_id_string()));
    v
}

fn sans(x: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = x.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .map(|g| match g {
            GeneralName::DNSName(d) => format!("DNS:{d}"),
            GeneralName::RFC822Name(e) => format!("email:{e}"),
            GeneralName::URI(u) => format!("URI:{u}"),
            GeneralName::IPAddress(ip) => match ip.len() {
                4 => format!(
                    "IP:{}",
                    std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*ip).unwrap_or_default())
                ),
                16 => format!(
                    "IP:{}",
                    std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*ip).unwrap_or_default())
                ),
                _ => format!("IP:{}", hex::encode(ip)),
            },
            other => format!("{other}"),
        })
        .collect()
}

/// The serial as colon-separated hex of its DER content (`0a:1b:…`), as
/// `openssl x509 -text` shows it; a negative serial (RFC 5280 forbids
/// them, some CAs wrote them) as OpenSSL's `-serial` does: a minus sign and
/// the magnitude in upper-case hex, `-04316693ED`.
pub fn serial_text(raw: &[u8]) -> String {
    if raw.first().is_some_and(|b| b & 0x80 != 0) {
        // Two's complement: invert and add one.
        let mut mag: Vec<u8> = raw.iter().map(|b| !b).collect();
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        let start = mag.iter().position(|&b| b != 0).unwrap_or(mag.len() - 1);
        return format!("-{}", hex::encode_upper(&mag[start..]));
    }
    raw.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.3.101.113" => "ED448",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        "1.2.840.10040.4.3" => "dsaWithSHA1",
        "1.3.101.112" => "Ed25519",
        other => other,
    }
    .to_string()
}

impl CertSummary {
    pub fn of(c: &Cert) -> CertSummary {
        let x = c.parsed();
        let kind = if c.is_self_issued() && c.is_ca() {
            "root"
        } else if c.is_ca() {
            "ca"
        } else {
            "end-entity"
        };
        CertSummary {
            kind,
            subject: c.subject().to_string(),
            issuer: c.issuer().to_string(),
            serial: serial_text(x.raw_serial()),
            public_key_sha256: crate::model::CertId::of(c.spki_raw()).hex(),
            openssl_refuses: crate::dn::name_problem(x.subject())
                .map(|p| format!("in its subject, {p}"))
                .or_else(|| {
                    crate::dn::name_problem(x.issuer()).map(|p| format!("in its issuer, {p}"))
                }),
            not_before: rfc3339(c.not_before()),
            not_after: rfc3339(c.not_after()),
            key: crate::model::key_algorithm_of(x.public_key()),
            signature_algorithm: signature_name(&x.signature_algorithm.algorithm.to_id_string()),
            is_ca: c.is_ca(),
            self_issued: c.is_self_issued(),
            eku: eku_names(&x),
            sans: sans(&x),
            ca_issuers: c.ca_issuer_urls(),
            ocsp: c.ocsp_urls(),
            subject_key_id: c.subject_key_id().map(hex::encode),
            authority_key_id: c.authority_key_id().map(hex::encode),
            sha256: c.id().hex(),
            sources: c.origins.iter().map(ToString::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::serial_text;

    #[test]
    fn serials_positive_and_negative_as_openssl_shows_them() {
        assert_eq!(serial_text(&[0x00, 0x9f, 0x01]), "00:9f:01");
        assert_eq!(serial_text(&[0xfb, 0xce, 0x99, 0x6c, 0x13]), "-04316693ED");
        assert_eq!(serial_text(&[0xff]), "-01");
        assert_eq!(serial_text(&[0x80]), "-80");
    }
}
