//! Trust stores: the sets of roots a peer trusts. Four kinds load here:
//! the bundled Salesforce **candidate** store (roots Salesforce is likely to
//! trust, gathered from Mozilla/Debian/certifi; not Salesforce's own list),
//! an org's real list (a saved `cacerts.jsp` page, or any file of PEM
//! blocks, fingerprints or Java `cacerts` aliases, joined against the
//! [`index`]), the Mozilla store (webpki-root-certs), and a user's own
//! roots file (private CAs). Lookups go by SHA-256, subject, SKI, and
//! "which anchor issued this certificate". Nothing here prints or reads
//! the clock.

pub mod index;
pub mod load;

use serde::Serialize;

use crate::chain::signature::verify_issued_by;
use crate::model::{Cert, CertId};
pub use index::IndexEntry;
pub use load::{OrgListReport, Resolved};

/// The sentence every message relying on the bundled store carries.
pub const CANDIDATE_NOTE: &str = "the bundled Salesforce store is a CANDIDATE list (public roots Salesforce is likely to trust, from Mozilla's store as packaged by Debian and certifi), not Salesforce's own list; save your org's real list from https://<MyDomain>.my.salesforce.com/cacerts.jsp and pass it with --trust FILE";

/// Where Salesforce serves an org's real trust list.
pub const CACERTS_URL: &str = "https://<MyDomain>.my.salesforce.com/cacerts.jsp";

/// A set of trust anchors with a name for messages.
#[derive(Clone, Debug)]
pub struct TrustStore {
    /// What messages call the store: `salesforce-candidate`, `mozilla`, a file name.
    pub name: String,
    /// The anchors whose certificates are at hand.
    pub anchors: Vec<Cert>,
    /// True for the bundled Salesforce candidate store: a guess, which every
    /// message relying on it must say (see [`CANDIDATE_NOTE`]).
    pub candidate: bool,
    /// Anchors named only by fingerprint or alias (the user's list named
    /// them, but no certificate for them is at hand): they can be matched
    /// by SHA-256 and by subject name, not by signature.
    pub known: Vec<IndexEntry>,
}

