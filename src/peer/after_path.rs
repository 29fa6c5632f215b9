//! The stages that run on a path the builder accepted: revocation
//! (`src/revocation/`) and, with `--policy`, RFC 5280 §6.1 policy
//! processing. [`after_path`] is the one place they are applied, and it
//! folds a refusal into the [`Verdict`], so verify, diagnose, lint, probe,
//! bundle and keystore give the same answer for the same peer and role.

use serde::Serialize;

use super::Verdict;
use crate::chain::explain::{Class, Finding};
use crate::chain::validate::Problem;
use crate::model::Cert;
use crate::revocation::{self, Setup, Status};

/// What the stages after path building found.
#[derive(Clone, Debug, Serialize)]
pub struct AfterPath {
    /// The revocation stage (mode "off" and no certificates when it did
    /// not run: not asked for, or no accepted path).
    pub revocation: revocation::Outcome,
    /// Revoked / could-not-check findings (with the fix), and the
    /// no-valid-policy one.
    pub findings: Vec<Finding>,
    /// With `--policy`: the policies valid for the path (RFC 5280 §6.1);
    /// None without `--policy` or without an accepted path.
    pub policies: Option<Vec<String>>,
    /// True when a stage refuses the path: a certificate revoked, a status
    /// that could not be had under hard fail, or no valid policy.
    pub refused: bool,
}

/// The accepted path of an outcome, leaf first and anchor last; None when
/// the builder found no valid path.
pub fn accepted_path<'a>(out: &crate::chain::path::Outcome<'a>) -> Option<Vec<&'a Cert>> {
    out.path
        .as_ref()
        .filter(|_| out.is_valid())
        .map(|p| p.iter().map(|l| l.cert).collect())
}

/// How a verdict names the certificate at `i` on a path (leaf = 0); the
/// stages never refuse the anchor.
fn position(i: usize) -> &'static str {
    if i == 0 {
        "the certificate"
    } else {
        "the intermediate"
    }
}

/// Runs the stages on `path` (the accepted path, leaf first, anchor last;
/// None when there is none, and then nothing runs) at validation time `at`:
/// revocation under `setup` (the peer's default or the flags), policy
/// processing for `policies` (none: skipped). A revoked certificate, one
/// whose status could not be had when the failure mode is hard, or a path
/// valid for none of `policies` refuses `verdict` (headline, reason and the
/// peer's own words say so). `pool` and
/// `anchors` may hold a CRL signer's own path.
pub fn after_path(
    verdict: &mut Verdict,
    path: Option<&[&Cert]>,
    setup: &Setup,
    policies: &[String],
    pool: &[Cert],
    anchors: &[Cert],
    at: i64,
) -> AfterPath {
    let mut after = AfterPath {
        revocation: revocation::Outcome::not_run(setup),
        findings: Vec::new(),
        policies: None,
        refused: false,
    };
    let Some(path) = path.filter(|_| verdict.accepted) else {
        return after;
    };
    let rv = revocation::run(setup, path, pool, anchors, at);
    let statuses: Vec<Status> = rv.certificates.iter().map(|c| c.status.clone()).collect();
    after
        .findings
        .extend(revocation::explain::findings(path, &statuses, rv.failure));
    if let Some((i, s)) = statuses
        .iter()
        .enumerate()
        .find(|(_, s)| s.refuses(rv.failure))
    {
        let problem = match s {
            Status::Revoked { .. } => Problem::Revoked {
                detail: s.to_string(),
            },
            s => Problem::RevocationUnchecked {
                detail: format!("its revocation status is not known ({s})"),
            },
        };
        verdict.refuse(position(i), path[i], problem);
    }
    after.refused = rv.refused;
    after.revocation = rv;
    if !policies.is_empty() {
        let inputs = crate::chain::policies::PolicyInputs {
            initial_policy_set: policies.to_vec(),
            initial_explicit_policy: true,
            ..Default::default()
        };
        match crate::chain::policies::process_path(path, &inputs) {
            Ok(v) => after.policies = Some(v),
            Err(r) => {
                after.refused = true;
                after.policies = Some(Vec::new());
                // The verdict says it too, so headline, JSON and exit code
                // come from one place.
                verdict.refuse(position(r.index), path[r.index], r.error.problem());
                after.findings.push(Finding {
                    class: Class::NoValidPolicy,
                    fatal: true,
                    message: format!(
                        "the path is not valid for the policy {}: {}",
                        policies.join(" or "),
                        r.error
                    ),
                    fix: "get a certificate issued under that policy (its certificatePolicies, and every CA's above it, must carry it or anyPolicy), or drop --policy if the peer does not require it".into(),
                    subject: None,
                    authority_key_id: None,
                    urls: Vec::new(),
                    url_works: None,
                    url_status: None,
                });
            }
        }
    }
    after
}
