//! Findings: what is wrong (or worth knowing) about a set of certificates
//! for a job, each with a stable id, a severity, the certificate it is
//! about, one sentence, and a fix. [`lint`] runs every check of a
//! [`Profile`] over every certificate and every issuer→subject pair;
//! [`policy`] holds the dated rules as data; [`name`] the Salesforce
//! Unique Name rules. Pure: time, trust stores and inputs are arguments.

pub mod certificate;
pub mod name;
pub mod policy;
mod rules;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::{Cert, Dropped, PrivateKey};
use crate::trust::TrustStore;

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!("{s} is not a severity; use info, warning or error")),
        }
    }
}

macro_rules! ids {
    ($($v:ident = $s:literal, $sev:ident;)*) => {
        /// Every finding id. The kebab-case string is stable and documented
        /// in docs/findings.md (a test keeps the two in step).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Id { $($v,)* }
        impl Id {
            pub const ALL: &'static [Id] = &[$(Id::$v,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(Id::$v => $s,)* }
            }
            /// The usual severity (some ids depend on the profile; see the doc).
            pub fn default_severity(self) -> Severity {
                match self { $(Id::$v => Severity::$sev,)* }
            }
        }
    };
}

ids! {
    Expired = "expired", Error;
    NotYetValid = "not-yet-valid", Error;
    ExpiresSoon = "expires-soon", Warning;
    ExpiryDate = "expiry-date", Info;
    IntermediateExpiresBeforeLeaf = "intermediate-expires-before-leaf", Warning;
    Sha1Signature = "sha1-signature", Error;
    WeakKey = "weak-key", Error;
    UnusualKey = "unusual-key", Warning;
    SignatureInvalid = "signature-invalid", Error;
    SignatureUnsupported = "signature-unsupported", Warning;
    AkiSkiMismatch = "aki-ski-mismatch", Warning;
    CaMissingSki = "ca-missing-ski", Warning;
    MissingAki = "missing-aki", Info;
    IssuerNotCa = "issuer-not-ca", Error;
    BasicConstraintsNotCritical = "basic-constraints-not-critical", Warning;
    IssuerKeyUsage = "issuer-key-usage", Error;
    LeafKeyUsage = "leaf-key-usage", Error;
    LeafIsCa = "leaf-is-ca", Warning;
    PathLengthExceeded = "path-length-exceeded", Error;
    UnknownCriticalExtension = "unknown-critical-extension", Error;
    DuplicateExtension = "duplicate-extension", Error;
    NegativeSerial = "negative-serial", Error;
    ValidityField = "validity-field", Warning;
    MalformedSan = "malformed-san", Error;
    SignatureAlgorithmMismatch = "signature-algorithm-mismatch", Error;
    AlgorithmParameters = "algorithm-parameters", Error;
    KeyUsageEncoding = "key-usage-encoding", Warning;
    KeyUsageForKey = "key-usage-for-key", Warning;
    CaKeyUsage = "ca-key-usage", Warning;
    RootEku = "root-eku", Warning;
    CertificatePolicies = "certificate-policies", Warning;
    AiaMissing = "aia-missing", Warning;
    CrlMissing = "crl-missing", Warning;
    CnNotInSan = "cn-not-in-san", Warning;
    NameConstraints = "name-constraints", Error;
    Rfc5280Profile = "rfc5280-profile", Warning;
    EkuMissing = "eku-missing", Error;
    IntermediateEku = "intermediate-eku", Error;
    DualEkuPublic = "dual-eku-public", Warning;
    PublicIntermediateEku = "public-intermediate-eku", Warning;
    ValidityTooLong = "validity-too-long", Warning;
    SanMissing = "san-missing", Error;
    RootIncluded = "root-included", Info;
    LeafNotFirst = "leaf-not-first", Error;
    WrongOrder = "wrong-order", Error;
    DuplicateCertificate = "duplicate-certificate", Warning;
    UnrelatedCertificate = "unrelated-certificate", Warning;
    MultipleLeaves = "multiple-leaves", Error;
    IssuerMissing = "issuer-missing", Error;
    RootNotTrusted = "root-not-trusted", Warning;
    TrustAnchor = "trust-anchor", Info;
    SelfSignedLeaf = "self-signed-leaf", Error;
    PrivateKeyInUpload = "private-key-in-upload", Error;
    KeyMismatch = "key-mismatch", Error;
    KeyNotPkcs8 = "key-not-pkcs8", Warning;
    InvalidName = "invalid-name", Error;
    IgnoredBlock = "ignored-block", Info;
    UnreadableInput = "unreadable-input", Error;
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Id {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Id::ALL
            .iter()
            .copied()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| format!("{s} is not a finding id; see docs/findings.md"))
    }
}

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The job the certificates are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Journey 1: a client certificate for Salesforce's mutual TLS port 8443
    /// (uploaded to Mutual Authentication Certificates, presented by the client).
    SalesforceMtls,
    /// Journey 2: a server Salesforce calls out to (its chain), or a
    /// certificate imported into Salesforce for callouts.
    SalesforceCallout,
    /// A TLS client certificate for any peer.
    Client,
    /// A TLS server certificate for any client.
    Server,
}

