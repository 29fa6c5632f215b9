//! The explainer: from a build [`Outcome`], name the cause a peer hides
//! behind "unable to get local issuer certificate" or "PKIX path building
//! failed", and the fix; the findings quote the chosen peer's own words. Pure: the caller says which files were given and
//! what the trust store is called.

use serde::Serialize;

use super::path::{Outcome, Place};
use super::validate::Problem;
use crate::model::Cert;
use crate::peer::Peer;

/// The kinds of finding, stable names for `--json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    IntermediateMissing,
    RootNotInStore,
    WrongOrder,
    IntermediateOnlyLocal,
    ExpiredCrossSign,
    WrongEku,
    SelfSignedLeaf,
    /// A certificate on the path is on its CA's CRL (src/revocation).
    Revoked,
    /// A certificate's revocation status could not be had.
    RevocationUnchecked,
    /// No certificate policy asked for with --policy is valid for the path.
    NoValidPolicy,
    /// Any other reason no valid path exists (expired leaf, name mismatch …).
    Invalid,
}

/// One finding: what is wrong, and the command or step that fixes it.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub class: Class,
    /// True when it alone makes the peer refuse the chain.
    pub fatal: bool,
    pub message: String,
    pub fix: String,
    /// Subject of the certificate concerned (for a missing one: its name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_key_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// For a missing intermediate: whether its AIA URL serves it (set by
    /// the caller, which may fetch); null when unknown (not checked, e.g.
    /// `--offline` with nothing cached, or no URL).
    pub url_works: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_status: Option<String>,
}

/// What the explainer needs to know besides the outcome.
pub struct Context<'a> {
    /// The files as given on the command line (what the peer is sent).
    pub files: &'a [String],
    /// The trust store's name, e.g. "Salesforce (candidate list)".
    pub store: &'a str,
    /// True when the store is a candidate list, not the peer's own.
    pub store_is_candidate: bool,
    /// Sources that hold local-only certificates (`--intermediates`), never sent.
    pub local_sources: &'a [String],
    /// True when a private key was among the files: the bundle command then
    /// writes key + chain (fullcert.pem), else the chain alone (--no-key).
    pub has_key: bool,
    /// The peer judged for: findings quote its own words for a refusal.
    pub peer: Peer,
}

/// What `peer` prints when the issuer of the last certificate it has is
/// nowhere: its words for [`Problem::UnknownIssuer`], except that OpenSSL
/// says error 2 "unable to get issuer certificate" instead of 20 when that
/// certificate came from its trust store (x509_vfy.c `build_chain`: the
/// chain holds fewer untrusted certificates than it has, `num_untrusted <
/// num`), as a trusted intermediate without X509_V_FLAG_PARTIAL_CHAIN does.
pub fn missing_issuer_words(peer: Peer, top_is_trusted: bool) -> &'static str {
    if peer == Peer::OpenSsl && top_is_trusted {
        return "unable to get issuer certificate";
    }
    crate::peer::words(peer, &Problem::UnknownIssuer)
        .map(|w| w.text)
        .unwrap_or("unable to get local issuer certificate")
}

/// What `peer` prints when the chain it is sent ends at a root it does not
/// trust (OpenSSL error 19, Java's and webpki's unknown-issuer words).
fn untrusted_root_words(peer: Peer) -> &'static str {
    crate::peer::words(peer, &Problem::RootNotTrusted)
        .map(|w| w.text)
        .unwrap_or("unable to get local issuer certificate")
}

/// The output part of a `chainfix bundle` command for this context.
fn out_flags(has_key: bool) -> &'static str {
    if has_key {
        "-o fullcert.pem"
    } else {
        "--no-key -o chain.pem"
    }
}

fn finding(class: Class, fatal: bool, message: String, fix: String) -> Finding {
    Finding {
        class,
        fatal,
        message,
        fix,
        subject: None,
        authority_key_id: None,
        urls: Vec::new(),
        url_works: None,
        url_status: None,
    }
}

