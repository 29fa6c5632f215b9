//! Validating path building, in the manner of rustls-webpki: a depth-first
//! search from the leaf through a pool of intermediates toward the trust
//! anchors, checking each edge as it is added (signature, validity, CA,
//! keyCertSign, pathLen, EKU nesting, name constraints), backtracking to
//! an alternate issuer when an edge fails (cross-signs, an expired
//! cross-sign such as DST Root CA X3, two roots), with loop detection by
//! subject + public key and a [`Budget`] that makes a hostile pool fatal
//! instead of slow.
//!
//! Several valid paths may exist; the search keeps a few and prefers, in
//! order: no intermediate expiring before the leaf, SHA-256 or better
//! signatures, the shortest, the newest.

use std::collections::HashSet;

use serde::Serialize;

use super::index::NameIndex;
use super::policies;
use super::signature::{SigAlg, verify_issued_by};
use super::validate::{Facts, Policy, Problem};
use crate::model::{Cert, IdSet};

/// Limits on the work one build may do. The defaults are rustls-webpki's
/// (src/verify_cert.rs `Budget::default`): 100 signature checks, 200,000
/// build steps, 250,000 name-constraint comparisons.
#[derive(Clone, Debug)]
pub struct Budget {
    pub signatures: usize,
    pub build_calls: usize,
    pub name_comparisons: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            signatures: 100,
            build_calls: 200_000,
            name_comparisons: 250_000,
        }
    }
}

/// Where a path link's certificate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Leaf,
    Pool,
    Anchor,
}

/// One certificate on a valid path, and the algorithm of the signature
/// that its issuer made on it... or, for the anchor, `None`.
#[derive(Clone, Debug)]
pub struct Link<'a> {
    pub cert: &'a Cert,
    pub place: Place,
    /// Algorithm of this certificate's own signature, as verified against
    /// the next link (None for the anchor).
    pub sig: Option<SigAlg>,
}

/// A candidate issuer that was tried and refused.
#[derive(Clone, Debug)]
pub struct Rejection<'a> {
    pub cert: &'a Cert,
    /// The certificate it was tried as the issuer of.
    pub child: &'a Cert,
    pub place: Place,
    /// Most specific first.
    pub problems: Vec<Problem>,
}

/// The result of a build.
#[derive(Debug)]
pub struct Outcome<'a> {
    /// The preferred valid path (leaf first, anchor last), when one exists
    /// and the leaf itself has no problem.
    pub path: Option<Vec<Link<'a>>>,
    /// Valid paths found in all (the search stops at a few).
    pub valid_paths: usize,
    /// Problems of the leaf itself (path-independent), most specific first.
    pub leaf_problems: Vec<Problem>,
    /// Candidate issuers refused, in the order tried.
    pub rejected: Vec<Rejection<'a>>,
    /// The longest partial path that stopped because no issuer was found
    /// for its last certificate (leaf first).
    pub dead_end: Vec<&'a Cert>,
    /// True when the budget ran out (the build stopped, fatal).
    pub exhausted: bool,
    /// Every link whose checks and signature held, as (child, issuer), in
    /// the order found: the chosen path's and those of branches abandoned
    /// further up (what `--graph` draws as solid edges), with the
    /// issuer's place.
    pub links: Vec<(&'a Cert, &'a Cert, Place)>,
}

impl<'a> Outcome<'a> {
    pub fn is_valid(&self) -> bool {
        self.path.is_some() && self.leaf_problems.is_empty()
    }

    /// The single most specific reason the leaf has no valid path.
    pub fn main_problem(&self) -> Option<Problem> {
        if self.is_valid() {
            return None;
        }
        if let Some(p) = self.leaf_problems.first() {
            return Some(p.clone());
        }
        if self.path.is_some() {
            return None;
        }
        if self.exhausted {
            return Some(Problem::BudgetExhausted);
        }
        self.rejected
            .iter()
            .flat_map(|r| r.problems.iter())
            .min_by_key(|p| p.rank())
            .cloned()
            .or(Some(Problem::UnknownIssuer))
    }
}

/// How many valid paths the search collects before choosing.
const MAX_VALID_PATHS: usize = 4;

struct Node<'a> {
    cert: &'a Cert,
    place: Place,
    /// Read on first use: most of a large pool is never a candidate.
    facts: std::cell::OnceCell<Facts>,
}

impl Node<'_> {
    fn facts(&self) -> &Facts {
        self.facts.get_or_init(|| Facts::of(self.cert))
    }
}