impl Profile {
    pub const ALL: &'static [Profile] = &[
        Profile::SalesforceMtls,
        Profile::SalesforceCallout,
        Profile::Client,
        Profile::Server,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::SalesforceMtls => "salesforce-mtls",
            Profile::SalesforceCallout => "salesforce-callout",
            Profile::Client => "client",
            Profile::Server => "server",
        }
    }
    /// The leaf's purpose: clientAuth or serverAuth.
    pub fn purpose(self) -> Purpose {
        match self {
            Profile::SalesforceMtls | Profile::Client => Purpose::ClientAuth,
            Profile::SalesforceCallout | Profile::Server => Purpose::ServerAuth,
        }
    }
    pub fn salesforce(self) -> bool {
        matches!(self, Profile::SalesforceMtls | Profile::SalesforceCallout)
    }
    /// The trust store used when `--trust` is not given.
    pub fn default_trust(self) -> &'static str {
        if self.salesforce() {
            "salesforce"
        } else {
            "mozilla"
        }
    }
    /// The profile for a leaf, from its EKU, and why.
    pub fn for_leaf(leaf: &Cert) -> (Profile, String) {
        let e = rules::eku(leaf);
        match e {
            Some(e) if e.client && !e.server => (
                Profile::SalesforceMtls,
                "the leaf's EKU is clientAuth".to_string(),
            ),
            Some(e) if e.client => (
                Profile::SalesforceMtls,
                "the leaf's EKU includes clientAuth (it also has serverAuth)".to_string(),
            ),
            Some(e) if e.server => (
                Profile::SalesforceCallout,
                "the leaf's EKU is serverAuth".to_string(),
            ),
            _ => (
                Profile::Client,
                "the leaf has no clientAuth or serverAuth EKU".to_string(),
            ),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("{s} is not a profile; use salesforce-mtls, salesforce-callout, client or server")
            })
    }
}

/// The extended key usage a profile needs in the leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    ClientAuth,
    ServerAuth,
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Purpose::ClientAuth => "clientAuth",
            Purpose::ServerAuth => "serverAuth",
        })
    }
}

/// The certificate a finding is about.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CertRef {
    /// 1-based position in the inputs, in the order read.
    pub index: usize,
    /// 1-based position in the chain (1 = leaf), when on the leaf's chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_position: Option<usize>,
    pub sha256: String,
    pub subject: String,
    /// `file:block` where it was read.
    pub source: String,
}

/// One finding.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub id: Id,
    pub severity: Severity,
    /// The certificate it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<CertRef>,
    /// One sentence for a person.
    pub message: String,
    /// A concrete action; a chainfix command where one exists.
    pub fix: String,
}

