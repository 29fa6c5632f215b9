//! Differential tests: chainfix under each peer's profile against the real
//! peer, over x509-limbo and over a corpus made at test time
//! (`oracle::corpus`). The peers: `openssl verify` as libssl judges in a
//! handshake, the JDK's TLS validator (one JVM), Salesforce (the JDK
//! validator on exactly the chain sent), and rustls-webpki in process.
//!
//! Each peer's known disagreements live in
//! `testdata/limbo/divergences-PEER.json` (limbo) and
//! `testdata/peers/corpus-divergences-PEER.json` (corpus): id -> expected
//! (the peer's verdict), actual (chainfix's), reason. A test fails on a
//! disagreement not listed there, or on a listed one that no longer
//! disagrees, and prints the agreement per peer and suite.
//!
//! `PEER_ORACLE_DUMP=dir` writes the raw verdicts there (`PEER-SUITE.json`,
//! `chainfix-PEER-SUITE.json`) and the current disagreements
//! (`divergences-PEER-SUITE.json`, reasons "TODO").
//! `PEER_DIVERGENCES_UPDATE=1` rewrites the checked-in divergence files to
//! the current disagreements, keeping the reasons of those still listed and
//! marking new ones "TODO" (then write their reasons).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chainfix::peer::Peer;
use serde_json::Value;

use crate::oracle::ours::{self, verdict};
use crate::oracle::{self, Answers, Case};

fn dump(name: &str, json: String) {
    if let Ok(dir) = std::env::var("PEER_ORACLE_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.json")), json).unwrap();
    }
}

fn divergences_file(peer: Peer, suite: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    match suite {
        "limbo" => root.join(format!("limbo/divergences-{}.json", peer.as_str())),
        _ => root.join(format!("peers/{suite}-divergences-{}.json", peer.as_str())),
    }
}

/// Compares chainfix under `peer`'s profile with the peer's `real`
/// answers; prints the agreement and returns what is not as listed.
fn compare(peer: Peer, suite: &str, cases: &[Case], real: &Answers) -> Vec<String> {
    let name = peer.as_str();
    let ours = oracle::parallel(cases, |c| verdict(c, peer));
    dump(&format!("{name}-{suite}"), oracle::to_json(real));
    dump(&format!("chainfix-{name}-{suite}"), oracle::to_json(&ours));
    let known: BTreeMap<String, Value> = std::fs::read_to_string(divergences_file(peer, suite))
        .map(|s| serde_json::from_str(&s).unwrap())
        .unwrap_or_default();
    let mut agree = 0;
    let mut problems = Vec::new();
    let mut diverging = BTreeMap::new();
    for c in cases {
        let (Some(r), Some(o)) = (real.get(&c.id), ours.get(&c.id)) else {
            problems.push(format!("{name}/{suite}: no answer for {}", c.id));
            continue;
        };
        if r.accept == o.accept {
            agree += 1;
            continue;
        }
        diverging.insert(
            c.id.clone(),
            serde_json::json!({"expected": r.result(), "actual": o.result(),
                "reason": format!("TODO: {name}: {}; chainfix: {}", r.detail, o.detail)}),
        );
        if known.get(&c.id).is_none_or(|k| k["actual"] != o.result()) {
            problems.push(format!(
                "UNEXPECTED {}: {name} says {} ({}), chainfix says {} ({})",
                c.id,
                r.result(),
                r.detail,
                o.result(),
                o.detail
            ));
        }
    }
    for k in known.keys().filter(|k| !diverging.contains_key(*k)) {
        problems.push(format!(
            "STALE {k}: now agrees with {name}, remove it from the divergences file"
        ));
    }
    println!(
        "agreement {name:<10} {suite:<6} {agree}/{} ({:.2}%)",
        cases.len(),
        100.0 * agree as f64 / cases.len().max(1) as f64
    );
    dump(
        &format!("divergences-{name}-{suite}"),
        serde_json::to_string_pretty(&diverging).unwrap(),
    );
    if std::env::var_os("PEER_DIVERGENCES_UPDATE").is_some() {
        for (id, d) in diverging.iter_mut() {
            if let Some(k) = known.get(id).filter(|k| k["actual"] == d["actual"]) {
                d["reason"] = k["reason"].clone();
            }
        }
        let file = divergences_file(peer, suite);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(
            file,
            serde_json::to_string_pretty(&diverging).unwrap() + "\n",
        )
        .unwrap();
    }
    problems
}

fn check(problems: Vec<String>) {
    for p in &problems {
        println!("{p}");
    }
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with the real peers not as listed",
        problems.len()
    );
}

fn limbo() -> Vec<Case> {
    oracle::limbo(oracle::now())
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{what}: {:.1?}", t.elapsed());
    out
}

#[test]
fn openssl_agrees_on_limbo() {
    let cases = limbo();
    let real = timed("openssl verify over limbo", || {
        oracle::openssl::run(&cases, 2)
    });
    check(compare(Peer::OpenSsl, "limbo", &cases, &real));
}

/// Java and Salesforce (which validates with the same JDK code, on the
/// chain exactly as sent) from one JVM run.
#[test]
fn java_and_salesforce_agree_on_limbo() {
    let cases = limbo();
    let real = timed("JDK validator over limbo", || oracle::java::run(&cases));
    let mut problems = compare(Peer::Java, "limbo", &cases, &real);
    problems.extend(compare(Peer::Salesforce, "limbo", &cases, &real));
    check(problems);
}

#[test]
fn webpki_agrees_on_limbo() {
    let cases = limbo();
    let real = timed("rustls-webpki over limbo", || oracle::webpki::run(&cases));
    check(compare(Peer::Webpki, "limbo", &cases, &real));
}

/// Every row of every profile, on chains made now with `openssl`.
#[test]
fn all_peers_agree_on_the_corpus() {
    let cases = timed("corpus made", oracle::corpus::cases);
    let openssl = oracle::openssl::run(&cases, 2);
    let java = oracle::java::run(&cases);
    let webpki = oracle::webpki::run(&cases);
    // The oracles themselves: every peer accepts the sound chains and
    // refuses the plainly broken ones, whatever chainfix says.
    for (peer, real) in [("openssl", &openssl), ("java", &java), ("webpki", &webpki)] {
        for (id, accept) in [
            ("good-server", true),
            ("good-client", true),
            ("wrong-host", false),
            ("missing-intermediate", false),
            ("expired-leaf", false),
            ("not-yet-valid", false),
        ] {
            let a = &real[&format!("corpus::{id}")];
            assert_eq!(a.accept, accept, "{peer} on corpus::{id}: {}", a.detail);
        }
    }
    // Where Java refuses a policy case, chainfix quotes what it printed.
    let mut quoted = 0;
    for c in cases.iter().filter(|c| c.id.starts_with("corpus::policy-")) {
        let real = &java[&c.id];
        if let (false, Some(words)) = (real.accept, ours::peer_words(c, Peer::Java)) {
            assert!(
                real.detail.contains(words),
                "{}: Java said {:?}, chainfix quotes {words:?}",
                c.id,
                real.detail
            );
            quoted += 1;
        }
    }
    assert!(quoted >= 4, "Java's policy refusals quoted: {quoted}");
    let mut problems = compare(Peer::OpenSsl, "corpus", &cases, &openssl);
    problems.extend(compare(Peer::Java, "corpus", &cases, &java));
    problems.extend(compare(Peer::Salesforce, "corpus", &cases, &java));
    problems.extend(compare(Peer::Webpki, "corpus", &cases, &webpki));
    check(problems);
}
