//! Findings for the revocation stage: a revoked certificate named with its
//! date, reason and the fix; a status that could not be had, with why and
//! what that does to the verdict under the peer's [`Failure`] choice.

use super::{Cause, Failure, Reason, Status, ts};
use crate::chain::explain::{Class, Finding};
use crate::model::Cert;

fn finding(class: Class, fatal: bool, cert: &Cert, message: String, fix: String) -> Finding {
    Finding {
        class,
        fatal,
        message,
        fix,
        subject: Some(cert.subject().to_string()),
        authority_key_id: None,
        urls: super::fetch::urls(cert),
        url_works: None,
        url_status: None,
    }
}

/// One finding per certificate of `path` (leaf first) whose status is not
/// good. `statuses` has one entry per certificate but the anchor.
pub fn findings(path: &[&Cert], statuses: &[Status], failure: Failure) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, (cert, s)) in path.iter().zip(statuses).enumerate() {
        let what = if i == 0 {
            "the leaf"
        } else {
            "the intermediate"
        };
        match s {
            Status::Good { .. } => {}
            Status::Revoked { at, reason, source } => {
                let hold = *reason == Some(Reason::CertificateHold);
                let why = match reason {
                    Some(r) if !hold => format!(", reason {r}"),
                    _ => String::new(),
                };
                let message = if hold {
                    format!(
                        "{what} \"{}\" is on hold (certificateHold) since {} per {source}; every peer that checks revocation refuses it",
                        cert.subject(),
                        ts(*at)
                    )
                } else {
                    format!(
                        "{what} \"{}\" was revoked by its CA on {}{why} (per {source}); every peer that checks revocation refuses it",
                        cert.subject(),
                        ts(*at)
                    )
                };
                let fix = match (i, hold) {
                    (_, true) => "ask the CA to release the hold (it then lists the certificate as removeFromCRL), or get a new certificate".to_string(),
                    (0, false) => "get a new certificate from the CA (a new key pair: chainfix csr), then rebuild the bundle with chainfix bundle; a revoked certificate cannot be made valid".to_string(),
                    (_, false) => format!(
                        "the CA has replaced the intermediate \"{}\": fetch the current one from the CA's repository and rebuild the bundle (chainfix bundle FILES NEW-INTERMEDIATE -o fullcert.pem); if the leaf was issued under the revoked one, get the leaf re-issued too",
                        cert.subject()
                    ),
                };
                out.push(finding(Class::Revoked, true, cert, message, fix));
            }
            Status::Unknown { source } => {
                let fatal = failure == Failure::Hard;
                out.push(finding(
                    Class::RevocationUnchecked,
                    fatal,
                    cert,
                    format!(
                        "{what} \"{}\" is unknown to {source}; {}",
                        cert.subject(),
                        effect(failure)
                    ),
                    "ask the CA why its responder does not know the certificate (issued by another CA?)".into(),
                ));
            }
            Status::CouldNotCheck { cause, why } => {
                let fatal = failure == Failure::Hard;
                // Every OCSP reason names OCSP or the responder's URL.
                let ocsp = why.contains("OCSP")
                    || cert.ocsp_urls().iter().any(|u| why.contains(u.as_str()));
                let fix = match cause {
                    Cause::NoSource if ocsp && why.contains("--offline") => {
                        "run once without --offline (with the same --cache-dir) so that the responder's answer is cached, or check with CRLs (--revocation crl)"
                    }
                    Cause::NoSource if ocsp => {
                        "the certificate names no OCSP responder: check it with CRLs (--revocation crl), or ask the CA for a certificate whose authorityInfoAccess names one"
                    }
                    Cause::Unreachable if ocsp => {
                        "make the OCSP responder reachable from where the peer runs, or check with CRLs (--revocation crl)"
                    }
                    Cause::Stale if ocsp => {
                        "the responder serves an outdated answer: the CA must fix its responder; until then check with CRLs (--revocation crl)"
                    }
                    Cause::BadCrl if ocsp => {
                        "the responder's answer cannot be trusted (its signer, signature, status or nonce): ask the CA to fix its responder, or check with CRLs (--revocation crl)"
                    }
                    Cause::NoSource if super::fetch::urls(cert).is_empty() => {
                        "a peer that fetches CRLs (Salesforce) has nowhere to get one for this certificate: ask the CA for its CRL and check with --crl FILE, or get a certificate that names a CRL distribution point"
                    }
                    Cause::NoSource => {
                        "give the CA's CRL with --crl FILE (or let chainfix fetch the CRL URL the certificate names: drop --offline)"
                    }
                    Cause::Unreachable => {
                        "make the CRL URL reachable from where the peer runs (Salesforce fetches it too), or give the CRL with --crl FILE"
                    }
                    Cause::Stale => {
                        "the CA must publish a current CRL; until it does, peers that check CRLs refuse the chain"
                    }
                    Cause::BadCrl => {
                        "get the CRL from the CA's own distribution point: this one is not signed by a certificate allowed to sign it, or cannot be read"
                    }
                };
                out.push(finding(
                    Class::RevocationUnchecked,
                    fatal,
                    cert,
                    format!(
                        "the revocation status of {what} \"{}\" could not be checked: {why}; {}",
                        cert.subject(),
                        effect(failure)
                    ),
                    fix.into(),
                ));
            }
        }
    }
    out
}

fn effect(failure: Failure) -> &'static str {
    match failure {
        Failure::Hard => {
            "a hard-failing peer (Salesforce; openssl verify -crl_check_all) refuses the chain"
        }
        Failure::Soft => {
            "soft fail: the chain is accepted with this warning, but a peer that hard-fails refuses it (Java with revocation on, openssl verify -crl_check_all; what Salesforce does is not documented, so it may refuse it too)"
        }
    }
}
