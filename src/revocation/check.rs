//! CRL processing for one certificate (RFC 5280 §6.3): for each of the
//! certificate's distribution points, the CRLs whose scope covers it
//! (issuer or indirect cRLIssuer, issuingDistributionPoint names,
//! onlyContainsUser/CACerts, onlySomeReasons), signed by a certificate
//! that is itself valid to the same anchors and allowed to sign CRLs,
//! current at the validation time, with no critical extension chainfix
//! does not know; deltas applied on top (removeFromCRL lifts a hold) when
//! the peer applies them ([`Context::use_deltas`]), else noted as ignored.
//! The certificate is good once the CRLs used cover every reason.

use super::crl::{ALL_REASONS, Crl, DirName, Reason};
use super::dp::{self, Dp};
use super::{Cause, Status};
use crate::chain::names::{GName, dir_of};
use crate::chain::validate::Policy;
use crate::chain::{Budget, Role, build};
use crate::model::Cert;
use crate::peer::Profile;

/// What CRL processing may use.
pub struct Context<'a> {
    pub crls: &'a [&'a Crl],
    /// Certificates that may have signed a CRL (and their issuers).
    pub pool: &'a [Cert],
    pub anchors: &'a [Cert],
    /// Validation time, Unix seconds.
    pub at: i64,
    /// What happened to the distribution point URLs (to say "unreachable"
    /// rather than "no CRL").
    pub fetched: &'a [super::fetch::Fetched],
    /// Delta CRLs are applied (RFC 5280 §6.3.3 (c)); off, as the peers
    /// have it by default ([`Profile::delta_crls`]), they are only noted.
    pub use_deltas: bool,
    /// The peer's profile, under which a CRL signer's own path is validated
    /// (§6.3.3 (f) asks only for a valid path: not the TLS leaf rules).
    pub profile: Profile,
}

/// The statuses of a path, and the delta CRLs that were ignored because
/// [`Context::use_deltas`] is off (their files or freshestCRL URLs).
pub struct Checked {
    pub statuses: Vec<Status>,
    pub ignored_deltas: Vec<String>,
}

/// How deep CRL-signer paths are themselves checked for revocation.
const MAX_SIGNER_DEPTH: usize = 2;

fn distribution_points(cert: &Cert) -> Result<Vec<Dp>, String> {
    Ok(dp::of_cert(&cert.parsed())?.unwrap_or_else(|| {
        // No cRLDistributionPoints: the CA's own full CRL.
        vec![Dp {
            names: None,
            reasons: ALL_REASONS,
            crl_issuer: None,
        }]
    }))
}

/// Checks `path` (leaf first, anchor last): a status for each certificate
/// but the anchor.
pub fn check_path<'c>(ctx: &Context<'c>, path: &[&'c Cert]) -> Vec<Status> {
    check(ctx, path).statuses
}

/// As [`check_path`], saying which delta CRLs were ignored.
pub fn check<'c>(ctx: &Context<'c>, path: &[&'c Cert]) -> Checked {
    let mut ignored_deltas = Vec::new();
    let statuses = check_path_at(ctx, path, 0, &mut ignored_deltas);
    Checked {
        statuses,
        ignored_deltas,
    }
}

fn check_path_at<'c>(
    ctx: &Context<'c>,
    path: &[&'c Cert],
    depth: usize,
    ignored: &mut Vec<String>,
) -> Vec<Status> {
    (0..path.len().saturating_sub(1))
        .map(|i| check_cert(ctx, path[i], &path[i + 1..], depth, ignored))
        .collect()
}

/// Why a CRL was passed over, kept for the "could not check" sentence.
fn note(whys: &mut Vec<(Cause, String)>, cause: Cause, s: String) {
    if !whys.iter().any(|(_, w)| *w == s) {
        whys.push((cause, s));
    }
}

