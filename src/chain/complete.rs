//! Completing a chain: when the issuer of the last certificate on the path
//! is missing, look for it in the local pools (`--intermediates`), then
//! follow **every** AIA caIssuers URL of that certificate (several at once),
//! depth-first, until the chain reaches a root or nothing new can be found.
//!
//! A fetched certificate becomes part of the inventory only when it proves
//! itself: its signature over the child verifies
//! ([`verify_issued_by`](super::signature::verify_issued_by)). When it
//! does, every certificate of that response is kept (a PKCS#7 often carries
//! the issuer's issuer too). A response whose certificates did not sign the
//! child is reported and skipped. URLs are tried once each and the number of
//! fetches and levels is bounded, so cycles (A → B → A) end.
//!
//! No printing and no clock: progress goes through [`Progress`], and the
//! result is a [`CompletionReport`] the command layer renders.

use std::collections::HashSet;

use serde::Serialize;

use super::assemble::{Assembly, assemble};
use super::signature::verify_issued_by;
use crate::error::Result;
use crate::fetch::{Fetch, FetchError, Limits};
use crate::model::{Cert, IdSet, Origin};
use crate::parse::{Inventory, NoPasswords, parse_source};

/// Hears about fetches as they happen (the CLI draws a progress line).
pub trait Progress: Sync {
    fn fetching(&self, _url: &str) {}
    fn fetched(&self, _url: &str, _outcome: &Outcome) {}
}

/// Hears nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A certificate named in the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Named {
    pub subject: String,
    pub sha256: String,
}

impl Named {
    pub fn of(c: &Cert) -> Named {
        Named {
            subject: c.subject().to_string(),
            sha256: c.id().hex(),
        }
    }
}

/// What one URL gave.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Outcome {
    /// A certificate that signed the child: accepted.
    Issuer {
        subject: String,
        sha256: String,
    },
    /// Certificates came back, but none of them signed the child.
    WrongSignature {
        certificates: Vec<Named>,
    },
    /// The body is not a certificate, PEM, or PKCS#7.
    NotACertificate {
        detail: String,
    },
    /// HTTP 404 (possibly remembered by the cache).
    NotFound,
    /// Another HTTP status.
    HttpStatus {
        status: u16,
    },
    Timeout {
        millis: u64,
    },
    TooLarge {
        limit: u64,
    },
    TooManyRedirects {
        limit: usize,
    },
    /// ldap:, file: and anything but http(s).
    RefusedScheme {
        scheme: String,
    },
    BadUrl {
        detail: String,
    },
    /// The host is a link-local, unspecified or (unless allowed) loopback
    /// or private address; nothing was sent.
    RefusedAddress {
        host: String,
        addr: String,
        reason: String,
    },
    Network {
        detail: String,
    },
    /// Offline and not in the cache.
    NotCached,
    /// Tried earlier in this run (a cycle, or two certificates naming one URL).
    AlreadyTried,
    /// The run's fetch limit was reached first.
    FetchLimit {
        limit: usize,
    },
}

impl From<FetchError> for Outcome {
    fn from(e: FetchError) -> Outcome {
        match e {
            FetchError::RefusedScheme { scheme } => Outcome::RefusedScheme { scheme },
            FetchError::BadUrl { detail } => Outcome::BadUrl { detail },
            FetchError::Timeout { millis } => Outcome::Timeout { millis },
            FetchError::TooLarge { limit } => Outcome::TooLarge { limit },
            FetchError::TooManyRedirects { limit } => Outcome::TooManyRedirects { limit },
            FetchError::RefusedAddress { host, addr, reason } => {
                Outcome::RefusedAddress { host, addr, reason }
            }
            FetchError::Network { detail } => Outcome::Network { detail },
            FetchError::NotCached => Outcome::NotCached,
            // AIA only GETs; a POST's refusal reads as a network failure.
            e @ FetchError::PostRedirect { .. } => Outcome::Network {
                detail: e.to_string(),
            },
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Issuer { subject, sha256 } => {
                write!(f, "issuer {subject} [{}]", &sha256[..16])
            }
            Outcome::WrongSignature { certificates } => {
                let names: Vec<String> = certificates
                    .iter()
                    .map(|c| format!("{} [{}]", c.subject, &c.sha256[..16]))
                    .collect();
                write!(
                    f,
                    "wrong signature: {} did not sign the certificate",
                    names.join(", ")
                )
            }
            Outcome::NotACertificate { detail } => write!(f, "not a certificate ({detail})"),
            Outcome::NotFound => write!(f, "404 not found"),
            Outcome::HttpStatus { status } => write!(f, "HTTP status {status}"),
            Outcome::Timeout { millis } => {
                write!(f, "timed out after {} s", *millis as f64 / 1000.0)
            }
            Outcome::TooLarge { limit } => write!(f, "too large (over {limit} bytes)"),
            Outcome::TooManyRedirects { limit } => {
                write!(f, "more than {limit} redirects (a redirect loop?)")
            }
            Outcome::RefusedScheme { scheme } => {
                write!(
                    f,
                    "refused: {scheme}: URLs are not fetched (http and https only)"
                )
            }
            Outcome::BadUrl { detail } => write!(f, "not a valid URL ({detail})"),
            Outcome::RefusedAddress { host, addr, reason } => {
                f.write_str(&crate::fetch::refused_address_text(host, addr, reason))
            }
            Outcome::Network { detail } => write!(f, "network error ({detail})"),
            Outcome::NotCached => write!(f, "not in the cache (offline)"),
            Outcome::AlreadyTried => write!(f, "already tried in this run"),
            Outcome::FetchLimit { limit } => {
                write!(f, "not tried: the limit of {limit} fetches was reached")
            }
        }
    }
}

