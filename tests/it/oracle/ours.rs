//! chainfix's side of the differential tests: the verdict of
//! `chain::build` under the policy for a peer.

use chainfix::chain::names::PeerName;
use chainfix::chain::validate::Policy;
use chainfix::chain::{Budget, build};
use chainfix::model::{Cert, Origin};
use chainfix::peer::Peer;

use super::{Answer, Case, Name};

/// The one place chainfix's policy for a peer is chosen.
fn policy(case: &Case, peer: Peer) -> Policy {
    Policy::for_peer(case.at, case.role, peer)
}

fn cert(der: &[u8]) -> Option<Cert> {
    Cert::from_der(der.to_vec(), Origin::file("case")).ok()
}

/// chainfix's verdict on `case` for `peer`.
pub fn verdict(case: &Case, peer: Peer) -> Answer {
    let Some(leaf) = cert(&case.leaf) else {
        return Answer {
            accept: false,
            detail: "leaf does not parse".into(),
        };
    };
    let anchors: Vec<Cert> = case.anchors.iter().filter_map(|d| cert(d)).collect();
    let pool: Vec<Cert> = case.chain.iter().filter_map(|d| cert(d)).collect();
    let mut policy = policy(case, peer);
    match &case.name {
        Some(Name::Dns(h)) => policy.names.push(PeerName::Dns(h.clone())),
        Some(Name::Ip(ip)) => match ip.parse() {
            Ok(ip) => policy.names.push(PeerName::Ip(ip)),
            Err(_) => {
                return Answer {
                    accept: false,
                    detail: format!("unparseable IP address {ip}"),
                };
            }
        },
        None => {}
    }
    let out = build(&leaf, &pool, &anchors, &policy, Budget::default());
    Answer {
        accept: out.is_valid(),
        detail: out
            .main_problem()
            .map_or_else(|| "valid path".into(), |p| p.to_string()),
    }
}
