//! The report of `bundle`: what order was found, what was written, what was
//! left out and why, and what is missing. One struct, rendered as text for
//! people (stderr) and as JSON (`--json`, stdout). Field names are stable.

use serde::Serialize;

use super::cap::SHOWN;
use super::summary::{CertSummary, KeySummary};
use crate::chain::ChainEnd;
use crate::chain::assemble::{Assembly, LeafChoice, MissingIssuer};
use crate::chain::complete::CompletionReport;
use crate::model::{DropReason, Dropped, Origin};
use crate::parse::Inventory;

/// JSON schema version of this report.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct BundleReport {
    pub version: u32,
    /// Where the file was written (null when nothing was written).
    pub output: Option<String>,
    pub wrote_key: bool,
    /// The key was encrypted where it was read (encrypted PEM, PKCS#12,
    /// JKS) and is written unencrypted (no `--key-password-file`).
    pub key_written_decrypted: bool,
    pub leaf_choice: LeafChoice,
    pub key: Option<KeySummary>,
    /// Leaf first, then each issuer, as written (the root only with --include-root).
    pub chain: Vec<ChainEntry>,
    /// The self-signed root the chain reaches, if given (not written unless asked).
    pub root: Option<ChainEntry>,
    pub root_written: bool,
    /// True when the chain reaches a self-signed root.
    pub complete: bool,
    pub end: ChainEnd,
    pub missing_issuer: Option<MissingIssuer>,
    /// Blocks and certificates read but not written, with the reason.
    /// Made without `list_all` (see [`BundleReport::new`]), only those the
    /// text shows; `dropped_rest` counts the others.
    pub dropped: Vec<DroppedEntry>,
    #[serde(skip)]
    pub dropped_rest: DroppedRest,
    /// What chain completion did (pools, URLs tried); null when nothing was needed.
    pub completion: Option<CompletionReport>,
}

#[derive(Debug, Serialize)]
pub struct ChainEntry {
    pub position: usize,
    pub role: &'static str,
    #[serde(flatten)]
    pub cert: CertSummary,
}

#[derive(Debug, Serialize)]
pub struct DroppedEntry {
    /// `file:block`, written out only when shown: a pool of a million
    /// strangers held a million of these strings.
    pub source: SourceText,
    /// Borrowed when it is the common "unrelated" reason: a pool of
    /// 100,000 strangers held 100,000 copies of it.
    pub reason: std::borrow::Cow<'static, str>,
    /// The subject, for certificates.
    pub subject: Option<String>,
}

/// At most this many left-over CA certificates are guessed to sit above a
/// missing issuer.
const MAX_GUESSED: usize = 3;

/// The dropped inputs a report made without `list_all` only counts.
#[derive(Debug, Default)]
pub struct DroppedRest {
    pub total: usize,
    pub unrelated: usize,
}

impl DroppedRest {
    fn count(&mut self, e: &DroppedEntry) {
        self.total += 1;
        self.unrelated += usize::from(is_unrelated(e));
    }
}

fn is_unrelated(d: &DroppedEntry) -> bool {
    d.reason.starts_with("unrelated")
}

/// An [`Origin`] that shows and serializes as its `file:block` text.
#[derive(Debug, Clone)]
pub struct SourceText(pub Origin);

