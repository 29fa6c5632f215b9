//! chainfix's side of the differential tests: the verdict of
//! `chain::build` under the policy for a peer.

use chainfix::chain::names::PeerName;
use chainfix::chain::path::Outcome;
use chainfix::chain::validate::Policy;
use chainfix::chain::{Budget, build};
use chainfix::model::{Cert, Origin};
use chainfix::peer::Peer;
use chainfix::peer::verdict::verdict_of;

use super::{Answer, Case, Name};

/// The one place chainfix's policy for a peer is chosen.
fn policy(case: &Case, peer: Peer) -> Policy {
    Policy::for_peer(case.at, case.role, peer)
}

fn cert(der: &[u8]) -> Option<Cert> {
    Cert::from_der(der.to_vec(), Origin::file("case")).ok()
}

/// Builds `case`'s path for `peer` and hands the outcome to `f`; an
/// `Err` answer when the case cannot be put to chainfix at all.
fn judged<T>(
    case: &Case,
    peer: Peer,
    f: impl FnOnce(&Outcome<'_>, &Cert, &Policy) -> T,
) -> Result<T, Answer> {
    let Some(leaf) = cert(&case.leaf) else {
        return Err(Answer {
            accept: false,
            detail: "leaf does not parse".into(),
        });
    };
    let anchors: Vec<Cert> = case.anchors.iter().filter_map(|d| cert(d)).collect();
    let pool: Vec<Cert> = case.chain.iter().filter_map(|d| cert(d)).collect();
    let mut policy = policy(case, peer);
    match &case.name {
        Some(Name::Dns(h)) => policy.names.push(PeerName::Dns(h.clone())),
        Some(Name::Ip(ip)) => match ip.parse() {
            Ok(ip) => policy.names.push(PeerName::Ip(ip)),
            Err(_) => {
                return Err(Answer {
                    accept: false,
                    detail: format!("unparseable IP address {ip}"),
                });
            }
        },
        None => {}
    }
    let out = build(&leaf, &pool, &anchors, &policy, Budget::default());
    Ok(f(&out, &leaf, &policy))
}

/// chainfix's verdict on `case` for `peer`.
pub fn verdict(case: &Case, peer: Peer) -> Answer {
    judged(case, peer, |out, _, _| Answer {
        accept: out.is_valid(),
        detail: out
            .main_problem()
            .map_or_else(|| "valid path".into(), |p| p.to_string()),
    })
    .unwrap_or_else(|a| a)
}

/// What chainfix says `peer` prints when it refuses `case`.
pub fn peer_words(case: &Case, peer: Peer) -> Option<&'static str> {
    judged(case, peer, |out, leaf, policy| {
        verdict_of(out, leaf, policy)
            .reason?
            .peer_words
            .map(|w| w.text)
    })
    .ok()
    .flatten()
}
