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

/// Judges `certs[leaf]` with the other certificates as the pool, against
/// the store `trust` chooses (default: Salesforce's for a client leaf or
/// `--peer salesforce`, Mozilla's otherwise).
pub(crate) fn judge_files(
    peer: &PeerArgs,
    trust: &super::roots::TrustArgs,
    certs: &[crate::model::Cert],
    leaf: usize,
    at: i64,
) -> Result<Judged> {
    let role = role_of(&certs[leaf]);
    let default = match (role, peer.peer) {
        (_, Some(Peer::Salesforce)) | (crate::chain::Role::Client, None) => "salesforce",
        _ => "mozilla",
    };
    let choice = peer.choice(trust.is_salesforce(default))?;
    let store = trust.load(default)?.store;
    let policy = crate::chain::Policy::with_profile(at, role, choice.profile).trusting(&store.name);
    let (out, verdict) = crate::peer::judge(&certs[leaf], certs, &store.anchors, &policy);
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
        graph,
        choice,
        verdict,
        path,
        anchor,
        explicit: peer.peer.is_some() || trust.trust.is_some() || !trust.roots.is_empty(),
    })
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

    /// The verdict and whom it is for, as the lines a command prints.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.verdict.headline, self.choice.note())
    }
}
