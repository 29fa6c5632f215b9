//! Judges the chain a server sent, the way `verify --role server --host`
//! would: issuing order, missing intermediates (and whether AIA would
//! paper over them), a root sent needlessly, expiry at a given time,
//! serverAuth EKU, the name, and trust in a chosen store. Also says whether
//! a client chain matches the CA names a server asked for. Pure: the time
//! and the trust anchors are arguments.

use std::collections::HashSet;

use serde::Serialize;
use x509_parser::prelude::*;

use crate::chain::names::PeerName;
use crate::chain::path::{Budget, build};
use crate::chain::validate::{Policy, Role};
use crate::chain::{ChainEnd, IssuerIndex, order_from};
use crate::model::Cert;
use crate::trust::Lookup;
pub use crate::trust::TrustStore;

/// Warn when a certificate expires within this many seconds (30 days).
pub const EXPIRES_SOON: i64 = 30 * 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One thing found, with the certificate it is about and the fix.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable kebab-case id (see docs/probe.md).
    pub id: &'static str,
    pub severity: Severity,
    /// Position in the chain as sent (0 = the first certificate sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<usize>,
    pub message: String,
    pub fix: String,
}

/// The verdict on the server's chain.
#[derive(Clone, Debug, Serialize)]
pub struct ServerJudgement {
    /// No finding at error level.
    pub chain_valid: bool,
    /// The chain reaches an anchor of `trust_store`.
    pub trusted: bool,
    pub trust_store: String,
    /// Positions (as sent) in issuing order, leaf first.
    pub issuing_order: Vec<usize>,
    /// The store is the bundled Salesforce CANDIDATE list (a guess).
    pub trust_store_candidate: bool,
    /// Subject of the anchor the chain reached, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// The validating path builder (RFC 5280 profile, serverAuth, the name)
    /// found a valid path from the leaf to an anchor using what was sent.
    pub path_valid: bool,
    /// Its most specific reason when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_problem: Option<String>,
    /// The peer's judgement (the same verify and the other commands give).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::peer::Verdict>,
    /// The revocation stage on the accepted path, as in `verify --json`
    /// (absent when the stages were not run: no certificate sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::Outcome>,
    /// With --policy: the policies valid for the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    pub findings: Vec<Finding>,
}

/// The stages after path building a server chain is put through:
/// revocation under `setup`, and `policies` (`--policy`; empty: none).
pub struct Stages<'a> {
    pub setup: &'a crate::revocation::Setup,
    pub policies: &'a [String],
}