fn check_cert<'c>(
    ctx: &Context<'c>,
    cert: &'c Cert,
    above: &[&'c Cert],
    depth: usize,
    ignored: &mut Vec<String>,
) -> Status {
    let x = cert.parsed();
    let issuer_dir = dir_of(x.issuer());
    let is_ca = cert.is_ca();
    let serial = x.raw_serial().to_vec();
    let mut mask: u16 = 0;
    let mut whys: Vec<(Cause, String)> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    // Newest first: a later CRL may list what an earlier did not. A peer
    // that scores a delta as a complete CRL ([`Profile::delta_as_complete_crl`])
    // has it among them; equal times keep the order given, as OpenSSL does.
    let mut order: Vec<&Crl> = ctx
        .crls
        .iter()
        .copied()
        .filter(|c| ctx.profile.delta_as_complete_crl || !c.is_delta())
        .collect();
    order.sort_by_key(|c| std::cmp::Reverse(c.this_update));
    let dps = match distribution_points(cert) {
        Ok(d) => d,
        Err(e) => {
            return Status::CouldNotCheck {
                cause: Cause::BadCrl,
                why: e,
            };
        }
    };
    for dp in dps {
        if mask == ALL_REASONS {
            break;
        }
        for crl in &order {
            if mask == ALL_REASONS {
                break;
            }
            // (b)(1) issuer: the certificate's issuer, or the DP's cRLIssuer
            // for an indirect CRL.
            match &dp.crl_issuer {
                Some(ci) => {
                    if !ci.contains(&GName::Dir(crl.issuer_dir.clone())) {
                        continue;
                    }
                    if !crl.idp.as_ref().is_some_and(|i| i.indirect) {
                        note(
                            &mut whys,
                            Cause::BadCrl,
                            format!(
                                "{} is named as cRLIssuer but is not an indirect CRL",
                                crl.source
                            ),
                        );
                        continue;
                    }
                }
                None => {
                    if crl.issuer_dir != issuer_dir {
                        continue;
                    }
                }
            }
            // (b)(2) issuingDistributionPoint scope.
            let mut interim = dp.reasons & ALL_REASONS;
            if let Some(idp) = &crl.idp {
                if let Some(names) = &idp.names {
                    let ok = match (&dp.names, &dp.crl_issuer) {
                        (Some(d), _) => meets(names, d),
                        (None, Some(ci)) => meets(names, ci),
                        (None, None) => meets(names, &[GName::Dir(issuer_dir.clone())]),
                    };
                    if !ok {
                        note(
                            &mut whys,
                            Cause::NoSource,
                            format!("{} is for another distribution point", crl.source),
                        );
                        continue;
                    }
                }
                if idp.only_user && is_ca {
                    note(
                        &mut whys,
                        Cause::NoSource,
                        format!("{} covers only end-entity certificates", crl.source),
                    );
                    continue;
                }
                if idp.only_ca && !is_ca {
                    note(
                        &mut whys,
                        Cause::NoSource,
                        format!("{} covers only CA certificates", crl.source),
                    );
                    continue;
                }
                if idp.only_attribute {
                    note(
                        &mut whys,
                        Cause::NoSource,
                        format!("{} covers only attribute certificates", crl.source),
                    );
                    continue;
                }
                if let Some(r) = idp.only_some_reasons {
                    interim &= r;
                }
            }
            // (d) adds nothing the CRLs used so far did not cover.
            if interim & !mask == 0 {
                continue;
            }
            if !crl.unknown_critical.is_empty() {
                note(
                    &mut whys,
                    Cause::BadCrl,
                    format!(
                        "{} has a critical extension chainfix does not know ({})",
                        crl.source,
                        crl.unknown_critical.join(", ")
                    ),
                );
                continue;
            }
            if crl.this_update > ctx.at {
                note(
                    &mut whys,
                    Cause::Stale,
                    format!("{} is not valid yet", crl.source),
                );
                continue;
            }
            // (f) the CRL's signer.
            // The certificate itself counts as on the path: a CRL issuer
            // may vouch for its own certificate (PKITS 4.14.30).
            let mut on_path = above.to_vec();
            on_path.push(cert);
            let signer = match find_signer(ctx, crl, &on_path, depth, ignored) {
                Ok(s) => s,
                Err(e) => {
                    note(&mut whys, Cause::BadCrl, e);
                    continue;
                }
            };
            // (c) the current delta CRL, when one exists. One that is there
            // but cannot be relied on (its signature by the complete CRL's
            // signer fails, or it has an unknown critical extension) leaves
            // the status undetermined (§6.3.3 (g)): the complete CRL alone
            // would say good where the delta may say revoked.
            let mut delta: Option<&Crl> = None;
            let mut delta_faults = Vec::new();
            if !ctx.use_deltas {
                // The peer reads the complete CRL alone; say which deltas
                // it passes over (given, or named by freshestCRL).
                let over = ctx
                    .crls
                    .iter()
                    .filter(|d| is_delta_for(d, crl, ctx.at))
                    .map(|d| d.source.clone())
                    .chain(super::fetch::delta_urls(cert))
                    .chain(crl.freshest.iter().cloned());
                for d in over {
                    if !ignored.contains(&d) {
                        ignored.push(d);
                    }
                }
            }
            for d in ctx
                .crls
                .iter()
                .filter(|d| ctx.use_deltas && is_delta_for(d, crl, ctx.at))
            {
                let fault = if !d.unknown_critical.is_empty() {
                    Some(format!(
                        "a critical extension chainfix does not know ({})",
                        d.unknown_critical.join(", ")
                    ))
                } else {
                    d.verify_with(signer.parsed().public_key())
                        .err()
                        .map(|e| format!("a signature that does not verify ({e})"))
                };
                match fault {
                    Some(f) => delta_faults.push(format!("the delta CRL {} has {f}", d.source)),
                    None if delta.is_none_or(|x| d.this_update > x.this_update) => delta = Some(d),
                    None => {}
                }
            }
            if delta.is_none() && !delta_faults.is_empty() {
                for f in delta_faults {
                    note(&mut whys, Cause::BadCrl, f);
                }
                continue;
            }
            let stale = crl.next_update.is_some_and(|n| n < ctx.at);
            if stale && delta.is_none() {
                note(
                    &mut whys,
                    Cause::Stale,
                    format!(
                        "{} is stale (nextUpdate {})",
                        crl.source,
                        super::ts(crl.next_update.unwrap_or_default())
                    ),
                );
                continue;
            }
            mask |= interim;
            used.push(crl.source.clone());
            // (h) the delta decides first; (i) then the complete CRL.
            let entry_issuer = &issuer_dir;
            let hit = delta
                .and_then(|d| d.lookup(entry_issuer, &serial).map(|e| (e, &d.source)))
                .or_else(|| crl.lookup(entry_issuer, &serial).map(|e| (e, &crl.source)));
            if let Some((e, src)) = hit
                && e.reason != Some(Reason::RemoveFromCrl)
            {
                return Status::Revoked {
                    at: e.revoked_at,
                    reason: e.reason,
                    source: src.clone(),
                };
            }
        }
    }
    let failed: Vec<String> = super::fetch::urls(cert)
        .iter()
        .filter_map(|u| {
            ctx.fetched
                .iter()
                .find(|f| &f.url == u)
                .and_then(|f| f.error.as_ref().map(|e| format!("{u}: {e}")))
        })
        .collect();
    if mask == ALL_REASONS {
        Status::Good {
            source: used.join(", "),
        }
    } else if !failed.is_empty() && whys.iter().all(|w| w.0 == Cause::NoSource) {
        Status::CouldNotCheck {
            cause: Cause::Unreachable,
            why: failed.join("; "),
        }
    } else if whys.is_empty() {
        Status::CouldNotCheck {
            cause: Cause::NoSource,
            why: if used.is_empty() && super::fetch::urls(cert).is_empty() {
                "it names no CRL distribution point (http), and no CRL given covers it".into()
            } else if used.is_empty() {
                "no CRL covers it".into()
            } else {
                format!("the CRLs ({}) do not cover every reason", used.join(", "))
            },
        }
    } else {
        Status::CouldNotCheck {
            cause: whys.iter().map(|w| w.0).max().unwrap_or(Cause::NoSource),
            why: whys
                .iter()
                .map(|w| w.1.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// True when `d` is a current delta CRL for the complete CRL `base`.
fn is_delta_for(d: &Crl, base: &Crl, at: i64) -> bool {
    let Some(b) = &d.delta_base else {
        return false;
    };
    let same_scope = match (&d.idp, &base.idp) {
        (None, None) => true,
        (Some(x), Some(y)) => x == y,
        _ => false,
    };
    let base_ok = match &base.number {
        Some(n) => num_le(b, n),
        None => false,
    };
    d.issuer_dir == base.issuer_dir
        && !base.is_delta()
        && (d.aki.is_none() || base.aki.is_none() || d.aki == base.aki)
        && same_scope
        && base_ok
        && d.this_update <= at
        && d.next_update.is_none_or(|n| n >= at)
}

fn meets(a: &[GName], b: &[GName]) -> bool {
    a.iter().any(|x| b.contains(x))
}

fn num_le(a: &[u8], b: &[u8]) -> bool {
    (a.len(), a) <= (b.len(), b)
}

/// The certificate that signed `crl`: one named as its issuer, with
/// cRLSign when it has keyUsage, whose key verifies the signature, and
/// which is on the path being checked or — where the peer uses such CRLs
/// ([`Profile::crl_signer_off_path`]) — has a valid path of its own to the
/// same anchors that is not revoked.
fn find_signer<'c>(
    ctx: &Context<'c>,
    crl: &Crl,
    above: &[&'c Cert],
    depth: usize,
    ignored: &mut Vec<String>,
) -> Result<&'c Cert, String> {
    let mut cands: Vec<&'c Cert> = above.to_vec();
    cands.extend(ctx.pool.iter());
    cands.extend(ctx.anchors.iter());
    let mut seen = std::collections::HashSet::new();
    let mut why = format!("no certificate named {} signed {}", crl.issuer, crl.source);
    for c in cands {
        if !seen.insert(c.id()) || dir_of(c.parsed().subject()) != crl.issuer_dir {
            continue;
        }
        if let (Some(a), Some(s)) = (&crl.aki, c.subject_key_id())
            && a.as_slice() != s
        {
            continue;
        }
        if crl.verify_with(c.parsed().public_key()).is_err() {
            why = format!(
                "the signature of {} does not verify with the key of {}",
                crl.source, crl.issuer
            );
            continue;
        }
        if let Ok(Some(ku)) = c.parsed().key_usage()
            && !ku.value.crl_sign()
        {
            why = format!(
                "{} was signed by a key whose certificate lacks keyUsage cRLSign",
                crl.source
            );
            continue;
        }
        let on_path =
            above.iter().any(|a| a.id() == c.id()) || ctx.anchors.iter().any(|a| a.id() == c.id());
        if on_path {
            return Ok(c);
        }
        if !ctx.profile.crl_signer_off_path {
            why = format!(
                "{} is signed by another certificate named {} than the one on the path, and {} uses no such CRL",
                crl.source,
                crl.issuer,
                ctx.profile.peer.display_name()
            );
            continue;
        }
        match signer_path_ok(ctx, c, depth, ignored) {
            Ok(()) => return Ok(c),
            Err(e) => why = e,
        }
    }
    Err(why)
}

/// The policy a CRL signer's own path is built under: the peer's rules
/// (its policy processing included: a critical certificatePolicies is no
/// refusal where the peer reads it), without those of a TLS leaf — no EKU,
/// no keyUsage for the role (the signer needs cRLSign, checked above).
fn signer_policy(ctx: &Context<'_>) -> Policy {
    let mut policy = Policy::with_profile(ctx.at, Role::Client, ctx.profile);
    policy.eku.clear();
    policy.profile.client_key_usage = 0;
    policy
}

fn signer_path_ok<'c>(
    ctx: &Context<'c>,
    signer: &'c Cert,
    depth: usize,
    ignored: &mut Vec<String>,
) -> Result<(), String> {
    if depth >= MAX_SIGNER_DEPTH {
        return Err(format!(
            "the CRL signer {} is too far from the path to check",
            signer.subject()
        ));
    }
    let policy = signer_policy(ctx);
    let out = build(signer, ctx.pool, ctx.anchors, &policy, Budget::default());
    let valid = out.is_valid();
    let Some(path) = out.path.as_ref().filter(|_| valid) else {
        return Err(format!(
            "the CRL signer {} has no valid path ({})",
            signer.subject(),
            out.main_problem()
                .map(|p| p.to_string())
                .unwrap_or_default()
        ));
    };
    let certs: Vec<&Cert> = path.iter().map(|l| l.cert).collect();
    for (c, s) in certs
        .iter()
        .zip(check_path_at(ctx, &certs, depth + 1, ignored))
    {
        match s {
            Status::Good { .. } => {}
            Status::Revoked { .. } => {
                return Err(format!(
                    "the CRL signer's path is revoked ({} is on a CRL)",
                    c.subject()
                ));
            }
            _ => {
                return Err(format!(
                    "the revocation of the CRL signer's path could not be checked ({})",
                    c.subject()
                ));
            }
        }
    }
    Ok(())
}

/// The issuer name as normalised for CRL matching.
pub fn issuer_dir(cert: &Cert) -> DirName {
    dir_of(cert.parsed().issuer())
}
