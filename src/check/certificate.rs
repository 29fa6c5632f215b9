//! Per-certificate rules: what holds of one certificate whatever else is in
//! the input (RFC 5280 structure and extensions, the CA/Browser Forum
//! Baseline Requirements for TLS server certificates). A certificate's
//! [`Kind`] comes from its own content (basicConstraints, self-signature),
//! never from where it sits in the input. [`RULES`] is the rule table as
//! data: each id this module reports, its scope and its source (quoted in
//! docs/findings.md; a test keeps the two in step).

use x509_parser::oid_registry::{
    OID_X509_EXT_CRL_DISTRIBUTION_POINTS as CRL_DP, OID_X509_EXT_EXTENDED_KEY_USAGE as EKU,
    OID_X509_EXT_KEY_USAGE as KEY_USAGE, OID_X509_EXT_SUBJECT_ALT_NAME as SAN,
};
use x509_parser::prelude::*;

use super::{Id, Severity};
use crate::chain::validate::Facts;
use crate::model::{Cert, KeyAlgorithm, key_algorithm_of};

/// What a certificate is, from its own content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Self-signed CA (or a self-signed version 1 certificate, which
    /// verifiers treat as a CA).
    Root,
    /// basicConstraints CA:TRUE, not self-signed.
    Intermediate,
    /// Everything else: an end-entity certificate.
    Leaf,
}

impl Kind {
    /// `self_signed`: the subject equals the issuer and its own key
    /// verifies its signature (computed once by the caller).
    pub fn of(c: &Cert, self_signed: bool) -> Kind {
        // A self-issued CA whose key ids say "my own key" is a root even
        // when its self-signature cannot be checked (ECDSA P-521, say); a
        // self-issued re-key names the old key in its AKI and stays an
        // intermediate.
        let own_key = c.is_self_issued()
            && c.authority_key_id()
                .is_none_or(|a| c.subject_key_id() == Some(a));
        match (c.is_ca(), self_signed || own_key) {
            (true, true) => Kind::Root,
            (true, false) => Kind::Intermediate,
            (false, true) if c.parsed().version() == X509Version::V1 => Kind::Root,
            _ => Kind::Leaf,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Root => "root",
            Kind::Intermediate => "intermediate",
            Kind::Leaf => "end-entity",
        }
    }
}

/// Where a rule applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every certificate (RFC 5280 and what every peer checks).
    Any,
    /// Under a serverAuth profile (`server`, `salesforce-callout`): the
    /// CA/B Forum TLS Baseline Requirements.
    TlsServer,
}

/// One row of the rule table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub id: Id,
    pub scope: Scope,
    /// RFC / BR section or peer documentation; docs/findings.md quotes it.
    pub source: &'static str,
}

const fn rule(id: Id, scope: Scope, source: &'static str) -> Rule {
    Rule { id, scope, source }
}

