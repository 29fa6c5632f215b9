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
    "2.5.29.33", // policyMappings (chain::policies processes it)
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
    /// A self-signed root that is not in the trust store.
    RootNotTrusted,
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
            | Problem::NoKeyCertSign
            | Problem::PathLenExceeded { .. }
            | Problem::LeafKeyUsage => 3,
            Problem::Malformed { .. } | Problem::UnknownCriticalExtension { .. } => 4,
            Problem::BadSignature { .. } => 5,
            Problem::TooDeep { .. } => 6,
            Problem::Loop => 7,
            Problem::BudgetExhausted | Problem::RootNotTrusted => 8,
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
            Problem::RootNotTrusted => f.write_str("a root that is not in the trust store"),
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
    /// RFC 5280 / CA/Browser Forum profile faults of this certificate
    /// wherever it stands (serial, key, criticality, empty subject …).
    pub profile: Vec<String>,
    /// Profile faults that matter only when it issues (CA role).
    pub ca_profile: Vec<String>,
    /// Profile faults that matter only as the leaf.
    pub leaf_profile: Vec<String>,
    /// Profile faults that matter only as a trust anchor.
    pub anchor_profile: Vec<String>,
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
        let mut profile = Vec::new();
        let mut ca_profile = Vec::new();
        let mut leaf_profile = Vec::new();
        let mut anchor_profile = Vec::new();
        let serial = x.raw_serial();
        if serial.len() > 20 {
            profile.push(format!(
                "serial number of {} bytes (at most 20)",
                serial.len()
            ));
        }
        if serial.iter().all(|&b| b == 0) {
            // Some long-lived roots have serial 0; only issued certs are held to it.
            leaf_profile.push("serial number zero".into());
            ca_profile.push("serial number zero".into());
        }
        if let Some(k) = key_fault(&x) {
            profile.push(k);
        }
        let subject_empty = x.subject().iter().next().is_none();
        let crit = |oid: &str| -> Option<bool> {
            x.extensions()
                .iter()
                .find(|e| e.oid.to_id_string() == oid)
                .map(|e| e.critical)
        };
        if crit("2.5.29.35") == Some(true) {
            profile.push("authorityKeyIdentifier is critical".into());
        }
        if crit("2.5.29.14") == Some(true) {
            profile.push("subjectKeyIdentifier is critical".into());
        }
        if crit("2.5.29.36") == Some(false) {
            profile.push("policyConstraints is not critical".into());
        }
        match (crit("2.5.29.17"), subject_empty) {
            (Some(true), false) => {
                profile.push("subjectAltName is critical with a non-empty subject".into())
            }
            (Some(false), true) => {
                profile.push("subjectAltName is not critical with an empty subject".into())
            }
            (None, true) => profile.push("empty subject and no subjectAltName".into()),
            _ => {}
        }
        if let Some(ku) = key_usage
            && ku >> 5 & 1 == 1
            && !matches!(basic, Some((true, _)))
        {
            profile.push("keyUsage keyCertSign without basicConstraints CA".into());
        }
        for n in san.iter().flatten() {
            match n {
                GName::Dns(d) if !valid_dns_san(d) => {
                    profile.push(format!("invalid DNS name {d:?} in subjectAltName"))
                }
                GName::Email(e) if !valid_email(e) => {
                    profile.push(format!("invalid email {e:?} in subjectAltName"))
                }
                GName::Ip(b) if b.len() != 4 && b.len() != 16 => {
                    profile.push("invalid IP address in subjectAltName".into())
                }
                _ => {}
            }
        }
        if let Some(nc) = &constraints {
            if crit("2.5.29.30") == Some(false) {
                profile.push("nameConstraints is not critical".into());
            }
            if nc.permitted.as_ref().is_none_or(|p| p.is_empty()) && nc.excluded.is_empty() {
                profile.push("nameConstraints with no subtrees".into());
            }
            for c in nc.permitted.iter().flatten().chain(&nc.excluded) {
                if let GName::Dns(d) = c
                    && d.starts_with('.')
                {
                    profile.push(format!("DNS name constraint {d:?} has a leading period"));
                }
            }
            leaf_profile.push("nameConstraints in an end-entity certificate".into());
        }
        // Authority key identifier.
        let aki_ext = x
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => Some(a),
                _ => None,
            });
        match aki_ext {
            // RFC 5280 §4.2.1.1: a self-signed certificate MAY omit it (a
            // self-signed client certificate trusted directly is a leaf).
            None if cert.subject_raw() == cert.issuer_raw()
                && super::signature::verify_issued_by(cert, cert).is_ok() => {}
            None => {
                leaf_profile.push("no authorityKeyIdentifier".into());
                ca_profile.push("no authorityKeyIdentifier".into());
            }
            Some(a) => {
                if a.key_identifier.is_none() {
                    anchor_profile.push("authorityKeyIdentifier without keyIdentifier".into());
                }
                if a.authority_cert_issuer.is_some() || a.authority_cert_serial.is_some() {
                    anchor_profile
                        .push("authorityKeyIdentifier with authorityCertIssuer / serial".into());
                }
                if let (Some(k), Some(s)) = (&a.key_identifier, cert.subject_key_id())
                    && k.0 != s
                    && cert.subject_raw() == cert.issuer_raw()
                {
                    anchor_profile.push(
                        "self-signed with authorityKeyIdentifier ≠ subjectKeyIdentifier".into(),
                    );
                }
            }
        }
        if cert.subject_key_id().is_none() {
            ca_profile.push("no subjectKeyIdentifier".into());
            anchor_profile.push("no subjectKeyIdentifier".into());
        }
        if crit("2.5.29.19") == Some(false) {
            ca_profile.push("basicConstraints is not critical".into());
            anchor_profile.push("basicConstraints is not critical".into());
        }
        if subject_empty {
            ca_profile.push("CA with an empty subject".into());
            anchor_profile.push("CA with an empty subject".into());
        }
        if eku.is_some() {
            anchor_profile.push("trust anchor with extendedKeyUsage".into());
        }
        if crit("2.5.29.37") == Some(true) {
            leaf_profile.push("extendedKeyUsage is critical".into());
        }
        Facts {
            profile,
            ca_profile,
            leaf_profile,
            anchor_profile,
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
        for m in &self.profile {
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
        for m in &self.leaf_profile {
            out.push(Problem::Malformed { detail: m.clone() });
        }
        match &self.eku {
            None => {}
            Some(present) if present.iter().any(|o| o == OID_ANY_EKU) => {
                out.push(Problem::WrongEku {
                    required: policy.eku.clone(),
                    present: present.clone(),
                })
            }
            _ => {
                if let Err(p) = self.eku_ok(&policy.eku, false) {
                    out.push(p);
                }
            }
        }
        if let Some(ku) = self.key_usage
            && policy.leaf_key_usage.iter().any(|&b| ku >> b & 1 == 0)
        {
            out.push(Problem::LeafKeyUsage);
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
    /// with `anchor = true`: the anchor profile instead of the CA profile,
    /// but their validity period IS checked (as OpenSSL, Go and x509-limbo's
    /// rfc5280::validity::expired-root expect), although RFC 5280 §6.1.1 d
    /// makes a trust anchor only a name and a key.
    pub fn issuer_problems(&self, policy: &Policy, below: u32, anchor: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        self.common(policy.at, &mut out);
        match self.basic {
            Some((true, _)) => {}
            _ => out.push(Problem::NotCa),
        }
        for m in if anchor {
            &self.anchor_profile
        } else {
            &self.ca_profile
        } {
            out.push(Problem::Malformed { detail: m.clone() });
        }
        if let Some((_, Some(limit))) = self.basic
            && below > limit
        {
            out.push(Problem::PathLenExceeded { limit, below });
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

fn valid_dns_san(d: &str) -> bool {
    let body = d.strip_prefix("*.").unwrap_or(d);
    !body.is_empty()
        && body.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn valid_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((l, h)) => {
            !l.is_empty() && !h.contains('@') && valid_dns_san(h) && !h.starts_with("*.")
        }
        None => false,
    }
}

/// Keys the Web PKI refuses: RSA under 2048 bits or not a multiple of 8,
/// EC curves other than P-256 / P-384 / P-521, DSA.
fn key_fault(x: &X509Certificate<'_>) -> Option<String> {
    let spki = x.public_key();
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => {
            if let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = spki.parsed() {
                let m: Vec<u8> = rsa
                    .modulus
                    .iter()
                    .copied()
                    .skip_while(|&b| b == 0)
                    .collect();
                let bits = if m.is_empty() {
                    0
                } else {
                    (m.len() - 1) * 8 + (8 - m[0].leading_zeros() as usize)
                };
                if bits < 2048 {
                    return Some(format!("RSA key of {bits} bits (at least 2048)"));
                }
                if bits % 8 != 0 {
                    return Some(format!("RSA key of {bits} bits (not a multiple of 8)"));
                }
            }
            None
        }
        "1.2.840.10045.2.1" => {
            let curve = crate::model::named_curve_oid(spki);
            match curve.as_str() {
                "1.2.840.10045.3.1.7" | "1.3.132.0.34" | "1.3.132.0.35" => None,
                c => Some(format!("EC key on curve {c} (only P-256, P-384, P-521)")),
            }
        }
        "1.2.840.10040.4.1" => Some("DSA key".into()),
        _ => None,
    }
}
