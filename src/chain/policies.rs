//! Certificate policy processing (RFC 5280 §6.1.2 – §6.1.5) as a stage
//! applied to a path that was already built: the valid_policy_tree, with
//! the four initial inputs (user-initial-policy-set,
//! initial-explicit-policy, initial-policy-mapping-inhibit,
//! initial-any-policy-inhibit), policyMappings, policyConstraints and
//! inhibitAnyPolicy. Java's PKIX validator (and so Salesforce) does this
//! on every path with [`PolicyInputs::jdk`]; OpenSSL only with
//! `-policy_check` / `-policy` / `-explicit_policy` (crypto/x509/x509_vfy.c
//! `verify_chain` runs `check_policy` only under X509_V_FLAG_POLICY_CHECK).

use std::collections::BTreeSet;

use serde::Serialize;
use x509_parser::prelude::*;

use super::validate::Problem;
use crate::model::Cert;

pub const ANY_POLICY: &str = "2.5.29.32.0";

/// The initial inputs of RFC 5280 §6.1.1 (c), (e), (f), (g), and the two
/// ways Java's PolicyChecker departs from the RFC. `Default` is plain RFC
/// 5280 with anyPolicy acceptable and nothing required or inhibited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyInputs {
    /// Acceptable policies; empty means anyPolicy.
    pub initial_policy_set: Vec<String>,
    pub initial_explicit_policy: bool,
    pub initial_policy_mapping_inhibit: bool,
    pub initial_any_policy_inhibit: bool,
    /// A critical certificatePolicies extension whose policies (other than
    /// anyPolicy) carry qualifiers refuses the path. Java:
    /// `PKIXParameters.getPolicyQualifiersRejected()` is true by default;
    /// sun/security/provider/certpath/PolicyChecker.java `processPolicies`
    /// ("critical policy qualifiers present in certificate").
    pub reject_critical_qualifiers: bool,
    /// A mapping to or from anyPolicy is refused only while the tree is not
    /// NULL. Java: PolicyChecker calls `processPolicyMappings` only when
    /// `rootNode != null`; RFC 5280 §6.1.4 (a) refuses it always.
    pub mappings_need_tree: bool,
}

impl PolicyInputs {
    /// What Java's PKIX validator uses: `PKIXParameters` defaults (initial
    /// policies empty = anyPolicy, explicit policy not required, mapping
    /// and anyPolicy not inhibited, policy qualifiers rejected), as
    /// sun/security/validator/PKIXValidator.java builds them.
    pub fn jdk() -> PolicyInputs {
        PolicyInputs {
            reject_critical_qualifiers: true,
            mappings_need_tree: true,
            ..PolicyInputs::default()
        }
    }
}

/// Why the path has no acceptable policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// An explicit policy is required and none is valid for the path from
    /// the certificate with subject `at` down. `required_by`: the
    /// certificate whose policyConstraints requires it, `None` when the
    /// verifier does (initial-explicit-policy).
    NoValidPolicy {
        at: String,
        required_by: Option<String>,
    },
    /// A policyMappings extension maps to (`to` true) or from anyPolicy.
    MapsAnyPolicy {
        at: String,
        to: bool,
    },
    /// A critical certificatePolicies extension with policy qualifiers
    /// (refused under [`PolicyInputs::reject_critical_qualifiers`]).
    CriticalQualifiers {
        at: String,
        policy: String,
    },
    Malformed {
        at: String,
        detail: String,
    },
}

impl PolicyError {
    /// The subject of the certificate where processing failed.
    pub fn at(&self) -> &str {
        match self {
            PolicyError::NoValidPolicy { at, .. }
            | PolicyError::MapsAnyPolicy { at, .. }
            | PolicyError::CriticalQualifiers { at, .. }
            | PolicyError::Malformed { at, .. } => at,
        }
    }

    /// What went wrong, without naming the certificate it went wrong at.
    pub fn why(&self) -> String {
        match self {
            PolicyError::NoValidPolicy {
                required_by: Some(by),
                ..
            } => format!(
                "no certificate policy is valid for the path down to this certificate, and \"{by}\" requires one (policyConstraints requireExplicitPolicy)"
            ),
            PolicyError::NoValidPolicy {
                required_by: None, ..
            } => "no certificate policy is valid for the path down to this certificate, and one is required".into(),
            PolicyError::MapsAnyPolicy { to: true, .. } => {
                "its policyMappings maps a policy to anyPolicy, which RFC 5280 forbids".into()
            }
            PolicyError::MapsAnyPolicy { to: false, .. } => {
                "its policyMappings maps anyPolicy to a policy, which RFC 5280 forbids".into()
            }
            PolicyError::CriticalQualifiers { policy, .. } => format!(
                "its certificatePolicies extension is critical and policy {policy} carries qualifiers"
            ),
            PolicyError::Malformed { detail, .. } => detail.clone(),
        }
    }
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at(), self.why())
    }
}