/// Every per-certificate rule.
pub const RULES: &[Rule] = &[
    rule(
        Id::Sha1Signature,
        Scope::Any,
        "RFC 6194; CA/B Forum BR §7.1.3.2",
    ),
    rule(Id::WeakKey, Scope::Any, "CA/B Forum BR §6.1.5"),
    rule(Id::UnusualKey, Scope::Any, "CA/B Forum BR §6.1.5"),
    rule(Id::UnknownCriticalExtension, Scope::Any, "RFC 5280 §4.2"),
    rule(Id::DuplicateExtension, Scope::Any, "RFC 5280 §4.2"),
    rule(Id::NegativeSerial, Scope::Any, "RFC 5280 §4.1.2.2"),
    rule(Id::ValidityField, Scope::Any, "RFC 5280 §4.1.2.5"),
    rule(Id::MalformedSan, Scope::Any, "RFC 5280 §4.2.1.6"),
    rule(
        Id::SignatureAlgorithmMismatch,
        Scope::Any,
        "RFC 5280 §4.1.1.2",
    ),
    rule(Id::AlgorithmParameters, Scope::Any, "RFC 4055 §5"),
    rule(Id::KeyUsageEncoding, Scope::Any, "X.690 §11.2.2"),
    rule(
        Id::KeyUsageForKey,
        Scope::Any,
        "RFC 5480 §3, RFC 3279 §2.3.1, RFC 8410 §5",
    ),
    rule(Id::CaMissingSki, Scope::Any, "RFC 5280 §4.2.1.2"),
    rule(Id::CaKeyUsage, Scope::Any, "RFC 5280 §4.2.1.3"),
    rule(
        Id::BasicConstraintsNotCritical,
        Scope::Any,
        "RFC 5280 §4.2.1.9",
    ),
    rule(Id::MissingAki, Scope::Any, "RFC 5280 §4.2.1.1"),
    rule(Id::RootEku, Scope::Any, "CA/B Forum BR §7.1.2.1.2"),
    rule(Id::Rfc5280Profile, Scope::Any, "RFC 5280 §4.1, §4.2"),
    rule(
        Id::CertificatePolicies,
        Scope::TlsServer,
        "CA/B Forum BR §7.1.2.7.9",
    ),
    rule(Id::AiaMissing, Scope::TlsServer, "CA/B Forum BR §7.1.2.7.7"),
    rule(
        Id::CrlMissing,
        Scope::TlsServer,
        "CA/B Forum BR §7.1.2.11.2",
    ),
    rule(Id::CnNotInSan, Scope::TlsServer, "CA/B Forum BR §7.1.4.3"),
    rule(
        Id::SanMissing,
        Scope::TlsServer,
        "CA/B Forum BR §7.1.2.7.12",
    ),
    rule(
        Id::EkuMissing,
        Scope::TlsServer,
        "CA/B Forum BR §7.1.2.7.10",
    ),
];

/// One rule broken by one certificate. `name` in messages is the
/// certificate's quoted subject.
#[derive(Clone, Debug)]
pub struct Hit {
    pub id: Id,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
}

/// What the rules need to know beyond the certificate.
pub struct Context<'a> {
    pub kind: Kind,
    /// A serverAuth profile: the BR rules apply.
    pub tls_server: bool,
    /// A Salesforce profile (narrower key sizes).
    pub salesforce: bool,
    /// `--certificate-only`: no chain, so an end-entity certificate's job
    /// (a server's SAN and serverAuth EKU) is judged here, on each one,
    /// instead of on the chain's leaf.
    pub standalone: bool,
    /// The certificate's facts as the validator reads them.
    pub facts: &'a Facts,
}

const RSA_PKCS1_SIGS: &[&str] = &[
    "1.2.840.113549.1.1.2",
    "1.2.840.113549.1.1.3",
    "1.2.840.113549.1.1.4",
    "1.2.840.113549.1.1.5",
    "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.12",
    "1.2.840.113549.1.1.13",
    "1.2.840.113549.1.1.14",
];
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Broken signature algorithms, by OID (PKCS#1, ANSI X9, and the OIW
/// numbers some old CAs used).
fn weak_signature(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "SHA-1 with RSA",
        "1.2.840.10045.4.1" => "ECDSA with SHA-1",
        "1.2.840.10040.4.3" | "1.3.14.3.2.27" => "DSA with SHA-1",
        "1.2.840.113549.1.1.4" | "1.3.14.3.2.3" | "1.3.14.3.2.25" => "MD5 with RSA",
        "1.2.840.113549.2.5" => "MD5",
        "1.2.840.113549.1.1.3" | "1.3.14.3.2.4" => "MD4 with RSA",
        "1.2.840.113549.1.1.2" => "MD2 with RSA",
        "1.3.14.3.2.13" | "1.3.14.3.2.15" => "SHA-0",
        _ => return None,
    })
}

/// The CA/B Forum reserved policy identifiers for TLS certificates.
const CABF_TLS_POLICIES: &[&str] = &[
    "2.23.140.1.1",
    "2.23.140.1.2.1",
    "2.23.140.1.2.2",
    "2.23.140.1.2.3",
];
const ANY_POLICY: &str = "2.5.29.32.0";

struct Out<'a> {
    name: String,
    hits: Vec<Hit>,
    cx: &'a Context<'a>,
}

