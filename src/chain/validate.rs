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
use crate::peer::{AnyEku, CertificatePolicies, CnConstraints, Peer, Profile};

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

/// The policy extensions: certificatePolicies, policyMappings,
/// policyConstraints, inhibitAnyPolicy.
const POLICY_EXTENSIONS: &[&str] = &["2.5.29.32", "2.5.29.33", "2.5.29.36", "2.5.29.54"];

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
    /// The role the leaf plays.
    pub role: Role,
    /// What the peer accepts beyond plain RFC 5280.
    pub profile: Profile,
    /// The anchors are a public root program's (the JDK ships the same CAs
    /// in its cacerts), so Java's `jdkCA` constraints apply: see
    /// [`Policy::trusting`].
    pub public_roots: bool,
    /// RFC 5280 §6.1 policy processing on every path found, with these
    /// initial inputs; `None`: no policy processing. From the profile
    /// ([`Profile::certificate_policies`]).
    pub policy_inputs: Option<super::policies::PolicyInputs>,
}

/// Intermediates allowed by default: rustls-webpki's MAX_SUB_CA_COUNT is 6;
/// chainfix allows 8 because Java and OpenSSL (depth 100) are laxer.
pub const DEFAULT_MAX_INTERMEDIATES: usize = 8;

impl Policy {
    /// The strict profile (rustls-webpki / CA/Browser Forum), as before
    /// peers were profiles: `for_peer(at, role, Peer::Webpki)`.
    pub fn new(at: i64, role: Role) -> Policy {
        Policy::for_peer(at, role, Peer::Webpki)
    }

    /// What `peer` requires of a chain in `role` at `at`.
    pub fn for_peer(at: i64, role: Role, peer: Peer) -> Policy {
        Policy::with_profile(at, role, peer.profile())
    }

    /// As [`Policy::for_peer`], with a profile adjusted by the caller
    /// (`--seclevel`).
    pub fn with_profile(at: i64, role: Role, profile: Profile) -> Policy {
        Policy {
            at,
            eku: vec![role.eku_oid().to_string()],
            names: Vec::new(),
            max_intermediates: profile.max_intermediates,
            leaf_key_usage: Vec::new(),
            role,
            profile,
            public_roots: false,
            policy_inputs: profile.certificate_policies.inputs(),
        }
    }

    /// Notes which store the anchors come from: chainfix's `mozilla` store
    /// stands in for the JDK's cacerts (the same public CAs), under which
    /// Java refuses SHA-1 on a server chain (`SHA1 jdkCA & usage TLSServer`).
    pub fn trusting(mut self, store: &str) -> Policy {
        self.public_roots = store == "mozilla";
        self
    }