/// One URL tried.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub url: String,
    /// The certificate whose issuer was looked for.
    pub for_certificate: Named,
    /// 1 for the issuer of the given chain's last certificate, 2 above it…
    pub depth: usize,
    pub from_cache: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Every certificate the response held (all are kept when one signed).
    pub certificates: Vec<Named>,
}

/// An issuer found in a local pool (`--intermediates`).
#[derive(Clone, Debug, Serialize)]
pub struct PoolHit {
    pub for_certificate: Named,
    pub issuer: Named,
    pub source: String,
}

/// What completion did: stable JSON field names (docs/fetch.md).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CompletionReport {
    /// True when the network was not used (`--offline`).
    pub offline: bool,
    pub from_pools: Vec<PoolHit>,
    pub attempts: Vec<Attempt>,
    /// Network or cache look-ups made.
    pub fetches: usize,
    /// Why completion stopped early, when a limit did it.
    pub stopped_by: Option<String>,
}

impl CompletionReport {
    pub fn is_empty(&self) -> bool {
        self.from_pools.is_empty() && self.attempts.is_empty() && self.stopped_by.is_none()
    }
}

/// How completion may look for issuers.
pub struct Completer<'a> {
    /// Certificates from `--intermediates`, searched before the network.
    pub pools: &'a [Cert],
    /// `None`: no fetching at all.
    pub fetcher: Option<&'a dyn Fetch>,
    pub limits: Limits,
    pub offline: bool,
    pub progress: &'a dyn Progress,
}

fn hint_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

