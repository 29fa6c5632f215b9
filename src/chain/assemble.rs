//! The job `bundle` (and `keystore`) share: from everything read, find the
//! private key and its leaf, order the leaf's issuers, and say what was left
//! out and what is missing. Pure: no I/O, no time, no printing.

use std::collections::HashSet;

use serde::Serialize;

use super::index::IssuerIndex;
use super::order::{ChainEnd, RejectedLink, order_from};
use super::signature::SigError;
use crate::error::{Error, Result};
use crate::model::Cert;
use crate::parse::Inventory;

/// How the leaf was chosen, said in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeafChoice {
    /// Its public key matches the private key given.
    MatchesKey,
    /// Chosen with `--leaf`.
    Selected,
    /// No key given: the only certificate that issues no other.
    OnlyEndEntity,
}

/// The issuer the chain needs but does not have.
#[derive(Clone, Debug, Serialize)]
pub struct MissingIssuer {
    /// Position in `Assembly::path` of the certificate whose issuer is missing.
    pub child: usize,
    /// The missing issuer's name, as the child states it.
    pub issuer: String,
    /// The child's Authority Key Identifier, hex.
    pub authority_key_id: Option<String>,
    /// Where the child says the issuer can be downloaded.
    pub ca_issuers: Vec<String>,
    /// True when certificates with that name were given but none signed the child.
    pub name_matched_but_signature_failed: bool,
    /// When a certificate with that name was given but its signature on
    /// the child is in an algorithm chainfix cannot check: the algorithm.
    /// The issuer is then not missing; chainfix cannot confirm the link.
    pub unsupported_signature: Option<String>,
}

/// The result of assembling: positions into `Inventory::certs` / `keys`.
#[derive(Clone, Debug)]
pub struct Assembly {
    pub leaf: usize,
    pub leaf_choice: LeafChoice,
    pub key: Option<usize>,
    /// Leaf first, then each issuer; ends with the root when one was found.
    pub path: Vec<usize>,
    pub end: ChainEnd,
    /// The self-signed root at the end of `path`, if reached and it is not
    /// the leaf itself (a self-signed leaf is always sent).
    pub root: Option<usize>,
    /// Certificates read but not on the path.
    pub unrelated: Vec<usize>,
    /// Why an `unrelated` certificate was left out, when more is known than
    /// "not an issuer of the leaf" (see [`Assembly::follow`]).
    pub why: std::collections::HashMap<usize, String>,
    /// Keys read that match no certificate on the path.
    pub unused_keys: Vec<usize>,
    pub missing: Option<MissingIssuer>,
    /// Candidate issuers refused because their signature did not verify.
    pub rejected: Vec<RejectedLink>,
}

impl Assembly {
    /// The certificates to send: leaf and intermediates, the root only when asked.
    pub fn to_send<'a>(&self, inv: &'a Inventory, include_root: bool) -> Vec<&'a Cert> {
        self.path
            .iter()
            .filter(|&&i| include_root || Some(i) != self.root)
            .map(|&i| &inv.certs[i])
            .collect()
    }
    /// The chain reaches a self-signed root.
    pub fn complete(&self) -> bool {
        self.end == ChainEnd::Root
    }
}

