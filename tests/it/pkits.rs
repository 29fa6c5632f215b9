//! NIST PKITS (testdata/pkits/, see its README) run in-process: each case
//! builds a path from its end entity through its CA certificates to the
//! PKITS trust anchor, checks every certificate on it against the case's
//! CRLs (hard fail: a certificate whose status cannot be determined makes
//! the path invalid, as PKITS expects); the builder applies RFC 5280 §6.1
//! policy processing with the case's initial inputs to every path it
//! finds, all under the java profile. Compares every verdict with
//! `testdata/pkits/divergences.json` (id → expected, actual, reason) and
//! fails on a divergence not listed there or a listed one that no longer
//! diverges. Prints the score per section.
//!
//! `PKITS_DUMP=path` writes the current divergences (reason "TODO") there;
//! `PKITS_WHY=1` prints every case's verdict and reason.

use std::collections::BTreeMap;

use chainfix::chain::policies::PolicyInputs;
use chainfix::chain::validate::{Policy, Role};
use chainfix::chain::{Budget, build};
use chainfix::model::{Cert, Origin};
use chainfix::revocation::{self, Crl, Failure};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pkits");

/// The time of validation: 2015-01-01, when every PKITS certificate and
/// CRL (2010 – 2030) is current but the deliberately expired (2011),
/// stale (2010) or not-yet-valid (2047) ones.
const AT: i64 = 1_420_070_400;

fn cert(name: &str) -> Cert {
    let path = format!("{DIR}/certs/{name}.crt");
    let der = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Cert::from_der(der, Origin::file(name)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn crl(name: &str) -> Crl {
    let path = format!("{DIR}/crls/{name}.crl");
    let der = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Crl::from_der(der, name).unwrap_or_else(|e| panic!("{e}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one case: "valid" or "invalid", and why.
pub fn run_case(c: &Value) -> (String, String) {
    let leaf = cert(c["ee"].as_str().unwrap());
    let pool: Vec<Cert> = strings(&c["cas"]).iter().map(|n| cert(n)).collect();
    let anchors = vec![cert("TrustAnchorRootCertificate")];
    let mut crls: Vec<Crl> = strings(&c["crls"]).iter().map(|n| crl(n)).collect();
    crls.push(crl("TrustAnchorRootCRL"));
    // Java's PKIX validator is the peer that does RFC 5280 path validation
    // with CRLs and policies, so PKITS runs under its profile.
    let mut policy = Policy::for_peer(AT, Role::Client, chainfix::peer::Peer::Java);
    policy.eku.clear();
    // The path builder runs policy processing on every path it finds, with
    // the case's initial inputs (plain RFC 5280, not Java's defaults).
    policy.policy_inputs = Some(PolicyInputs {
        initial_policy_set: strings(&c["policies"]),
        initial_explicit_policy: c["explicit_policy"] == true,
        initial_policy_mapping_inhibit: c["inhibit_policy_mapping"] == true,
        initial_any_policy_inhibit: c["inhibit_any_policy"] == true,
        ..PolicyInputs::default()
    });
    let out = build(&leaf, &pool, &anchors, &policy, Budget::default());
    let Some(path) = out.path.as_ref().filter(|_| out.is_valid()) else {
        let why = out
            .main_problem()
            .map(|p| p.to_string())
            .unwrap_or_default();
        return ("invalid".into(), why);
    };
    let certs: Vec<&Cert> = path.iter().map(|l| l.cert).collect();
    let refs: Vec<&Crl> = crls.iter().collect();
    let ctx = revocation::Context {
        crls: &refs,
        pool: &pool,
        anchors: &anchors,
        at: AT,
        fetched: &[],
        // PKITS 4.15 tests RFC 5280's delta CRL processing, which no peer
        // applies by default (`openssl verify -use_deltas` does).
        use_deltas: true,
        profile: policy.profile,
    };
    for (c, s) in certs.iter().zip(revocation::check_path(&ctx, &certs)) {
        if s.refuses(Failure::Hard) {
            return ("invalid".into(), format!("{}: {s}", c.subject()));
        }
    }
    ("valid".into(), "valid path".into())
}

#[test]
fn pkits_conformance() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/cases.json")).unwrap())
            .unwrap();
    let known: BTreeMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/divergences.json")).unwrap())
            .unwrap();
    let mut per_section: BTreeMap<(u32, u32), (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut now_diverging = BTreeMap::new();
    for c in &cases {
        let id = c["id"].as_str().unwrap();
        let expected = c["expected"].as_str().unwrap();
        let (actual, why) = run_case(c);
        if std::env::var("PKITS_WHY").is_ok() {
            println!("{id}: {actual} ({why})");
        }
        let sec: Vec<u32> = c["section"]
            .as_str()
            .unwrap()
            .split('.')
            .map(|s| s.parse().unwrap())
            .collect();
        let e = per_section.entry((sec[0], sec[1])).or_default();
        e.1 += 1;
        if actual == expected {
            e.0 += 1;
            continue;
        }
        now_diverging.insert(
            id.to_string(),
            serde_json::json!({"expected": expected, "actual": actual, "reason": format!("TODO: {why}")}),
        );
        match known.get(id) {
            Some(k) if k["actual"] == actual.as_str() => {}
            _ => unexpected.push(format!("{id}: expected {expected}, got {actual} ({why})")),
        }
    }
    let (pass, total) = per_section
        .values()
        .fold((0, 0), |(p, t), (a, b)| (p + a, t + b));
    let mut line = format!("pkits: {pass}/{total} right;");
    for ((a, b), (p, t)) in &per_section {
        line.push_str(&format!(" {a}.{b} {p}/{t}"));
    }
    println!("{line}");
    if let Ok(p) = std::env::var("PKITS_DUMP") {
        std::fs::write(p, serde_json::to_string_pretty(&now_diverging).unwrap()).unwrap();
    }
    let stale: Vec<&String> = known
        .keys()
        .filter(|k| !now_diverging.contains_key(*k))
        .collect();
    for u in &unexpected {
        println!("UNEXPECTED {u}");
    }
    for s in &stale {
        println!("STALE (now right, remove from divergences.json) {s}");
    }
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected divergence(s), {} stale",
        unexpected.len(),
        stale.len()
    );
}
