//! Validation of one certificate in its place on a path (RFC 5280 §6,
//! simplified to what a TLS peer enforces): validity at a given time,
//! basicConstraints and pathLen, keyUsage keyCertSign, unknown critical
//! extensions, EKU of the leaf for the role and EKU nesting through
//! issuers, name constraints, and the leaf's host / IP / email.
//!
//! [`Facts`] are read once per certificate so that path building over a
//! large pool does not re-parse; the checks return [`Problem`]s ranked by
//! how specific they are, so that a report can say "expired" before
//! "unknown issuer".

use serde::Serialize;
use x509_parser::prelude::*;

use super::names::{Constraints, GName, PeerName, peer_matches};
use crate::model::Cert;

pub const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub const OID_ANY_EKU: &str = "2.5.29.37.0";

/// Extensions chainfix understands well enough to accept when critical.
const KNOWN_CRITICAL: &[&str] = &[
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extKeyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.30", // nameConstraints
    "2.5.29.32", // certificatePolicies (no policy is required of the path)
    "2.5.29.54", // inhibitAnyPolicy
    "2.5.29.36", // policyConstraints
];

/// The role the leaf plays, which fixes the EKU it must carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Server,
    Client,
}

impl Role {
    pub fn eku_oid(self) -> &'static str {
        match self {
            Role::Server => OID_SERVER_AUTH,
            Role::Client => OID_CLIENT_AUTH,
        }
    }
}

/// What the path must satisfy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Validation time, Unix seconds.
    pub at: i64,
    /// EKU OIDs the leaf must carry (when it has an EKU extension).
    pub eku: Vec<String>,
    /// Names the leaf must carry in its SAN (all of them).
    pub names: Vec<PeerName>,
    /// Most intermediates allowed between leaf and anchor.
    pub max_intermediates: usize,
    /// Key usages the leaf must allow (when it has a keyUsage extension),
    /// as bit numbers (0 = digitalSignature).
    pub leaf_key_usage: Vec<u8>,
}

/// Intermediates allowed by default: rustls-webpki's MAX_SUB_CA_COUNT is 6;
/// chainfix allows 8 because Java and OpenSSL (depth 100) are laxer.
pub const DEFAULT_MAX_INTERMEDIATES: usize = 8;

impl Policy {
    pub fn new(at: i64, role: Role) -> Policy {
        Policy {
            at,
            eku: vec![role.eku_oid().to_string()],
            names: Vec::new(),
            max_intermediates: DEFAULT_MAX_INTERMEDIATES,
            leaf_key_usage: Vec::new(),
        }
    }
}

/// One reason a certificate cannot stand where it was tried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    Expired {
        not_after: i64,
    },
    NotYetValid {
        not_before: i64,
    },
    Malformed {
        detail: String,
    },
    UnknownCriticalExtension {
        oid: String,
    },
    NotCa,
    CaAsLeaf,
    NoKeyCertSign,
    PathLenExceeded {
        limit: u32,
        below: u32,
    },
    WrongEku {
        required: Vec<String>,
        present: Vec<String>,
    },
    LeafKeyUsage,
    NameConstraint {
        detail: String,
    },
    NameMismatch {
        wanted: String,
    },
    TooDeep {
        max_intermediates: usize,
    },
    BadSignature {
        detail: String,
    },
    Loop,
    UnknownIssuer,
    BudgetExhausted,
}

