//! Names: owned general names, name-constraint subtrees (RFC 5280
//! §4.2.1.10) for DNS, IP, email and directory names, and the leaf's
//! host / IP / email match (RFC 6125 with one left-most wildcard label).

use x509_parser::prelude::*;

/// A name taken from a certificate (SAN or subject), owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GName {
    Dns(String),
    /// 4 or 16 bytes in a SAN; address then mask (8 or 32 bytes) in a constraint.
    Ip(Vec<u8>),
    Email(String),
    /// A Name as its RDNs, each a sorted list of (type OID, normalised value).
    Dir(Vec<Vec<(String, Vec<u8>)>>),
    Uri(String),
    /// A kind chainfix does not compare (otherName, x400, EDI, registeredID).
    Other(&'static str),
    /// Not a valid encoding for its kind.
    Invalid,
}

impl GName {
    pub fn from_general(g: &GeneralName<'_>) -> GName {
        match g {
            GeneralName::DNSName(s) => GName::Dns(s.to_string()),
            GeneralName::IPAddress(b) => GName::Ip(b.to_vec()),
            GeneralName::RFC822Name(s) => GName::Email(s.to_string()),
            GeneralName::DirectoryName(n) => GName::Dir(dir_of(n)),
            GeneralName::URI(s) => GName::Uri(s.to_string()),
            GeneralName::OtherName(..) => GName::Other("otherName"),
            GeneralName::X400Address(_) => GName::Other("x400Address"),
            GeneralName::EDIPartyName(_) => GName::Other("ediPartyName"),
            GeneralName::RegisteredID(_) => GName::Other("registeredID"),
            GeneralName::Invalid(..) => GName::Invalid,
        }
    }
    fn kind(&self) -> u8 {
        match self {
            GName::Dns(_) => 0,
            GName::Ip(_) => 1,
            GName::Email(_) => 2,
            GName::Dir(_) => 3,
            GName::Uri(_) => 4,
            GName::Other(_) => 5,
            GName::Invalid => 6,
        }
    }
}

/// Normalises a Name for comparison: string values are case-folded with
/// inner whitespace collapsed (RFC 5280 §7.1, simplified); other values
/// compare as raw bytes.
pub fn dir_of(n: &X509Name<'_>) -> Vec<Vec<(String, Vec<u8>)>> {
    n.iter().map(rdn_of).collect()
}

/// One RDN of a Name, normalised as [`dir_of`] does.
pub fn rdn_of(rdn: &RelativeDistinguishedName<'_>) -> Vec<(String, Vec<u8>)> {
    let mut set: Vec<(String, Vec<u8>)> = rdn
        .iter()
        .map(|atv| {
            let oid = atv.attr_type().to_id_string();
            let val = match atv.as_str() {
                Ok(s) => s
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
                    .into_bytes(),
                Err(_) => atv.as_slice().to_vec(),
            };
            (oid, val)
        })
        .collect();
    set.sort();
    set
}

/// Permitted and excluded subtrees of one CA.
#[derive(Clone, Debug, Default)]
pub struct Constraints {
    pub permitted: Option<Vec<GName>>,
    pub excluded: Vec<GName>,
}

/// The result of one name against one CA's constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NcError {
    NotPermitted(String),
    Excluded(String),
    /// A constraint or name chainfix cannot evaluate: refused, not ignored.
    Unsupported(String),
    Malformed(String),
}

impl std::fmt::Display for NcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NcError::NotPermitted(n) => write!(f, "name {n} is outside the permitted subtrees"),
            NcError::Excluded(n) => write!(f, "name {n} is in an excluded subtree"),
            NcError::Unsupported(n) => write!(f, "cannot evaluate name constraint on {n}"),
            NcError::Malformed(n) => write!(f, "malformed name or constraint: {n}"),
        }
    }
}

fn show(n: &GName) -> String {
    match n {
        GName::Dns(s) => format!("DNS:{s}"),
        GName::Ip(b) => format!("IP:{}", ip_string(b)),
        GName::Email(s) => format!("email:{s}"),
        GName::Dir(_) => "a directory name".into(),
        GName::Uri(s) => format!("URI:{s}"),
        GName::Other(k) => k.to_string(),
        GName::Invalid => "an invalid name".into(),
    }
}