impl Out<'_> {
    fn add(&mut self, id: Id, message: String, fix: &str) {
        self.push(id, id.default_severity(), message, fix);
    }
    fn push(&mut self, id: Id, severity: Severity, message: String, fix: &str) {
        let scope = RULES.iter().find(|r| r.id == id).map(|r| r.scope);
        if scope == Some(Scope::TlsServer) && !self.cx.tls_server {
            return;
        }
        self.hits.push(Hit {
            id,
            severity,
            message,
            fix: fix.to_string(),
        });
    }
}

/// Every per-certificate rule over `c`.
pub fn check(c: &Cert, cx: &Context<'_>) -> Vec<Hit> {
    let mut o = Out {
        name: format!("\"{}\"", c.subject()),
        hits: Vec::new(),
        cx,
    };
    let x = c.parsed();
    algorithms(&mut o, &x);
    validity(&mut o, &x);
    key(&mut o, &x);
    extensions(&mut o, c, &x);
    profile(&mut o, cx);
    if cx.tls_server {
        baseline(&mut o, &x);
    }
    o.hits
}

fn algorithms(o: &mut Out<'_>, x: &X509Certificate<'_>) {
    let name = o.name.clone();
    let outer = &x.signature_algorithm;
    let inner = &x.tbs_certificate.signature;
    let oid = outer.algorithm.to_id_string();
    // A root's self-signature is not checked by verifiers; a self-signed
    // end-entity certificate's is (it is the certificate itself).
    if o.cx.kind != Kind::Root
        && let Some(alg) = weak_signature(&oid)
    {
        o.add(
            Id::Sha1Signature,
            format!("{name} is signed with {alg} ({oid}), which peers (Salesforce, browsers, Java) refuse: collisions are practical"),
            "reissue it with SHA-256 (or better) from the CA",
        );
    }
    let params =
        |a: &AlgorithmIdentifier<'_>| a.parameters.as_ref().map(|p| (p.tag(), p.data.to_vec()));
    if inner.algorithm != outer.algorithm || params(inner) != params(outer) {
        o.add(
            Id::SignatureAlgorithmMismatch,
            format!(
                "{name}'s two signature algorithm fields differ (signed part {}, outer {oid}); OpenSSL refuses it (RFC 5280 §4.1.1.2: they MUST be equal)",
                inner.algorithm.to_id_string()
            ),
            "the CA's software is broken: have the certificate reissued",
        );
    }
    let null_missing = |a: &AlgorithmIdentifier<'_>| {
        a.parameters
            .as_ref()
            .is_none_or(|p| p.tag() != x509_parser::der_parser::asn1_rs::Tag::Null)
    };
    let mut missing = Vec::new();
    if RSA_PKCS1_SIGS.contains(&oid.as_str()) && null_missing(outer) {
        missing.push("signature algorithm");
    }
    let spki = &x.public_key().algorithm;
    if spki.algorithm.to_id_string() == RSA_ENCRYPTION && null_missing(spki) {
        missing.push("public key algorithm");
    }
    if !missing.is_empty() {
        o.add(
            Id::AlgorithmParameters,
            format!(
                "{name}'s RSA {} has no NULL parameters (RFC 4055 §5, RFC 3279 §2.2.1: MUST be NULL); rustls-webpki compares the exact encoding and refuses it",
                missing.join(" and ")
            ),
            "have the certificate reissued by CA software that encodes RSA algorithm identifiers with NULL parameters",
        );
    }
    let serial = x.raw_serial();
    if serial.first().is_some_and(|b| b & 0x80 != 0) {
        o.add(
            Id::NegativeSerial,
            format!(
                "{name} has a negative serial number ({}); RFC 5280 §4.1.2.2 requires a positive one, and Go (1.23+) refuses it",
                x.raw_serial_as_string()
            ),
            "have the CA reissue it with a positive serial number (at least 64 random bits)",
        );
    }
}

/// keyUsage bits, as x509-parser numbers them (bit n = named bit n).
const KU_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

