//! Revocation: a stage applied to a path that was already built and
//! validated. [`crl`] reads CRLs; [`check`] decides, for each certificate
//! on the path but the anchor, whether it is [`Status::Good`],
//! [`Status::Revoked`] or could not be checked (RFC 5280 §6.3);
//! [`fetch`] gathers the CRLs named by cRLDistributionPoints over the safe
//! fetch layer. What "could not check" does to the verdict is the caller's
//! [`Failure`] choice (the peer's default: hard-fail for Salesforce, not
//! checked at all for OpenSSL and Java unless asked).

pub mod check;
pub mod crl;
pub mod dp;

use serde::Serialize;

pub use check::{Context, check_path};
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
    /// The chain is refused (Salesforce: "revocation checks using
    /// certificate revocation lists"; `openssl verify -crl_check_all`).
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
    /// A CRL that covers it cannot be trusted: bad signature, signer not
    /// allowed to sign CRLs or not valid, unknown critical extension.
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

pub(crate) fn ts(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}
