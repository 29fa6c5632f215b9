//! Orders a pile of certificates from a leaf up: each next certificate is
//! one whose subject names the previous one's issuer *and* whose key
//! verifies its signature. Where a name has several candidates (cross-signs,
//! re-keys), the search backtracks and keeps the path that reaches a
//! self-signed root, else the longest. Loops end on a seen-set by subject
//! and key; a budget caps the signature checks.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::index::IssuerIndex;
use super::signature::{SigError, verify_issued_by};

/// How many signature checks one ordering may spend (each candidate pair
/// is checked at most once, so honest piles use a handful).
pub const SIGNATURE_BUDGET: usize = 2_000;
/// Longest chain considered, leaf and root included.
pub const MAX_DEPTH: usize = 12;

/// How the ordered chain ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ChainEnd {
    /// The last certificate is self-signed (its own signature verifies, or
    /// is in an algorithm chainfix cannot check).
    Root,
    /// The last certificate's issuer is not among the certificates given.
    MissingIssuer,
    /// Candidates with the right name exist but none verifies.
    NoVerifyingIssuer,
    /// The signature budget ran out before a path was proved.
    BudgetExhausted,
}

/// A candidate that has the issuer's name but was refused, and why.
#[derive(Clone, Debug, Serialize)]
pub struct RejectedLink {
    pub child: usize,
    pub candidate: usize,
    pub reason: SigError,
}

/// The result of ordering: positions into the pool, leaf first.
#[derive(Clone, Debug)]
pub struct Ordered {
    pub path: Vec<usize>,
    pub end: ChainEnd,
    pub rejected: Vec<RejectedLink>,
}

struct Search<'a, 'b> {
    index: &'b IssuerIndex<'a>,
    memo: HashMap<(usize, usize), Result<(), SigError>>,
    checks: usize,
    exhausted: bool,
}

impl Search<'_, '_> {
    fn link(&mut self, child: usize, issuer: usize) -> Result<(), SigError> {
        if let Some(r) = self.memo.get(&(child, issuer)) {
            return r.clone();
        }
        if self.checks >= SIGNATURE_BUDGET {
            self.exhausted = true;
            return Err(SigError::Unsupported {
                detail: "signature budget exhausted".into(),
            });
        }
        self.checks += 1;
        let certs = self.index.certs();
        let r = verify_issued_by(&certs[child], &certs[issuer]).map(|_| ());
        self.memo.insert((child, issuer), r.clone());
        r
    }

    /// Self-issued and its own signature verifies, or uses an algorithm
    /// chainfix cannot check: peers do not check a root's own signature
    /// (RFC 5280 §6.1 starts from the trust anchor's key), so such a
    /// certificate ends the chain rather than being reported as missing.
    fn is_root(&mut self, i: usize) -> bool {
        if !self.index.certs()[i].is_self_issued() {
            return false;
        }
        match self.link(i, i) {
            Ok(()) => true,
            Err(SigError::Unsupported { .. }) => !self.exhausted,
            Err(_) => false,
        }
    }

    /// Best path starting at `path`'s last element.
    fn extend(
        &mut self,
        path: &mut Vec<usize>,
        seen: &mut HashSet<(Vec<u8>, Vec<u8>)>,
    ) -> (Vec<usize>, ChainEnd) {
        let certs = self.index.certs();
        let top = *path.last().expect("path starts with the leaf");
        if self.is_root(top) {
            return (path.clone(), ChainEnd::Root);
        }
        let candidates = self.index.candidates(&certs[top]);
        if candidates.is_empty() {
            return (path.clone(), ChainEnd::MissingIssuer);
        }
        let mut best: (Vec<usize>, ChainEnd) = (path.clone(), ChainEnd::NoVerifyingIssuer);
        for cand in candidates {
            let key = (
                certs[cand].subject_key().to_vec(),
                certs[cand].spki_raw().to_vec(),
            );
            if path.len() >= MAX_DEPTH || seen.contains(&key) || self.exhausted {
                continue;
            }
            if self.link(top, cand).is_err() {
                continue;
            }
            path.push(cand);
            seen.insert(key.clone());
            let found = self.extend(path, seen);
            seen.remove(&key);
            path.pop();
            if found.1 == ChainEnd::Root {
                return found;
            }
            if best.1 == ChainEnd::NoVerifyingIssuer || found.0.len() > best.0.len() {
                best = found;
            }
        }
        if self.exhausted && best.1 != ChainEnd::Root {
            best.1 = ChainEnd::BudgetExhausted;
        }
        best
    }
}

