//! `--peer` and `--seclevel`, shared by every command that judges a chain
//! (verify, diagnose, lint, probe, bundle, keystore).

use crate::error::{Error, Result};
use crate::peer::{Choice, Peer};

#[derive(clap::Args, Debug, Clone, Default)]
#[group(skip)]
pub struct PeerArgs {
    /// Judge as this peer would: openssl (curl, nginx, Python, Node), java (JSSE),
    /// salesforce, webpki (rustls) [default: salesforce with the Salesforce store, else openssl].
    #[arg(long, value_enum, value_name = "PEER")]
    pub peer: Option<Peer>,
    /// OpenSSL security level 0-5 for --peer openssl [default: 2, as Debian and Ubuntu build it].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
    pub seclevel: Option<u8>,
}

impl PeerArgs {
    /// The peer to judge for; `salesforce` when the store is Salesforce's.
    pub fn choice(&self, salesforce: bool) -> Result<Choice> {
        let c = Choice::new(self.peer, self.seclevel, salesforce);
        if self.seclevel.is_some() && c.peer() != Peer::OpenSsl {
            return Err(Error::Usage(format!(
                "--seclevel is OpenSSL's security level; it has no meaning for --peer {}. Drop it, or add --peer openssl.",
                c.peer()
            )));
        }
        Ok(c)
    }
}

/// A chain judged for the peer, for the commands that write one (bundle,
/// keystore): the verdict, and the path it chose when it accepts.
pub(crate) struct Judged {
    pub choice: Choice,
    pub verdict: crate::peer::Verdict,
    /// The accepted path's certificates that are sent (leaf first, no
    /// anchor), as positions in the files' certificates.
    pub path: Option<Vec<usize>>,
    /// The anchor that ends the accepted path.
    pub anchor: Option<crate::model::Cert>,
    /// The user chose the peer or the store (so the path is theirs to get).
    pub explicit: bool,
    /// The picture of the judged build (`--graph`).
    pub graph: crate::graph::Graph,
    /// Revocation and `--policy` on the accepted path (already folded
    /// into `verdict`).
    pub after: crate::peer::AfterPath,
}

/// The role a leaf plays, from its EKU: server when it allows serverAuth
/// only, else client (a certificate without EKU is the Salesforce case).
pub(crate) fn role_of(leaf: &crate::model::Cert) -> crate::chain::Role {
    use crate::chain::validate::{OID_CLIENT_AUTH, OID_SERVER_AUTH};
    let eku = crate::chain::validate::Facts::of(leaf)
        .eku
        .unwrap_or_default();
    if eku.iter().any(|e| e == OID_SERVER_AUTH) && !eku.iter().any(|e| e == OID_CLIENT_AUTH) {
        crate::chain::Role::Server
    } else {
        crate::chain::Role::Client
    }
}

/// How a command judges: the peer, the store, and the stages after path
/// building (revocation, `--policy`) with the network they may use (None:
/// not run, for `inspect --graph`, which only draws the path).
pub(crate) struct Judging<'a> {
    pub peer: &'a PeerArgs,
    pub trust: &'a super::roots::TrustArgs,
    pub stages: Option<(
        &'a super::revocation_args::RevocationArgs,
        &'a super::fetch_args::FetchArgs,
    )>,
}

/// Judges `certs[leaf]` with the other certificates as the pool, against
/// the store `trust` chooses (default: Salesforce's for a client leaf or
/// `--peer salesforce`, Mozilla's otherwise), then runs revocation (the
/// peer's default or the flags; `crls` are CRLs found among the inputs)
/// and `--policy` on the accepted path.
pub(crate) fn judge_files(
    how: &Judging<'_>,
    certs: &[crate::model::Cert],
    crls: Vec<crate::revocation::Crl>,
    leaf: usize,
    at: i64,
) -> Result<Judged> {
    let (peer, trust) = (how.peer, how.trust);
    let role = role_of(&certs[leaf]);
    let default = match (role, peer.peer) {
        (_, Some(Peer::Salesforce)) | (crate::chain::Role::Client, None) => "salesforce",
        _ => "mozilla",
    };
    let choice = peer.choice(trust.is_salesforce(default))?;
    let store = trust.load(default)?.store;
    let policy = crate::chain::Policy::with_profile(at, role, choice.profile).trusting(&store.name);
    let (out, mut verdict) = crate::peer::judge(&certs[leaf], certs, &store.anchors, &policy);
    let (setup, policies) = match how.stages {
        Some((rev, fetch)) => (
            rev.setup(fetch, super::common::now(), crls, &choice.profile)?,
            rev.policies.as_slice(),
        ),
        None => (crate::revocation::Setup::off(choice.profile), &[][..]),
    };
    let after = crate::peer::after_path(
        &mut verdict,
        crate::peer::accepted_path(&out).as_deref(),
        &setup,
        policies,
        certs,
        &store.anchors,
        at,
    );
    let graph = crate::graph::Graph::from_outcome(
        &out,
        &certs[leaf],
        &verdict.peer.to_string(),
        &store.name,
        at,
    );
    let (path, anchor) = match (&out.path, verdict.accepted) {
        (Some(p), true) => (
            Some(
                p.iter()
                    .filter(|l| l.place != crate::chain::path::Place::Anchor)
                    .filter_map(|l| certs.iter().position(|c| c.id() == l.cert.id()))
                    .collect(),
            ),
            p.last()
                .filter(|l| l.place == crate::chain::path::Place::Anchor)
                .map(|l| l.cert.clone()),
        ),
        _ => (None, None),
    };
    Ok(Judged {
        after,
        graph,
        choice,
        verdict,
        path,
        anchor,
        explicit: names_the_peer(peer, trust),
    })
}

