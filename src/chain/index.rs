//! An issuer index over a pool of certificates: subject name → positions,
//! and SKI → positions, so that finding the candidates for a child costs
//! one lookup, not a scan (the pool may hold thousands of strangers).

use crate::model::{Cert, NameMap};

/// Looks up possible issuers of a certificate in a pool by name and key id.
pub struct IssuerIndex<'a> {
    certs: &'a [Cert],
    by_subject: NameMap<'a, Vec<usize>>,
    by_issuer: NameMap<'a, Vec<usize>>,
}

impl<'a> IssuerIndex<'a> {
    pub fn new(certs: &'a [Cert]) -> IssuerIndex<'a> {
        let mut by_subject: NameMap<Vec<usize>> =
            NameMap::with_capacity_and_hasher(certs.len(), Default::default());
        let mut by_issuer: NameMap<Vec<usize>> =
            NameMap::with_capacity_and_hasher(certs.len(), Default::default());
        for (i, c) in certs.iter().enumerate() {
            by_subject.entry(c.subject_key()).or_default().push(i);
            by_issuer.entry(c.issuer_key()).or_default().push(i);
        }
        IssuerIndex {
            certs,
            by_subject,
            by_issuer,
        }
    }

    pub fn certs(&self) -> &'a [Cert] {
        self.certs
    }

    /// Positions of the certificates whose subject is `child`'s issuer,
    /// best first: those whose SKI equals the child's AKI, then those with
    /// no SKI or no AKI to compare, then those whose SKI differs (kept,
    /// because a mismatched AKI is only a hint). Ties go to the later
    /// notAfter. The certificate itself is never its own candidate.
    pub fn candidates(&self, child: &Cert) -> Vec<usize> {
        let Some(found) = self.by_subject.get(child.issuer_key()) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = found
            .iter()
            .copied()
            .filter(|&i| self.certs[i].id() != child.id())
            .collect();
        let rank = |i: usize| -> u8 {
            match (child.authority_key_id(), self.certs[i].subject_key_id()) {
                (Some(a), Some(s)) if a == s => 0,
                (Some(_), Some(_)) => 2,
                _ => 1,
            }
        };
        out.sort_by_key(|&i| (rank(i), std::cmp::Reverse(self.certs[i].not_after())));
        out
    }

    /// Positions of the certificates that name `issuer`'s subject as their
    /// issuer (by name only; callers verify signatures), itself excluded.
    pub fn children(&self, issuer: &Cert) -> impl Iterator<Item = usize> + '_ {
        let id = issuer.id();
        self.by_issuer
            .get(issuer.subject_key())
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&i| self.certs[i].id() != id)
    }
}