struct Search<'a, 'p> {
    /// The leaf, then the certificates that became candidates.
    nodes: Vec<Node<'a>>,
    /// Anchors, then the pool, by subject: position `i` is `anchors[i]`
    /// below `anchors.len()`, else `pool[i - anchors.len()]`.
    by_subject: NameIndex,
    anchors: &'a [Cert],
    pool: &'a [Cert],
    /// The nodes of each subject asked for, made on the first asking.
    candidates: crate::model::NameMap<'a, Vec<usize>>,
    policy: &'p Policy,
    budget: Budget,
    found: Vec<Vec<(usize, Option<SigAlg>)>>,
    rejected: Vec<Rejection<'a>>,
    dead_end: Vec<usize>,
    exhausted: bool,
    links: Vec<(usize, usize)>,
    link_seen: HashSet<(usize, usize)>,
}

/// Builds and validates a path from `leaf` through `pool` to one of
/// `anchors` under `policy`. `pool` may hold the leaf itself and
/// duplicates: copies of a certificate already seen are skipped.
pub fn build<'a>(
    leaf: &'a Cert,
    pool: &'a [Cert],
    anchors: &'a [Cert],
    policy: &Policy,
    budget: Budget,
) -> Outcome<'a> {
    let nodes = vec![Node {
        cert: leaf,
        place: Place::Leaf,
        facts: std::cell::OnceCell::new(),
    }];
    // Anchors first: a path that can end now should. Only an index by
    // subject over the pool: nodes, and the skipping of copies, wait until
    // a subject is asked for (most of a large pool never is).
    let by_subject = NameIndex::of_hashes(
        anchors
            .iter()
            .chain(pool)
            .enumerate()
            .map(|(i, c)| (c.subject_hash(), i as u32)),
    );
    let leaf_problems = nodes[0].facts().leaf_problems(policy);
    let mut s = Search {
        nodes,
        by_subject,
        anchors,
        pool,
        candidates: Default::default(),
        policy,
        budget,
        found: Vec::new(),
        rejected: Vec::new(),
        dead_end: Vec::new(),
        exhausted: false,
        links: Vec::new(),
        link_seen: HashSet::new(),
    };
    // A leaf that is itself in the trust store (a self-signed client
    // certificate the peer imported as an anchor, or any certificate
    // trusted directly) is a path of length one, valid when its own leaf
    // checks pass (expiry, EKU, names...): as Go's crypto/x509 and
    // OpenSSL (for a self-signed trusted leaf) do. The search for an
    // issuer is then pointless.
    if anchors.iter().any(|a| a.id() == leaf.id()) {
        s.found.push(vec![(0usize, None)]);
    } else {
        let mut path = vec![(0usize, None)];
        let _ = s.extend(&mut path);
    }
    let valid_paths = s.found.len();
    let best = choose(&s);
    let mut leaf_problems = leaf_problems;
    if policy.profile.nc_cn_joins_san
        && let Some(p) = best
        && p.iter().skip(1).any(|&(i, _)| {
            s.nodes[i].place != Place::Anchor && s.nodes[i].facts().constraints.is_some()
        })
    {
        leaf_problems = s.nodes[0].facts().leaf_problems_with(policy, true);
    }
    let path = best.map(|p| {
        p.iter()
            .map(|&(i, sig)| Link {
                cert: s.nodes[i].cert,
                place: s.nodes[i].place,
                sig,
            })
            .collect()
    });
    Outcome {
        path,
        valid_paths,
        leaf_problems,
        dead_end: s.dead_end.iter().map(|&i| s.nodes[i].cert).collect(),
        rejected: s.rejected,
        exhausted: s.exhausted && valid_paths == 0,
        links: s
            .links
            .iter()
            .map(|&(a, b)| (s.nodes[a].cert, s.nodes[b].cert, s.nodes[b].place))
            .collect(),
    }
}

/// Stop signal for the search.
struct Stop;

