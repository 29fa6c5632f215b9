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
    /// The delta CRLs that freshestCRL names are fetched too (the peer
    /// applies them).
    pub deltas: bool,
}

/// What happened to one distribution point URL or OCSP request.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Fetched {
    /// The CRL URL, or the OCSP responder's URL (for a GET, the request
    /// itself follows it in the URL sent).
    pub url: String,
    /// "crl", "delta-crl" (from a freshestCRL extension) or "ocsp".
    pub kind: &'static str,
    /// "GET" or "POST" when the network was asked; absent for the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    /// "network", "cache", or absent when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// OCSP: the delegated responder that signed the answer, if not the CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responder: Option<super::ocsp::Responder>,
}

impl Fetched {
    /// A URL answered, from the network (with `method`) or the cache.
    pub fn ok(url: &str, kind: &'static str, method: Option<&'static str>) -> Fetched {
        Fetched {
            url: url.to_string(),
            kind,
            method,
            from: Some(if method.is_some() { "network" } else { "cache" }),
            error: None,
            responder: None,
        }
    }

    /// A URL that gave nothing usable.
    pub fn failed(
        url: &str,
        kind: &'static str,
        method: Option<&'static str>,
        error: String,
    ) -> Fetched {
        Fetched {
            url: url.to_string(),
            kind,
            method,
            from: None,
            error: Some(error),
            responder: None,
        }
    }

    /// True when this record went to the network (it counts in the budget).
    pub fn used_network(&self) -> bool {
        self.from != Some("cache")
    }
}

/// The budget sentence, shared with OCSP.
pub fn budget_spent(max: usize) -> String {
    format!("not fetched: the budget of {max} URLs is spent")
}

/// The http(s) CRL URLs of `cert`'s distribution points.
pub fn urls(cert: &Cert) -> Vec<String> {
    match dp::of_cert(&cert.parsed()) {
        Ok(Some(dps)) => dp::http_uris(&dps),
        _ => Vec::new(),
    }
}

/// The http(s) URLs of `cert`'s freshestCRL extension (its delta CRLs).
pub fn delta_urls(cert: &Cert) -> Vec<String> {
    match dp::freshest_of_cert(&cert.parsed()) {
        Ok(Some(dps)) => dp::http_uris(&dps),
        _ => Vec::new(),
    }
}

/// Fetches (or reads from the cache) the CRLs of every certificate in
/// `certs`, and the delta CRLs that the certificates' or those CRLs'
/// freshestCRL extensions name (RFC 5280 §6.3.3 (c)) when `src.deltas`.
/// Returns the CRLs and
/// one record per URL tried.
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
        let issuer = crate::chain::names::dir_of(cert.parsed().issuer());
        // A current full CRL of the issuer given locally answers already.
        let given = local.iter().any(|c| {
            !c.is_delta()
                && c.idp.is_none()
                && c.issuer_dir == issuer
                && c.this_update <= at
                && c.next_update.is_none_or(|n| n >= at)
        });
        if !given {
            for url in urls(cert) {
                get_one(&url, "crl", cache.as_ref(), src, &mut crls, &mut log);
            }
        }
        if !src.deltas {
            continue;
        }
        let mut deltas = delta_urls(cert);
        for c in local.iter().chain(crls.iter()) {
            if !c.is_delta() && c.issuer_dir == issuer {
                for u in &c.freshest {
                    if !deltas.contains(u) {
                        deltas.push(u.clone());
                    }
                }
            }
        }
        for url in deltas {
            get_one(&url, "delta-crl", cache.as_ref(), src, &mut crls, &mut log);
        }
    }
    (crls, log)
}

/// One CRL URL: the cache while the CRLs it holds are current, else the
/// network within the budget; once per run.
fn get_one(
    url: &str,
    kind: &'static str,
    cache: Option<&CachingFetcher<crate::fetch::NoNetwork>>,
    src: &Sources<'_>,
    crls: &mut Vec<Crl>,
    log: &mut Vec<Fetched>,
) {
    if log.iter().any(|f| f.url == url) {
        return;
    }
    if let Some(c) = cache
        && let Some(e) = c.read(url)
        && e.status == 200
        && let Ok(got) = Crl::read_all(&e.body, url)
        && got
            .iter()
            .all(|k| k.next_update.is_some_and(|n| n >= src.now))
    {
        crls.extend(got);
        log.push(Fetched::ok(url, kind, None));
        return;
    }
    let Some(net) = src.network else {
        log.push(Fetched::failed(
            url,
            kind,
            None,
            FetchError::NotCached.to_string(),
        ));
        return;
    };
    if log.iter().filter(|f| f.used_network()).count() >= src.max_fetches {
        log.push(Fetched::failed(
            url,
            kind,
            None,
            budget_spent(src.max_fetches),
        ));
        return;
    }
    let outcome = net.fetch(url).map_err(|e| e.to_string()).and_then(|r| {
        if r.status != 200 {
            return Err(format!("HTTP {}", r.status));
        }
        let got = Crl::read_all(&r.body, url)
            .map_err(|e| format!("{} bytes that are not a CRL ({e})", r.body.len()))?;
        Ok((got, r.body))
    });
    match outcome {
        Ok((got, body)) => {
            if let Some(c) = cache {
                let _ = c.write(url, 200, &body);
            }
            crls.extend(got);
            log.push(Fetched::ok(url, kind, Some("GET")));
        }
        Err(e) => log.push(Fetched::failed(url, kind, Some("GET"), e)),
    }
}