impl Completer<'_> {
    /// Assembles the chain, completing it when an issuer is missing. Fetched
    /// and pooled issuers are added to `inv` (origin: the URL or pool file).
    pub fn run(
        &self,
        inv: &mut Inventory,
        leaf_selector: Option<&str>,
    ) -> Result<(Assembly, CompletionReport)> {
        let mut report = CompletionReport {
            offline: self.offline,
            ..Default::default()
        };
        let mut tried: HashSet<String> = HashSet::new();
        let mut depth = 0;
        loop {
            let a = assemble(inv, leaf_selector)?;
            let Some(m) = &a.missing else {
                return Ok((a, report));
            };
            let child = inv.certs[a.path[m.child]].clone();
            let present: IdSet = inv.certs.iter().map(Cert::id).collect();

            // 1. Local pools.
            let hits: Vec<&Cert> = self
                .pools
                .iter()
                .filter(|p| {
                    !present.contains(&p.id())
                        && p.subject_key() == child.issuer_key()
                        && verify_issued_by(&child, p).is_ok()
                })
                .collect();
            if !hits.is_empty() {
                for p in hits {
                    report.from_pools.push(PoolHit {
                        for_certificate: Named::of(&child),
                        issuer: Named::of(p),
                        source: p.first_origin().to_string(),
                    });
                    inv.add_cert(p.clone());
                }
                continue;
            }

            // 2. The network (or the cache).
            let Some(fetcher) = self.fetcher else {
                return Ok((a, report));
            };
            let urls = child.ca_issuer_urls();
            if urls.is_empty() {
                return Ok((a, report));
            }
            if depth >= self.limits.max_depth {
                report.stopped_by = Some(format!(
                    "the depth limit ({} levels fetched)",
                    self.limits.max_depth
                ));
                return Ok((a, report));
            }
            depth += 1;
            let mut to_fetch = Vec::new();
            for u in &urls {
                if tried.contains(u) {
                    report
                        .attempts
                        .push(self.attempt(u, &child, depth, Outcome::AlreadyTried));
                } else if report.fetches + to_fetch.len() >= self.limits.max_fetches {
                    let o = Outcome::FetchLimit {
                        limit: self.limits.max_fetches,
                    };
                    report.stopped_by = Some(format!(
                        "the fetch limit ({} per run)",
                        self.limits.max_fetches
                    ));
                    report.attempts.push(self.attempt(u, &child, depth, o));
                } else {
                    tried.insert(u.clone());
                    to_fetch.push(u.clone());
                }
            }
            if to_fetch.is_empty() {
                return Ok((a, report));
            }
            report.fetches += to_fetch.len();
            let results = fetch_all(fetcher, &to_fetch, self.progress);
            let mut added = false;
            for (url, result) in to_fetch.iter().zip(results) {
                let (attempt, certs) = self.judge(url, &child, depth, result);
                self.progress.fetched(url, &attempt.outcome);
                if matches!(attempt.outcome, Outcome::Issuer { .. }) {
                    for c in certs {
                        if !inv.certs.iter().any(|x| x.id() == c.id()) {
                            added = true;
                            inv.add_cert(c);
                        }
                    }
                }
                report.attempts.push(attempt);
            }
            if !added {
                // Nothing new was read: the assembly above still stands.
                return Ok((a, report));
            }
        }
    }

    fn attempt(&self, url: &str, child: &Cert, depth: usize, outcome: Outcome) -> Attempt {
        Attempt {
            url: url.to_string(),
            for_certificate: Named::of(child),
            depth,
            from_cache: false,
            outcome,
            certificates: Vec::new(),
        }
    }

    /// Turns one response into an outcome and the certificates it held.
    fn judge(
        &self,
        url: &str,
        child: &Cert,
        depth: usize,
        result: std::result::Result<crate::fetch::Response, FetchError>,
    ) -> (Attempt, Vec<Cert>) {
        let mut at = self.attempt(url, child, depth, Outcome::NotFound);
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                at.outcome = e.into();
                return (at, Vec::new());
            }
        };
        at.from_cache = resp.from_cache;
        if resp.status == 404 {
            return (at, Vec::new());
        }
        if !(200..300).contains(&resp.status) {
            at.outcome = Outcome::HttpStatus {
                status: resp.status,
            };
            return (at, Vec::new());
        }
        let mut got = Inventory::default();
        let hint = hint_of(url);
        parse_source(&resp.body, url, hint.as_deref(), &NoPasswords, &mut got);
        if got.certs.is_empty() {
            let detail = match got.problems.first() {
                Some(p) => p.to_string(),
                None => format!("{} bytes with no certificate in them", resp.body.len()),
            };
            at.outcome = Outcome::NotACertificate { detail };
            return (at, Vec::new());
        }
        let certs: Vec<Cert> = got
            .certs
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c.origins = crate::model::Origins::one(Origin::block(url, i + 1));
                c
            })
            .collect();
        at.certificates = certs.iter().map(Named::of).collect();
        match certs.iter().find(|c| verify_issued_by(child, c).is_ok()) {
            Some(issuer) => {
                at.outcome = Outcome::Issuer {
                    subject: issuer.subject().to_string(),
                    sha256: issuer.id().hex(),
                };
                (at, certs)
            }
            None => {
                at.outcome = Outcome::WrongSignature {
                    certificates: at.certificates.clone(),
                };
                (at, Vec::new())
            }
        }
    }
}

/// Fetches every URL at once (one thread each; callers bound the count).
fn fetch_all(
    fetcher: &dyn Fetch,
    urls: &[String],
    progress: &dyn Progress,
) -> Vec<std::result::Result<crate::fetch::Response, FetchError>> {
    if urls.len() == 1 {
        progress.fetching(&urls[0]);
        return vec![fetcher.fetch(&urls[0])];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|u| {
                s.spawn(move || {
                    progress.fetching(u);
                    fetcher.fetch(u)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(FetchError::Network {
                        detail: "the fetching thread failed".into(),
                    })
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_come_from_the_url_path() {
        assert_eq!(
            hint_of("http://ca.example/x/int.p7c").as_deref(),
            Some("p7c")
        );
        assert_eq!(
            hint_of("http://ca.example/int.CRT?v=2").as_deref(),
            Some("crt")
        );
        assert_eq!(hint_of("http://ca.example/issuer"), None);
    }

    #[test]
    fn fetch_errors_map_to_outcomes_one_for_one() {
        let o: Outcome = FetchError::TooLarge { limit: 9 }.into();
        assert_eq!(o, Outcome::TooLarge { limit: 9 });
        let j = serde_json::to_value(Outcome::RefusedScheme {
            scheme: "ldap".into(),
        })
        .unwrap();
        assert_eq!(j["result"], "refused-scheme");
        assert_eq!(j["scheme"], "ldap");
    }
}