impl Problem {
    /// Lower is more specific: a problem with the certificate itself beats
    /// one about where it sits, which beats "no issuer found".
    pub fn rank(&self) -> u8 {
        match self {
            Problem::Expired { .. } | Problem::NotYetValid { .. } => 0,
            Problem::WrongEku { .. } | Problem::NameMismatch { .. } => 1,
            Problem::NameConstraint { .. } => 2,
            Problem::NotCa
            | Problem::CaAsLeaf
            | Problem::NoKeyCertSign
            | Problem::PathLenExceeded { .. }
            | Problem::LeafKeyUsage => 3,
            Problem::Malformed { .. } | Problem::UnknownCriticalExtension { .. } => 4,
            Problem::BadSignature { .. } => 5,
            Problem::TooDeep { .. } => 6,
            Problem::Loop => 7,
            Problem::BudgetExhausted => 8,
            Problem::UnknownIssuer => 9,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Expired { not_after } => write!(f, "expired ({})", ts(*not_after)),
            Problem::NotYetValid { not_before } => {
                write!(f, "not valid yet (from {})", ts(*not_before))
            }
            Problem::Malformed { detail } => write!(f, "malformed: {detail}"),
            Problem::UnknownCriticalExtension { oid } => {
                write!(f, "unknown critical extension {oid}")
            }
            Problem::NotCa => f.write_str("not a CA (basicConstraints CA is not set)"),
            Problem::CaAsLeaf => f.write_str("a CA certificate used as the leaf"),
            Problem::NoKeyCertSign => f.write_str("keyUsage lacks keyCertSign"),
            Problem::PathLenExceeded { limit, below } => write!(
                f,
                "pathLenConstraint {limit} but {below} intermediate(s) below it"
            ),
            Problem::WrongEku { required, present } => write!(
                f,
                "extended key usage {} does not include {}",
                present
                    .iter()
                    .map(|o| eku_name(o))
                    .collect::<Vec<_>>()
                    .join(", "),
                required
                    .iter()
                    .map(|o| eku_name(o))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Problem::LeafKeyUsage => f.write_str("keyUsage does not allow this use"),
            Problem::NameConstraint { detail } => write!(f, "name constraints: {detail}"),
            Problem::NameMismatch { wanted } => {
                write!(f, "the certificate is not valid for {wanted}")
            }
            Problem::TooDeep { max_intermediates } => {
                write!(f, "more than {max_intermediates} intermediates")
            }
            Problem::BadSignature { detail } => write!(f, "signature: {detail}"),
            Problem::Loop => f.write_str("issuer already on the path (loop)"),
            Problem::UnknownIssuer => f.write_str("unknown issuer"),
            Problem::BudgetExhausted => f.write_str("path-building budget exhausted"),
        }
    }
}

pub fn eku_name(oid: &str) -> String {
    match oid {
        OID_SERVER_AUTH => "serverAuth".into(),
        OID_CLIENT_AUTH => "clientAuth".into(),
        OID_ANY_EKU => "anyExtendedKeyUsage".into(),
        "1.3.6.1.5.5.7.3.3" => "codeSigning".into(),
        "1.3.6.1.5.5.7.3.4" => "emailProtection".into(),
        "1.3.6.1.5.5.7.3.8" => "timeStamping".into(),
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning".into(),
        o => o.to_string(),
    }
}

fn ts(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// What validation needs from one certificate, read once.
#[derive(Clone, Debug)]
pub struct Facts {
    pub version: u32,
    /// basicConstraints: (cA, pathLenConstraint), when present.
    pub basic: Option<(bool, Option<u32>)>,
    pub key_usage: Option<u16>,
    pub eku: Option<Vec<String>>,
    /// SAN entries, when the extension is present.
    pub san: Option<Vec<GName>>,
    /// Every name subject to name constraints: SAN, subject DN, subject emails.
    pub constrained_names: Vec<GName>,
    /// Subject CNs, used as DNS names for constraints only when no SAN exists.
    pub subject_cns: Vec<String>,
    pub constraints: Option<Constraints>,
    pub unknown_critical: Vec<String>,
    pub malformed: Option<String>,
    pub self_issued: bool,
    pub not_before: i64,
    pub not_after: i64,
}

impl Facts {
    pub fn of(cert: &Cert) -> Facts {
        let x = cert.parsed();
        let mut malformed = None;
        let mut note = |e: String| {
            if malformed.is_none() {
                malformed = Some(e);
            }
        };
        let basic = match x.basic_constraints() {
            Ok(b) => b.map(|b| (b.value.ca, b.value.path_len_constraint)),
            Err(e) => {
                note(format!("basicConstraints: {e}"));
                None
            }
        };
        let key_usage = match x.key_usage() {
            Ok(k) => k.map(|k| k.value.flags),
            Err(e) => {
                note(format!("keyUsage: {e}"));
                None
            }
        };
        let eku = match x.extended_key_usage() {
            Ok(k) => k.map(|k| {
                let v = k.value;
                let mut out = Vec::new();
                if v.any {
                    out.push(OID_ANY_EKU.to_string());
                }
                if v.server_auth {
                    out.push(OID_SERVER_AUTH.to_string());
                }
                if v.client_auth {
                    out.push(OID_CLIENT_AUTH.to_string());
                }
                for (b, o) in [
                    (v.code_signing, "1.3.6.1.5.5.7.3.3"),
                    (v.email_protection, "1.3.6.1.5.5.7.3.4"),
                    (v.time_stamping, "1.3.6.1.5.5.7.3.8"),
                    (v.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                ] {
                    if b {
                        out.push(o.to_string());
                    }
                }
                out.extend(v.other.iter().map(|o| o.to_id_string()));
                out
            }),
            Err(e) => {
                note(format!("extKeyUsage: {e}"));
                None
            }
        };
        let san = match x.subject_alternative_name() {
            Ok(s) => s.map(|s| {
                s.value
                    .general_names
                    .iter()
                    .map(GName::from_general)
                    .collect::<Vec<_>>()
            }),
            Err(e) => {
                note(format!("subjectAltName: {e}"));
                None
            }
        };
        let constraints = match x.name_constraints() {
            Ok(n) => n.map(|n| Constraints {
                permitted: n
                    .value
                    .permitted_subtrees
                    .as_ref()
                    .map(|p| p.iter().map(|s| GName::from_general(&s.base)).collect()),
                excluded: n
                    .value
                    .excluded_subtrees
                    .as_ref()
                    .map(|p| p.iter().map(|s| GName::from_general(&s.base)).collect())
                    .unwrap_or_default(),
            }),
            Err(e) => {
                note(format!("nameConstraints: {e}"));
                None
            }
        };
        let mut unknown_critical = Vec::new();
        for ext in x.extensions() {
            let oid = ext.oid.to_id_string();
            if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
                note(format!("extension {oid}: {error}"));
            }
            if ext.critical && !KNOWN_CRITICAL.contains(&oid.as_str()) {
                unknown_critical.push(oid);
            }
        }
        let mut constrained_names: Vec<GName> = san.clone().unwrap_or_default();
        if !x.subject().as_raw().is_empty() && x.subject().iter().next().is_some() {
            constrained_names.push(GName::Dir(super::names::dir_of(x.subject())));
        }
        for e in x.subject().iter_email() {
            if let Ok(s) = e.as_str() {
                constrained_names.push(GName::Email(s.to_string()));
            }
        }
        let subject_cns = x
            .subject()
            .iter_common_name()
            .filter_map(|a| a.as_str().ok().map(str::to_string))
            .collect();
        Facts {
            version: x.version().0,
            basic,
            key_usage,
            eku,
            san,
            constrained_names,
            subject_cns,
            constraints,
            unknown_critical,
            malformed,
            self_issued: cert.subject_raw() == cert.issuer_raw(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
        }
    }

    pub fn is_ca(&self) -> bool {
        matches!(self.basic, Some((true, _)))
    }

    fn common(&self, at: i64, out: &mut Vec<Problem>) {
        if at > self.not_after {
            out.push(Problem::Expired {
                not_after: self.not_after,
            });
        }
        if at < self.not_before {
            out.push(Problem::NotYetValid {
                not_before: self.not_before,
            });
        }
        if let Some(m) = &self.malformed {
            out.push(Problem::Malformed { detail: m.clone() });
        }
        for oid in &self.unknown_critical {
            out.push(Problem::UnknownCriticalExtension { oid: oid.clone() });
        }
    }

    fn eku_ok(&self, required: &[String], allow_any: bool) -> Result<(), Problem> {
        let Some(present) = &self.eku else {
            return Ok(());
        };
        if required.is_empty()
            || required.iter().any(|r| present.contains(r))
            || (allow_any && present.iter().any(|p| p == OID_ANY_EKU))
        {
            return Ok(());
        }
        Err(Problem::WrongEku {
            required: required.to_vec(),
            present: present.clone(),
        })
    }

    /// Problems of the end-entity certificate, independent of the path.
    pub fn leaf_problems(&self, policy: &Policy) -> Vec<Problem> {
        let mut out = Vec::new();
        self.common(policy.at, &mut out);
        if self.is_ca() {
            out.push(Problem::CaAsLeaf);
        }
        if let Err(p) = self.eku_ok(&policy.eku, false) {
            out.push(p);
        }
        if let Some(ku) = self.key_usage {
            if policy.leaf_key_usage.iter().any(|&b| ku >> b & 1 == 0) {
                out.push(Problem::LeafKeyUsage);
            }
        }
        let san = self.san.as_deref().unwrap_or(&[]);
        for want in &policy.names {
            if !peer_matches(san, want) {
                out.push(Problem::NameMismatch {
                    wanted: want.to_string(),
                });
            }
        }
        out.sort_by_key(Problem::rank);
        out
    }

    /// Problems of an issuing CA, given the number of non-self-issued
    /// intermediates below it (the leaf not counted). Anchors are checked
    /// with `anchor = true`: only their constraints, not their validity
    /// period (a trust anchor is a name and a key; RFC 5280 §6.1.1 d).
    pub fn issuer_problems(&self, policy: &Policy, below: u32, anchor: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        if anchor {
            if let Some(m) = &self.malformed {
                out.push(Problem::Malformed { detail: m.clone() });
            }
        } else {
            self.common(policy.at, &mut out);
            match self.basic {
                Some((true, _)) => {}
                _ => out.push(Problem::NotCa),
            }
        }
        if let Some((_, Some(limit))) = self.basic {
            if below > limit {
                out.push(Problem::PathLenExceeded { limit, below });
            }
        }
        if let Some(ku) = self.key_usage {
            // keyCertSign is bit 5.
            if ku >> 5 & 1 == 0 {
                out.push(Problem::NoKeyCertSign);
            }
        }
        if let Err(p) = self.eku_ok(&policy.eku, true) {
            out.push(p);
        }
        out.sort_by_key(Problem::rank);
        out
    }

    /// The names of this certificate that a CA's name constraints apply to.
    pub fn names_for_constraints(&self, is_leaf: bool) -> Vec<GName> {
        let mut names = self.constrained_names.clone();
        if is_leaf && self.san.is_none() {
            for cn in &self.subject_cns {
                if looks_like_dns(cn) {
                    names.push(GName::Dns(cn.clone()));
                }
            }
        }
        names
    }
}

fn looks_like_dns(s: &str) -> bool {
    s.contains('.')
        && s.parse::<std::net::IpAddr>().is_err()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'*')
}