/// Finds the leaf (by key, by `leaf_selector`, or as the only end entity),
/// orders its issuers, and reports the rest.
pub fn assemble(inv: &Inventory, leaf_selector: Option<&str>) -> Result<Assembly> {
    if inv.certs.is_empty() {
        return Err(inv.no_certificate_error());
    }
    let index = IssuerIndex::new(&inv.certs);
    let (leaf, leaf_choice) = find_leaf(inv, &index, leaf_selector)?;
    let ordered = order_from(&index, leaf);
    let key = inv.keys.iter().position(|k| k.matches(&inv.certs[leaf]));
    let on_path: HashSet<usize> = ordered.path.iter().copied().collect();
    let unrelated = (0..inv.certs.len())
        .filter(|i| !on_path.contains(i))
        .collect();
    let unused_keys = (0..inv.keys.len()).filter(|&k| Some(k) != key).collect();
    let root = (ordered.end == ChainEnd::Root && ordered.path.len() > 1)
        .then(|| *ordered.path.last().expect("non-empty path"));
    let missing = match ordered.end {
        ChainEnd::Root => None,
        _ => {
            let pos = ordered.path.len() - 1;
            let child = &inv.certs[ordered.path[pos]];
            let unsupported_signature = ordered.rejected.iter().find_map(|r| match &r.reason {
                SigError::Unsupported { detail } if r.child == ordered.path[pos] => {
                    Some(detail.clone())
                }
                _ => None,
            });
            Some(MissingIssuer {
                child: pos,
                issuer: child.issuer().to_string(),
                authority_key_id: child.authority_key_id().map(hex::encode),
                ca_issuers: child.ca_issuer_urls(),
                name_matched_but_signature_failed: ordered.end == ChainEnd::NoVerifyingIssuer,
                unsupported_signature,
            })
        }
    };
    Ok(Assembly {
        leaf,
        leaf_choice,
        key,
        path: ordered.path,
        end: ordered.end,
        root,
        unrelated,
        why: Default::default(),
        unused_keys,
        missing,
        rejected: ordered.rejected,
    })
}

impl Assembly {
    /// Takes `path` (leaf first, positions in `certs`; the peer's accepted
    /// path, without its anchor) as the chain, `root` as its root when the
    /// anchor was among the files, and says precisely why each other
    /// certificate is left out: an expired cross-sign, a same-named
    /// certificate whose key did not sign, a cross-sign the path does not
    /// need, or unrelated.
    pub fn follow(
        &mut self,
        certs: &[Cert],
        path: Vec<usize>,
        anchor: Option<&Cert>,
        root: Option<usize>,
        at: i64,
    ) {
        let on: Vec<usize> = path.iter().copied().chain(root).collect();
        self.why.clear();
        self.unrelated = (0..certs.len()).filter(|i| !on.contains(i)).collect();
        // The issuers on the path, the anchor included.
        let issuers: Vec<&Cert> = on
            .iter()
            .skip(1)
            .map(|&p| &certs[p])
            .chain(anchor)
            .collect();
        for &i in &self.unrelated {
            let c = &certs[i];
            // Hashes first: a certificate kept on disk is read again only
            // when its name meets one on the path.
            let twin = issuers.iter().find(|p| {
                p.subject_hash() == c.subject_hash() && p.subject_key() == c.subject_key()
            });
            let child = on.iter().map(|&p| &certs[p]).find(|p| {
                p.issuer_hash() == c.subject_hash()
                    && p.issuer_key() == c.subject_key()
                    && p.id() != c.id()
            });
            let signed = child.is_some_and(|ch| super::signature::verify_issued_by(ch, c).is_ok());
            let why = match (twin, child) {
                (Some(_), _) if c.not_after() < at => {
                    "expired cross-sign; the valid one is used".to_string()
                }
                (Some(t), _) if t.spki_raw() == c.spki_raw() || signed => {
                    if anchor.is_some_and(|a| a.id() == t.id()) {
                        format!(
                            "a cross-sign the peer does not need: it trusts \"{}\" itself",
                            t.subject()
                        )
                    } else {
                        format!(
                            "a cross-sign the peer does not need: the path goes through \"{}\" issued by \"{}\"",
                            t.subject(),
                            t.issuer()
                        )
                    }
                }
                (_, Some(ch)) if !signed => format!(
                    "same name as the issuer of \"{}\", but its key did not sign it",
                    ch.subject()
                ),
                _ => continue,
            };
            self.why.insert(i, why);
        }
        self.end = ChainEnd::Root;
        self.missing = None;
        self.root = root;
        self.path = on;
    }
}

fn describe(c: &Cert) -> String {
    format!(
        "{} (SHA-256 {}, from {})",
        c.subject(),
        c.id().short(),
        c.first_origin()
    )
}

