//! The one judgement every command renders: would this peer, in this role,
//! accept this chain at this time? [`judge`] builds the path under the
//! peer's [`Policy`] and reduces the outcome to a [`Verdict`]: accepted or
//! not, and the single most specific reason, on which certificate, in the
//! peer's own words. verify, diagnose, lint, probe, bundle and keystore all
//! call it, so they cannot contradict each other.

use serde::Serialize;

use super::{Peer, PeerWords, Profile, words};
use crate::chain::path::{Budget, Outcome, Place, build};
use crate::chain::validate::{Policy, Problem, Role};
use crate::model::Cert;

/// Which peer a command judges for, and whether the user chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub profile: Profile,
    /// True when `--peer` was not given and the default was taken.
    pub defaulted: bool,
}

impl Choice {
    /// `--peer` / `--seclevel` as given; without `--peer`, Salesforce when
    /// the chain is judged against Salesforce's store, else OpenSSL.
    pub fn new(peer: Option<Peer>, seclevel: Option<u8>, salesforce: bool) -> Choice {
        let p = peer.unwrap_or(if salesforce {
            Peer::Salesforce
        } else {
            Peer::OpenSsl
        });
        let mut profile = p.profile();
        if let Some(l) = seclevel {
            profile = profile.with_seclevel(l);
        }
        Choice {
            profile,
            defaulted: peer.is_none(),
        }
    }

    pub fn peer(&self) -> Peer {
        self.profile.peer
    }

    /// One line saying whom the verdict is for, and how to change it.
    pub fn note(&self) -> String {
        let level = match self.profile.security_level {
            Some(l) => format!(" at security level {l}"),
            None => String::new(),
        };
        if self.defaulted {
            format!(
                "peer: {}{level} (the default; --peer openssl|java|salesforce|webpki to judge for another)",
                self.peer().display_name()
            )
        } else {
            format!("peer: {}{level}", self.peer().display_name())
        }
    }
}

/// Why a refusal happened, as a field: the peer could not read the
/// certificate, or read it and said no, or found no trusted root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// The certificate cannot be parsed as the peer needs.
    Malformed,
    /// Well-formed, refused by the peer's rules.
    Policy,
    /// No path to a root the peer trusts.
    Untrusted,
}

/// The most specific reason for a refusal.
#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    /// "the certificate", "the intermediate", "the root".
    pub position: &'static str,
    pub subject: String,
    pub sha256: String,
    pub problem: Problem,
    pub refusal: Refusal,
    /// What the peer itself prints for it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_words: Option<PeerWords>,
}

/// Would the peer accept the chain?
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub peer: Peer,
    /// OpenSSL security level the verdict used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_level: Option<u8>,
    pub role: Role,
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// "OpenSSL (curl) refuses: …" — the sentence every command prints.
    pub headline: String,
}

/// Builds the path under `policy` (which carries the peer's profile) and
/// judges it.
pub fn judge<'a>(
    leaf: &'a Cert,
    pool: &'a [Cert],
    anchors: &'a [Cert],
    policy: &Policy,
) -> (Outcome<'a>, Verdict) {
    let out = build(leaf, pool, anchors, policy, Budget::default());
    let v = verdict_of(&out, leaf, policy);
    (out, v)
}

/// The verdict for an outcome already built under `policy`.
pub fn verdict_of(out: &Outcome<'_>, leaf: &Cert, policy: &Policy) -> Verdict {
    let peer = policy.peer();
    let reason = if out.is_valid() {
        None
    } else {
        Some(reason(out, leaf, peer))
    };
    let role = policy.role;
    Verdict {
        peer,
        security_level: policy.profile.security_level,
        role,
        accepted: reason.is_none(),
        headline: headline(peer, role, reason.as_ref()),
        reason,
    }
}

impl Verdict {
    /// The verdict once a stage after path building (revocation) refused
    /// `cert` at `position` on an accepted path: accepted, headline and
    /// reason then say so, so no command can print "accepts" for it.
    pub fn refuse(&mut self, position: &'static str, cert: &Cert, problem: Problem) {
        if !self.accepted {
            return;
        }
        let r = Reason {
            position,
            subject: cert.subject().to_string(),
            sha256: cert.id().hex(),
            refusal: Refusal::Policy,
            peer_words: words(self.peer, &problem),
            problem,
        };
        self.headline = headline(self.peer, self.role, Some(&r));
        self.accepted = false;
        self.reason = Some(r);
    }
}

fn headline(peer: Peer, role: Role, reason: Option<&Reason>) -> String {
    match reason {
        None => format!(
            "{} accepts this chain for a TLS {}.",
            peer.display_name(),
            role_word(role)
        ),
        Some(r) => {
            let words = match &r.peer_words {
                Some(PeerWords {
                    code: Some(c),
                    text,
                }) => format!(" (OpenSSL error {c}, {text})"),
                Some(PeerWords { code: None, text }) => format!(" (\"{text}\")"),
                None => String::new(),
            };
            match r.problem {
                Problem::RootNotTrusted => format!(
                    "{} refuses: it does not trust the root \"{}\"{words}; have that root added to its store, or get a certificate from a CA it trusts.",
                    peer.display_name(),
                    r.subject
                ),
                Problem::UnknownIssuer => format!(
                    "{} refuses: the issuer of \"{}\" is neither in the chain nor a root it trusts{words}.",
                    peer.display_name(),
                    r.subject
                ),
                _ => format!(
                    "{} refuses: {} \"{}\": {}{words}.",
                    peer.display_name(),
                    r.position,
                    r.subject,
                    r.problem
                ),
            }
        }
    }
}

fn role_word(r: Role) -> &'static str {
    match r {
        Role::Client => "client",
        Role::Server => "server",
    }
}

fn reason(out: &Outcome<'_>, leaf: &Cert, peer: Peer) -> Reason {
    let make = |cert: &Cert, position: &'static str, problem: Problem| Reason {
        position,
        subject: cert.subject().to_string(),
        sha256: cert.id().hex(),
        refusal: match problem {
            Problem::Malformed { .. } => Refusal::Malformed,
            Problem::UnknownIssuer | Problem::RootNotTrusted => Refusal::Untrusted,
            _ => Refusal::Policy,
        },
        peer_words: words(peer, &problem),
        problem,
    };
    if let Some(p) = out.leaf_problems.first() {
        return make(leaf, "the certificate", p.clone());
    }
    if !out.exhausted
        && let Some(r) = out
            .rejected
            .iter()
            .flat_map(|r| r.problems.first().map(|p| (r, p)))
            .filter(|(_, p)| !matches!(p, Problem::Loop))
            .min_by_key(|(_, p)| p.rank())
    {
        let position = match (r.0.place, r.0.cert.is_self_issued()) {
            // Refused on a complete path (policy processing).
            (Place::Leaf, _) => "the certificate",
            (Place::Anchor, _) | (_, true) => "the root",
            _ => "the intermediate",
        };
        return make(r.0.cert, position, r.1.clone());
    }
    let top = out.dead_end.last().copied().unwrap_or(leaf);
    if out.exhausted {
        return make(top, "the chain above", Problem::BudgetExhausted);
    }
    make(top, "the certificate", Problem::UnknownIssuer)
}
