//! Revocation: a stage applied to a path that was already built and
//! validated. [`crl`] reads CRLs; [`check`] decides, for each certificate
//! on the path but the anchor, whether it is [`Status::Good`],
//! [`Status::Revoked`] or could not be checked (RFC 5280 §6.3);
//! [`fetch`] gathers the CRLs named by cRLDistributionPoints over the safe
//! fetch layer; [`ocsp`] asks the authorityInfoAccess OCSP responder. What "could not check" does to the verdict is the caller's
//! [`Failure`] choice (the peer's default: CRLs with soft fail for
//! Salesforce, whose handling is not documented; not checked at all for
//! OpenSSL, Java and webpki unless asked).

pub mod check;
pub mod crl;
pub mod dp;
pub mod explain;
pub mod fetch;
pub mod ocsp;

use serde::Serialize;

pub use check::{Checked, Context, check, check_path};
pub use crl::{Crl, Reason};

/// Which revocation sources are consulted (`--revocation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Not checked (OpenSSL's and Java's default).
    #[default]
    Off,
    Crl,
    Ocsp,
    Both,
}

impl Mode {
    pub fn uses_crl(self) -> bool {
        matches!(self, Mode::Crl | Mode::Both)
    }
    pub fn uses_ocsp(self) -> bool {
        matches!(self, Mode::Ocsp | Mode::Both)
    }
}

/// What a certificate whose status could not be checked does to the
/// verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    /// The chain is refused (`openssl verify -crl_check_all`; Java's PKIX
    /// with revocation on).
    #[default]
    Hard,
    /// The chain passes with a warning.
    Soft,
}

/// The revocation status of one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    Good {
        /// The CRLs (files or URLs) that were used.
        source: String,
    },
    Revoked {
        /// Revocation date, Unix seconds.
        at: i64,
        reason: Option<Reason>,
        source: String,
    },
    /// The responder does not know the certificate (OCSP "unknown").
    Unknown {
        source: String,
    },
    CouldNotCheck {
        cause: Cause,
        why: String,
    },
}

/// Why a status could not be had, most telling last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// No CRL (or responder) covers the certificate: none given, no URL,
    /// or the offline mode has none cached.
    NoSource,
    /// The CRL or responder could not be reached or read in its bounds.
    Unreachable,
    /// The only CRLs are past their nextUpdate (or not yet valid).
    Stale,
    /// A CRL that covers it (or an OCSP response) cannot be trusted: bad
    /// signature, signer not allowed to sign or not valid, unknown critical
    /// extension, an OCSP error status.
    BadCrl,
}

impl Status {
    /// True when this status refuses the chain under `failure`.
    pub fn refuses(&self, failure: Failure) -> bool {
        match self {
            Status::Good { .. } => false,
            Status::Revoked { .. } => true,
            Status::Unknown { .. } | Status::CouldNotCheck { .. } => failure == Failure::Hard,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Good { source } => write!(f, "good (per {source})"),
            Status::Revoked { at, reason, .. } => {
                match reason {
                    Some(Reason::CertificateHold) => write!(f, "on hold since {}", ts(*at))?,
                    _ => write!(f, "revoked on {}", ts(*at))?,
                }
                match reason {
                    Some(r) if *r != Reason::CertificateHold => write!(f, " ({r})"),
                    _ => Ok(()),
                }
            }
            Status::Unknown { source } => write!(f, "unknown to {source}"),
            Status::CouldNotCheck { why, .. } => write!(f, "could not check: {why}"),
        }
    }
}

/// Everything the stage needs besides the path: built by the command
/// layer from `--revocation`, `--crl`, the fetch flags and the peer
/// profile's default (`peer::Revocation::stage`).
pub struct Setup {
    pub mode: Mode,
    pub failure: Failure,
    /// CRLs given as files (`--crl`).
    pub local: Vec<Crl>,
    /// The network with the CRL size cap; None offline.
    pub network: Option<Box<dyn crate::fetch::Fetch>>,
    pub cache_dir: Option<std::path::PathBuf>,
    pub max_fetches: usize,
    /// Current time, for the cache (not the validation time).
    pub now: i64,
    /// True when the mode is the peer profile's default (no --revocation).
    pub from_peer: bool,
    /// Delta CRLs are fetched and applied: the peer's
    /// [`crate::peer::Profile::delta_crls`], or `--use-deltas`.
    pub use_deltas: bool,
    /// The peer's profile: a CRL signer's own path is validated under it.
    pub profile: crate::peer::Profile,
}

