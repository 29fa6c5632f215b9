//! Fetching by URL: issuer certificates (AIA caIssuers), CRLs, OCSP
//! responses. One small trait, [`Fetch`] (GET, and POST for OCSP), with
//! three implementations: [`http::HttpFetcher`] (reqwest,
//! http and https only, every limit enforced), [`cache::CachingFetcher`]
//! (a disk cache in front of another fetcher, or alone when offline) and
//! [`memory::MemoryFetcher`] (a map, for tests). The library never prints
//! and never reads the clock: callers pass the time in.

pub mod address;
pub mod cache;
pub mod http;
pub mod memory;

use std::time::Duration;

use serde::Serialize;

/// Every limit on fetching, with the defaults documented in docs/fetch.md.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time allowed to open the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, body included.
    pub total_timeout: Duration,
    /// Largest body accepted, in bytes; a longer one is cut off and refused.
    pub max_body: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// URLs fetched (network or cache) in one run, at most.
    pub max_fetches: usize,
    /// Levels of issuers fetched above the given certificates, at most.
    pub max_depth: usize,
    /// Whether URLs may lead to loopback and private addresses (see
    /// [`address`]). Off by default: anything that fetches for others
    /// (a service, CI linting uploaded certificates) must keep it off; the
    /// CLI, run by a user on their own files, turns it on.
    pub allow_private: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
            max_body: 1024 * 1024,
            max_redirects: 5,
            max_fetches: 20,
            max_depth: 6,
            allow_private: false,
        }
    }
}

/// A response that arrived: its status and its whole body (within the cap).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// Served from the disk cache, not the network.
    pub from_cache: bool,
}

/// Why a URL gave no response to look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FetchError {
    /// Not http: or https: (ldap:, file:, ftp:, …).
    RefusedScheme { scheme: String },
    /// The URL does not parse.
    BadUrl { detail: String },
    /// Connect or total timeout passed.
    Timeout { millis: u64 },
    /// The body went past the size cap (reading stopped there).
    TooLarge { limit: u64 },
    /// More redirects than allowed (or a loop).
    TooManyRedirects { limit: usize },
    /// The host is (or resolves to) an address not fetched from; nothing
    /// was sent to it.
    RefusedAddress {
        host: String,
        addr: String,
        reason: String,
    },
    /// Connection refused, DNS failure, TLS failure, reset…
    Network { detail: String },
    /// `--offline` and the URL is not in the cache.
    NotCached,
    /// A POST was answered with a redirect that does not re-send it
    /// (301, 302, 303: HTTP lets a client turn those into a GET, which
    /// would drop the request); only 307 and 308 are followed for a POST.
    PostRedirect { status: u16, location: String },
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::RefusedScheme { scheme } => {
                write!(
                    f,
                    "refused: scheme {scheme}: is not fetched (http and https only)"
                )
            }
            FetchError::BadUrl { detail } => write!(f, "not a valid URL ({detail})"),
            FetchError::Timeout { millis } => {
                write!(f, "timed out after {} s", *millis as f64 / 1000.0)
            }
            FetchError::TooLarge { limit } => {
                write!(f, "response larger than {limit} bytes; stopped reading")
            }
            FetchError::TooManyRedirects { limit } => {
                write!(f, "more than {limit} redirects (a redirect loop?)")
            }
            FetchError::RefusedAddress { host, addr, reason } => {
                f.write_str(&refused_address_text(host, addr, reason))
            }
            FetchError::Network { detail } => write!(f, "network error: {detail}"),
            FetchError::NotCached => {
                write!(f, "not in the cache, and --offline forbids the network")
            }
            FetchError::PostRedirect { status, location } => write!(
                f,
                "the POST was redirected with HTTP {status} to {location}, which would turn it into a GET; not followed (only 307 and 308 re-send a POST)"
            ),
        }
    }
}

/// The sentence for a refused address, shared with the completion outcome.
pub fn refused_address_text(host: &str, addr: &str, reason: &str) -> String {
    let host = if host == addr {
        host.to_string()
    } else {
        format!("{host} ({addr})")
    };
    if reason == "loopback" || reason == "private" {
        format!(
            "refused: {host} is a {reason} address, and fetching from those is off (--allow-private-fetch turns it on)"
        )
    } else {
        format!(
            "refused: {host} is a {reason} address, never fetched from (cloud metadata services live there)"
        )
    }
}

/// Something that turns a URL into a response. `Sync` so that several URLs
/// of one certificate can be fetched at the same time.
pub trait Fetch: Sync {
    /// GETs `url`.
    fn fetch(&self, url: &str) -> Result<Response, FetchError>;

    /// POSTs `body` (of `content_type`) to `url`, within the same limits
    /// as a GET. A redirect is followed only when it re-sends the POST
    /// (307, 308); any other is [`FetchError::PostRedirect`]. Never
    /// cached: a POST's answer depends on its body, not its URL. The
    /// default is a fetcher without a network.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response, FetchError> {
        let _ = (content_type, body);
        check_scheme(url)?;
        Err(FetchError::NotCached)
    }
}

impl<T: Fetch + ?Sized> Fetch for &T {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        (**self).fetch(url)
    }
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response, FetchError> {
        (**self).post(url, content_type, body)
    }
}

impl<T: Fetch + ?Sized> Fetch for Box<T> {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        (**self).fetch(url)
    }
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response, FetchError> {
        (**self).post(url, content_type, body)
    }
}

/// Never fetches anything: `--offline` without a cache.
pub struct NoNetwork;

impl Fetch for NoNetwork {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        check_scheme(url)?;
        Err(FetchError::NotCached)
    }
}

/// Accepts `http:` and `https:` URLs only (case-insensitive scheme).
pub fn check_scheme(url: &str) -> Result<(), FetchError> {
    let Some((scheme, _)) = url.split_once(':') else {
        return Err(FetchError::BadUrl {
            detail: "no scheme".into(),
        });
    };
    let lower = scheme.to_ascii_lowercase();
    if lower == "http" || lower == "https" {
        Ok(())
    } else {
        Err(FetchError::RefusedScheme { scheme: lower })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(check_scheme("http://a/b").is_ok());
        assert!(check_scheme("HTTPS://a/b").is_ok());
        assert_eq!(
            check_scheme("ldap://x/cn=a"),
            Err(FetchError::RefusedScheme {
                scheme: "ldap".into()
            })
        );
        assert_eq!(
            check_scheme("file:///etc/passwd"),
            Err(FetchError::RefusedScheme {
                scheme: "file".into()
            })
        );
        assert!(matches!(
            check_scheme("nothing"),
            Err(FetchError::BadUrl { .. })
        ));
    }
}