pub fn ip_string(b: &[u8]) -> String {
    match b.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(b).unwrap()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(b).unwrap()).to_string(),
        _ => hex::encode(b),
    }
}

impl Constraints {
    /// Checks every name of one certificate below this CA; `comparisons`
    /// is charged for each name × subtree compared.
    pub fn check(
        &self,
        names: &[GName],
        comparisons: &mut dyn FnMut() -> bool,
    ) -> Result<(), NcError> {
        for c in self.permitted.iter().flatten().chain(&self.excluded) {
            validate_constraint(c)?;
        }
        for n in names {
            if let GName::Invalid = n {
                return Err(NcError::Malformed(show(n)));
            }
            // Excluded first: an excluded name is the more specific finding.
            for e in &self.excluded {
                if e.kind() != n.kind() {
                    continue;
                }
                if !comparisons() {
                    return Err(NcError::Unsupported("budget".into()));
                }
                if matches_subtree(n, e, true)? {
                    return Err(NcError::Excluded(show(n)));
                }
            }
            if let Some(p) = &self.permitted {
                let same: Vec<&GName> = p.iter().filter(|c| c.kind() == n.kind()).collect();
                if same.is_empty() {
                    continue;
                }
                let mut ok = false;
                for c in same {
                    if !comparisons() {
                        return Err(NcError::Unsupported("budget".into()));
                    }
                    if matches_subtree(n, c, false)? {
                        ok = true;
                        break;
                    }
                }
                if !ok {
                    return Err(NcError::NotPermitted(show(n)));
                }
            }
        }
        Ok(())
    }
}

fn validate_constraint(c: &GName) -> Result<(), NcError> {
    match c {
        GName::Ip(b) => {
            if b.len() != 8 && b.len() != 32 {
                return Err(NcError::Malformed("IP constraint length".into()));
            }
            let mask = &b[b.len() / 2..];
            let mut seen_zero = false;
            for byte in mask {
                for bit in (0..8).rev() {
                    let one = byte >> bit & 1 == 1;
                    if one && seen_zero {
                        return Err(NcError::Malformed("non-contiguous IP mask".into()));
                    }
                    if !one {
                        seen_zero = true;
                    }
                }
            }
            Ok(())
        }
        GName::Invalid => Err(NcError::Malformed("constraint".into())),
        _ => Ok(()),
    }
}

/// Does `name` fall in the subtree `c`? `excluding` makes a wildcard DNS
/// name count as inside when any name it could match is inside.
fn matches_subtree(name: &GName, c: &GName, excluding: bool) -> Result<bool, NcError> {
    match (name, c) {
        (GName::Dns(n), GName::Dns(c)) => dns_in_subtree(n, c, excluding),
        (GName::Ip(n), GName::Ip(c)) => {
            if n.len() * 2 != c.len() {
                return Ok(false);
            }
            let (addr, mask) = c.split_at(n.len());
            Ok(n.iter()
                .zip(addr)
                .zip(mask)
                .all(|((a, b), m)| a & m == b & m))
        }
        (GName::Email(n), GName::Email(c)) => email_in_subtree(n, c),
        (GName::Dir(n), GName::Dir(c)) => Ok(n.len() >= c.len() && n[..c.len()] == c[..]),
        (GName::Uri(n), GName::Uri(c)) => uri_in_subtree(n, c),
        (GName::Other(k), GName::Other(_)) => Err(NcError::Unsupported(k.to_string())),
        _ => Ok(false),
    }
}

fn valid_dns_label_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'*')
}