impl Setup {
    /// No revocation checking (for `profile`'s peer).
    pub fn off(profile: crate::peer::Profile) -> Setup {
        Setup {
            mode: Mode::Off,
            failure: Failure::Hard,
            local: Vec::new(),
            network: None,
            cache_dir: None,
            max_fetches: 0,
            now: 0,
            from_peer: false,
            use_deltas: profile.delta_crls,
            profile,
        }
    }
}

/// One certificate's status in a report.
#[derive(Clone, Debug, Serialize)]
pub struct CertStatus {
    pub subject: String,
    pub sha256: String,
    #[serde(flatten)]
    pub status: Status,
}

/// The stage's result for one path.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub mode: Mode,
    pub failure: Failure,
    /// One per certificate on the path but the trust anchor (leaf first).
    pub certificates: Vec<CertStatus>,
    /// The distribution point URLs tried.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fetched: Vec<fetch::Fetched>,
    /// True when a status refuses the chain under `failure`.
    pub refused: bool,
    /// True when the mode is the peer's default (no `--revocation`).
    pub from_peer: bool,
    /// Delta CRLs were applied (the peer does, or `--use-deltas`).
    pub use_deltas: bool,
    /// With `use_deltas` false: the delta CRLs the peer passes over (files
    /// given, or freshestCRL URLs, which are then not fetched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_deltas: Vec<String>,
}

impl Outcome {
    /// The outcome of a stage that checked nothing (yet): `setup`'s mode
    /// and failure, no certificates.
    pub fn not_run(setup: &Setup) -> Outcome {
        Outcome {
            mode: setup.mode,
            failure: setup.failure,
            certificates: Vec::new(),
            fetched: Vec::new(),
            refused: false,
            from_peer: setup.from_peer,
            use_deltas: setup.use_deltas,
            ignored_deltas: Vec::new(),
        }
    }
}

/// Runs the stage over `path` (leaf first, anchor last) at validation
/// time `at`; `pool` and `anchors` may hold a CRL signer's own path.
pub fn run(
    setup: &Setup,
    path: &[&crate::model::Cert],
    pool: &[crate::model::Cert],
    anchors: &[crate::model::Cert],
    at: i64,
) -> Outcome {
    let mut out = Outcome::not_run(setup);
    if setup.mode == Mode::Off {
        return out;
    }
    let src = fetch::Sources {
        network: setup.network.as_deref(),
        cache_dir: setup.cache_dir.clone(),
        now: setup.now,
        max_fetches: setup.max_fetches,
        deltas: setup.use_deltas,
    };
    let (crls, mut fetched) = if !setup.mode.uses_crl() {
        (Vec::new(), Vec::new())
    } else {
        fetch::gather(
            &path[..path.len().saturating_sub(1)],
            &src,
            &setup.local,
            at,
        )
    };
    let all: Vec<&Crl> = setup.local.iter().chain(crls.iter()).collect();
    let ctx = Context {
        crls: &all,
        pool,
        anchors,
        at,
        fetched: &fetched,
        use_deltas: setup.use_deltas,
        profile: setup.profile,
    };
    let mut statuses = if setup.mode.uses_crl() {
        let checked = check(&ctx, path);
        out.ignored_deltas = checked.ignored_deltas;
        checked.statuses
    } else {
        Vec::new()
    };
    if setup.mode.uses_ocsp() {
        let ocsp: Vec<Status> = (0..path.len().saturating_sub(1))
            .map(|i| ocsp::check(path[i], path[i + 1], &src, at, &mut fetched))
            .collect();
        statuses = if statuses.is_empty() {
            ocsp
        } else {
            // Both: a clear answer from either source stands; revoked wins.
            statuses
                .into_iter()
                .zip(ocsp)
                .map(|(c, o)| match (&c, &o) {
                    (Status::Revoked { .. }, _) => c,
                    (_, Status::Revoked { .. }) => o,
                    (Status::Good { .. }, _) => c,
                    (_, Status::Good { .. }) => o,
                    _ => c,
                })
                .collect()
        };
    }
    out.refused = statuses.iter().any(|s| s.refuses(setup.failure));
    out.certificates = path
        .iter()
        .zip(statuses)
        .map(|(c, status)| CertStatus {
            subject: c.subject().to_string(),
            sha256: c.id().hex(),
            status,
        })
        .collect();
    out.fetched = fetched;
    out
}

pub(crate) use crate::model::rfc3339 as ts;
