//! The network fetcher: reqwest (blocking) over rustls with ring, trusting
//! the system's roots and the Mozilla roots (webpki-root-certs). Only
//! `http:` and `https:` are fetched, redirects included. Every limit is
//! enforced: connect timeout, a total deadline that covers the body, a body
//! cap checked while streaming (an endless body is cut off at the cap, never
//! buffered), and a redirect count.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use super::{Fetch, FetchError, Limits, Response, check_scheme};

/// Fetches over HTTP(S) with the given [`Limits`].
pub struct HttpFetcher {
    client: reqwest::blocking::Client,
    limits: Limits,
}

impl HttpFetcher {
    /// Builds the client. Fails only when the TLS configuration cannot be
    /// made (no root certificates at all), which the caller reports.
    pub fn new(limits: &Limits) -> Result<HttpFetcher, String> {
        let tls = tls_config()?;
        let max_redirects = limits.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                attempt.error(TooManyRedirects)
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                let scheme = attempt.url().scheme().to_string();
                attempt.error(RefusedRedirect(scheme))
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::blocking::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.total_timeout)
            .redirect(policy)
            .user_agent(concat!("chainfix/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(HttpFetcher {
            client,
            limits: limits.clone(),
        })
    }
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

fn classify(e: &reqwest::Error, limits: &Limits) -> FetchError {
    use std::error::Error as _;
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
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
    let mut detail = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    FetchError::Network { detail }
}

impl Fetch for HttpFetcher {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        check_scheme(url)?;
        let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::BadUrl {
            detail: e.to_string(),
        })?;
        let deadline = Instant::now() + self.limits.total_timeout;
        let timeout = || FetchError::Timeout {
            millis: self.limits.total_timeout.as_millis() as u64,
        };
        let mut resp = self
            .client
            .get(parsed)
            .timeout(self.limits.total_timeout)
            .send()
            .map_err(|e| classify(&e, &self.limits))?;
        let status = resp.status().as_u16();
        // A redirect reqwest did not follow because of its scheme (file:, ldap:…).
        if resp.status().is_redirection()
            && let Some(loc) = resp.headers().get(reqwest::header::LOCATION)
            && let Ok(loc) = loc.to_str()
            && let Some((scheme, _)) = loc.split_once(':')
            && !scheme.contains('/')
        {
            check_scheme(loc)?;
        }
        let cap = self.limits.max_body;
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(FetchError::TooLarge { limit: cap });
        }
        let mut body = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            if Instant::now() > deadline {
                return Err(timeout());
            }
            let n = match resp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let inner = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>());
                    return Err(match inner {
                        Some(re) => classify(re, &self.limits),
                        None if e.kind() == std::io::ErrorKind::TimedOut => timeout(),
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