/// Which §6.1 check refused the path, as `verify --json` names it in a
/// `policy` problem; each has the peer's own words (`peer::words`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyFailure {
    /// An explicit policy is required and none is valid.
    NoExplicitPolicy,
    /// policyMappings with anyPolicy as the issuer-domain policy.
    IssuerDomainAnyPolicy,
    /// policyMappings with anyPolicy as the subject-domain policy.
    SubjectDomainAnyPolicy,
    /// A critical certificatePolicies extension with qualifiers.
    CriticalQualifiers,
}

impl PolicyError {
    /// The path builder's problem for this refusal.
    pub fn problem(&self) -> Problem {
        let failure = match self {
            PolicyError::NoValidPolicy { .. } => PolicyFailure::NoExplicitPolicy,
            PolicyError::MapsAnyPolicy { to: false, .. } => PolicyFailure::IssuerDomainAnyPolicy,
            PolicyError::MapsAnyPolicy { to: true, .. } => PolicyFailure::SubjectDomainAnyPolicy,
            PolicyError::CriticalQualifiers { .. } => PolicyFailure::CriticalQualifiers,
            PolicyError::Malformed { detail, .. } => {
                return Problem::Malformed {
                    detail: detail.clone(),
                };
            }
        };
        Problem::Policy {
            failure,
            detail: self.why(),
        }
    }
}

/// A refusal and where on the path (leaf = 0) it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub index: usize,
    pub error: PolicyError,
}

#[derive(Clone, Debug)]
struct Node {
    policy: String,
    expected: BTreeSet<String>,
    parent: Option<usize>,
    alive: bool,
}

/// The valid_policy_tree: one level per depth, nodes pointing at their
/// parent in the level above. Deleted nodes stay as tombstones.
struct Tree {
    levels: Vec<Vec<Node>>,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            levels: vec![vec![Node {
                policy: ANY_POLICY.into(),
                expected: [ANY_POLICY.to_string()].into(),
                parent: None,
                alive: true,
            }]],
        }
    }

    fn live(&self, depth: usize) -> impl Iterator<Item = (usize, &Node)> {
        self.levels[depth]
            .iter()
            .enumerate()
            .filter(|(_, n)| n.alive)
    }

    fn has_children(&self, depth: usize, idx: usize) -> bool {
        self.levels
            .get(depth + 1)
            .is_some_and(|l| l.iter().any(|n| n.alive && n.parent == Some(idx)))
    }

    /// Deletes childless nodes above `depth`, bottom up.
    fn prune(&mut self, depth: usize) {
        for d in (0..depth).rev() {
            for i in 0..self.levels[d].len() {
                if self.levels[d][i].alive && !self.has_children(d, i) {
                    self.levels[d][i].alive = false;
                }
            }
        }
    }

    fn delete_subtree(&mut self, depth: usize, idx: usize) {
        self.levels[depth][idx].alive = false;
        let mut doomed = vec![idx];
        for d in depth + 1..self.levels.len() {
            let mut next = Vec::new();
            for (i, n) in self.levels[d].iter_mut().enumerate() {
                if n.alive && n.parent.is_some_and(|p| doomed.contains(&p)) {
                    n.alive = false;
                    next.push(i);
                }
            }
            doomed = next;
        }
    }

    fn is_null(&self) -> bool {
        !self.levels[0][0].alive
    }
}

struct CertPolicies {
    policies: Option<Vec<String>>,
    /// The first policy other than anyPolicy with qualifiers, when the
    /// extension is critical.
    critical_qualified: Option<String>,
    mappings: Vec<(String, String)>,
    require_explicit: Option<u32>,
    inhibit_mapping: Option<u32>,
    inhibit_any: Option<u32>,
    self_issued: bool,
}