/// The error for a key that matches none of the certificates: when a CSR
/// was given too, the CSR (the usual mix-up: the request sent to the CA
/// given where the certificate it returned belongs) is named instead.
pub fn key_matches_nothing(inv: &Inventory) -> Error {
    match inv
        .dropped
        .iter()
        .find(|d| d.reason == crate::model::DropReason::CertificateRequest)
    {
        Some(d) => Error::OnlyCertificateRequest {
            origin: d.origin.to_string(),
        },
        None => Error::KeyMatchesNothing {
            key: inv.key_sources(),
        },
    }
}

fn find_leaf(
    inv: &Inventory,
    index: &IssuerIndex<'_>,
    selector: Option<&str>,
) -> Result<(usize, LeafChoice)> {
    if let Some(sel) = selector {
        return select(inv, sel).map(|i| (i, LeafChoice::Selected));
    }
    if !inv.keys.is_empty() {
        let matching: Vec<usize> = (0..inv.certs.len())
            .filter(|&i| inv.keys.iter().any(|k| k.matches(&inv.certs[i])))
            .collect();
        return match matching.as_slice() {
            [one] => Ok((*one, LeafChoice::MatchesKey)),
            [] => Err(key_matches_nothing(inv)),
            many => Err(Error::AmbiguousLeaf {
                candidates: many.iter().map(|&i| describe(&inv.certs[i])).collect(),
            }),
        };
    }
    // No key: the certificates that issue no other one in the pile.
    let issues_another = |i: usize| {
        let c = &inv.certs[i];
        index
            .children(c)
            .any(|j| crate::chain::signature::verify_issued_by(&inv.certs[j], c).is_ok())
    };
    let ends: Vec<usize> = (0..inv.certs.len())
        .filter(|&i| !issues_another(i))
        .collect();
    let end_entities: Vec<usize> = ends
        .iter()
        .copied()
        .filter(|&i| !inv.certs[i].is_ca())
        .collect();
    let pick = if end_entities.is_empty() {
        &ends
    } else {
        &end_entities
    };
    match pick.as_slice() {
        [one] => Ok((*one, LeafChoice::OnlyEndEntity)),
        // Every certificate issues another (CAs that cross-sign each other):
        // any of them could be meant, and certificates were found.
        [] => Err(Error::AmbiguousLeaf {
            candidates: inv.certs.iter().map(describe).collect(),
        }),
        many => Err(Error::AmbiguousLeaf {
            candidates: many.iter().map(|&i| describe(&inv.certs[i])).collect(),
        }),
    }
}

/// `--leaf`: a SHA-256 prefix (at least 6 hex digits, colons allowed) or a
/// subject (exact, or a unique case-insensitive substring).
fn select(inv: &Inventory, sel: &str) -> Result<usize> {
    let hexsel: String = sel
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let by_hash: Vec<usize> = if hexsel.len() >= 6 && hexsel.chars().all(|c| c.is_ascii_hexdigit())
    {
        (0..inv.certs.len())
            .filter(|&i| inv.certs[i].id().hex().starts_with(&hexsel))
            .collect()
    } else {
        Vec::new()
    };
    let exact: Vec<usize> = (0..inv.certs.len())
        .filter(|&i| inv.certs[i].subject() == sel)
        .collect();
    let needle = sel.to_lowercase();
    let partial: Vec<usize> = (0..inv.certs.len())
        .filter(|&i| inv.certs[i].subject().to_lowercase().contains(&needle))
        .collect();
    for found in [by_hash, exact, partial] {
        match found.as_slice() {
            [one] => return Ok(*one),
            [] => continue,
            many => {
                return Err(Error::LeafSelector {
                    selector: sel.to_string(),
                    matches: many
                        .iter()
                        .map(|&i| describe(&inv.certs[i]))
                        .collect::<Vec<_>>()
                        .join("; "),
                });
            }
        }
    }
    Err(Error::LeafSelector {
        selector: sel.to_string(),
        matches: "no certificate".to_string(),
    })
}
