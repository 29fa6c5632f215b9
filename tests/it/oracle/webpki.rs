//! The webpki peer: rustls-webpki itself (what rustls uses), in process,
//! with every signature algorithm it supports and the role's key usage.

use std::time::Duration;

use chainfix::chain::validate::Role;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::{Answer, Answers, Case, Name};

fn refuse(e: impl std::fmt::Debug) -> Answer {
    Answer {
        accept: false,
        detail: format!("{e:?}"),
    }
}

/// One case through `webpki::EndEntityCert::verify_for_usage` and
/// `verify_is_valid_for_subject_name`.
pub fn verify(case: &Case) -> Answer {
    let anchors: Vec<_> = case
        .anchors
        .iter()
        .filter_map(|d| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(d.as_slice()))
                .ok()
                .map(|a| a.to_owned())
        })
        .collect();
    let chain: Vec<CertificateDer> = case
        .chain
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let leaf = CertificateDer::from(case.leaf.as_slice());
    let ee = match webpki::EndEntityCert::try_from(&leaf) {
        Ok(ee) => ee,
        Err(e) => return refuse(e),
    };
    let usage = match case.role {
        Role::Server => webpki::KeyUsage::server_auth(),
        Role::Client => webpki::KeyUsage::client_auth(),
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(case.at.max(0) as u64));
    if let Err(e) = ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &chain,
        time,
        usage,
        None,
        None,
    ) {
        return refuse(e);
    }
    let name = match &case.name {
        Some(Name::Dns(n) | Name::Ip(n)) => n,
        None => {
            return Answer {
                accept: true,
                detail: "valid path".into(),
            };
        }
    };
    match ServerName::try_from(name.as_str()) {
        Ok(sn) => match ee.verify_is_valid_for_subject_name(&sn) {
            Ok(()) => Answer {
                accept: true,
                detail: "valid path and name".into(),
            },
            Err(e) => refuse(e),
        },
        Err(e) => refuse(e),
    }
}

/// Every case through rustls-webpki, on every core.
pub fn run(cases: &[Case]) -> Answers {
    super::parallel(cases, verify)
}
