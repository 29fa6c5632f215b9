//! An issuer index over a pool of certificates: subject name → positions,
//! and SKI → positions, so that finding the candidates for a child costs
//! one lookup, not a scan (the pool may hold thousands of strangers).

use crate::model::{Cert, name_hash};

/// Prepared names → positions, as one sorted array of (hash of the name,
/// position): no allocation per name, twelve bytes per entry (a map of
/// names to vectors made 100,000 small allocations for a pool of
/// 100,000). [`NameIndex::get`] gives the positions whose name has the
/// same hash, in position order; callers compare the names themselves.
#[derive(Default)]
pub struct NameIndex {
    entries: Vec<(u64, u32)>,
}

impl NameIndex {
    /// Indexes `names`, each with its position.
    pub fn new<'n>(names: impl Iterator<Item = (&'n [u8], u32)>) -> NameIndex {
        NameIndex::of_hashes(names.map(|(n, i)| (name_hash(n), i)))
    }
    /// Indexes names by their [`name_hash`] (as [`Cert::subject_hash`]
    /// gives it without reading a certificate kept on disk).
    pub fn of_hashes(hashes: impl Iterator<Item = (u64, u32)>) -> NameIndex {
        let mut entries: Vec<(u64, u32)> = hashes.collect();
        entries.sort_unstable();
        NameIndex { entries }
    }
    /// Every pair (position in `self`, position in `other`) whose names
    /// hash alike, by one pass over both sorted arrays (a lookup per name
    /// in an array of a million is a cache miss per step of the search).
    pub fn meet(&self, other: &NameIndex, mut pair: impl FnMut(u32, u32)) {
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let h = a[i].0;
            if h < b[j].0 {
                i += 1;
            } else if h > b[j].0 {
                j += 1;
            } else {
                let i_end = i + a[i..].iter().take_while(|e| e.0 == h).count();
                let j_end = j + b[j..].iter().take_while(|e| e.0 == h).count();
                for x in &a[i..i_end] {
                    for y in &b[j..j_end] {
                        pair(x.1, y.1);
                    }
                }
                (i, j) = (i_end, j_end);
            }
        }
    }

    /// Positions whose name hashes as `name` does, in position order
    /// (a superset of those whose name is `name`).
    pub fn get(&self, name: &[u8]) -> impl Iterator<Item = u32> + '_ {
        self.get_hash(name_hash(name))
    }
    /// Positions whose name hashes to `h`, in position order.
    pub fn get_hash(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let from = self.entries.partition_point(|e| e.0 < h);
        self.entries[from..]
            .iter()
            .take_while(move |e| e.0 == h)
            .map(|e| e.1)
    }
}

/// Looks up possible issuers of a certificate in a pool by name and key id.
pub struct IssuerIndex<'a> {
    certs: &'a [Cert],
    by_subject: NameIndex,
    by_issuer: NameIndex,
}

impl<'a> IssuerIndex<'a> {
    pub fn new(certs: &'a [Cert]) -> IssuerIndex<'a> {
        let pos = |i: usize| i as u32;
        IssuerIndex {
            certs,
            by_subject: NameIndex::of_hashes(
                certs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.subject_hash(), pos(i))),
            ),
            by_issuer: NameIndex::of_hashes(
                certs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.issuer_hash(), pos(i))),
            ),
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
        let name = child.issuer_key();
        let mut out: Vec<usize> = self
            .by_subject
            .get_hash(child.issuer_hash())
            .map(|i| i as usize)
            .filter(|&i| self.certs[i].subject_key() == name && self.certs[i].id() != child.id())
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
    pub fn children<'s>(&'s self, issuer: &'s Cert) -> impl Iterator<Item = usize> + 's {
        let id = issuer.id();
        let name = issuer.subject_key();
        self.by_issuer
            .get_hash(issuer.subject_hash())
            .map(|i| i as usize)
            .filter(move |&i| self.certs[i].issuer_key() == name && self.certs[i].id() != id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_their_positions_in_order_and_no_others() {
        let names: [&[u8]; 5] = [b"b", b"a", b"b", b"", b"a longer name"];
        let idx = NameIndex::new(names.iter().enumerate().map(|(i, n)| (*n, i as u32)));
        let exact =
            |n: &[u8]| -> Vec<u32> { idx.get(n).filter(|&i| names[i as usize] == n).collect() };
        assert_eq!(exact(b"b"), [0, 2]);
        assert_eq!(exact(b"a"), [1]);
        assert_eq!(exact(b""), [3]);
        assert_eq!(exact(b"c"), Vec::<u32>::new());
        assert_eq!(NameIndex::default().get(b"a").count(), 0);
        let other: [&[u8]; 3] = [b"a", b"c", b"b"];
        let idx2 = NameIndex::new(other.iter().enumerate().map(|(i, n)| (*n, i as u32)));
        let mut met = Vec::new();
        idx.meet(&idx2, |x, y| {
            if names[x as usize] == other[y as usize] {
                met.push((x, y));
            }
        });
        met.sort();
        assert_eq!(met, [(0, 2), (1, 0), (2, 2)]);
    }
}