/// Classifies an outcome. `given` are the certificates read from the
/// files, in reading order (their origins tell the order in the files).
pub fn explain(out: &Outcome<'_>, leaf: &Cert, given: &[Cert], cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Vec::new();
    let files = cx.files.join(" ");
    let out_flags = out_flags(cx.has_key);
    let store_note = if cx.store_is_candidate {
        format!(" Note: {}.", crate::trust::CANDIDATE_NOTE)
    } else {
        String::new()
    };

    // Self-signed leaf.
    if leaf.is_self_issued()
        && super::signature::verify_issued_by(leaf, leaf).is_ok()
        && out.path.is_none()
    {
        f.push(finding(
            Class::SelfSignedLeaf,
            true,
            format!(
                "the leaf \"{}\" is self-signed: no CA vouches for it, so the peer trusts it only if it is imported as a trust anchor itself",
                leaf.subject()
            ),
            format!(
                "get the certificate signed by a CA the peer trusts (send a CSR), or import this exact certificate into the peer's trust store; to check it as trusted directly: chainfix verify {files} --roots {}",
                leaf.first_origin().source
            ),
        ));
    }

    // Wrong EKU.
    for p in &out.leaf_problems {
        if let Problem::WrongEku { .. } = p {
            f.push(finding(
                Class::WrongEku,
                true,
                format!("the leaf \"{}\": {p}", leaf.subject()),
                "request a certificate whose extendedKeyUsage includes the role (clientAuth for mutual TLS to Salesforce, serverAuth for a server)".into(),
            ));
        }
    }

    // Wrong order: the path's certificates that came from the files appear
    // in the files in another order than issuing order.
    let path_certs: Vec<&Cert> = match &out.path {
        Some(p) => p.iter().map(|l| l.cert).collect(),
        None => out.dead_end.clone(),
    };
    let positions: Vec<(usize, usize)> = path_certs
        .iter()
        .filter_map(|c| {
            let o = given.iter().find(|g| g.id() == c.id())?.first_origin();
            let file = cx.files.iter().position(|n| **n == *o.source)?;
            Some((file, o.block.map_or(1, |b| b as usize)))
        })
        .collect();
    if positions.len() >= 2 && positions.windows(2).any(|w| w[0] > w[1]) {
        f.push(finding(
            Class::WrongOrder,
            false,
            "the certificates are not in issuing order in the files (leaf first, then each issuer), as TLS 1.2 requires of a chain sent (RFC 5246 §7.4.2); OpenSSL and Java reorder one they are sent, but older or stricter stacks refuse it, and an upload box expects the order".into(),
            format!("chainfix bundle {files} {out_flags}"),
        ));
    }

    // Intermediate only in a local file.
    if let Some(p) = &out.path {
        for l in p.iter().filter(|l| l.place == Place::Pool) {
            let sent = l
                .cert
                .origins
                .iter()
                .any(|o| cx.files.iter().any(|f| **f == *o.source));
            let local = l
                .cert
                .origins
                .iter()
                .any(|o| cx.local_sources.iter().any(|f| **f == *o.source));
            if local && !sent {
                let mut x = finding(
                    Class::IntermediateOnlyLocal,
                    true,
                    format!(
                        "the intermediate \"{}\" is only in {}, which the peer never sees: the chain validates here but not there",
                        l.cert.subject(),
                        l.cert.first_origin()
                    ),
                    format!(
                        "chainfix bundle {files} {} {out_flags}",
                        l.cert.first_origin().source
                    ),
                );
                x.subject = Some(l.cert.subject().to_string());
                f.push(x);
            }
        }
    }

    // Expired cross-sign: an expired candidate was refused (or is in the
    // bundle) while a path without it exists, or while the same subject and
    // key are available unexpired.
    let mut seen = Vec::new();
    for r in &out.rejected {
        if r.problems
            .iter()
            .any(|p| matches!(p, Problem::Expired { .. }))
            && !seen.contains(&r.cert.id())
        {
            seen.push(r.cert.id());
            let alternate = out.path.is_some();
            let mut x = finding(
                Class::ExpiredCrossSign,
                !alternate,
                if alternate {
                    format!(
                        "\"{}\" issued by \"{}\" has expired; a valid path exists without it, but peers that do not backtrack (OpenSSL before 1.1.1, old Java) stop at it",
                        r.cert.subject(),
                        r.cert.issuer()
                    )
                } else {
                    format!(
                        "\"{}\" issued by \"{}\" has expired and no alternate path was found",
                        r.cert.subject(),
                        r.cert.issuer()
                    )
                },
                if alternate {
                    format!(
                        "chainfix bundle {files} -o fullcert.pem (drops the expired cross-sign)"
                    )
                } else {
                    "get the current intermediate from the CA (its AIA URL or website) and add it to the files".into()
                },
            );
            x.subject = Some(r.cert.subject().to_string());
            f.push(x);
        }
    }

    if out.path.is_none() && !out.dead_end.is_empty() {
        let top = *out.dead_end.last().unwrap();
        let self_signed = top.is_self_issued();
        // The top came from the trust store: some link found it there.
        let top_is_trusted = out
            .links
            .iter()
            .any(|(_, issuer, place)| *place == Place::Anchor && issuer.id() == top.id());
        // The peer is sent the root (error 19 in OpenSSL) unless it is only
        // in a local file; then it stops below it, at an unknown issuer.
        let root_sent = top
            .origins
            .iter()
            .any(|o| cx.files.iter().any(|f| **f == *o.source));
        if self_signed && top.id() != leaf.id() {
            let says = if root_sent {
                untrusted_root_words(cx.peer)
            } else {
                missing_issuer_words(cx.peer, false)
            };
            f.push(Finding {
                subject: Some(top.subject().to_string()),
                ..finding(
                    Class::RootNotInStore,
                    true,
                    format!(
                        "the chain reaches the root \"{}\", which is not in the {} trust store: the peer will refuse it (\"{says}\").{store_note}",
                        top.subject(),
                        cx.store
                    ),
                    format!(
                        "use a certificate from a CA in the {} store, or have the peer's administrator add this root (SHA-256 {})",
                        cx.store,
                        top.id().hex()
                    ),
                )
            });
        } else if !self_signed {
            let aki = top.authority_key_id().map(hex::encode);
            let urls = top.ca_issuer_urls();
            // A private PKI whose root file was not given: the files may be
            // complete already.
            let private = format!(
                "; if the peer trusts \"{}\" itself (a private CA), the files are complete: confirm with chainfix verify {files} --roots ROOT.pem",
                top.issuer()
            );
            let fix = match urls.first() {
                Some(u) => format!(
                    "download the issuer from {u} (its AIA URL), then: chainfix bundle {files} ISSUER.cer {out_flags}{private}"
                ),
                None => format!(
                    "get \"{}\" from the CA's website, then: chainfix bundle {files} ISSUER.pem {out_flags}{private}",
                    top.issuer()
                ),
            };
            f.push(Finding {
                subject: Some(top.issuer().to_string()),
                authority_key_id: aki.clone(),
                urls: urls.clone(),
                ..finding(
                    Class::IntermediateMissing,
                    true,
                    format!(
                        "the issuer of \"{}\" is missing: \"{}\"{}; the peer says \"{}\".",
                        top.subject(),
                        top.issuer(),
                        aki.map(|a| format!(" (key id {a})")).unwrap_or_default(),
                        missing_issuer_words(cx.peer, top_is_trusted),
                    ),
                    fix,
                )
            });
        }
    }

    // The peer's policy processing refused every complete path.
    if out.path.is_none()
        && f.iter().all(|x| !x.fatal)
        && let Some(p @ Problem::Policy { failure, .. }) = out.main_problem()
        && let Some(r) = out.rejected.iter().find(|r| r.problems.contains(&p))
    {
        use super::policies::PolicyFailure;
        let fix = match failure {
            PolicyFailure::NoExplicitPolicy => {
                "a CA on the path requires an explicit certificate policy: have the certificate (and any CA below the one that requires it) issued under a policy that CA allows; `openssl x509 -noout -ext certificatePolicies,policyConstraints -in FILE` shows each certificate's"
            }
            PolicyFailure::IssuerDomainAnyPolicy | PolicyFailure::SubjectDomainAnyPolicy => {
                "that CA certificate breaks RFC 5280 (anyPolicy in policyMappings): get a corrected intermediate from the CA"
            }
            PolicyFailure::CriticalQualifiers => {
                "Java refuses a critical certificatePolicies extension with policy qualifiers (PKIXParameters policyQualifiersRejected): have the certificate reissued with the extension non-critical"
            }
        };
        let mut x = finding(
            Class::NoValidPolicy,
            true,
            format!("\"{}\": {p}", r.cert.subject()),
            fix.to_string(),
        );
        x.subject = Some(r.cert.subject().to_string());
        f.push(x);
    }

    if !out.is_valid() && f.iter().all(|x| !x.fatal) {
        let leaf_problem = out.leaf_problems.first();
        let (message, fix) = match leaf_problem {
            Some(p @ Problem::Expired { .. }) => (
                format!("the leaf \"{}\" is {p}", leaf.subject()),
                "renew the certificate (a new CSR to the CA), then bundle the new one".to_string(),
            ),
            Some(p @ Problem::NotYetValid { .. }) => (
                format!("the leaf \"{}\" is {p}", leaf.subject()),
                "check the clock of the machine and of the peer, or wait until the start date"
                    .to_string(),
            ),
            Some(p @ Problem::NameMismatch { .. }) => (
                format!("the leaf \"{}\": {p}", leaf.subject()),
                "request a certificate whose subjectAltName carries that name".to_string(),
            ),
            Some(p) => (
                format!("the leaf \"{}\": {p}", leaf.subject()),
                "request a new certificate that fixes this".to_string(),
            ),
            None => (
                format!(
                    "no valid path: {}",
                    out.main_problem()
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "unknown issuer".into())
                ),
                "see the rejected candidates below for each certificate tried and why".to_string(),
            ),
        };
        f.push(finding(Class::Invalid, true, message, fix));
    }
    f
}