fn dns_in_subtree(name: &str, c: &str, excluding: bool) -> Result<bool, NcError> {
    let name = name.to_ascii_lowercase();
    let c = c.to_ascii_lowercase();
    if !valid_dns_label_chars(&name) && !name.is_empty() {
        return Err(NcError::Malformed(format!("DNS:{name}")));
    }
    if c.is_empty() {
        return Ok(true);
    }
    if c.contains('*') {
        return Err(NcError::Malformed(format!("DNS constraint {c}")));
    }
    let name = name.trim_end_matches('.');
    let (c, leading_dot) = match c.strip_prefix('.') {
        Some(rest) => (rest.to_string(), true),
        None => (c.clone(), false),
    };
    let c = c.trim_end_matches('.');
    let inside = |n: &str| -> bool {
        if n == c {
            return !leading_dot;
        }
        n.len() > c.len() && n.ends_with(c) && n.as_bytes()[n.len() - c.len() - 1] == b'.'
    };
    if let Some(rest) = name.strip_prefix("*.") {
        // A wildcard stands for every one-label name under `rest`.
        if inside(rest) && !(rest == c && leading_dot) {
            return Ok(true);
        }
        if rest == c {
            // "*.c" under constraint ".c" or "c": every match is inside.
            return Ok(true);
        }
        if excluding {
            // Could "*.rest" match a name inside c? Only if c is one label below rest.
            if let Some(head) = c.strip_suffix(rest) {
                let head = head.strip_suffix('.').unwrap_or("");
                if !head.is_empty() && !head.contains('.') {
                    return Ok(true);
                }
            }
        }
        return Ok(false);
    }
    Ok(inside(name))
}

/// RFC 5280 §4.2.1.10: a URI constraint applies to the URI's host; one
/// that starts with a period matches any host below that domain, otherwise
/// only that host (letter case ignored). A URI without an authority
/// (`urn:…`, `mailto:…`) has no host to compare and is refused, as
/// OpenSSL's `nc_uri` refuses it (X509_V_ERR_UNSUPPORTED_NAME_SYNTAX).
fn uri_in_subtree(name: &str, c: &str) -> Result<bool, NcError> {
    let host = uri_host(name).ok_or_else(|| NcError::Unsupported(format!("URI:{name}")))?;
    let host = host.to_ascii_lowercase();
    let c = c.to_ascii_lowercase();
    Ok(match c.strip_prefix('.') {
        Some(_) => host.len() > c.len() && host.ends_with(&c),
        None => host == c,
    })
}

/// The host of `scheme://[userinfo@]host[:port][/…]`, without the port;
/// an IPv6 literal keeps its brackets. `None` when there is no authority.
fn uri_host(uri: &str) -> Option<&str> {
    let (scheme, rest) = uri.split_once(':')?;
    if scheme.is_empty() {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        &hostport[..hostport.find(']')? + 1]
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then_some(host)
}

fn email_in_subtree(name: &str, c: &str) -> Result<bool, NcError> {
    let Some((local, host)) = name.rsplit_once('@') else {
        return Err(NcError::Malformed(format!("email:{name}")));
    };
    if local.is_empty() || host.is_empty() {
        return Err(NcError::Malformed(format!("email:{name}")));
    }
    let host = host.to_ascii_lowercase();
    if let Some((cl, ch)) = c.rsplit_once('@') {
        return Ok(cl == local && ch.eq_ignore_ascii_case(&host));
    }
    let c = c.to_ascii_lowercase();
    if let Some(dom) = c.strip_prefix('.') {
        return Ok(host.len() > dom.len()
            && host.ends_with(dom)
            && host.as_bytes()[host.len() - dom.len() - 1] == b'.');
    }
    Ok(host == c)
}

/// The name the leaf must carry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum PeerName {
    Dns(String),
    Ip(std::net::IpAddr),
    Email(String),
}

impl std::fmt::Display for PeerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerName::Dns(s) => write!(f, "DNS:{s}"),
            PeerName::Ip(a) => write!(f, "IP:{a}"),
            PeerName::Email(s) => write!(f, "email:{s}"),
        }
    }
}

/// Does the leaf's SAN cover `want`? The subject CN is never consulted
/// (CA/Browser Forum; RFC 6125 §6.4.4 allows it only without a SAN, and
/// modern verifiers refuse that).
pub fn peer_matches(san: &[GName], want: &PeerName) -> bool {
    match want {
        PeerName::Dns(host) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            san.iter().any(|n| match n {
                GName::Dns(p) => dns_pattern_matches(&p.to_ascii_lowercase(), &host),
                _ => false,
            })
        }
        PeerName::Ip(ip) => {
            let bytes: Vec<u8> = match ip {
                std::net::IpAddr::V4(a) => a.octets().to_vec(),
                std::net::IpAddr::V6(a) => a.octets().to_vec(),
            };
            san.iter().any(|n| matches!(n, GName::Ip(b) if *b == bytes))
        }
        PeerName::Email(e) => {
            let Some((l, h)) = e.rsplit_once('@') else {
                return false;
            };
            san.iter().any(|n| match n {
                GName::Email(s) => match s.rsplit_once('@') {
                    Some((sl, sh)) => sl == l && sh.eq_ignore_ascii_case(h),
                    None => false,
                },
                _ => false,
            })
        }
    }
}