fn fmt_time(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(::time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Judges `sent` (the server's certificates in the order sent) for a client
/// connecting to `host` at time `at` that trusts `trust`.
pub fn judge_server(sent: &[Cert], host: &str, at: i64, trust: &TrustStore) -> ServerJudgement {
    judge_server_for(sent, host, at, trust, crate::peer::Peer::Webpki.profile())
}

/// As [`judge_server`], for the peer whose profile is `profile`.
pub fn judge_server_for(
    sent: &[Cert],
    host: &str,
    at: i64,
    trust: &TrustStore,
    profile: crate::peer::Profile,
) -> ServerJudgement {
    judge_server_with(sent, host, at, trust, profile, None)
}

/// As [`judge_server_for`], then the stages after path building
/// ([`crate::peer::after_path`]: revocation, `--policy`) on the accepted
/// path, as every command runs them: what they find is in `revocation`,
/// in the verdict, and a finding (`revoked`, `revocation-unchecked`,
/// `no-valid-policy`; an error when it refuses the chain).
pub fn judge_server_with(
    sent: &[Cert],
    host: &str,
    at: i64,
    trust: &TrustStore,
    profile: crate::peer::Profile,
    stages: Option<&Stages<'_>>,
) -> ServerJudgement {
    let mut findings = Vec::new();
    if sent.is_empty() {
        findings.push(Finding {
            id: "no-certificate",
            severity: Severity::Error,
            cert: None,
            message: "the server sent no certificate (or the handshake ended before it did)".into(),
            fix: "configure a certificate on the server".into(),
        });
        return ServerJudgement {
            chain_valid: false,
            trusted: false,
            trust_store: trust.name.clone(),
            trust_store_candidate: trust.candidate,
            issuing_order: vec![],
            anchor: None,
            path_valid: false,
            path_problem: None,
            verdict: None,
            revocation: None,
            policies: None,
            findings,
        };
    }
    let index = IssuerIndex::new(sent);
    let ordered = order_from(&index, 0);
    let path = ordered.path.clone();

    // Trust: the same ordering over what was sent plus the anchors.
    let mut pool: Vec<Cert> = sent.to_vec();
    pool.extend(trust.anchors.iter().cloned());
    let full_index = IssuerIndex::new(&pool);
    let full = order_from(&full_index, 0);
    // The first certificate on the path that is an anchor, is issued by
    // one, or names one known only by fingerprint.
    let anchor = full.path.iter().find_map(|&i| {
        if i >= sent.len() {
            return Some(pool[i].subject().to_string());
        }
        match trust.lookup(&pool[i]) {
            Lookup::Anchor(a) | Lookup::IssuedByAnchor(a) => Some(a.subject().to_string()),
            Lookup::KnownAnchor(e) | Lookup::IssuerNamedKnown(e) => Some(e.subject.clone()),
            Lookup::NotFound => None,
        }
    });
    let trusted = anchor.is_some();

    let trust_severity = if trust.candidate {
        Severity::Warning
    } else {
        Severity::Error
    };

    // Order as sent.
    let in_order: Vec<usize> = (0..path.len()).collect();
    if path != in_order {
        findings.push(Finding {
            id: "wrong-order",
            severity: Severity::Warning,
            cert: None,
            message: format!(
                "the server sends its chain out of issuing order (issuing order by position sent: {})",
                path.iter()
                    .map(|p| (p + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
            fix: "list the server certificate first, then each issuer in turn (`chainfix bundle` writes that order)".into(),
        });
    }
    let on_path: HashSet<usize> = path.iter().copied().collect();
    for i in (0..sent.len()).filter(|i| !on_path.contains(i)) {
        findings.push(Finding {
            id: "unneeded-certificate",
            severity: Severity::Warning,
            cert: Some(i),
            message: format!(
                "certificate {} ({}) is not part of the server certificate's chain",
                i + 1,
                sent[i].subject()
            ),
            fix: "remove it from the server's chain file".into(),
        });
    }
    match ordered.end {
        ChainEnd::Root => {
            let top = *path.last().expect("path has the leaf");
            if path.len() > 1 {
                findings.push(Finding {
                    id: "root-included",
                    severity: Severity::Warning,
                    cert: Some(top),
                    message: format!(
                        "the server sends the root {} — clients must have it already, so it is dead weight",
                        sent[top].subject()
                    ),
                    fix: "leave the root out of the server's chain file".into(),
                });
            }
            if !trusted {
                findings.push(Finding {
                    id: "untrusted-root",
                    severity: trust_severity,
                    cert: Some(top),
                    message: format!(
                        "the chain ends at {}, which is not in the {} trust store",
                        sent[top].subject(),
                        trust.name
                    ),
                    fix: format!(
                        "use a certificate from a CA in the {} store, or add this root where the client allows it",
                        trust.name
                    ),
                });
            }
        }
        ChainEnd::NoVerifyingIssuer => {
            let top = *path.last().expect("path has the leaf");
            findings.push(Finding {
                id: "bad-issuer-signature",
                severity: Severity::Error,
                cert: Some(top),
                message: format!(
                    "the server sends a certificate named as the issuer of {}, but its key did not sign it",
                    sent[top].subject()
                ),
                fix: "replace the intermediate with the one that issued this certificate (the CA's current bundle)".into(),
            });
        }
        ChainEnd::MissingIssuer | ChainEnd::BudgetExhausted if !trusted => {
            let top = *path.last().expect("path has the leaf");
            let urls = sent[top].ca_issuer_urls();
            let aia = if urls.is_empty() {
                "it has no AIA caIssuers URL, so no client can fetch it".to_string()
            } else {
                format!(
                    "browsers may fetch it from {} (AIA), but Salesforce callouts, Java, curl and OpenSSL do not",
                    urls.join(", ")
                )
            };
            findings.push(Finding {
                id: "missing-intermediate",
                severity: if sent[top].is_ca() { trust_severity } else { Severity::Error },
                cert: Some(top),
                message: format!(
                    "the issuer of {} ({}) was not sent and is not a root in the {} store; {aia}",
                    sent[top].subject(),
                    sent[top].issuer(),
                    trust.name
                ),
                fix: "configure the server to send its intermediates: `chainfix bundle` the server certificate with its CA's bundle and install the result".into(),
            });
        }
        _ => {}
    }

    // Validity of everything sent.
    for (i, c) in sent.iter().enumerate() {
        if at > c.not_after() {
            findings.push(Finding {
                id: "expired",
                severity: Severity::Error,
                cert: Some(i),
                message: format!("{} expired on {}", c.subject(), fmt_time(c.not_after())),
                fix: "renew it and install the new certificate on the server".into(),
            });
        } else if at < c.not_before() {
            findings.push(Finding {
                id: "not-yet-valid",
                severity: Severity::Error,
                cert: Some(i),
                message: format!(
                    "{} is not valid until {}",
                    c.subject(),
                    fmt_time(c.not_before())
                ),
                fix: "check the server's clock and the certificate's dates".into(),
            });
        } else if c.not_after() - at < EXPIRES_SOON {
            findings.push(Finding {
                id: "expires-soon",
                severity: Severity::Warning,
                cert: Some(i),
                message: format!("{} expires on {}", c.subject(), fmt_time(c.not_after())),
                fix: "renew it before then".into(),
            });
        }
    }

    let leaf = &sent[0];
    let x = leaf.parsed();
    if let Ok(Some(eku)) = x.extended_key_usage()
        && !eku.value.server_auth
        && !eku.value.any
    {
        findings.push(Finding {
            id: "no-server-auth-eku",
            severity: Severity::Error,
            cert: Some(0),
            message: format!(
                "{} has an Extended Key Usage without serverAuth: clients refuse it for a TLS server",
                leaf.subject()
            ),
            fix: "get a certificate issued with Extended Key Usage serverAuth".into(),
        });
    }
    match name_matches(&x, host) {
        NameMatch::Yes => {}
        NameMatch::No(names) => findings.push(Finding {
            id: "name-mismatch",
            severity: Severity::Error,
            cert: Some(0),
            message: format!(
                "{host} is not among the names the server certificate is for ({})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ),
            fix: format!(
                "get a certificate with {host} in its Subject Alternative Names, or connect with a name it has (--servername)"
            ),
        }),
        NameMatch::NoSan => findings.push(Finding {
            id: "no-subject-alt-name",
            severity: Severity::Error,
            cert: Some(0),
            message: "the server certificate has no Subject Alternative Name; clients no longer match the Common Name".into(),
            fix: format!("get a certificate with {host} in its Subject Alternative Names"),
        }),
    }

    // The shared validating path builder: it also checks what the small
    // checks above do not (basic constraints, key usage, path length, name
    // constraints, criticality), and its verdict must agree with ours.
    let mut policy = Policy::with_profile(at, Role::Server, profile).trusting(&trust.name);
    policy.names.push(match host.parse::<std::net::IpAddr>() {
        Ok(ip) => PeerName::Ip(ip),
        Err(_) => PeerName::Dns(host.trim_end_matches('.').to_string()),
    });
    let outcome = build(
        &sent[0],
        &sent[1..],
        &trust.anchors,
        &policy,
        Budget::default(),
    );
    let mut verdict = crate::peer::verdict::verdict_of(&outcome, &sent[0], &policy);
    let (mut revocation, mut policies) = (None, None);
    if let Some(st) = stages {
        let after = crate::peer::after_path(
            &mut verdict,
            crate::peer::accepted_path(&outcome).as_deref(),
            st.setup,
            st.policies,
            sent,
            &trust.anchors,
            at,
        );
        findings.extend(after.findings.into_iter().map(|f| {
            Finding {
                id: match f.class {
                    crate::chain::explain::Class::Revoked => "revoked",
                    crate::chain::explain::Class::NoValidPolicy => "no-valid-policy",
                    _ => "revocation-unchecked",
                },
                severity: if f.fatal {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                cert: f
                    .subject
                    .as_ref()
                    .and_then(|s| sent.iter().position(|c| c.subject() == s)),
                message: f.message,
                fix: f.fix,
            }
        }));
        revocation = Some(after.revocation);
        policies = after.policies;
    }
    let path_valid = outcome.is_valid();
    let path_problem = outcome.main_problem().map(|p| p.to_string());
    let has_error = findings.iter().any(|f| f.severity == Severity::Error);
    if !path_valid && !has_error && (!trust.candidate || trusted) {
        findings.push(Finding {
            id: "path-invalid",
            severity: Severity::Error,
            cert: None,
            message: format!(
                "no valid path from the server certificate to the {} store: {}",
                trust.name,
                path_problem.as_deref().unwrap_or("unknown reason")
            ),
            fix: "run `chainfix verify --role server --host HOST` on the server's chain for the full explanation".into(),
        });
    }
    if trust.candidate && !trusted {
        findings.push(Finding {
            id: "candidate-store",
            severity: Severity::Info,
            cert: None,
            message: crate::trust::CANDIDATE_NOTE.to_string(),
            fix: format!("check the root against {}", crate::trust::CACERTS_URL),
        });
    }
    ServerJudgement {
        chain_valid: !findings.iter().any(|f| f.severity == Severity::Error),
        trusted,
        trust_store: trust.name.clone(),
        trust_store_candidate: trust.candidate,
        issuing_order: path,
        anchor,
        path_valid,
        path_problem,
        verdict: Some(verdict),
        revocation,
        policies,
        findings,
    }
}

enum NameMatch {
    Yes,
    No(Vec<String>),
    NoSan,
}

fn name_matches(x: &X509Certificate<'_>, host: &str) -> NameMatch {
    let Ok(Some(san)) = x.subject_alternative_name() else {
        return NameMatch::NoSan;
    };
    let host_ip: Option<std::net::IpAddr> = host.parse().ok();
    let host_l = host.trim_end_matches('.').to_ascii_lowercase();
    let mut names = Vec::new();
    for gn in &san.value.general_names {
        match gn {
            GeneralName::DNSName(d) => {
                names.push(d.to_string());
                if host_ip.is_none() && dns_match(&d.to_ascii_lowercase(), &host_l) {
                    return NameMatch::Yes;
                }
            }
            GeneralName::IPAddress(b) => {
                let ip: Option<std::net::IpAddr> = match b.len() {
                    4 => Some(<[u8; 4]>::try_from(*b).expect("4 bytes").into()),
                    16 => Some(<[u8; 16]>::try_from(*b).expect("16 bytes").into()),
                    _ => None,
                };
                if let Some(ip) = ip {
                    names.push(ip.to_string());
                    if Some(ip) == host_ip {
                        return NameMatch::Yes;
                    }
                }
            }
            _ => {}
        }
    }
    NameMatch::No(names)
}

/// RFC 6125 matching with a wildcard only as the whole left-most label.
fn dns_match(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    if let Some(rest) = pattern.strip_prefix("*.") {
        match host.split_once('.') {
            Some((first, tail)) => !first.is_empty() && tail == rest && rest.contains('.'),
            None => false,
        }
    } else {
        pattern == host
    }
}

/// Which certificate of a client chain (leaf first) is issued by, or is,
/// one of the CA names a server asked for; `None` when none is. An empty
/// list of names means "any CA" and is the caller's case.
pub fn matches_ca_names(chain: &[Cert], names_der: &[Vec<u8>]) -> Option<usize> {
    chain.iter().position(|c| {
        names_der
            .iter()
            .any(|n| n.as_slice() == c.issuer_raw() || n.as_slice() == c.subject_raw())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };

    const AT: i64 = 1_780_000_000; // 2026-05-28

    struct Made {
        root: Cert,
        inter: Cert,
        leaf: Cert,
    }

    fn key() -> KeyPair {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
    }
    fn ca(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    }
    fn cert(c: &rcgen::Certificate) -> Cert {
        Cert::from_der(c.der().to_vec(), Origin::file("t")).unwrap()
    }

    fn make(sans: &[&str], eku: ExtendedKeyUsagePurpose) -> Made {
        let (rk, ik, lk) = (key(), key(), key());
        let rp = ca("J Root");
        let root = rp.self_signed(&rk).unwrap();
        let mut ip = ca("J Inter");
        ip.use_authority_key_identifier_extension = true;
        let inter = ip.signed_by(&ik, &Issuer::from_params(&rp, &rk)).unwrap();
        let mut lp =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        lp.distinguished_name.push(DnType::CommonName, "leaf");
        lp.extended_key_usages = vec![eku];
        lp.use_authority_key_identifier_extension = true;
        let leaf = lp.signed_by(&lk, &Issuer::from_params(&ip, &ik)).unwrap();
        Made {
            root: cert(&root),
            inter: cert(&inter),
            leaf: cert(&leaf),
        }
    }

    fn store(m: &Made, candidate: bool) -> TrustStore {
        TrustStore::new("test", vec![m.root.clone()], candidate)
    }

    fn mozilla() -> TrustStore {
        crate::trust::load::mozilla()
    }

    fn ids(j: &ServerJudgement) -> Vec<&'static str> {
        j.findings.iter().map(|f| f.id).collect()
    }

    #[test]
    fn a_complete_chain_for_the_right_name_is_valid() {
        let m = make(&["a.test"], ExtendedKeyUsagePurpose::ServerAuth);
        let j = judge_server(
            &[m.leaf.clone(), m.inter.clone()],
            "a.test",
            AT,
            &store(&m, false),
        );
        assert!(j.chain_valid && j.trusted, "{:?}", j.findings);
        assert_eq!(j.issuing_order, vec![0, 1]);
        assert_eq!(j.anchor.as_deref(), Some("CN=J Root"));
    }

    #[test]
    fn wrong_order_and_a_stranger_are_warnings() {
        let m = make(&["a.test"], ExtendedKeyUsagePurpose::ServerAuth);
        let other = make(&["b.test"], ExtendedKeyUsagePurpose::ServerAuth);
        let sent = [
            m.leaf.clone(),
            other.inter.clone(),
            m.root.clone(),
            m.inter.clone(),
        ];
        let j = judge_server(&sent, "a.test", AT, &store(&m, false));
        assert_eq!(j.issuing_order, vec![0, 3, 2]);
        assert_eq!(
            ids(&j),
            vec!["wrong-order", "unneeded-certificate", "root-included"]
        );
        assert!(j.chain_valid);
        assert_eq!(j.findings[1].cert, Some(1));
    }

    #[test]
    fn client_only_eku_and_wrong_name_are_errors() {
        let m = make(&["a.test"], ExtendedKeyUsagePurpose::ClientAuth);
        let j = judge_server(
            &[m.leaf.clone(), m.inter.clone()],
            "b.test",
            AT,
            &store(&m, false),
        );
        assert_eq!(ids(&j), vec!["no-server-auth-eku", "name-mismatch"]);
        assert!(!j.chain_valid);
    }

    #[test]
    fn ip_addresses_match_ip_sans_only() {
        let m = make(&["127.0.0.1"], ExtendedKeyUsagePurpose::ServerAuth);
        let sent = [m.leaf.clone(), m.inter.clone()];
        assert!(judge_server(&sent, "127.0.0.1", AT, &store(&m, false)).chain_valid);
        let j = judge_server(&sent, "127.0.0.2", AT, &store(&m, false));
        assert_eq!(ids(&j), vec!["name-mismatch"]);
    }

    #[test]
    fn a_root_outside_the_store_is_an_error_or_for_a_candidate_store_a_warning() {
        let m = make(&["a.test"], ExtendedKeyUsagePurpose::ServerAuth);
        let sent = [m.leaf.clone(), m.inter.clone(), m.root.clone()];
        let j = judge_server(&sent, "a.test", AT, &mozilla());
        assert_eq!(ids(&j), vec!["root-included", "untrusted-root"]);
        assert!(!j.chain_valid && !j.trusted);
        let cand = crate::trust::load::salesforce_candidate();
        assert!(cand.candidate);
        let j = judge_server(&sent, "a.test", AT, &cand);
        assert!(j.chain_valid, "only warnings: {:?}", j.findings);
        // Without the root sent, the intermediate's issuer is unknown.
        let j = judge_server(&sent[..2], "a.test", AT, &mozilla());
        assert_eq!(ids(&j), vec!["missing-intermediate"]);
    }

    #[test]
    fn wildcards_cover_one_label_only() {
        assert!(dns_match("*.example.com", "a.example.com"));
        assert!(!dns_match("*.example.com", "a.b.example.com"));
        assert!(!dns_match("*.example.com", "example.com"));
        assert!(!dns_match("*.com", "example.com"));
        assert!(dns_match("example.com", "example.com"));
    }
}