/// keyUsage bits a key of this algorithm cannot honour: RSA cannot agree
/// keys (RFC 3279 §2.3.1), EC keys do not encipher (RFC 5480 §3), Ed25519
/// only signs (RFC 8410 §5).
fn key_usage_for_key(o: &mut Out<'_>, x: &X509Certificate<'_>, alg: &KeyAlgorithm) {
    let Ok(Some(ku)) = x.key_usage() else {
        return;
    };
    let flags = ku.value.flags;
    let bit = |n: u16| 1u16 << n;
    let prohibited = match alg {
        KeyAlgorithm::Rsa { .. } => bit(4) | bit(7) | bit(8),
        KeyAlgorithm::Ec { .. } => bit(2) | bit(3),
        KeyAlgorithm::Ed25519 => bit(2) | bit(3) | bit(4) | bit(7) | bit(8),
        _ => 0,
    };
    let bad: Vec<&str> = (0..9)
        .filter(|&n| flags & prohibited & bit(n) != 0)
        .map(|n| KU_NAMES[n as usize])
        .collect();
    let name = o.name.clone();
    if flags == 0 {
        o.add(
            Id::KeyUsageForKey,
            format!("{name}'s keyUsage has no bit set; RFC 5280 §4.2.1.3 requires at least one (CA-issuance hygiene: peers treat it as no usage at all)"),
            "have the certificate reissued with the usages its key needs (digitalSignature for TLS)",
        );
    } else if !bad.is_empty() {
        o.add(
            Id::KeyUsageForKey,
            format!("{name}'s keyUsage asserts {} for its {alg} key, which that algorithm cannot do (RFC 5480 §3, RFC 3279 §2.3.1, RFC 8410 §5); CA-issuance hygiene: TLS peers ignore the bit", bad.join(", ")),
            "nothing to do for this chain; the CA should assert only usages the key's algorithm supports (EC: digitalSignature; RSA: digitalSignature, keyEncipherment)",
        );
    }
}

/// RFC 5280 §4.1.2.5: dates through 2049 as UTCTime, from 2050 as
/// GeneralizedTime; notAfter not before notBefore.
fn validity(o: &mut Out<'_>, x: &X509Certificate<'_>) {
    let v = x.validity();
    let mut faults = Vec::new();
    for (what, t) in [("notBefore", &v.not_before), ("notAfter", &v.not_after)] {
        let year = t.to_datetime().year();
        if t.is_generalizedtime() && (1950..2050).contains(&year) {
            faults.push(format!(
                "{what} ({year}) is a GeneralizedTime where RFC 5280 §4.1.2.5 wants UTCTime"
            ));
        }
    }
    if v.not_after < v.not_before {
        faults.push("notAfter is before notBefore, so the certificate is never valid".to_string());
    }
    if !faults.is_empty() {
        let name = o.name.clone();
        o.add(
            Id::ValidityField,
            format!(
                "{name}'s validity breaks RFC 5280 §4.1.2.5: {} (strict parsers refuse it)",
                faults.join("; ")
            ),
            "have the certificate reissued; the CA's encoder is at fault",
        );
    }
}

fn key(o: &mut Out<'_>, x: &X509Certificate<'_>) {
    let name = o.name.clone();
    let sf = o.cx.salesforce;
    let alg = key_algorithm_of(x.public_key());
    key_usage_for_key(o, x, &alg);
    match alg {
        KeyAlgorithm::Rsa { bits } if bits < 2048 => o.add(
            Id::WeakKey,
            format!("{name} has a {bits}-bit RSA key; below 2048 bits is refused (NIST SP 800-131A, CA/B Forum BR 6.1.5)"),
            "make a new RSA 2048+ or ECDSA P-256 key and a new CSR, and have the certificate reissued",
        ),
        KeyAlgorithm::Rsa { bits } if sf && ![2048, 3072, 4096].contains(&bits) => o.add(
            Id::UnusualKey,
            format!("{name} has a {bits}-bit RSA key; Salesforce keystores take RSA 2048, 3072 or 4096"),
            "use an RSA 2048, 3072 or 4096 key",
        ),
        KeyAlgorithm::Ec { curve } if !["P-256", "P-384", "P-521"].contains(&curve.as_str()) => o.add(
            Id::UnusualKey,
            format!("{name} uses the elliptic curve {curve}, which TLS peers rarely accept"),
            "use ECDSA P-256 or P-384, or RSA 2048+",
        ),
        KeyAlgorithm::Other { oid } => o.add(
            Id::UnusualKey,
            format!("{name} has a public key of type {oid}, which chainfix does not know"),
            "use ECDSA P-256/P-384 or RSA 2048+",
        ),
        KeyAlgorithm::Ed25519 if sf => o.add(
            Id::UnusualKey,
            format!("{name} has an Ed25519 key, which Salesforce does not accept for TLS certificates"),
            "use RSA 2048+ or ECDSA P-256/P-384",
        ),
        _ => {}
    }
}

