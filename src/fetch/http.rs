//! The network fetcher: reqwest (blocking) over rustls with ring, trusting
//! the system's roots and the Mozilla roots (webpki-root-certs). Only
//! `http:` and `https:` are fetched, redirects included. Every limit is
//! enforced: connect timeout, a total deadline that covers the body, a body
//! cap checked while streaming (an endless body is cut off at the cap, never
//! buffered), and a redirect count. A POST (OCSP, RFC 6960 §A.1) has the
//! same limits; its redirects are followed here, one by one, only when they
//! re-send the POST (307, 308), each target checked as the first URL was.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::address::{self, CheckedResolver, RefusedAddress};
use super::{Fetch, FetchError, Limits, Response, check_scheme};

/// Fetches over HTTP(S) with the given [`Limits`]. The clients are made on
/// first use: a run served from the cache never sets up TLS, and a run
/// that only meets `http:` URLs (nearly all AIA URLs) never loads the
/// root stores.
///
/// Loopback URLs (127.0.0.0/8, ::1, localhost) never go through a proxy
/// from `HTTP_PROXY`/`HTTPS_PROXY`: a proxy cannot reach this machine's
/// loopback, and tests must not leave it.
pub struct HttpFetcher {
    limits: Limits,
    /// Indexed by `post as usize * 4 + https as usize * 2 + loopback as
    /// usize`; the POST clients follow no redirect themselves.
    clients: [OnceLock<Result<reqwest::blocking::Client, String>>; 8],
}

impl HttpFetcher {
    /// A fetcher with these limits. Nothing is set up yet; a TLS set-up
    /// failure is reported by the first https fetch.
    pub fn new(limits: &Limits) -> Result<HttpFetcher, String> {
        Ok(HttpFetcher {
            limits: limits.clone(),
            clients: Default::default(),
        })
    }

    fn client(
        &self,
        post: bool,
        https: bool,
        loopback: bool,
    ) -> Result<&reqwest::blocking::Client, FetchError> {
        let cell =
            &self.clients[usize::from(post) * 4 + usize::from(https) * 2 + usize::from(loopback)];
        cell.get_or_init(|| build_client(&self.limits, post, https, loopback))
            .as_ref()
            .map_err(|detail| FetchError::Network {
                detail: detail.clone(),
            })
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

fn build_client(
    limits: &Limits,
    post: bool,
    https: bool,
    loopback: bool,
) -> Result<reqwest::blocking::Client, String> {
    // The plain client has no roots: it stops at a redirect to https, which
    // `fetch` then follows with the TLS client.
    let tls = if https {
        tls_config()?
    } else {
        plain_config()?
    };
    let max_redirects = limits.max_redirects;
    let allow_private = limits.allow_private;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if post {
            // `post` follows (or refuses) each redirect itself.
            attempt.stop()
        } else if attempt.previous().len() > max_redirects {
            attempt.error(TooManyRedirects)
        } else if let Err(refused) = address::check_literal(attempt.url(), allow_private) {
            attempt.error(refused)
        } else {
            match attempt.url().scheme() {
                "https" if !https => attempt.stop(),
                "http" | "https" => attempt.follow(),
                other => {
                    let scheme = other.to_string();
                    attempt.error(RefusedRedirect(scheme))
                }
            }
        }
    });
    let mut builder = reqwest::blocking::Client::builder();
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .use_preconfigured_tls(tls)
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.total_timeout)
        .redirect(policy)
        // Host names reach a socket only through this resolver, which
        // refuses forbidden addresses; IP literals are checked above and in
        // `fetch`.
        .dns_resolver(Arc::new(CheckedResolver { allow_private }))
        .user_agent(concat!("chainfix/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

fn plain_config() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))
        .map(|b| {
            b.with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        })
}

#[derive(Debug)]
struct TooManyRedirects;
impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too many redirects")
    }
}
impl std::error::Error for TooManyRedirects {}

#[derive(Debug)]
struct RefusedRedirect(String);
impl std::fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect to scheme {}:", self.0)
    }
}
impl std::error::Error for RefusedRedirect {}

fn tls_config() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    // System roots first (a corporate proxy's CA lives there), then Mozilla's.
    let native = rustls_native_certs::load_native_certs();
    for c in native.certs {
        let _ = roots.add(c);
    }
    for c in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let _ = roots.add(c.clone());
    }
    if roots.is_empty() {
        return Err("no trusted root certificates for https".into());
    }
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

fn refused_address(r: &RefusedAddress) -> FetchError {
    FetchError::RefusedAddress {
        host: r.host.clone(),
        addr: r.addr.to_string(),
        reason: r.reason.to_string(),
    }
}