impl std::fmt::Display for SourceText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for SourceText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl BundleReport {
    /// `list_all`: every dropped certificate gets its subject (`--json`,
    /// `--verbose`); otherwise only those the text shows do, since building
    /// the subject of 100,000 unrelated certificates costs more than the
    /// rest of the report.
    pub fn new(
        inv: &Inventory,
        a: &Assembly,
        output: Option<String>,
        wrote_key: bool,
        include_root: bool,
        list_all: bool,
    ) -> BundleReport {
        let chain: Vec<ChainEntry> = a
            .path
            .iter()
            .enumerate()
            .filter(|(_, i)| Some(**i) != a.root)
            .map(|(pos, &i)| ChainEntry {
                position: pos,
                role: if pos == 0 { "leaf" } else { "intermediate" },
                cert: CertSummary::of(&inv.certs[i]),
            })
            .collect();
        let root = a.root.map(|i| ChainEntry {
            position: a.path.len() - 1,
            role: "root",
            cert: CertSummary::of(&inv.certs[i]),
        });
        // Without `list_all` only what the text shows is kept: all when
        // there are at most SHOWN + 1, else the first SHOWN and a count of
        // the rest (a million strangers made a million entries).
        let total = inv.dropped.len() + a.unrelated.len() + a.unused_keys.len();
        let keep = if list_all || total <= SHOWN + 1 {
            total
        } else {
            SHOWN
        };
        let mut dropped: Vec<DroppedEntry> = Vec::with_capacity(keep);
        let mut dropped_rest = DroppedRest::default();
        let mut push = |dropped: &mut Vec<DroppedEntry>, e: DroppedEntry| {
            if dropped.len() < keep {
                dropped.push(e);
            } else {
                dropped_rest.count(&e);
            }
        };
        for d in &inv.dropped {
            push(&mut dropped, dropped_entry(d));
        }
        // The CA's root pasted in, the intermediate left out: that CA is not
        // "unrelated", only not linked yet. Said only when few CAs are left
        // over; among a pool of strangers the guess would be noise.
        let unlinked_cas = || {
            a.unrelated
                .iter()
                .filter(|&&i| !a.why.contains_key(&i) && inv.certs[i].is_ca())
        };
        let above_missing = a
            .missing
            .as_ref()
            .filter(|_| unlinked_cas().nth(MAX_GUESSED).is_none())
            .map(|m| {
                format!(
                    "not linked to the leaf: a CA certificate, maybe the one above the missing \"{}\"",
                    m.issuer
                )
            });
        for &i in &a.unrelated {
            let c = &inv.certs[i];
            let shown = dropped.len() < keep;
            push(
                &mut dropped,
                DroppedEntry {
                    source: SourceText(c.first_origin().clone()),
                    reason: match (a.why.get(&i), &above_missing) {
                        (Some(why), _) => why.clone().into(),
                        (None, Some(guess)) if c.is_ca() => guess.clone().into(),
                        (None, _) => "unrelated: not an issuer of the leaf".into(),
                    },
                    subject: shown.then(|| c.subject().to_string()),
                },
            );
        }
        for &k in &a.unused_keys {
            push(
                &mut dropped,
                DroppedEntry {
                    source: SourceText(inv.keys[k].first_origin().clone()),
                    reason: "private key that does not match the leaf".into(),
                    subject: None,
                },
            );
        }
        BundleReport {
            version: VERSION,
            output,
            wrote_key,
            key_written_decrypted: false,
            leaf_choice: a.leaf_choice,
            key: a.key.map(|k| KeySummary::of(&inv.keys[k])),
            chain,
            root,
            root_written: include_root && a.root.is_some(),
            complete: a.complete(),
            end: a.end.clone(),
            missing_issuer: a.missing.clone(),
            dropped,
            dropped_rest,
            completion: None,
        }
    }

    /// The report for people: a few lines, most important first.
    pub fn text(&self) -> String {
        self.text_listing(false)
    }

    /// As [`text`](Self::text); `all` lists every dropped input instead of
    /// the first few and a count (`--verbose`).
    pub fn text_listing(&self, all: bool) -> String {
        let mut s = String::new();
        let how = match self.leaf_choice {
            LeafChoice::MatchesKey => "its public key matches the private key",
            LeafChoice::Selected => "chosen with --leaf",
            LeafChoice::OnlyEndEntity => "the only certificate that issues no other",
        };
        if let Some(out) = &self.output {
            s.push_str(&format!("wrote {out}:\n"));
        }
        if let (true, Some(k)) = (self.wrote_key, &self.key) {
            s.push_str(&format!(
                "  key           {} (from {}){}\n",
                k.key,
                k.sources.join(", "),
                if self.key_written_decrypted {
                    ", written DECRYPTED (the file is mode 0600); to keep it encrypted, add --key-password-file FILE"
                } else {
                    ""
                }
            ));
        }
        for e in &self.chain {
            s.push_str(&format!(
                "  {:<13} {}  [{}] from {}\n",
                e.role,
                e.cert.subject,
                &e.cert.sha256[..16],
                e.cert.sources.join(", ")
            ));
        }
        if let Some(r) = &self.root {
            let what = if self.root_written {
                "written"
            } else {
                "not written; --include-root adds it"
            };
            s.push_str(&format!(
                "  root          {}  [{}] ({what})\n",
                r.cert.subject,
                &r.cert.sha256[..16]
            ));
        }
        s.push_str(&format!("leaf: {how}.\n"));
        let lines = if self.dropped_rest.total == 0 {
            dropped_lines(&self.dropped, all)
        } else {
            // Made without list_all: the first SHOWN entries and the count
            // `dropped_lines` would give.
            let mut lines = dropped_lines(&self.dropped, true);
            let unrelated = self.dropped_rest.unrelated
                + self.dropped[SHOWN..]
                    .iter()
                    .filter(|d| is_unrelated(d))
                    .count();
            let rest = self.dropped_rest.total + self.dropped.len() - SHOWN;
            lines.truncate(SHOWN);
            lines.push(super::cap::more_line(
                rest,
                &what_is_dropped(unrelated, rest),
            ));
            lines
        };
        for l in lines {
            s.push_str(&l);
            s.push('\n');
        }
        if let Some(c) = &self.completion {
            s.push_str(&super::fetch::completion_text(c));
        }
        if let Some(m) = &self.missing_issuer {
            let text = missing_text(m);
            let tried = self
                .completion
                .as_ref()
                .is_some_and(|c| !c.attempts.is_empty() || !c.from_pools.is_empty());
            if tried {
                // The download hint is replaced by what was tried (above).
                s.push_str(text.lines().next().unwrap_or_default());
                s.push('\n');
            } else {
                s.push_str(&text);
            }
            if let Some(child) = self.chain.iter().find(|e| e.position == m.child) {
                s.push_str(&format!(
                    "  the certificate without its issuer: {} [{}]\n",
                    child.cert.subject,
                    &child.cert.sha256[..16]
                ));
            }
            s.push_str(&super::fetch::failure_advice(self.completion.as_ref()));
        }
        s
    }
}