/// What a trust store says about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The certificate is itself an anchor (same DER, or same subject and key).
    Anchor(&'a Cert),
    /// An anchor's key verifies the certificate's signature.
    IssuedByAnchor(&'a Cert),
    /// The certificate is an anchor known only by fingerprint.
    KnownAnchor(&'a IndexEntry),
    /// The certificate's issuer name is an anchor known only by fingerprint
    /// (no certificate at hand to check the signature).
    IssuerNamedKnown(&'a IndexEntry),
    /// None of the above.
    NotFound,
}

impl Lookup<'_> {
    pub fn found(&self) -> bool {
        !matches!(self, Lookup::NotFound)
    }
}

impl TrustStore {
    pub fn new(name: impl Into<String>, anchors: Vec<Cert>, candidate: bool) -> TrustStore {
        TrustStore {
            name: name.into(),
            anchors,
            candidate,
            known: Vec::new(),
        }
    }

    /// Adds an anchor unless the same certificate is there already.
    pub fn add(&mut self, cert: Cert) {
        if self.by_sha256(&cert.id()).is_none() {
            self.anchors.push(cert);
        }
    }

    /// Adds every anchor of `other` (e.g. `--roots FILE` on top of a store).
    /// The result is a candidate store when either part is.
    pub fn extend(&mut self, other: TrustStore) {
        for c in other.anchors {
            self.add(c);
        }
        for k in other.known {
            if !self.known.iter().any(|e| e.sha256 == k.sha256) {
                self.known.push(k);
            }
        }
        self.candidate |= other.candidate;
        self.name = format!("{} + {}", self.name, other.name);
    }

    pub fn len(&self) -> usize {
        self.anchors.len() + self.known.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn by_sha256(&self, id: &CertId) -> Option<&Cert> {
        self.anchors.iter().find(|c| c.id() == *id)
    }
    /// Anchors with this subject (a prepared name, `Cert::subject_key`).
    pub fn by_subject(&self, subject_key: &[u8]) -> Vec<&Cert> {
        self.anchors
            .iter()
            .filter(|c| c.subject_key() == subject_key)
            .collect()
    }
    /// Anchors with this subject key identifier.
    pub fn by_ski(&self, ski: &[u8]) -> Vec<&Cert> {
        self.anchors
            .iter()
            .filter(|c| c.subject_key_id() == Some(ski))
            .collect()
    }
    /// Fingerprint-only anchors with this SHA-256.
    pub fn known_by_sha256(&self, id: &CertId) -> Option<&IndexEntry> {
        let hex = id.hex();
        self.known.iter().find(|e| e.sha256 == hex)
    }

    /// True when `cert` is an anchor: the same DER, or the same subject and
    /// public key (a trust anchor is a name and a key, RFC 5280 §6.1.1(d)).
    pub fn contains(&self, cert: &Cert) -> bool {
        matches!(
            self.lookup(cert),
            Lookup::Anchor(_) | Lookup::KnownAnchor(_)
        )
    }

    /// Whether `cert` is an anchor, or issued by one (signature checked), or
    /// names as issuer an anchor known only by fingerprint.
    pub fn lookup(&self, cert: &Cert) -> Lookup<'_> {
        if let Some(a) = self.by_sha256(&cert.id()) {
            return Lookup::Anchor(a);
        }
        if let Some(a) = self
            .by_subject(cert.subject_key())
            .into_iter()
            .find(|a| crate::model::spki_equal(a.spki_raw(), cert.spki_raw()))
        {
            return Lookup::Anchor(a);
        }
        if let Some(k) = self.known_by_sha256(&cert.id()) {
            return Lookup::KnownAnchor(k);
        }
        if let Some(a) = self
            .by_subject(cert.issuer_key())
            .into_iter()
            .find(|a| verify_issued_by(cert, a).is_ok())
        {
            return Lookup::IssuedByAnchor(a);
        }
        let issuer = index::normalise_dn(&rfc2253(cert.issuer()));
        if let Some(k) = self
            .known
            .iter()
            .find(|k| index::normalise_dn(&k.subject) == issuer)
        {
            return Lookup::IssuerNamedKnown(k);
        }
        Lookup::NotFound
    }

    /// The sentence a message relying on this store adds: the candidate
    /// warning for the bundled store, nothing otherwise.
    pub fn caveat(&self) -> Option<&'static str> {
        self.candidate.then_some(CANDIDATE_NOTE)
    }

    /// One row per anchor, for listings.
    pub fn entries(&self) -> Vec<AnchorEntry> {
        let mut out: Vec<AnchorEntry> = self.anchors.iter().map(AnchorEntry::of).collect();
        out.extend(self.known.iter().map(|k| AnchorEntry {
            subject: k.subject.clone(),
            sha256: k.sha256.clone(),
            not_after: k.not_after.clone(),
            jdk_alias: k.jdk_alias.clone(),
            sources: k.sources.clone(),
            certificate: false,
        }));
        out
    }
}

/// An anchor as listings show it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AnchorEntry {
    pub subject: String,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jdk_alias: Option<String>,
    /// Sources from the roots index that hold this root (empty when the
    /// index does not know it, e.g. a private CA).
    pub sources: Vec<String>,
    /// False when the anchor is known only by fingerprint or alias.
    pub certificate: bool,
}

impl AnchorEntry {
    pub fn of(c: &Cert) -> AnchorEntry {
        let hex = c.id().hex();
        let e = index::by_sha256(&hex);
        AnchorEntry {
            subject: c.subject().to_string(),
            sha256: hex,
            not_after: Some(date(c.not_after())),
            jdk_alias: e.and_then(|e| e.jdk_alias.clone()),
            sources: e.map(|e| e.sources.clone()).unwrap_or_default(),
            certificate: true,
        }
    }
}

/// x509-parser writes `C=US, O=X, CN=Y` in certificate order; the index
/// writes RFC 2253 order (most specific first). Reverse for comparison.
fn rfc2253(s: &str) -> String {
    let parts: Vec<&str> = s.split(", ").collect();
    parts.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// `YYYY-MM-DD` of a Unix time.
pub fn date(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}
