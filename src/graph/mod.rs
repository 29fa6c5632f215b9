//! The chain as a picture's model: which certificate issued which, read
//! from one path build ([`crate::chain::path::Outcome`]) — never a second
//! search. Every certificate the build met is a [`Node`]; every verified
//! signature on the chosen (or longest partial) path is a solid [`Edge`];
//! every candidate issuer that was tried and refused is a dashed edge
//! carrying the reason. [`crate::render::graph`] draws it as SVG, DOT or
//! Mermaid.

use serde::Serialize;

use crate::chain::path::{Outcome, Place};
use crate::model::{Cert, KeyAlgorithm};

/// What a certificate is in the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Leaf,
    Intermediate,
    Root,
}

/// Where a certificate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// From the files the user gave.
    Given,
    /// Fetched from an AIA caIssuers URL.
    Fetched,
    /// From the trust store.
    TrustStore,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Stable id: `c` + the first 16 hex digits of the SHA-256.
    pub id: String,
    pub sha256: String,
    pub subject: String,
    pub kind: Kind,
    pub source: Source,
    /// The file or URL it came from.
    pub origin: String,
    pub not_after: i64,
    pub expired: bool,
    /// Why it is weak (SHA-1 signature, RSA under 2048 bits), if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weak: Option<String>,
    /// On the chosen path.
    pub chosen: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    /// The certificate that was signed.
    pub from: String,
    /// Its issuer.
    pub to: String,
    /// True: the signature verified and the link holds. False: the
    /// candidate was refused (drawn dashed, with `reason`).
    pub verified: bool,
    /// On the chosen path.
    pub chosen: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The picture's model.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Graph {
    /// The peer the verdict is for ("OpenSSL (curl)", "Salesforce", …).
    pub peer: String,
    /// The trust store's name.
    pub store: String,
    /// True when a valid path was found.
    pub valid: bool,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Stable node id for a certificate.
pub fn node_id(c: &Cert) -> String {
    format!("c{}", &c.id().hex()[..16])
}

fn weakness(c: &Cert) -> Option<String> {
    let parsed = c.parsed();
    let sig = parsed.signature_algorithm.algorithm.to_id_string();
    // sha1WithRSAEncryption, ecdsa-with-SHA1, md5WithRSAEncryption
    if matches!(
        sig.as_str(),
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.113549.1.1.4"
    ) && !c.is_self_issued()
    {
        return Some("SHA-1/MD5 signature".into());
    }
    match c.key_algorithm() {
        KeyAlgorithm::Rsa { bits } if bits < 2048 => Some(format!("RSA {bits}-bit key")),
        _ => None,
    }
}

impl Graph {
    /// Reads the picture out of one build. `peer` and `store` name the
    /// verifier and its trust store; `at` is the validation time.
    pub fn from_outcome(out: &Outcome<'_>, leaf: &Cert, peer: &str, store: &str, at: i64) -> Graph {
        let mut g = Graph {
            peer: peer.to_string(),
            store: store.to_string(),
            valid: out.is_valid(),
            ..Graph::default()
        };
        let chosen = out.path.as_ref().filter(|_| out.is_valid());
        g.add(leaf, Place::Leaf, at, chosen.is_some());
        if let Some(p) = chosen {
            for w in p.windows(2) {
                g.add(w[1].cert, w[1].place, at, true);
                g.link(w[0].cert, w[1].cert, true, None);
            }
        }
        for &(child, issuer, place) in &out.links {
            g.add(child, Place::Pool, at, false);
            g.add(issuer, place, at, false);
            g.link(child, issuer, false, None);
        }
        // A leaf refused on a complete path (policy processing) has no
        // edge of its own to draw.
        for r in out.rejected.iter().filter(|r| r.child.id() != r.cert.id()) {
            g.add(r.child, Place::Pool, at, false);
            g.add(r.cert, r.place, at, false);
            let reason = r
                .problems
                .first()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "refused".into());
            g.link(r.child, r.cert, false, Some(reason));
        }
        // A partial path's last step that was then refused is drawn refused.
        let refused: Vec<(String, String)> = g
            .edges
            .iter()
            .filter(|e| !e.verified)
            .map(|e| (e.from.clone(), e.to.clone()))
            .collect();
        g.edges.retain(|e| {
            !e.verified || e.chosen || !refused.contains(&(e.from.clone(), e.to.clone()))
        });
        g
    }

    fn add(&mut self, c: &Cert, place: Place, at: i64, chosen: bool) {
        let id = node_id(c);
        if let Some(n) = self.nodes.iter_mut().find(|n| n.id == id) {
            n.chosen |= chosen;
            if place == Place::Anchor {
                n.source = Source::TrustStore;
                n.kind = Kind::Root;
            }
            return;
        }
        let origin = c.first_origin().to_string();
        let source = match place {
            Place::Anchor => Source::TrustStore,
            _ if origin.starts_with("http://") || origin.starts_with("https://") => Source::Fetched,
            _ => Source::Given,
        };
        let kind = match place {
            Place::Leaf => Kind::Leaf,
            Place::Anchor => Kind::Root,
            Place::Pool if c.is_self_issued() => Kind::Root,
            Place::Pool => Kind::Intermediate,
        };
        self.nodes.push(Node {
            id,
            sha256: c.id().hex(),
            subject: c.subject().to_string(),
            kind,
            source,
            origin: if place == Place::Anchor {
                self.store.clone()
            } else {
                origin
            },
            not_after: c.not_after(),
            expired: c.not_after() < at || c.not_before() > at,
            weak: weakness(c),
            chosen,
        });
    }

    fn link(&mut self, child: &Cert, issuer: &Cert, chosen: bool, reason: Option<String>) {
        let (from, to) = (node_id(child), node_id(issuer));
        let verified = reason.is_none();
        if self
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.verified == verified)
        {
            return;
        }
        self.edges.push(Edge {
            from,
            to,
            verified,
            chosen,
            reason,
        });
    }

    /// Each node's layer: 0 for the leaf, one more than the certificate it
    /// issued (the shortest way down from the leaf).
    pub fn layers(&self) -> Vec<usize> {
        let mut layer: Vec<Option<usize>> = vec![None; self.nodes.len()];
        if !layer.is_empty() {
            layer[0] = Some(0);
        }
        let index = |id: &str| self.nodes.iter().position(|n| n.id == id);
        // Relax until stable: the graph is tiny (a build's few dozen nodes).
        for _ in 0..self.nodes.len() {
            let mut changed = false;
            for e in &self.edges {
                if let (Some(f), Some(t)) = (index(&e.from), index(&e.to))
                    && let Some(lf) = layer[f]
                    && layer[t].is_none_or(|lt| lt > lf + 1)
                    && f != t
                {
                    layer[t] = Some(lf + 1);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        layer.into_iter().map(|l| l.unwrap_or(1)).collect()
    }
}