fn extensions(o: &mut Out<'_>, c: &Cert, x: &X509Certificate<'_>) {
    let name = o.name.clone();
    let kind = o.cx.kind;
    // The validator's list of known critical extensions, so lint and
    // `verify` agree.
    for oid in &o.cx.facts.unknown_critical {
        o.add(
            Id::UnknownCriticalExtension,
            format!("{name} carries a critical extension {oid} that verifiers do not know, so they must reject it (RFC 5280 §4.2); OpenSSL and `chainfix verify` do"),
            "reissue the certificate without that extension, or with it marked non-critical",
        );
    }
    let exts = x.extensions();
    let mut dup: Vec<String> = Vec::new();
    for (k, e) in exts.iter().enumerate() {
        if exts[..k].iter().any(|f| f.oid == e.oid) {
            let oid = e.oid.to_id_string();
            if !dup.contains(&oid) {
                dup.push(oid);
            }
        }
    }
    if !dup.is_empty() {
        o.add(
            Id::DuplicateExtension,
            format!("{name} carries the extension {} more than once; RFC 5280 §4.2 forbids it, and OpenSSL, Go and `chainfix verify` refuse the certificate", dup.join(", ")),
            "have the certificate reissued with each extension once",
        );
    }
    let san_ext = x.extensions().iter().find(|e| e.oid == SAN);
    if let Some(e) = san_ext {
        let bad: Vec<String> = match e.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(s) => s
                .general_names
                .iter()
                .filter_map(|g| match g {
                    GeneralName::Invalid(t, _) => {
                        Some(format!("an entry of type [{}] that does not decode", t.0))
                    }
                    GeneralName::DNSName(s) | GeneralName::RFC822Name(s) | GeneralName::URI(s)
                        if !s.is_ascii() =>
                    {
                        Some(format!("the non-ASCII name {s:?}"))
                    }
                    _ => None,
                })
                .collect(),
            ParsedExtension::ParseError { error } => vec![format!("undecodable ({error})")],
            _ => Vec::new(),
        };
        if !bad.is_empty() {
            o.add(
                Id::MalformedSan,
                format!("{name}'s subjectAltName holds {}; names there must be ASCII IA5Strings (RFC 5280 §4.2.1.6), and Go and rustls-webpki refuse the certificate", bad.join("; ")),
                "have the certificate reissued with valid DNS names (internationalised names as A-labels, xn--…)",
            );
        }
    }
    let ku = x.extensions().iter().find(|e| e.oid == KEY_USAGE);
    if let Some(e) = ku
        && trailing_zero_bits(e.value)
    {
        o.add(
            Id::KeyUsageEncoding,
            format!("{name}'s keyUsage bit string carries trailing zero bits, which DER forbids (X.690 §11.2.2); strict parsers may refuse it (CA-issuance hygiene: no common peer enforces it)"),
            "nothing to do for this chain; the CA's encoder should drop trailing zero bits",
        );
    }
    let eku_present = x.extensions().iter().any(|e| e.oid == EKU);
    if kind == Kind::Root && eku_present {
        o.add(
            Id::RootEku,
            format!("the root {name} carries extendedKeyUsage; CA/B Forum BR §7.1.2.1.2 forbids it in roots, and Windows and some OpenSSL trust settings then limit every certificate below it to those purposes"),
            "use the CA's current root without extendedKeyUsage, or make sure the purposes it lists include yours",
        );
    }
    if kind != Kind::Leaf {
        if c.subject_key_id().is_none() {
            o.add(
                Id::CaMissingSki,
                format!("the CA certificate {name} has no subject key identifier (RFC 5280 §4.2.1.2: CAs MUST)"),
                "reissue the CA certificate with a subjectKeyIdentifier",
            );
        }
        match x.key_usage() {
            Ok(Some(k)) if !k.value.key_cert_sign() => o.add(
                Id::CaKeyUsage,
                format!("the CA certificate {name}'s keyUsage lacks keyCertSign, so it may not sign certificates (RFC 5280 §4.2.1.3)"),
                "reissue the CA certificate with keyUsage keyCertSign, cRLSign (critical)",
            ),
            Ok(None) if c.is_ca() => o.add(
                Id::CaKeyUsage,
                format!("the CA certificate {name} has no keyUsage extension; RFC 5280 §4.2.1.3 requires it in CA certificates, with keyCertSign (CA-issuance hygiene: peers accept it)"),
                "reissue the CA certificate with keyUsage keyCertSign, cRLSign (critical)",
            ),
            _ => {}
        }
    }
    if let Ok(Some(bc)) = x.basic_constraints()
        && !bc.critical
    {
        if kind != Kind::Leaf {
            o.add(
                Id::BasicConstraintsNotCritical,
                format!("the CA certificate {name}'s basicConstraints is not marked critical (RFC 5280 §4.2.1.9: MUST be)"),
                "reissue the CA certificate with basicConstraints critical",
            );
        } else if o.cx.tls_server {
            o.push(
                Id::BasicConstraintsNotCritical,
                Severity::Info,
                format!("the end-entity certificate {name}'s basicConstraints is not marked critical; CA/B Forum BR §7.1.2.7.8 wants it critical when present (CA-issuance hygiene: no peer enforces it)"),
                "nothing to do for this chain; the CA should mark it critical or leave it out",
            );
        }
    }
    if !c.is_self_issued() && c.authority_key_id().is_none() {
        o.add(
            Id::MissingAki,
            format!("{name} has no authority key identifier, so issuers are found by name alone (RFC 5280 §4.2.1.1)"),
            "nothing to do for this chain; CAs should include the extension",
        );
    }
}