/// What fetching a missing issuer's AIA URL showed.
pub enum UrlCheck {
    /// The URL served a certificate that signed the child.
    Serves { subject: String },
    /// It served the issuer, and that is a self-signed root the store does
    /// not hold: no bundle helps, the peer must trust the root.
    ServesRoot { subject: String, sha256: String },
    /// It answered, but not with the issuer (status, not a certificate, wrong key).
    Fails { detail: String },
}

/// Records the result of checking a missing intermediate's AIA URL on its
/// finding, and when the URL works, makes the fix the bundle command that
/// fetches it by itself.
pub fn note_url_check(
    f: &mut Finding,
    files: &[String],
    has_key: bool,
    store: &str,
    check: UrlCheck,
) {
    let files = files.join(" ");
    let out_flags = out_flags(has_key);
    match check {
        UrlCheck::Serves { subject } => {
            f.url_works = Some(true);
            f.url_status = Some(format!("the URL works: it serves \"{subject}\""));
            f.fix = format!(
                "chainfix bundle {files} {out_flags} (fetches \"{subject}\" from the AIA URL and writes the complete chain)"
            );
        }
        UrlCheck::ServesRoot { subject, sha256 } => {
            f.url_works = Some(true);
            f.url_status = Some(format!("the URL serves the root \"{subject}\""));
            f.class = Class::RootNotInStore;
            f.message = format!(
                "the issuer is the root \"{subject}\", which is not in the {store} trust store: the peer does not trust it, and no bundle changes that"
            );
            f.fix = format!(
                "have the peer's administrator add this root (SHA-256 {sha256}), or get a certificate from a CA the peer trusts"
            );
        }
        UrlCheck::Fails { detail } => {
            f.url_works = Some(false);
            f.url_status = Some(format!("the URL does not serve the issuer: {detail}"));
        }
    }
}