/// What to lint: everything read, in the order read.
pub struct Input<'a> {
    pub certs: &'a [Cert],
    pub keys: &'a [PrivateKey],
    pub dropped: &'a [Dropped],
    /// Blocks or files that could not be read, one sentence each.
    pub unreadable: &'a [String],
}

/// The roots to judge against: `public` is the store in use (the bundled
/// candidate list, Mozilla, or the org's own list); `private` holds a
/// user's `--roots` (private CAs), which make a chain trusted but not public.
pub struct Trust<'a> {
    pub public: &'a TrustStore,
    pub private: Option<&'a TrustStore>,
    /// The user chose the store (`--trust`/`--roots`): a root outside it is
    /// an error, not a warning.
    pub explicit: bool,
}

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// None: chosen from the leaf's EKU.
    pub profile: Option<Profile>,
    /// The time to judge validity at (Unix seconds).
    pub at: i64,
    /// Warn when a certificate expires within this many days.
    pub warn_days: i64,
    /// A Salesforce certificate Unique Name or keystore alias to check.
    pub name: Option<String>,
    /// Raise these ids to error.
    pub deny: Vec<Id>,
    /// Drop these ids.
    pub allow: Vec<Id>,
    /// Drop findings below this severity.
    pub min_severity: Severity,
    /// Judge each certificate on its own: the per-certificate rules of
    /// [`certificate::RULES`] and validity dates, no chain rules (no
    /// `issuer-missing`, no order or trust findings).
    pub certificate_only: bool,
}

impl Options {
    pub fn at(at: i64) -> Options {
        Options {
            profile: None,
            at,
            warn_days: 30,
            name: None,
            deny: Vec::new(),
            allow: Vec::new(),
            min_severity: Severity::Info,
            certificate_only: false,
        }
    }
}

/// The result of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub profile: Profile,
    /// Why this profile: "given with --profile" or the leaf's EKU.
    pub profile_reason: String,
    /// The trust store judged against, and whether it is the candidate list.
    pub trust_store: String,
    pub trust_candidate: bool,
    /// Input positions (1-based) of the chain from the leaf up.
    pub chain: Vec<usize>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
    pub fn ids(&self) -> Vec<Id> {
        self.findings.iter().map(|f| f.id).collect()
    }
}

pub use rules::Links;

/// Verifies, once, the signatures that [`choose_leaf`] and [`lint_with`]
/// both need (every issuer→subject pair the names allow, self-signatures).
pub fn links(input: &Input<'_>) -> Links {
    Links::of(input.certs)
}

/// [`links`] for [`Options::certificate_only`]: self-signatures only.
pub fn self_links(input: &Input<'_>) -> Links {
    Links::self_only(input.certs)
}

/// The leaf lint would choose (a position in `input.certs`): the
/// certificate a key matches, else the first end entity.
pub fn choose_leaf(input: &Input<'_>, links: &Links) -> Option<usize> {
    rules::choose_leaf(input, links)
}

/// Runs every check of the profile. `None` when there is no certificate.
pub fn lint(input: &Input<'_>, trust: &Trust<'_>, opts: &Options) -> Option<Report> {
    lint_with(input, trust, opts, &links(input))
}

/// [`lint`] with the signature work already done by [`links`] (as for
/// [`choose_leaf`] before it).
pub fn lint_with(
    input: &Input<'_>,
    trust: &Trust<'_>,
    opts: &Options,
    links: &Links,
) -> Option<Report> {
    let mut report = rules::run(input, trust, opts, links)?;
    report.findings.retain(|f| !opts.allow.contains(&f.id));
    for f in &mut report.findings {
        if opts.deny.contains(&f.id) {
            f.severity = Severity::Error;
        }
    }
    report.findings.retain(|f| f.severity >= opts.min_severity);
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    Some(report)
}