/// Whether the person named who judges the chain (`--peer`, `--trust` or
/// `--roots`). Then that peer's refusal is binding in every command (exit
/// 1); without them, bundle, keystore and lint give the default peer's
/// verdict as advice (the bundled Salesforce store is a candidate list).
pub(crate) fn names_the_peer(peer: &PeerArgs, trust: &super::roots::TrustArgs) -> bool {
    peer.peer.is_some() || trust.trust.is_some() || !trust.roots.is_empty()
}

/// [`judge_files`] for a command that writes the chain (bundle, keystore):
/// every stage runs, with `crls` (those found among the inputs).
pub(crate) fn judge_for_writing(
    peer: &PeerArgs,
    trust: &super::roots::TrustArgs,
    stages: (
        &super::revocation_args::RevocationArgs,
        &super::fetch_args::FetchArgs,
    ),
    certs: &[crate::model::Cert],
    crls: Vec<crate::revocation::Crl>,
    leaf: usize,
    at: i64,
) -> Result<Judged> {
    let how = Judging {
        peer,
        trust,
        stages: Some(stages),
    };
    judge_files(&how, certs, crls, leaf, at)
}

impl Judged {
    /// What to write: with `--peer`, `--trust` or `--roots` and an accepted
    /// path, that path (the cross-sign toward the peer's root; each other
    /// certificate left out with its reason, see `Assembly::follow`);
    /// otherwise the chain as assembled. The root only when `root`.
    pub fn chain<'a>(
        &'a self,
        assembly: &mut crate::chain::assemble::Assembly,
        inv: &'a crate::parse::Inventory,
        root: bool,
        at: i64,
    ) -> Vec<&'a crate::model::Cert> {
        let Some(p) = self.path.as_ref().filter(|_| self.explicit) else {
            return assembly.to_send(inv, root);
        };
        let root_pos = self
            .anchor
            .as_ref()
            .and_then(|r| inv.certs.iter().position(|c| c.id() == r.id()));
        assembly.follow(&inv.certs, p.clone(), self.anchor.as_ref(), root_pos, at);
        let mut chain = assembly.to_send(inv, root);
        if root && root_pos.is_none() {
            chain.extend(self.anchor.as_ref());
        }
        chain
    }

    /// The verdict and whom it is for, as the lines a command prints,
    /// after the revocation statuses and the stages' findings.
    pub fn text(&self) -> String {
        format!(
            "{}{}{}\n{}",
            crate::render::revocation::outcome_text(
                &self.after.revocation,
                self.verdict.peer,
                false
            ),
            super::verify::findings_text(&self.after.findings),
            self.verdict.headline,
            self.choice.note()
        )
    }

    /// With `--peer`, `--trust` or `--roots` the person named who will judge
    /// the chain, so that peer's refusal is binding: the file is still
    /// written (it is the chain as it can be made, as with an incomplete
    /// one), but the command exits 1 with this `error:` line, as `verify`
    /// would. Without them the default peer's verdict is advice. A refusal
    /// for revocation or `--policy` writes nothing and says so elsewhere.
    pub fn binding_refusal(&self, output: &std::path::Path) -> Option<String> {
        (self.explicit && !self.verdict.accepted && !self.after.refused).then(|| {
            super::verdict::Level::Error.line(&format!(
                "{} was written, but {} refuses this chain (see above): make the change it names before you use the file",
                if super::common::is_stdout(output) {
                    "standard output".into()
                } else {
                    output.display().to_string()
                },
                self.verdict.peer.display_name()
            ))
        })
    }

    /// Why the stages refused the chain, for "nothing written to FILE: …".
    pub fn refusal(&self) -> &'static str {
        if self.after.revocation.refused {
            "the peer refuses this chain for revocation (see above)"
        } else {
            "the path is not valid for --policy (see above)"
        }
    }

    /// Adds `revocation` (and `findings`, when the stages found any; and
    /// `policies`, with --policy) to a command's JSON report, with the
    /// field names and shapes of `verify --json`.
    pub fn add_stages_json(&self, v: &mut serde_json::Value) {
        v["revocation"] =
            serde_json::to_value(&self.after.revocation).expect("revocation serialises");
        if !self.after.findings.is_empty() {
            v["findings"] = serde_json::to_value(&self.after.findings).expect("findings serialise");
        }
        if let Some(p) = &self.after.policies {
            v["policies"] = serde_json::to_value(p).expect("policies serialise");
        }
    }
}
