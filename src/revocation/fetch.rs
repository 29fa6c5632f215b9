//! Gathering CRLs named by cRLDistributionPoints (http/https URIs) over
//! the safe fetch layer: the same timeouts, redirect limit and scheme
//! check as AIA, a size cap of its own (CRLs can be megabytes), a budget
//! of URLs, and a disk cache that keeps a CRL until its nextUpdate.
//! Offline, only the cache answers.

use super::crl::Crl;
use super::dp;
use crate::fetch::cache::CachingFetcher;
use crate::fetch::{Fetch, FetchError};
use crate::model::Cert;

/// The platform cache directory for CRLs (`…/chainfix/crl`).
pub fn default_dir() -> Option<std::path::PathBuf> {
    dirs::cache_dir().map(|d| d.join("chainfix").join("crl"))
}

/// Where CRLs come from.
pub struct Sources<'a> {
    /// The network (with the CRL size cap), or None offline.
    pub network: Option<&'a dyn Fetch>,
    /// The CRL cache directory, or None with `--no-cache`.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Current time (for cache freshness: a CRL is kept until nextUpdate).
    pub now: i64,
    /// URLs fetched at most.
    pub max_fetches: usize,
}

/// What happened to one distribution point URL.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Fetched {
    pub url: String,
    /// "network", "cache", or absent when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The http(s) CRL URLs of `cert`'s distribution points.
pub fn urls(cert: &Cert) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(Some(dps)) = dp::of_cert(&cert.parsed()) {
        for d in dps {
            for n in d.names.iter().flatten() {
                if let crate::chain::names::GName::Uri(u) = n
                    && crate::fetch::check_scheme(u).is_ok()
                    && !out.contains(u)
                {
                    out.push(u.clone());
                }
            }
        }
    }
    out
}

/// Fetches (or reads from the cache) the CRLs of every certificate in
/// `certs`. Returns the CRLs and one record per URL tried.
pub fn gather(
    certs: &[&Cert],
    src: &Sources<'_>,
    local: &[Crl],
    at: i64,
) -> (Vec<Crl>, Vec<Fetched>) {
    let cache = src
        .cache_dir
        .as_ref()
        .map(|d| CachingFetcher::<crate::fetch::NoNetwork>::new(d, None, src.now));
    let mut crls = Vec::new();
    let mut log: Vec<Fetched> = Vec::new();
    for cert in certs {
        // A current full CRL of the issuer given locally answers already.
        let issuer = crate::chain::names::dir_of(cert.parsed().issuer());
        if local.iter().any(|c| {
            !c.is_delta()
                && c.idp.is_none()
                && c.issuer_dir == issuer
                && c.this_update <= at
                && c.next_update.is_none_or(|n| n >= at)
        }) {
            continue;
        }
        for url in urls(cert) {
            if log.iter().any(|f| f.url == url) {
                continue;
            }
            // The cache first, while the CRL is current.
            if let Some(c) = &cache
                && let Some(e) = c.read(&url)
                && e.status == 200
                && let Ok(got) = Crl::read_all(&e.body, &url)
                && got
                    .iter()
                    .all(|k| k.next_update.is_some_and(|n| n >= src.now))
            {
                crls.extend(got);
                log.push(Fetched {
                    url,
                    from: Some("cache"),
                    error: None,
                });
                continue;
            }
            let Some(net) = src.network else {
                log.push(Fetched {
                    url,
                    from: None,
                    error: Some(FetchError::NotCached.to_string()),
                });
                continue;
            };
            if log.iter().filter(|f| f.from != Some("cache")).count() >= src.max_fetches {
                log.push(Fetched {
                    url,
                    from: None,
                    error: Some(format!(
                        "not fetched: the budget of {} URLs is spent",
                        src.max_fetches
                    )),
                });
                continue;
            }
            let outcome = net.fetch(&url).map_err(|e| e.to_string()).and_then(|r| {
                if r.status != 200 {
                    return Err(format!("HTTP {}", r.status));
                }
                let got = Crl::read_all(&r.body, &url)
                    .map_err(|e| format!("{} bytes that are not a CRL ({e})", r.body.len()))?;
                Ok((got, r.body))
            });
            match outcome {
                Ok((got, body)) => {
                    if let Some(c) = &cache {
                        let _ = c.write(&url, 200, &body);
                    }
                    crls.extend(got);
                    log.push(Fetched {
                        url,
                        from: Some("network"),
                        error: None,
                    });
                }
                Err(e) => log.push(Fetched {
                    url,
                    from: None,
                    error: Some(e),
                }),
            }
        }
    }
    (crls, log)
}