/// The sentence for a missing issuer: who, its key id, where to get it.
pub fn missing_text(m: &MissingIssuer) -> String {
    if let Some(alg) = &m.unsupported_signature {
        return format!(
            "error: incomplete chain: the issuer \"{}\" was given, but its signature on the certificate below it uses {alg}, which chainfix cannot check; the chain stops there.\n  peers that support {alg} may accept it; check with `openssl verify` or re-issue with RSA or ECDSA.\n",
            m.issuer
        );
    }
    let mut s = format!(
        "error: incomplete chain: the issuer \"{}\" is missing",
        m.issuer
    );
    if let Some(aki) = &m.authority_key_id {
        s.push_str(&format!(" (key id {aki})"));
    }
    if m.name_matched_but_signature_failed {
        s.push_str("; a certificate with that name was given but did not sign the chain (wrong or re-keyed issuer)");
    }
    s.push_str(".\n");
    if m.ca_issuers.is_empty() {
        s.push_str("  the certificate names no download URL (AIA caIssuers): get that CA certificate (an intermediate, or the root if the chain ends there) from the CA's website or support, then add it to the inputs.\n");
    } else {
        s.push_str(&format!(
            "  it can be downloaded from {}; add that file to the inputs, or let chainfix fetch it (AIA completion).\n",
            m.ca_issuers.join(" or ")
        ));
    }
    s
}

/// "dropped SOURCE: REASON (SUBJECT)" lines: the first few and a count of
/// the rest by kind, or all of them.
pub fn dropped_lines(dropped: &[DroppedEntry], all: bool) -> Vec<String> {
    super::cap::lines(
        dropped,
        all,
        |d| match &d.subject {
            Some(subj) => format!("dropped {}: {} ({subj})", d.source, d.reason),
            None => format!("dropped {}: {}", d.source, d.reason),
        },
        |rest| what_is_dropped(rest.iter().filter(|d| is_unrelated(d)).count(), rest.len()),
    )
}

/// What `n` dropped inputs not shown are, `unrelated` of them unrelated
/// certificates.
fn what_is_dropped(unrelated: usize, n: usize) -> String {
    if unrelated == n {
        "unrelated certificates".into()
    } else if unrelated == 0 {
        "dropped inputs".into()
    } else {
        format!(
            "dropped inputs ({} of them unrelated certificates)",
            super::cap::count(unrelated)
        )
    }
}

pub fn dropped_entry(d: &Dropped) -> DroppedEntry {
    let reason = match &d.reason {
        DropReason::Duplicate { first } => format!("duplicate of {first}"),
        DropReason::CertificateRequest => "certificate request (CSR): not part of a chain".into(),
        DropReason::UnknownLabel { label } => format!("PEM block \"{label}\" is not used"),
        DropReason::DuplicateKey { first } => format!("the same key as {first}"),
        DropReason::Crl => {
            "a certificate revocation list (CRL), not a certificate: kept for the revocation check (verify --crl)".into()
        }
        DropReason::UnsupportedKey { detail } => format!("key not used: {detail}"),
        DropReason::NotCertificateData { detail } => {
            format!("skipped, not certificate data ({detail})")
        }
    };
    DroppedEntry {
        source: SourceText(d.origin.clone()),
        reason: reason.into(),
        subject: None,
    }
}