fn classify(e: &reqwest::Error, limits: &Limits) -> FetchError {
    use std::error::Error as _;
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        // An io::Error hides the error it wraps from `source()`.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|i| i.downcast_ref::<RefusedAddress>());
        if let Some(r) = inner.or_else(|| s.downcast_ref::<RefusedAddress>()) {
            return refused_address(r);
        }
        if s.is::<TooManyRedirects>() {
            return FetchError::TooManyRedirects {
                limit: limits.max_redirects,
            };
        }
        if let Some(r) = s.downcast_ref::<RefusedRedirect>() {
            return FetchError::RefusedScheme {
                scheme: r.0.clone(),
            };
        }
        src = s.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout {
            millis: limits.total_timeout.as_millis() as u64,
        };
    }
    if e.is_redirect() {
        return FetchError::TooManyRedirects {
            limit: limits.max_redirects,
        };
    }
    // The innermost cause says it best ("Connection refused (os error 111)").
    let mut inner = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        inner = s.to_string();
        src = s.source();
    }
    let detail = if e.is_connect() {
        format!("cannot connect: {inner}")
    } else {
        inner
    };
    FetchError::Network { detail }
}

impl Fetch for HttpFetcher {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        check_scheme(url)?;
        let deadline = Instant::now() + self.limits.total_timeout;
        let mut url = url.to_string();
        // At most one hop from the plain client to the TLS client.
        for _ in 0..2 {
            let parsed = reqwest::Url::parse(&url).map_err(|e| FetchError::BadUrl {
                detail: e.to_string(),
            })?;
            address::check_literal(&parsed, self.limits.allow_private)
                .map_err(|r| refused_address(&r))?;
            let https = parsed.scheme() == "https";
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.timeout());
            }
            let resp = self
                .client(false, https, is_loopback(&parsed))?
                .get(parsed.clone())
                .timeout(left)
                .send()
                .map_err(|e| classify(&e, &self.limits))?;
            if resp.status().is_redirection()
                && let Some(loc) = resp.headers().get(reqwest::header::LOCATION)
                && let Ok(loc) = loc.to_str()
                && let Ok(next) = parsed.join(loc)
            {
                match next.scheme() {
                    "https" if !https => {
                        url = next.to_string();
                        continue;
                    }
                    "http" | "https" => {}
                    // A redirect reqwest did not follow because of its scheme.
                    other => {
                        return Err(FetchError::RefusedScheme {
                            scheme: other.to_string(),
                        });
                    }
                }
            }
            return self.read_body(resp, deadline);
        }
        Err(FetchError::TooManyRedirects {
            limit: self.limits.max_redirects,
        })
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response, FetchError> {
        check_scheme(url)?;
        let deadline = Instant::now() + self.limits.total_timeout;
        let mut url = reqwest::Url::parse(url).map_err(|e| FetchError::BadUrl {
            detail: e.to_string(),
        })?;
        let mut hops = 0;
        loop {
            check_scheme(url.as_str())?;
            address::check_literal(&url, self.limits.allow_private)
                .map_err(|r| refused_address(&r))?;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.timeout());
            }
            let resp = self
                .client(true, url.scheme() == "https", is_loopback(&url))?
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body.to_vec())
                .timeout(left)
                .send()
                .map_err(|e| classify(&e, &self.limits))?;
            let status = resp.status().as_u16();
            let next = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok());
            match (status, next) {
                (307 | 308, Some(next)) => {
                    hops += 1;
                    if hops > self.limits.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            limit: self.limits.max_redirects,
                        });
                    }
                    url = next;
                }
                (301..=303, Some(next)) => {
                    return Err(FetchError::PostRedirect {
                        status,
                        location: next.to_string(),
                    });
                }
                _ => return self.read_body(resp, deadline),
            }
        }
    }
}

impl HttpFetcher {
    fn timeout(&self) -> FetchError {
        FetchError::Timeout {
            millis: self.limits.total_timeout.as_millis() as u64,
        }
    }

    /// Reads the body in chunks, stopping at the cap or the deadline.
    fn read_body(
        &self,
        mut resp: reqwest::blocking::Response,
        deadline: Instant,
    ) -> Result<Response, FetchError> {
        let status = resp.status().as_u16();
        let cap = self.limits.max_body;
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(FetchError::TooLarge { limit: cap });
        }
        let mut body = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            if Instant::now() > deadline {
                return Err(self.timeout());
            }
            let n = match resp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let inner = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>());
                    return Err(match inner {
                        Some(re) => classify(re, &self.limits),
                        None if e.kind() == std::io::ErrorKind::TimedOut => self.timeout(),
                        None => FetchError::Network {
                            detail: e.to_string(),
                        },
                    });
                }
            };
            if body.len() as u64 + n as u64 > cap {
                return Err(FetchError::TooLarge { limit: cap });
            }
            body.extend_from_slice(&buf[..n]);
        }
        Ok(Response {
            status,
            body,
            from_cache: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (u, want) in [
            ("http://127.0.0.1:8080/a", true),
            ("http://127.8.9.1/a", true),
            ("http://[::1]/a", true),
            ("http://LOCALHOST/a", true),
            ("http://ca.example/a", false),
            ("http://10.0.0.1/a", false),
        ] {
            assert_eq!(is_loopback(&reqwest::Url::parse(u).unwrap()), want, "{u}");
        }
    }

    #[test]
    fn refuses_other_schemes_without_a_socket() {
        let f = HttpFetcher::new(&Limits::default()).unwrap();
        for u in [
            "ldap://ldap.example/cn=CA",
            "file:///etc/passwd",
            "ftp://x/y",
        ] {
            assert!(
                matches!(f.fetch(u), Err(FetchError::RefusedScheme { .. })),
                "{u}"
            );
        }
    }
}
