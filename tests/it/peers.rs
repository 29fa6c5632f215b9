//! Differential tests: chainfix under each peer's profile against the real
//! peer, over x509-limbo and over a corpus generated at test time. Each
//! peer's known disagreements live in `testdata/limbo/divergences-PEER.json`
//! (id -> expected (the peer's verdict), actual (chainfix's), reason); a
//! test fails on a disagreement not listed there, or on a listed one that
//! no longer disagrees.
//!
//! `PEER_ORACLE_DUMP=dir` writes the raw verdicts (`PEER-limbo.json`,
//! `chainfix-PEER-limbo.json`) there.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use crate::oracle::ours::{Peer, verdict};
use crate::oracle::{self, Answers, Case};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn dump(name: &str, answers: &Answers) {
    if let Ok(dir) = std::env::var("PEER_ORACLE_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.json")),
            oracle::to_json(answers),
        )
        .unwrap();
    }
}

fn slug(peer: Peer) -> &'static str {
    match peer {
        Peer::OpenSsl => "openssl",
        Peer::Java => "java",
    }
}

/// Compares chainfix with the peer's `real` answers, against the peer's
/// divergences file; prints the agreement and panics on anything unlisted.
fn compare(peer: Peer, suite: &str, cases: &[Case], real: &Answers, file: Option<&str>) {
    let ours = oracle::parallel(cases, |c| verdict(c, peer));
    dump(&format!("chainfix-{}-{suite}", slug(peer)), &ours);
    let known: BTreeMap<String, Value> = file
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
        .unwrap_or_default();
    let mut agree = 0;
    let mut unexpected = Vec::new();
    let mut diverging = BTreeMap::new();
    for c in cases {
        let (Some(r), Some(o)) = (real.get(&c.id), ours.get(&c.id)) else {
            unexpected.push(format!("{}: no answer from the peer", c.id));
            continue;
        };
        if r.accept == o.accept {
            agree += 1;
            continue;
        }
        diverging.insert(
            c.id.clone(),
            serde_json::json!({"expected": r.result(), "actual": o.result(),
                "reason": format!("TODO: peer: {}; chainfix: {}", r.detail, o.detail)}),
        );
        match known.get(&c.id) {
            Some(k) if k["actual"] == o.result() => {}
            _ => unexpected.push(format!(
                "{}: {} says {} ({}), chainfix says {} ({})",
                c.id,
                slug(peer),
                r.result(),
                r.detail,
                o.result(),
                o.detail
            )),
        }
    }
    let stale: Vec<&String> = known.keys().filter(|k| !diverging.contains_key(*k)).collect();
    println!(
        "{} on {suite}: chainfix agrees on {agree}/{} ({:.2}%)",
        slug(peer),
        cases.len(),
        100.0 * agree as f64 / cases.len().max(1) as f64
    );
    if let Ok(dir) = std::env::var("PEER_ORACLE_DUMP") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("divergences-{}-{suite}.json", slug(peer))),
            serde_json::to_string_pretty(&diverging).unwrap(),
        )
        .unwrap();
    }
    for u in &unexpected {
        println!("UNEXPECTED {u}");
    }
    for s in &stale {
        println!("STALE (agrees now, remove it) {s}");
    }
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{}: {} unexpected divergence(s), {} stale",
        slug(peer),
        unexpected.len(),
        stale.len()
    );
}

fn limbo_cases() -> Vec<Case> {
    oracle::limbo(now()).into_iter().map(|(c, _)| c).collect()
}

#[test]
fn openssl_limbo() {
    let cases = limbo_cases();
    let t = Instant::now();
    let real = oracle::openssl::run(&cases, 2);
    println!("openssl verify over {} cases: {:.1?}", cases.len(), t.elapsed());
    dump("openssl-limbo", &real);
    compare(
        Peer::OpenSsl,
        "limbo",
        &cases,
        &real,
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/limbo/divergences-openssl.json")),
    );
}

#[test]
fn java_limbo() {
    let cases = limbo_cases();
    let t = Instant::now();
    let real = oracle::java::run(&cases);
    println!("JDK validator over {} cases: {:.1?}", cases.len(), t.elapsed());
    dump("java-limbo", &real);
    compare(
        Peer::Java,
        "limbo",
        &cases,
        &real,
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/limbo/divergences-java.json")),
    );
}