/// A DER BIT STRING (the keyUsage extension's value) whose last content
/// byte ends in zero bits above the unused ones: a named bit list must
/// have its trailing zero bits removed (X.690 §11.2.2).
fn trailing_zero_bits(value: &[u8]) -> bool {
    // 03 len unused content…; keyUsage is short, so a one-byte length.
    let [0x03, len, unused, content @ ..] = value else {
        return false;
    };
    if *len as usize != content.len() + 1 || *unused > 7 {
        return false;
    }
    match content.last() {
        None => false,
        Some(0) => true,
        Some(&last) => (last >> unused) & 1 == 0,
    }
}

/// RFC 5280 / BR profile faults the validator reads, for the certificate's
/// own kind (not its place in the input).
fn profile(o: &mut Out<'_>, cx: &Context<'_>) {
    // Reported by their own ids.
    const COVERED: &[&str] = &[
        "no authorityKeyIdentifier",
        "no subjectKeyIdentifier",
        "basicConstraints is not critical",
        "trust anchor with extendedKeyUsage",
        "EC key on curve",
        "DSA key",
    ];
    let f = cx.facts;
    let mut faults: Vec<&String> = f.profile.iter().collect();
    faults.extend(match cx.kind {
        Kind::Leaf => &f.leaf_profile,
        Kind::Intermediate => &f.ca_profile,
        Kind::Root => &f.anchor_profile,
    });
    faults.retain(|p| !COVERED.iter().any(|c| p.starts_with(c)));
    // weak-key says it.
    faults.retain(|p| !p.ends_with("bits (at least 2048)"));
    // A subjectAltName that does not decode is malformed-san, not also a
    // list of invalid names in it.
    if o.hits.iter().any(|h| h.id == Id::MalformedSan) {
        faults.retain(|p| !p.ends_with("in subjectAltName"));
    }
    faults.dedup();
    if !faults.is_empty() {
        let list: Vec<&str> = faults.iter().map(|s| s.as_str()).collect();
        let name = o.name.clone();
        o.add(
            Id::Rfc5280Profile,
            format!(
                "{name} ({}) breaks the certificate profile (RFC 5280 / CA/B Forum BR): {}; strict verifiers may refuse it",
                cx.kind.as_str(),
                list.join("; ")
            ),
            "have the CA reissue it within the profile",
        );
    }
}