/// Orders the pool behind `index` from `leaf` upward.
pub fn order_from(index: &IssuerIndex<'_>, leaf: usize) -> Ordered {
    let mut search = Search {
        index,
        memo: HashMap::new(),
        checks: 0,
        exhausted: false,
    };
    let certs = index.certs();
    let mut seen = HashSet::new();
    seen.insert((
        certs[leaf].subject_key().to_vec(),
        certs[leaf].spki_raw().to_vec(),
    ));
    let (path, end) = search.extend(&mut vec![leaf], &mut seen);
    let on_path: HashSet<usize> = path.iter().copied().collect();
    let mut rejected: Vec<RejectedLink> = search
        .memo
        .into_iter()
        .filter(|((c, i), r)| r.is_err() && c != i && on_path.contains(c))
        .map(|((child, candidate), r)| RejectedLink {
            child,
            candidate,
            reason: r.expect_err("filtered to errors"),
        })
        .collect();
    rejected.sort_by_key(|r| (r.child, r.candidate));
    Ordered {
        path,
        end,
        rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cert, Origin};
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    fn ca_params(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    }
    fn key() -> KeyPair {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
    }
    fn cert(c: &rcgen::Certificate, n: usize) -> Cert {
        Cert::from_der(c.der().to_vec(), Origin::block("t", n)).unwrap()
    }

    #[test]
    fn picks_the_issuer_whose_signature_verifies_among_same_named_ones() {
        let (rk, ik, decoy_k, lk) = (key(), key(), key(), key());
        let rp = ca_params("Root");
        let root = rp.self_signed(&rk).unwrap();
        let ip = ca_params("Inter");
        let inter = ip.signed_by(&ik, &Issuer::from_params(&rp, &rk)).unwrap();
        // Same name as the intermediate, different key: a re-key or a decoy.
        let decoy = ip
            .signed_by(&decoy_k, &Issuer::from_params(&rp, &rk))
            .unwrap();
        let mut lp = CertificateParams::new(vec!["leaf.test".to_string()]).unwrap();
        lp.distinguished_name.push(DnType::CommonName, "leaf");
        let leaf = lp.signed_by(&lk, &Issuer::from_params(&ip, &ik)).unwrap();
        let pool = vec![
            cert(&decoy, 1),
            cert(&leaf, 2),
            cert(&root, 3),
            cert(&inter, 4),
        ];
        let idx = IssuerIndex::new(&pool);
        let o = order_from(&idx, 1);
        assert_eq!(o.path, vec![1, 3, 2]);
        assert_eq!(o.end, ChainEnd::Root);
        assert_eq!(o.rejected.len(), 1, "the decoy is reported as refused");
        assert_eq!(o.rejected[0].candidate, 0);
        assert_eq!(o.rejected[0].reason, SigError::Invalid);
    }

    #[test]
    fn a_cross_sign_loop_ends_and_reports_the_missing_issuer() {
        // A and B each sign the other: no root anywhere.
        let (ak, bk, lk) = (key(), key(), key());
        let ap = ca_params("A");
        let bp = ca_params("B");
        let a_by_b = ap.signed_by(&ak, &Issuer::from_params(&bp, &bk)).unwrap();
        let b_by_a = bp.signed_by(&bk, &Issuer::from_params(&ap, &ak)).unwrap();
        let mut lp = CertificateParams::new(Vec::<String>::new()).unwrap();
        lp.distinguished_name.push(DnType::CommonName, "leaf");
        let leaf = lp.signed_by(&lk, &Issuer::from_params(&ap, &ak)).unwrap();
        let pool = vec![cert(&leaf, 1), cert(&a_by_b, 2), cert(&b_by_a, 3)];
        let idx = IssuerIndex::new(&pool);
        let o = order_from(&idx, 0);
        assert_eq!(o.path, vec![0, 1, 2]);
        assert_ne!(o.end, ChainEnd::Root);
    }

    #[test]
    fn missing_issuer_when_no_candidate_has_the_name() {
        let (rk, lk) = (key(), key());
        let rp = ca_params("Root");
        let mut lp = CertificateParams::new(Vec::<String>::new()).unwrap();
        lp.distinguished_name.push(DnType::CommonName, "leaf");
        let leaf = lp.signed_by(&lk, &Issuer::from_params(&rp, &rk)).unwrap();
        let pool = vec![cert(&leaf, 1)];
        let o = order_from(&IssuerIndex::new(&pool), 0);
        assert_eq!((o.path, o.end), (vec![0], ChainEnd::MissingIssuer));
    }
}