/// One wildcard, only as the whole left-most label, never matching a
/// public-suffix-like single label ("*.com") or an IDN A-label.
pub fn dns_pattern_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    if let Some(rest) = pattern.strip_prefix("*.") {
        if rest.contains('*') || !rest.contains('.') {
            return false;
        }
        let Some((first, tail)) = host.split_once('.') else {
            return false;
        };
        return !first.is_empty() && tail == rest;
    }
    if pattern.contains('*') {
        return false;
    }
    pattern == host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_subtrees_compare_the_host() {
        let ok = |n: &str, c: &str| uri_in_subtree(n, c).unwrap();
        assert!(ok("http://host.example.com/a", "host.example.com"));
        assert!(ok(
            "https://user@HOST.example.com:8443/x?q",
            "host.example.com"
        ));
        assert!(!ok("http://www.host.example.com/", "host.example.com"));
        assert!(ok("http://www.example.com/", ".example.com"));
        assert!(!ok("http://example.com/", ".example.com"));
        assert!(!ok("http://badexample.com/", ".example.com"));
        assert!(ok("ldap://[2001:db8::1]:389/", "[2001:db8::1]"));
        assert!(uri_in_subtree("urn:isbn:123", "example.com").is_err());
        assert!(uri_in_subtree("http:///path", "example.com").is_err());
    }

    #[test]
    fn dns_subtrees() {
        assert!(dns_in_subtree("a.example.com", "example.com", false).unwrap());
        assert!(dns_in_subtree("example.com", "example.com", false).unwrap());
        assert!(!dns_in_subtree("example.com", ".example.com", false).unwrap());
        assert!(!dns_in_subtree("badexample.com", "example.com", false).unwrap());
        assert!(dns_in_subtree("*.example.com", "bad.example.com", true).unwrap());
        assert!(!dns_in_subtree("*.example.com", "bad.example.com", false).unwrap());
    }

    #[test]
    fn ip_and_email_subtrees() {
        let net = GName::Ip(vec![10, 0, 0, 0, 255, 0, 0, 0]);
        assert!(matches_subtree(&GName::Ip(vec![10, 9, 8, 7]), &net, false).unwrap());
        assert!(!matches_subtree(&GName::Ip(vec![11, 0, 0, 1]), &net, false).unwrap());
        // An IPv6 name never falls in an IPv4 subtree.
        assert!(!matches_subtree(&GName::Ip(vec![0; 16]), &net, false).unwrap());
        assert!(validate_constraint(&GName::Ip(vec![10, 0, 0, 0, 255, 0, 255, 0])).is_err());
        assert!(email_in_subtree("a@example.com", "example.com").unwrap());
        assert!(!email_in_subtree("a@sub.example.com", "example.com").unwrap());
        assert!(email_in_subtree("a@sub.example.com", ".example.com").unwrap());
        assert!(email_in_subtree("a@EXAMPLE.com", "a@example.com").unwrap());
        assert!(!email_in_subtree("A@example.com", "a@example.com").unwrap());
    }

    #[test]
    fn excluded_wins_and_budget_stops() {
        let nc = Constraints {
            permitted: Some(vec![GName::Dns("example.com".into())]),
            excluded: vec![GName::Dns("bad.example.com".into())],
        };
        let mut n = 0;
        let mut count = || {
            n += 1;
            true
        };
        assert!(matches!(
            nc.check(&[GName::Dns("x.bad.example.com".into())], &mut count),
            Err(NcError::Excluded(_))
        ));
        let mut none = || false;
        assert!(
            nc.check(&[GName::Dns("a.example.com".into())], &mut none)
                .is_err()
        );
    }

    #[test]
    fn wildcards() {
        assert!(dns_pattern_matches("*.example.com", "a.example.com"));
        assert!(!dns_pattern_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_pattern_matches("*.com", "example.com"));
        assert!(!dns_pattern_matches("a*.example.com", "ab.example.com"));
    }
}