/// CA/B Forum TLS BR presence rules: certificate policies, AIA, CRL
/// distribution points, the CN among the SANs. CA-issuance hygiene no TLS
/// peer enforces: warnings, and the message says so.
fn baseline(o: &mut Out<'_>, x: &X509Certificate<'_>) {
    let name = o.name.clone();
    let kind = o.cx.kind;
    let hygiene = "CA-issuance hygiene: TLS clients do not check it";
    let policies: Option<Vec<String>> =
        x.extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::CertificatePolicies(p) => {
                    Some(p.iter().map(|i| i.policy_id.to_id_string()).collect())
                }
                _ => None,
            });
    match (kind, &policies) {
        (Kind::Leaf, p) => {
            let reserved = p
                .iter()
                .flatten()
                .filter(|o| CABF_TLS_POLICIES.contains(&o.as_str()))
                .count();
            if reserved != 1 {
                o.add(
                    Id::CertificatePolicies,
                    format!("the TLS server certificate {name} {}; CA/B Forum BR §7.1.2.7.9 requires exactly one CA/B Forum reserved policy (2.23.140.1.2.1 DV, .2.2 OV, .2.3 IV or 2.23.140.1.1 EV) ({hygiene})", if reserved == 0 { "has no CA/B Forum reserved certificate policy" } else { "has more than one CA/B Forum reserved certificate policy" }),
                    "nothing to do for a private CA; a public CA's certificate should carry one",
                );
            }
        }
        (Kind::Intermediate, None) => o.add(
            Id::CertificatePolicies,
            format!("the intermediate {name} has no certificatePolicies extension; CA/B Forum BR §7.1.2.10.5 requires it in TLS subordinate CAs ({hygiene})"),
            "nothing to do for a private CA; a public subordinate CA should carry its policies",
        ),
        (Kind::Intermediate, Some(p)) if p.iter().all(|o| o != ANY_POLICY && !CABF_TLS_POLICIES.contains(&o.as_str())) => o.add(
            Id::CertificatePolicies,
            format!("the intermediate {name}'s certificatePolicies has neither anyPolicy nor a CA/B Forum reserved policy (BR §7.1.2.10.5) ({hygiene})"),
            "nothing to do for a private CA; a public subordinate CA should carry them",
        ),
        _ => {}
    }
    let (mut ca_issuers, mut ocsp) = (false, false);
    for e in x.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = e.parsed_extension() {
            for ad in &aia.accessdescs {
                let m = ad.access_method.to_id_string();
                ca_issuers |= m == "1.3.6.1.5.5.7.48.2";
                ocsp |= m == "1.3.6.1.5.5.7.48.1";
            }
        }
    }
    if kind != Kind::Root && !ca_issuers {
        o.add(
            Id::AiaMissing,
            format!("{name} has no authorityInformationAccess caIssuers URL; CA/B Forum BR §7.1.2.7.7 / §7.1.2.10.3 wants one, and without it browsers and Windows cannot fetch a missing intermediate ({hygiene})"),
            "send the full chain (`chainfix bundle`); a public CA's certificates should carry the URL",
        );
    }
    let crl = x.extensions().iter().any(|e| e.oid == CRL_DP);
    let crl_needed = match kind {
        Kind::Intermediate => !crl,
        Kind::Leaf => !crl && !ocsp,
        Kind::Root => false,
    };
    if crl_needed {
        o.add(
            Id::CrlMissing,
            format!("{name} has no cRLDistributionPoints{}; CA/B Forum BR §7.1.2.11.2 requires one{}, so its revocation cannot be checked (Salesforce and Java check CRLs when present)", if kind == Kind::Leaf { " and no OCSP URL" } else { "" }, if kind == Kind::Leaf { " when there is no OCSP URL" } else { " in subordinate CAs" }),
            "nothing to do for a private CA; a public CA's certificates should carry a CRL URL",
        );
    }
    if kind == Kind::Leaf && o.cx.standalone {
        server_job(o, x);
    }
    if kind == Kind::Leaf {
        let sans: Vec<String> = match x.subject_alternative_name() {
            Ok(Some(s)) => s
                .value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    GeneralName::DNSName(d) => Some(d.to_ascii_lowercase()),
                    GeneralName::IPAddress(b) => ip_text(b),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let missing: Vec<String> =
            o.cx.facts
                .subject_cns
                .iter()
                .filter(|cn| !sans.contains(&cn.to_ascii_lowercase()))
                .cloned()
                .collect();
        let san_malformed = o.hits.iter().any(|h| h.id == Id::MalformedSan);
        if !missing.is_empty() && !sans.is_empty() && !san_malformed {
            o.add(
                Id::CnNotInSan,
                format!("{name}'s common name {} is not among its subjectAltName entries; CA/B Forum BR §7.1.4.3 requires it to be one ({hygiene}: clients use the SANs)", missing.join(", ")),
                "nothing to do for this chain; the CA should copy a SAN into the CN or leave the CN out",
            );
        }
    }
}