impl<'a> Search<'a, '_> {
    /// Extends `path` (leaf first; each entry is node + the algorithm of
    /// that node's signature once its issuer is known).
    fn extend(&mut self, path: &mut Vec<(usize, Option<SigAlg>)>) -> Result<(), Stop> {
        if self.budget.build_calls == 0 {
            self.exhausted = true;
            return Err(Stop);
        }
        self.budget.build_calls -= 1;
        let top = path.last().unwrap().0;
        let child = self.nodes[top].cert;
        let mut cands = self.candidates(child.issuer_key());
        cands.retain(|&i| self.nodes[i].cert.id() != child.id());
        let aki = child.authority_key_id();
        cands.sort_by_key(|&i| {
            let n = &self.nodes[i];
            let key = match (aki, n.cert.subject_key_id()) {
                (Some(a), Some(s)) if a == s => 0u8,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            (
                n.place != Place::Anchor,
                key,
                std::cmp::Reverse(n.cert.not_after()),
            )
        });
        if cands.is_empty() {
            if path.len() > self.dead_end.len() {
                self.dead_end = path.iter().map(|p| p.0).collect();
            }
            return Ok(());
        }
        for c in cands {
            if self.found.len() >= MAX_VALID_PATHS {
                return Err(Stop);
            }
            let node = &self.nodes[c];
            let place = node.place;
            // Loop: the same subject and key already on the path.
            if path.iter().any(|&(p, _)| {
                let q = self.nodes[p].cert;
                q.id() == node.cert.id()
                    || (q.subject_key() == node.cert.subject_key()
                        && q.spki_raw() == node.cert.spki_raw()
                        && q.issuer_key() == node.cert.issuer_key())
            }) {
                self.reject(c, top, vec![Problem::Loop]);
                continue;
            }
            let intermediates_below = path
                .iter()
                .skip(1)
                .filter(|&&(p, _)| !self.nodes[p].facts().self_issued)
                .count() as u32;
            // A self-signed certificate from the files is a root the store
            // does not hold: the path ends there, untrusted.
            let self_signed_looking = node.cert.is_self_issued()
                && (node.cert.authority_key_id().is_none()
                    || node.cert.authority_key_id() == node.cert.subject_key_id());
            if place == Place::Pool && self_signed_looking {
                if self.budget.signatures == 0 {
                    self.exhausted = true;
                    return Err(Stop);
                }
                self.budget.signatures -= 1;
                match verify_issued_by(child, node.cert) {
                    Ok(_) => {
                        if path.len() + 1 > self.dead_end.len() {
                            self.dead_end = path.iter().map(|p| p.0).chain([c]).collect();
                        }
                        self.reject(c, top, vec![Problem::RootNotTrusted]);
                    }
                    // It did not sign the child: refused now, rather than
                    // after its CA checks with the same signature checked
                    // (and charged) a second time.
                    Err(e) => self.reject(
                        c,
                        top,
                        vec![Problem::BadSignature {
                            detail: e.to_string(),
                        }],
                    ),
                }
                continue;
            }
            // Logical intermediates: self-issued ones (key rollover) do not count.
            let logical = intermediates_below + u32::from(!node.facts().self_issued);
            if place != Place::Anchor && logical as usize > self.policy.max_intermediates {
                self.reject(
                    c,
                    top,
                    vec![Problem::TooDeep {
                        max_intermediates: self.policy.max_intermediates,
                    }],
                );
                continue;
            }
            let mut problems = node.facts().issuer_problems(
                self.policy,
                intermediates_below,
                place == Place::Anchor,
            );
            let anchor_nc = place != Place::Anchor || !self.policy.profile.anchor_is_name_and_key;
            if problems.is_empty()
                && anchor_nc
                && let Err(p) = self.check_constraints(c, path)
            {
                problems.push(p);
            }
            if !problems.is_empty() {
                self.reject(c, top, problems);
                continue;
            }
            if self.budget.signatures == 0 {
                self.exhausted = true;
                return Err(Stop);
            }
            self.budget.signatures -= 1;
            let sig = match verify_issued_by(child, self.nodes[c].cert) {
                Ok(alg) => alg,
                Err(e) => {
                    self.reject(
                        c,
                        top,
                        vec![Problem::BadSignature {
                            detail: e.to_string(),
                        }],
                    );
                    continue;
                }
            };
            path.last_mut().unwrap().1 = Some(sig);
            if self.link_seen.insert((top, c)) {
                self.links.push((top, c));
            }
            path.push((c, None));
            // OpenSSL (without X509_V_FLAG_PARTIAL_CHAIN) and Salesforce end a
            // path only at a self-signed anchor; a trusted intermediate goes
            // on to its own issuer.
            let ends = place == Place::Anchor
                && (self.policy.profile.intermediate_anchors
                    || self.nodes[c].facts().openssl_self_signed());
            if ends {
                match self.policy_refusal(path) {
                    None => self.found.push(path.clone()),
                    // The path is refused where processing failed; the
                    // search goes on to another path, as Java's builder
                    // (SunCertPathBuilder) does.
                    Some((k, problem)) => {
                        let child = path[k.saturating_sub(1)].0;
                        self.reject(path[k].0, child, vec![problem]);
                    }
                }
            } else {
                self.extend(path)?;
            }
            path.pop();
            path.last_mut().unwrap().1 = None;
        }
        Ok(())
    }

    /// Applies `ca`'s name constraints to every certificate below it on
    /// `path` (self-issued intermediates exempt, RFC 5280 §4.2.1.10).
    fn check_constraints(
        &mut self,
        ca: usize,
        path: &[(usize, Option<SigAlg>)],
    ) -> Result<(), Problem> {
        let Some(nc) = self.nodes[ca].facts().constraints.clone() else {
            return Ok(());
        };
        let mut left = self.budget.name_comparisons;
        let mut charge = || {
            if left == 0 {
                false
            } else {
                left -= 1;
                true
            }
        };
        let mut result = Ok(());
        for (k, &(i, _)) in path.iter().enumerate() {
            let f = self.nodes[i].facts();
            if k > 0 && f.self_issued {
                continue;
            }
            let names =
                f.constrained_names_with_cn(k == 0, self.policy.profile.cn_name_constraints);
            if let Err(e) = nc.check(&names, &mut charge) {
                result = Err(Problem::NameConstraint {
                    detail: e.to_string(),
                });
                break;
            }
        }
        if left == 0 {
            self.exhausted = true;
        }
        self.budget.name_comparisons = left;
        result
    }

    /// RFC 5280 §6.1 policy processing over a complete `path`, when the
    /// peer does it: where it fails (index on the path) and why.
    fn policy_refusal(&self, path: &[(usize, Option<SigAlg>)]) -> Option<(usize, Problem)> {
        let inputs = self.policy.policy_inputs.as_ref()?;
        let certs: Vec<&Cert> = path.iter().map(|&(i, _)| self.nodes[i].cert).collect();
        let refused = policies::process_path(&certs, inputs).err()?;
        Some((refused.index, refused.error.problem()))
    }

    /// The nodes whose subject is `name`, anchors first: every anchor,
    /// and each pool certificate that is not the leaf, an anchor or an
    /// earlier pool certificate (copies share their subject, so skipping
    /// them here skips them everywhere).
    fn candidates(&mut self, name: &'a [u8]) -> Vec<usize> {
        if let Some(c) = self.candidates.get(name) {
            return c.clone();
        }
        let mut seen = IdSet::default();
        seen.insert(self.nodes[0].cert.id());
        let mut out = Vec::new();
        let (anchors, pool) = (self.anchors, self.pool);
        for i in self.by_subject.get(name) {
            let i = i as usize;
            let (place, cert) = match anchors.get(i) {
                Some(a) => (Place::Anchor, a),
                None => (Place::Pool, &pool[i - anchors.len()]),
            };
            if cert.subject_key() != name {
                continue;
            }
            if !seen.insert(cert.id()) && place != Place::Anchor {
                continue;
            }
            out.push(self.nodes.len());
            self.nodes.push(Node {
                cert,
                place,
                facts: std::cell::OnceCell::new(),
            });
        }
        self.candidates.insert(name, out.clone());
        out
    }

    fn reject(&mut self, cand: usize, child: usize, problems: Vec<Problem>) {
        if self.rejected.len() < 256 {
            self.rejected.push(Rejection {
                cert: self.nodes[cand].cert,
                child: self.nodes[child].cert,
                place: self.nodes[cand].place,
                problems,
            });
        }
    }
}

fn strong(sig: Option<SigAlg>) -> bool {
    !matches!(sig, Some(SigAlg::RsaPkcs1Sha1))
}

/// Picks the preferred path among those found.
fn choose<'x>(s: &'x Search<'_, '_>) -> Option<&'x Vec<(usize, Option<SigAlg>)>> {
    let leaf_end = s.nodes[0].cert.not_after();
    s.found.iter().min_by_key(|p| {
        // Intermediates only: empty for a leaf alone or leaf + anchor.
        let early = p[1..p.len().max(2) - 1]
            .iter()
            .any(|&(i, _)| s.nodes[i].cert.not_after() < leaf_end);
        let weak = p.iter().any(|&(_, sig)| !strong(sig));
        let oldest = p[1..]
            .iter()
            .map(|&(i, _)| s.nodes[i].cert.not_after())
            .min()
            .unwrap_or(i64::MAX);
        (early, weak, p.len(), std::cmp::Reverse(oldest))
    })
}