    pub fn peer(&self) -> Peer {
        self.profile.peer
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
    /// Well-formed, but outside the RFC 5280 / CA/Browser Forum profile
    /// that the strict (webpki) peer enforces: a policy refusal.
    Profile {
        detail: String,
    },
    /// A key below the peer's minimum (OpenSSL security level, Java's
    /// disabledAlgorithms).
    WeakKey {
        algorithm: String,
        bits: u32,
        min_bits: u32,
        leaf: bool,
    },
    /// A signature algorithm the peer refuses (SHA-1 at OpenSSL level ≥ 1,
    /// MD5 everywhere).
    WeakSignature {
        algorithm: String,
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
    /// Its CA revoked it (found by the revocation stage, after the path
    /// was built): `detail` says when, why and per which CRL or responder.
    Revoked {
        detail: String,
    },
    /// Its revocation status could not be had, and the peer hard-fails.
    RevocationUnchecked {
        detail: String,
    },
    /// RFC 5280 §6.1 certificate policy processing refused the path at
    /// this certificate (peers whose profile processes policies:
    /// [`Profile::certificate_policies`]).
    Policy {
        failure: super::policies::PolicyFailure,
        detail: String,
    },
}

impl Problem {
    /// Lower is more specific: a problem with the certificate itself beats
    /// one about where it sits, which beats "no issuer found".
    pub fn rank(&self) -> u8 {
        match self {
            Problem::Expired { .. } | Problem::NotYetValid { .. } | Problem::Revoked { .. } => 0,
            Problem::RevocationUnchecked { .. } => 4,
            Problem::WrongEku { .. } | Problem::NameMismatch { .. } => 1,
            Problem::NameConstraint { .. } | Problem::Policy { .. } => 2,
            Problem::WeakKey { .. } | Problem::WeakSignature { .. } => 1,
            Problem::NotCa
            | Problem::NoKeyCertSign
            | Problem::PathLenExceeded { .. }
            | Problem::LeafKeyUsage => 3,
            Problem::Malformed { .. }
            | Problem::Profile { .. }
            | Problem::UnknownCriticalExtension { .. } => 4,
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
            Problem::Revoked { detail } | Problem::RevocationUnchecked { detail } => {
                write!(f, "{detail}")
            }
            Problem::Profile { detail } => {
                write!(f, "outside the RFC 5280 / CA/B Forum profile: {detail}")
            }
            Problem::WeakKey {
                algorithm,
                bits,
                min_bits,
                leaf,
            } => write!(
                f,
                "{} key is {algorithm} {bits} bits (the peer requires at least {min_bits})",
                if *leaf {
                    "the certificate's"
                } else {
                    "the CA's"
                }
            ),
            Problem::WeakSignature { algorithm } => {
                write!(f, "signed with {algorithm}, which the peer refuses")
            }
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
            Problem::Policy { detail, .. } => write!(f, "certificate policies: {detail}"),
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

use crate::model::rfc3339 as ts;

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
    /// Policy extensions marked critical (unknown to a peer that reads
    /// none: [`CertificatePolicies::Unsupported`]).
    pub critical_policy_extensions: Vec<String>,
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
    /// The subject key: algorithm name and size in bits.
    pub key: (&'static str, u32),
    /// This certificate's own signature: algorithm name and its strength
    /// in OpenSSL security bits (MD5 39, SHA-1 63, SHA-256 128).
    pub sig: (String, u32),
    /// The AKI is absent or names this certificate itself (its key id
    /// equals the SKI; no issuer/serial that differ).
    pub akid_names_self: bool,
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
        let mut critical_policy_extensions = Vec::new();
        for ext in x.extensions() {
            let oid = ext.oid.to_id_string();
            if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
                note(format!("extension {oid}: {error}"));
            }
            if ext.critical && POLICY_EXTENSIONS.contains(&oid.as_str()) {
                critical_policy_extensions.push(oid.clone());
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
            None if cert.is_self_issued()
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
                    && cert.is_self_issued()
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
        let akid_names_self = match &aki_ext {
            None => true,
            Some(a) => {
                a.key_identifier
                    .as_ref()
                    .is_none_or(|k| cert.subject_key_id().is_none_or(|s| s == k.0))
                    && a.authority_cert_serial.is_none_or(|s| s == x.raw_serial())
                    && a.authority_cert_issuer.is_none()
            }
        };
        Facts {
            akid_names_self,
            key: key_size(&x),
            sig: sig_strength(&x),
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
            critical_policy_extensions,
            malformed,
            self_issued: cert.is_self_issued(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
        }
    }

    /// Self-signed as OpenSSL decides it without a signature check
    /// (crypto/x509/v3_purp.c `ossl_x509v3_cache_extensions` EXFLAG_SS):
    /// subject = issuer, the AKI (when present) names this certificate,
    /// and keyUsage (when present) allows keyCertSign.
    pub fn openssl_self_signed(&self) -> bool {
        self.self_issued && self.akid_names_self && self.key_usage.is_none_or(|k| k >> 5 & 1 == 1)
    }

    pub fn is_ca(&self) -> bool {
        matches!(self.basic, Some((true, _)))
    }

    fn common(&self, policy: &Policy, out: &mut Vec<Problem>) {
        let at = policy.at;
        if at > self.not_after || (policy.profile.expired_at_not_after && at == self.not_after) {
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
        if policy.profile.web_pki_profile {
            for m in &self.profile {
                out.push(Problem::Profile { detail: m.clone() });
            }
        }
        for oid in &self.unknown_critical {
            out.push(Problem::UnknownCriticalExtension { oid: oid.clone() });
        }
        if policy.profile.certificate_policies == CertificatePolicies::Unsupported {
            for oid in &self.critical_policy_extensions {
                out.push(Problem::UnknownCriticalExtension { oid: oid.clone() });
            }
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
        self.leaf_problems_with(policy, false)
    }

    /// As [`Facts::leaf_problems`]; `cn_in_san` adds the most specific CN
    /// to the SAN first (Java, below a CA with name constraints: see
    /// `Profile::nc_cn_joins_san`).
    pub fn leaf_problems_with(&self, policy: &Policy, cn_in_san: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        let prof = &policy.profile;
        self.common(policy, &mut out);
        if prof.web_pki_profile {
            for m in &self.leaf_profile {
                out.push(Problem::Profile { detail: m.clone() });
            }
        }
        if let Some(p) = self.weak_key(prof, true) {
            out.push(p);
        }
        if let Some(p) = self.weak_sig(policy) {
            out.push(p);
        }
        let allowed = match policy.role {
            Role::Client => prof.client_key_usage,
            Role::Server => prof.server_key_usage,
        };
        if allowed != 0
            && let Some(ku) = self.key_usage
            && ku & allowed == 0
        {
            out.push(Problem::LeafKeyUsage);
        }
        match &self.eku {
            None => {}
            Some(present)
                if present.iter().any(|o| o == OID_ANY_EKU)
                    && prof.any_eku_leaf == AnyEku::Refused =>
            {
                out.push(Problem::WrongEku {
                    required: policy.eku.clone(),
                    present: present.clone(),
                })
            }
            _ => {
                if let Err(p) = self.eku_ok(&policy.eku, prof.any_eku_leaf == AnyEku::Satisfies) {
                    out.push(p);
                }
            }
        }
        if let Some(ku) = self.key_usage
            && policy.leaf_key_usage.iter().any(|&b| ku >> b & 1 == 0)
        {
            out.push(Problem::LeafKeyUsage);
        }
        let joined: Vec<GName>;
        // Only an existing SAN list is added to (with none, Java builds a
        // fresh list that the certificate does not keep).
        let san = if cn_in_san && self.san.is_some() {
            joined = self.constrained_names_with_cn(true, CnConstraints::MostSpecific)
                [self.constrained_names.len()..]
                .iter()
                .cloned()
                .chain(self.san.iter().flatten().cloned())
                .collect();
            &joined[..]
        } else {
            self.san.as_deref().unwrap_or(&[])
        };
        // OpenSSL v3_utl.c do_x509_check / Java HostnameChecker: with no
        // DNS SAN, the subject CN is the host name.
        let cns: Vec<GName> = self.subject_cns.iter().cloned().map(GName::Dns).collect();
        let dns_san = san.iter().any(|n| matches!(n, GName::Dns(_)));
        let san_for = |want: &PeerName| -> &[GName] {
            match want {
                PeerName::Dns(_) if prof.cn_as_host && !dns_san => &cns,
                _ => san,
            }
        };
        for want in &policy.names {
            if !peer_matches(san_for(want), want) {
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
        let prof = &policy.profile;
        if !(anchor && prof.anchor_is_name_and_key) {
            self.common(policy, &mut out);
        }
        match self.basic {
            Some((true, _)) => {}
            // OpenSSL v3_purp.c check_ca: no basicConstraints, but a keyUsage
            // with keyCertSign (checked below), or a v1 self-signed root.
            None if prof.ca_by_key_usage
                && (self.key_usage.is_some() || (self.version == 0 && self.self_issued)) => {}
            _ => out.push(Problem::NotCa),
        }
        if prof.web_pki_profile {
            for m in if anchor {
                &self.anchor_profile
            } else {
                &self.ca_profile
            } {
                out.push(Problem::Profile { detail: m.clone() });
            }
        }
        if let Some(p) = self.weak_key(prof, false) {
            out.push(p);
        }
        // The anchor's own (self-)signature is not judged (x509_vfy.c
        // check_auth_level: `i < num - 1`; Java AlgorithmChecker skips it).
        if !anchor && let Some(p) = self.weak_sig(policy) {
            out.push(p);
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
        if prof.eku_nesting
            && let Err(p) = self.eku_ok(&policy.eku, true)
        {
            out.push(p);
        }
        out.sort_by_key(Problem::rank);
        out
    }

    fn weak_key(&self, prof: &Profile, leaf: bool) -> Option<Problem> {
        let (alg, bits) = self.key;
        let min = match alg {
            "RSA" | "DSA" => prof.min_rsa_bits,
            "EC" => prof.min_ec_bits,
            _ => 0,
        };
        (bits > 0 && bits < min).then(|| Problem::WeakKey {
            algorithm: alg.to_string(),
            bits,
            min_bits: min,
            leaf,
        })
    }

    fn weak_sig(&self, policy: &Policy) -> Option<Problem> {
        let prof = &policy.profile;
        let (alg, bits) = &self.sig;
        let sha1 = *bits == 63;
        let refused = if sha1 {
            match prof.sha1 {
                crate::peer::Sha1::Accepted => false,
                crate::peer::Sha1::Refused => true,
                crate::peer::Sha1::RefusedJdkCaServer => {
                    policy.role == Role::Server && policy.public_roots
                }
            }
        } else {
            !prof.sig_ok(*bits)
        };
        refused.then(|| Problem::WeakSignature {
            algorithm: alg.clone(),
        })
    }

    /// The names of this certificate that a CA's name constraints apply to.
    pub fn names_for_constraints(&self, is_leaf: bool) -> Vec<GName> {
        self.constrained_names_with_cn(is_leaf, CnConstraints::LeafWithoutSan)
    }

    /// As [`Facts::names_for_constraints`], the leaf's CN included only
    /// when `cn` (the profile's `cn_name_constraints`).
    pub fn constrained_names_with_cn(&self, is_leaf: bool, rule: CnConstraints) -> Vec<GName> {
        let mut names = self.constrained_names.clone();
        let san = self.san.as_deref().unwrap_or(&[]);
        let has = |f: fn(&GName) -> bool| san.iter().any(f);
        let dns_cns = |names: &mut Vec<GName>, like: fn(&str) -> bool| {
            for cn in &self.subject_cns {
                if like(cn) {
                    names.push(GName::Dns(cn.clone()));
                }
            }
        };
        match rule {
            CnConstraints::LeafWithoutSan if is_leaf && self.san.is_none() => {
                dns_cns(&mut names, looks_like_dns)
            }
            CnConstraints::LeafWithoutDnsSan if is_leaf && !has(|n| matches!(n, GName::Dns(_))) => {
                dns_cns(&mut names, openssl_cn_dns)
            }
            CnConstraints::MostSpecific => {
                if let Some(cn) = self.subject_cns.last() {
                    match cn.parse::<std::net::IpAddr>() {
                        Ok(ip) if !has(|n| matches!(n, GName::Ip(_))) => {
                            names.push(GName::Ip(match ip {
                                std::net::IpAddr::V4(a) => a.octets().to_vec(),
                                std::net::IpAddr::V6(a) => a.octets().to_vec(),
                            }))
                        }
                        Ok(_) => {}
                        Err(_) if !has(|n| matches!(n, GName::Dns(_))) && java_dns(cn) => {
                            names.push(GName::Dns(cn.clone()))
                        }
                        Err(_) => {}
                    }
                }
            }
            _ => {}
        }
        names
    }
}

/// OpenSSL's test of a CN as a host name (crypto/x509/v3_ncons.c
/// `cn2dnsid`): letters, digits, `_`, inner `-` and `.`, at least two
/// labels. "127.0.0.1" passes, as it does in OpenSSL.
fn openssl_cn_dns(s: &str) -> bool {
    let b = s.as_bytes();
    let mut dots = false;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_alphanumeric() || c == b'_' {
            continue;
        }
        let inner = i > 0 && i + 1 < b.len();
        if inner && c == b'-' {
            continue;
        }
        if inner && c == b'.' && b[i + 1] != b'.' && b[i - 1] != b'-' && b[i + 1] != b'-' {
            dots = true;
            continue;
        }
        return false;
    }
    dots
}

/// What Java's `DNSName` constructor accepts: letters, digits, hyphens
/// in dot-separated labels, none empty (sun/security/x509/DNSName.java).
fn java_dns(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
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

/// The subject key's algorithm and size in bits (EC: the curve's size).
fn key_size(x: &X509Certificate<'_>) -> (&'static str, u32) {
    use x509_parser::public_key::PublicKey;
    let spki = x.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    match (oid.as_str(), spki.parsed()) {
        (_, Ok(PublicKey::RSA(rsa))) => ("RSA", bit_len(rsa.modulus)),
        ("1.2.840.10045.2.1", _) => {
            let bits = match crate::model::named_curve_oid(spki).as_str() {
                "1.2.840.10045.3.1.1" => 192,
                "1.3.132.0.33" => 224,
                "1.2.840.10045.3.1.7" => 256,
                "1.3.132.0.34" => 384,
                "1.3.132.0.35" => 521,
                _ => 0,
            };
            ("EC", bits)
        }
        (_, Ok(PublicKey::DSA(y))) => ("DSA", bit_len(y)),
        ("1.3.101.112", _) => ("Ed25519", 256),
        ("1.3.101.113", _) => ("Ed448", 456),
        _ => ("unknown", 0),
    }
}

fn bit_len(n: &[u8]) -> u32 {
    let m: Vec<u8> = n.iter().copied().skip_while(|&b| b == 0).collect();
    match m.first() {
        None => 0,
        Some(&top) => (m.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
    }
}

/// The certificate's signature algorithm and its strength in OpenSSL
/// security bits (crypto/x509/x509_set.c `x509_sig_info_init`: half the
/// digest size, SHA-1 63, MD5 39; Ed25519 128).
fn sig_strength(x: &X509Certificate<'_>) -> (String, u32) {
    let oid = x.signature_algorithm.algorithm.to_id_string();
    let (name, bits): (&str, u32) = match oid.as_str() {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", 0),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", 39),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => ("sha1WithRSAEncryption", 63),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", 63),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", 63),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", 112),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", 112),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", 128),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", 128),
        "2.16.840.1.101.3.4.3.2" => ("dsa-with-SHA256", 128),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", 192),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", 192),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", 256),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", 256),
        "1.3.101.112" => ("Ed25519", 128),
        "1.3.101.113" => ("Ed448", 224),
        // RSA-PSS: by its hash (SHA-256 unless said otherwise here).
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", 128),
        _ => return (oid, 128),
    };
    (name.to_string(), bits)
}
