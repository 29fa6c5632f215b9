//! Certificate policy processing (RFC 5280 §6.1.2 – §6.1.5) as a stage
//! applied to a path that was already built: the valid_policy_tree, with
//! the four initial inputs (user-initial-policy-set,
//! initial-explicit-policy, initial-policy-mapping-inhibit,
//! initial-any-policy-inhibit), policyMappings, policyConstraints and
//! inhibitAnyPolicy. Java's PKIX validator (and so Salesforce) does this;
//! OpenSSL does it only with `-policy` / `-explicit_policy`.

use std::collections::BTreeSet;

use x509_parser::prelude::*;

use crate::model::Cert;

pub const ANY_POLICY: &str = "2.5.29.32.0";

/// The initial inputs of RFC 5280 §6.1.1 (c), (e), (f), (g).
#[derive(Clone, Debug, Default)]
pub struct PolicyInputs {
    /// Acceptable policies; empty means anyPolicy.
    pub initial_policy_set: Vec<String>,
    pub initial_explicit_policy: bool,
    pub initial_policy_mapping_inhibit: bool,
    pub initial_any_policy_inhibit: bool,
}

/// Why the path has no acceptable policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// An explicit policy is required and none is valid for the path, at
    /// the certificate with this subject.
    NoValidPolicy {
        at: String,
    },
    /// A policyMappings extension maps to or from anyPolicy.
    MapsAnyPolicy {
        at: String,
    },
    Malformed {
        at: String,
        detail: String,
    },
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::NoValidPolicy { at } => write!(
                f,
                "no certificate policy is valid for the path (required from {at})"
            ),
            PolicyError::MapsAnyPolicy { at } => {
                write!(f, "{at} maps a policy to or from anyPolicy")
            }
            PolicyError::Malformed { at, detail } => write!(f, "{at}: {detail}"),
        }
    }
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
        mappings: Vec::new(),
        require_explicit: None,
        inhibit_mapping: None,
        inhibit_any: None,
        self_issued: cert.subject_raw() == cert.issuer_raw(),
    };
    for e in x.iter_extensions() {
        match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => {
                out.policies = Some(p.iter().map(|i| i.policy_id.to_id_string()).collect())
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
    let certs: Vec<&Cert> = path[..path.len().saturating_sub(1)]
        .iter()
        .rev()
        .copied()
        .collect();
    let n = certs.len();
    let start = |b: bool| if b { 0 } else { n + 1 };
    let mut explicit = start(inputs.initial_explicit_policy);
    let mut inhibit_any = start(inputs.initial_any_policy_inhibit);
    let mut mapping = start(inputs.initial_policy_mapping_inhibit);
    let mut tree = Tree::new();
    for (k, cert) in certs.iter().enumerate() {
        let i = k + 1;
        let p = read(cert)?;
        let at = cert.subject().to_string();
        tree.levels.push(Vec::new());
        match &p.policies {
            Some(pols) if !tree.is_null() => {
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
            return Err(PolicyError::NoValidPolicy { at });
        }
        if i == n {
            break;
        }
        // §6.1.4 (a), (b): policy mappings.
        if p.mappings
            .iter()
            .any(|(a, b)| a == ANY_POLICY || b == ANY_POLICY)
        {
            return Err(PolicyError::MapsAnyPolicy { at });
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
        if let Some(r) = p.require_explicit {
            explicit = explicit.min(r as usize);
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
    let leaf = read(certs[n - 1])?;
    explicit = explicit.saturating_sub(1);
    if leaf.require_explicit == Some(0) {
        explicit = 0;
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
        return Err(PolicyError::NoValidPolicy {
            at: certs[n - 1].subject().to_string(),
        });
    }
    Ok(valid)
}