/// A DNS or IP name in any subjectAltName extension: every one, so that a
/// repeated extension (duplicate-extension) is not also called missing.
pub fn has_server_san(x: &X509Certificate<'_>) -> bool {
    x.extensions().iter().any(|e| {
        matches!(e.parsed_extension(), ParsedExtension::SubjectAlternativeName(s)
            if s.general_names.iter().any(|g| matches!(g, GeneralName::DNSName(_) | GeneralName::IPAddress(_))))
    })
}

/// A TLS server certificate needs a DNS or IP subjectAltName and, when it
/// lists EKUs, serverAuth (or anyExtendedKeyUsage): the same judgement the
/// chain rules make of the leaf, made here of each end-entity certificate
/// when there is no chain.
fn server_job(o: &mut Out<'_>, x: &X509Certificate<'_>) {
    let name = o.name.clone();
    if !has_server_san(x) {
        o.add(
            Id::SanMissing,
            format!("the server certificate {name} has no DNS or IP subjectAltName; clients (Java, browsers, curl) ignore the CN and refuse it (RFC 6125, CA/B Forum BR 7.1.2.7.12)"),
            "reissue it with subjectAltName DNS:<host name>",
        );
    }
    if let Ok(Some(e)) = x.extended_key_usage()
        && !(e.value.server_auth || e.value.any)
    {
        o.add(
            Id::EkuMissing,
            format!("the end-entity certificate {name} lists extended key usages without serverAuth, so TLS clients refuse it as a server certificate (RFC 5280 §4.2.1.12, CA/B Forum BR 7.1.2.7.10)"),
            "get a TLS server certificate (EKU serverAuth) for this host",
        );
    }
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(b).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(b).ok()?).to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_zero_bits_are_found() {
        // digitalSignature only, minimal: 03 02 07 80.
        assert!(!trailing_zero_bits(&[3, 2, 7, 0x80]));
        // The same bit with 0 unused bits declared: trailing zeros.
        assert!(!trailing_zero_bits(&[3, 2, 7, 0x80]));
        assert!(trailing_zero_bits(&[3, 2, 0, 0x80]));
        assert!(trailing_zero_bits(&[3, 3, 7, 0x80, 0x00]));
        // keyCertSign, cRLSign: 03 02 01 06.
        assert!(!trailing_zero_bits(&[3, 2, 1, 0x06]));
        assert!(trailing_zero_bits(&[3, 2, 0, 0x06]));
    }

    #[test]
    fn every_rule_id_is_listed_once() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|s| s.id != r.id),
                "{} twice",
                r.id
            );
        }
    }
}
