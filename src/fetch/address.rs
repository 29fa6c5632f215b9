//! Where a fetch may connect. An AIA, CRL or OCSP URL comes from a
//! certificate, so it is chosen by whoever made that certificate: without a
//! check it can make chainfix send requests into the user's own network
//! (cloud metadata at 169.254.169.254, an admin page on 10.0.0.1).
//!
//! Never fetched: unspecified (0.0.0.0, ::), link-local (169.254.0.0/16,
//! fe80::/10: cloud metadata lives there), multicast and broadcast.
//! Fetched only when [`Limits::allow_private`](super::Limits) is set:
//! loopback, private (RFC 1918, fc00::/7), shared (100.64.0.0/10) and
//! 0.0.0.0/8. The check runs on the addresses a host name resolves to
//! (by [`CheckedResolver`], so reqwest connects only to checked
//! addresses) and on every IP-literal URL, redirects included, before any
//! socket is opened.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// Why an address is not fetched from, as a few words ("link-local").
pub fn refused(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    let (never, private) = match ip {
        IpAddr::V4(v4) => (v4_never(v4), v4_private(v4)),
        IpAddr::V6(v6) => (v6_never(v6), v6_private(v6)),
    };
    never.or(if allow_private { None } else { private })
}

fn v4_never(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some("multicast or broadcast")
    } else {
        None
    }
}

fn v4_private(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) || a == 0 {
        Some("private")
    } else {
        None
    }
}

fn v6_never(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast or broadcast")
    } else {
        None
    }
}

fn v6_private(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfec0 {
        Some("private")
    } else {
        None
    }
}

/// An address refused, for the error chain reqwest hands back.
#[derive(Debug)]
pub struct RefusedAddress {
    pub host: String,
    pub addr: IpAddr,
    pub reason: &'static str,
}

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is {} ({})", self.host, self.addr, self.reason)
    }
}

impl std::error::Error for RefusedAddress {}

/// Checks the host of a URL when it is an IP literal (reqwest connects to
/// those without asking the resolver).
pub fn check_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), RefusedAddress> {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let Ok(addr) = bare.parse::<IpAddr>() else {
        return Ok(());
    };
    match refused(addr, allow_private) {
        Some(reason) => Err(RefusedAddress {
            host: host.to_string(),
            addr,
            reason,
        }),
        None => Ok(()),
    }
}

/// The system resolver, refusing a name any of whose addresses is refused
/// (a name that resolves to both a public and a metadata address is not
/// one to trust with a fallback).
pub struct CheckedResolver {
    pub allow_private: bool,
}

/// Resolves `host` and checks every address.
pub fn resolve_checked(host: &str, allow_private: bool) -> std::io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, 0).to_socket_addrs()?.collect();
    for a in &addrs {
        if let Some(reason) = refused(a.ip(), allow_private) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                RefusedAddress {
                    host: host.to_string(),
                    addr: a.ip(),
                    reason,
                },
            ));
        }
    }
    Ok(addrs)
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = tokio::task::spawn_blocking(move || resolve_checked(&host, allow))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let r = |s: &str, allow| refused(s.parse().unwrap(), allow);
        for never in [
            "169.254.169.254",
            "0.0.0.0",
            "::",
            "fe80::1",
            "::ffff:169.254.169.254",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(r(never, true).is_some(), "{never}");
        }
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(r(private, true).is_none(), "{private}");
            assert!(r(private, false).is_some(), "{private}");
        }
        for public in ["93.184.216.34", "2606:4700::1", "172.32.0.1", "100.128.0.1"] {
            assert!(r(public, false).is_none(), "{public}");
        }
    }

    #[test]
    fn names_resolving_to_refused_addresses_are_refused_without_a_socket() {
        // `localhost` resolves from /etc/hosts: no DNS traffic.
        let e = resolve_checked("localhost", false).unwrap_err();
        let inner = e
            .get_ref()
            .unwrap()
            .downcast_ref::<RefusedAddress>()
            .unwrap();
        assert_eq!(inner.reason, "loopback");
        assert!(resolve_checked("localhost", true).is_ok());
    }
}