fn read(cert: &Cert) -> Result<CertPolicies, PolicyError> {
    let x = cert.parsed();
    let mut out = CertPolicies {
        policies: None,
        critical_qualified: None,
        mappings: Vec::new(),
        require_explicit: None,
        inhibit_mapping: None,
        inhibit_any: None,
        self_issued: cert.subject_raw() == cert.issuer_raw(),
    };
    for e in x.iter_extensions() {
        match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => {
                out.policies = Some(p.iter().map(|i| i.policy_id.to_id_string()).collect());
                out.critical_qualified = p
                    .iter()
                    .filter(|i| e.critical && i.policy_id.to_id_string() != ANY_POLICY)
                    .find(|i| i.policy_qualifiers.as_ref().is_some_and(|q| !q.is_empty()))
                    .map(|i| i.policy_id.to_id_string());
            }
            ParsedExtension::PolicyMappings(m) => {
                out.mappings = m
                    .mappings
                    .iter()
                    .map(|m| {
                        (
                            m.issuer_domain_policy.to_id_string(),
                            m.subject_domain_policy.to_id_string(),
                        )
                    })
                    .collect()
            }
            ParsedExtension::PolicyConstraints(c) => {
                out.require_explicit = c.require_explicit_policy;
                out.inhibit_mapping = c.inhibit_policy_mapping;
            }
            ParsedExtension::InhibitAnyPolicy(i) => out.inhibit_any = Some(i.skip_certs),
            ParsedExtension::ParseError { error }
                if ["2.5.29.32", "2.5.29.33", "2.5.29.36", "2.5.29.54"]
                    .contains(&e.oid.to_id_string().as_str()) =>
            {
                return Err(PolicyError::Malformed {
                    at: cert.subject().to_string(),
                    detail: format!("policy extension {}: {error}", e.oid.to_id_string()),
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Runs policy processing over `path` (leaf first, trust anchor last; the
/// anchor's own extensions are not processed). Returns the authorities-
/// constrained policies that are valid for the path (empty when the tree
/// is NULL but no explicit policy was required).
pub fn process(path: &[&Cert], inputs: &PolicyInputs) -> Result<Vec<String>, PolicyError> {
    process_path(path, inputs).map_err(|r| r.error)
}

/// As [`process`], saying where on `path` (leaf = 0) processing failed.
pub fn process_path(path: &[&Cert], inputs: &PolicyInputs) -> Result<Vec<String>, Refused> {
    let certs: Vec<&Cert> = path[..path.len().saturating_sub(1)]
        .iter()
        .rev()
        .copied()
        .collect();
    let n = certs.len();
    // certs[k] is path[n - 1 - k].
    let refused = |k: usize, error: PolicyError| Refused {
        index: n - 1 - k,
        error,
    };
    let start = |b: bool| if b { 0 } else { n + 1 };
    let mut explicit = start(inputs.initial_explicit_policy);
    // Who set `explicit` to its value: None for the verifier.
    let mut explicit_by: Option<String> = None;
    let mut inhibit_any = start(inputs.initial_any_policy_inhibit);
    let mut mapping = start(inputs.initial_policy_mapping_inhibit);
    let mut tree = Tree::new();
    for (k, cert) in certs.iter().enumerate() {
        let i = k + 1;
        let p = read(cert).map_err(|e| refused(k, e))?;
        let at = cert.subject().to_string();
        tree.levels.push(Vec::new());
        match &p.policies {
            Some(pols) if !tree.is_null() => {
                if inputs.reject_critical_qualifiers
                    && let Some(policy) = &p.critical_qualified
                {
                    return Err(refused(
                        k,
                        PolicyError::CriticalQualifiers {
                            at,
                            policy: policy.clone(),
                        },
                    ));
                }
                // (d)(1)
                for pol in pols.iter().filter(|p| *p != ANY_POLICY) {
                    let matched: Vec<usize> = tree
                        .live(i - 1)
                        .filter(|(_, n)| n.expected.contains(pol))
                        .map(|(j, _)| j)
                        .collect();
                    let parents = if matched.is_empty() {
                        tree.live(i - 1)
                            .filter(|(_, n)| n.policy == ANY_POLICY)
                            .map(|(j, _)| j)
                            .collect()
                    } else {
                        matched
                    };
                    for par in parents {
                        tree.levels[i].push(Node {
                            policy: pol.clone(),
                            expected: [pol.clone()].into(),
                            parent: Some(par),
                            alive: true,
                        });
                    }
                }
                // (d)(2)
                if pols.iter().any(|p| p == ANY_POLICY)
                    && (inhibit_any > 0 || (i < n && p.self_issued))
                {
                    let parents: Vec<(usize, BTreeSet<String>)> = tree
                        .live(i - 1)
                        .map(|(j, n)| (j, n.expected.clone()))
                        .collect();
                    for (par, expected) in parents {
                        for e in expected {
                            let exists = tree.levels[i]
                                .iter()
                                .any(|c| c.alive && c.parent == Some(par) && c.policy == e);
                            if !exists {
                                tree.levels[i].push(Node {
                                    policy: e.clone(),
                                    expected: [e].into(),
                                    parent: Some(par),
                                    alive: true,
                                });
                            }
                        }
                    }
                }
                // (d)(3)
                tree.prune(i);
            }
            Some(_) => {}
            // (e)
            None => tree.levels[0][0].alive = false,
        }
        if tree.is_null() {
            for l in &mut tree.levels {
                for nd in l.iter_mut() {
                    nd.alive = false;
                }
            }
        }
        // (f)
        if explicit == 0 && tree.is_null() {
            return Err(refused(
                k,
                PolicyError::NoValidPolicy {
                    at,
                    required_by: explicit_by,
                },
            ));
        }
        if i == n {
            break;
        }
        // §6.1.4 (a), (b): policy mappings.
        if let Some((a, _)) = p
            .mappings
            .iter()
            .find(|(a, b)| a == ANY_POLICY || b == ANY_POLICY)
            .filter(|_| !(inputs.mappings_need_tree && tree.is_null()))
        {
            let to = a != ANY_POLICY;
            return Err(refused(k, PolicyError::MapsAnyPolicy { at, to }));
        }
        let mut issuer_pols: Vec<&String> = p.mappings.iter().map(|(a, _)| a).collect();
        issuer_pols.sort();
        issuer_pols.dedup();
        for idp in issuer_pols {
            let mapped: BTreeSet<String> = p
                .mappings
                .iter()
                .filter(|(a, _)| a == idp)
                .map(|(_, b)| b.clone())
                .collect();
            if mapping > 0 {
                let mut found = false;
                for nd in tree.levels[i].iter_mut().filter(|n| n.alive) {
                    if &nd.policy == idp {
                        nd.expected = mapped.clone();
                        found = true;
                    }
                }
                let any_parent = tree
                    .live(i)
                    .find(|(_, n)| n.policy == ANY_POLICY)
                    .map(|(_, n)| n.parent);
                if !found && let Some(any_parent) = any_parent {
                    tree.levels[i].push(Node {
                        policy: idp.clone(),
                        expected: mapped,
                        parent: any_parent,
                        alive: true,
                    });
                }
            } else {
                for j in 0..tree.levels[i].len() {
                    if tree.levels[i][j].alive && &tree.levels[i][j].policy == idp {
                        tree.levels[i][j].alive = false;
                    }
                }
                tree.prune(i);
            }
        }
        // (h), (i), (j): counters.
        if !p.self_issued {
            explicit = explicit.saturating_sub(1);
            mapping = mapping.saturating_sub(1);
            inhibit_any = inhibit_any.saturating_sub(1);
        }
        if let Some(r) = p.require_explicit.filter(|&r| (r as usize) < explicit) {
            explicit = r as usize;
            explicit_by = Some(at);
        }
        if let Some(m) = p.inhibit_mapping {
            mapping = mapping.min(m as usize);
        }
        if let Some(s) = p.inhibit_any {
            inhibit_any = inhibit_any.min(s as usize);
        }
    }
    // §6.1.5 wrap-up for the end entity.
    if n == 0 {
        return Ok(Vec::new());
    }
    let leaf = read(certs[n - 1]).map_err(|e| refused(n - 1, e))?;
    explicit = explicit.saturating_sub(1);
    if leaf.require_explicit == Some(0) && explicit > 0 {
        explicit = 0;
        explicit_by = Some(certs[n - 1].subject().to_string());
    }
    // (g) intersection with the user-initial-policy-set.
    let user: Vec<&String> = inputs.initial_policy_set.iter().collect();
    let user_any = user.is_empty() || user.iter().any(|p| *p == ANY_POLICY);
    if !tree.is_null() && !user_any {
        // Nodes whose parent is an anyPolicy node: the valid_policy_node_set.
        let mut present: BTreeSet<String> = BTreeSet::new();
        for d in 1..=n {
            for j in 0..tree.levels[d].len() {
                let nd = &tree.levels[d][j];
                if !nd.alive {
                    continue;
                }
                let parent_any = nd
                    .parent
                    .is_some_and(|p| tree.levels[d - 1][p].policy == ANY_POLICY);
                if !parent_any {
                    continue;
                }
                if nd.policy != ANY_POLICY && !user.contains(&&nd.policy) {
                    tree.delete_subtree(d, j);
                } else if nd.policy != ANY_POLICY {
                    present.insert(nd.policy.clone());
                }
            }
        }
        let any_leaf: Vec<(usize, Option<usize>)> = tree
            .live(n)
            .filter(|(_, nd)| nd.policy == ANY_POLICY)
            .map(|(j, nd)| (j, nd.parent))
            .collect();
        for (j, parent) in any_leaf {
            for u in &user {
                if !present.contains(*u) {
                    tree.levels[n].push(Node {
                        policy: (*u).clone(),
                        expected: [(*u).clone()].into(),
                        parent,
                        alive: true,
                    });
                }
            }
            tree.levels[n][j].alive = false;
        }
        tree.prune(n);
    }
    let valid: Vec<String> = if tree.is_null() {
        Vec::new()
    } else {
        tree.live(n).map(|(_, nd)| nd.policy.clone()).collect()
    };
    if explicit == 0 && valid.is_empty() {
        return Err(refused(
            n - 1,
            PolicyError::NoValidPolicy {
                at: certs[n - 1].subject().to_string(),
                required_by: explicit_by,
            },
        ));
    }
    Ok(valid)
}
