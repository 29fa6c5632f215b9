//! The x509-limbo conformance suite (C2SP/x509-limbo + Netflix/bettertls,
//! vendored in testdata/limbo/) run in-process through `chain::path::build`.
//! Compares every verdict with `testdata/limbo/divergences.json` (id →
//! expected, actual, reason) and fails on any divergence not listed there,
//! or on a listed one that no longer diverges (so the file stays honest).
//! Prints pass / fail counts and the DoS-feature timings. The `has-crl`
//! cases run the revocation stage as rustls-webpki applies it.
//!
//! `LIMBO_DUMP=path` writes the current divergences (reason "TODO") there.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, Instant};

use chainfix::chain::names::PeerName;
use chainfix::chain::validate::{OID_CLIENT_AUTH, OID_SERVER_AUTH, Policy, Role};
use chainfix::chain::{Budget, build};
use chainfix::model::{Cert, Origin};
use chainfix::revocation::{self, Cause, Crl, Status};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Success,
    Failure,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Success => "SUCCESS",
            Verdict::Failure => "FAILURE",
        }
    }
}

fn certs(pems: &Value) -> Vec<Cert> {
    pems.as_array()
        .map(|a| a.iter().filter_map(|p| one(p.as_str()?)).collect())
        .unwrap_or_default()
}

fn one(text: &str) -> Option<Cert> {
    let p = pem::parse(text).ok()?;
    Cert::from_der(p.contents().to_vec(), Origin::file("limbo")).ok()
}

fn eku_oid(name: &str) -> String {
    match name {
        "serverAuth" => OID_SERVER_AUTH.into(),
        "clientAuth" => OID_CLIENT_AUTH.into(),
        "codeSigning" => "1.3.6.1.5.5.7.3.3".into(),
        "emailProtection" => "1.3.6.1.5.5.7.3.4".into(),
        "timeStamping" => "1.3.6.1.5.5.7.3.8".into(),
        "OCSPSigning" => "1.3.6.1.5.5.7.3.9".into(),
        "anyExtendedKeyUsage" => "2.5.29.37.0".into(),
        o => o.into(),
    }
}

fn peer(v: &Value) -> Option<PeerName> {
    let value = v["value"].as_str()?.to_string();
    Some(match v["kind"].as_str()? {
        "DNS" => PeerName::Dns(value),
        "IP" => PeerName::Ip(value.parse().ok()?),
        "RFC822" => PeerName::Email(value),
        _ => return None,
    })
}

/// Runs one case: verdict and a short context.
fn run_case(t: &Value, now: i64) -> (Verdict, String) {
    let features: Vec<&str> = t["features"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(leaf) = t["peer_certificate"].as_str().and_then(one) else {
        return (Verdict::Failure, "leaf does not parse".into());
    };
    let anchors = certs(&t["trusted_certs"]);
    let pool = certs(&t["untrusted_intermediates"]);
    let at = match t["validation_time"].as_str() {
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(|d| d.unix_timestamp())
            .unwrap_or(now),
        None => now,
    };
    let role = if t["validation_kind"] == "CLIENT" {
        Role::Client
    } else {
        Role::Server
    };
    // LIMBO_PEER=openssl|java|salesforce runs the suite under that peer's
    // profile (for comparing with the real peer's verdicts; the
    // conformance assertions below are for webpki only).
    let mut policy = match std::env::var("LIMBO_PEER") {
        Ok(p) => Policy::for_peer(at, role, p.parse().expect("LIMBO_PEER")),
        Err(_) => Policy::new(at, role),
    };
    if let Some(e) = t["extended_key_usage"].as_array()
        && !e.is_empty()
    {
        policy.eku = e.iter().filter_map(Value::as_str).map(eku_oid).collect();
    }
    if role == Role::Server {
        if let Some(p) = peer(&t["expected_peer_name"]) {
            policy.names.push(p);
        } else if !t["expected_peer_name"].is_null() {
            return (Verdict::Failure, "unparseable expected peer name".into());
        }
    }
    if let Some(d) = t["max_chain_depth"].as_u64() {
        policy.max_intermediates = d as usize;
    }
    if let Some(ku) = t["key_usage"].as_array() {
        for k in ku.iter().filter_map(Value::as_str) {
            if k == "digitalSignature" {
                policy.leaf_key_usage.push(0);
            }
        }
    }
    let out = build(&leaf, &pool, &anchors, &policy, Budget::default());
    if out.is_valid()
        && features.contains(&"has-crl")
        && let Some(path) = &out.path
    {
        return crl_verdict(t, path, &pool, &anchors, at);
    }
    if out.is_valid() {
        (Verdict::Success, "valid path".into())
    } else {
        let why = out
            .main_problem()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "invalid".into());
        (Verdict::Failure, why)
    }
}

/// The CRL stage as rustls-webpki applies it (limbo's reference for these
/// cases): a CRL that breaks the profile is an error, a certificate with no
/// CRL passes (UnknownStatusPolicy::Allow), one on a CRL, or covered only
/// by a CRL that cannot be trusted, fails.
fn crl_verdict(
    t: &Value,
    path: &[chainfix::chain::path::Link<'_>],
    pool: &[Cert],
    anchors: &[Cert],
    at: i64,
) -> (Verdict, String) {
    let mut crls = Vec::new();
    for p in t["crls"].as_array().into_iter().flatten() {
        match Crl::read_all(p.as_str().unwrap_or("").as_bytes(), "limbo CRL") {
            Ok(c) => crls.extend(c),
            Err(e) => return (Verdict::Failure, e),
        }
    }
    if let Some(f) = crls.iter().flat_map(|c| c.profile_faults.iter()).next() {
        return (Verdict::Failure, f.clone());
    }
    let certs: Vec<&Cert> = path.iter().map(|l| l.cert).collect();
    let refs: Vec<&Crl> = crls.iter().collect();
    let ctx = revocation::Context {
        crls: &refs,
        pool,
        anchors,
        at,
        fetched: &[],
        // rustls-webpki applies no delta CRL (it refuses to read one:
        // UnsupportedDeltaCrl); limbo's CRL cases carry none.
        use_deltas: false,
        profile: chainfix::peer::Peer::Webpki.profile(),
    };
    for s in revocation::check_path(&ctx, &certs) {
        match &s {
            Status::Revoked { .. }
            | Status::CouldNotCheck {
                cause: Cause::BadCrl,
                ..
            } => return (Verdict::Failure, s.to_string()),
            _ => {}
        }
    }
    (Verdict::Success, "valid path, not revoked".into())
}

pub fn load() -> Vec<Value> {
    let f = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/limbo/limbo.json.gz"
    ))
    .expect("testdata/limbo/limbo.json.gz");
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .unwrap();
    let v: Value = serde_json::from_str(&s).unwrap();
    v["testcases"].as_array().unwrap().clone()
}

#[test]
fn limbo_conformance() {
    let cases = load();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let start = Instant::now();
    let results: Vec<(String, String, Verdict, String, Duration, bool)> =
        super::util::par_map(&cases, |t| {
            let t0 = Instant::now();
            let (v, why) = run_case(t, now);
            let dos = t["features"]
                .as_array()
                .is_some_and(|a| a.iter().any(|f| f == "denial-of-service"));
            (
                t["id"].as_str().unwrap().to_string(),
                t["expected_result"].as_str().unwrap().to_string(),
                v,
                why,
                t0.elapsed(),
                dos,
            )
        });
    let total = start.elapsed();
    let known: BTreeMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/limbo/divergences.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (mut pass, mut fail) = (0, 0);
    let mut unexpected = Vec::new();
    let mut now_diverging = BTreeMap::new();
    let (mut dos, mut dos_fast, mut dos_max) = (0, 0, Duration::ZERO);
    for (id, expected, v, why, took, is_dos) in &results {
        if *is_dos {
            dos += 1;
            if *took < Duration::from_secs(1) {
                dos_fast += 1;
            }
            dos_max = dos_max.max(*took);
        }
        match v {
            v if v.as_str() == expected => pass += 1,
            _ => {
                fail += 1;
                now_diverging.insert(
                    id.clone(),
                    serde_json::json!({"expected": expected, "actual": v.as_str(), "reason": format!("TODO: {why}")}),
                );
                match known.get(id) {
                    Some(k) if k["actual"] == v.as_str() => {}
                    _ => unexpected.push(format!(
                        "{id}: expected {expected}, got {} ({why})",
                        v.as_str()
                    )),
                }
            }
        }
    }
    let stale: Vec<&String> = known
        .keys()
        .filter(|k| !now_diverging.contains_key(*k))
        .collect();
    println!(
        "limbo: {pass} pass, {fail} fail of {} in {:.2?}; denial-of-service cases: {dos_fast}/{dos} under 1 s (slowest {:.2?})",
        results.len(),
        total,
        dos_max
    );
    if let Ok(p) = std::env::var("LIMBO_DUMP") {
        std::fs::write(p, serde_json::to_string_pretty(&now_diverging).unwrap()).unwrap();
    }
    if let Ok(p) = std::env::var("LIMBO_DUMP_ALL") {
        let all: BTreeMap<&String, Value> = results
            .iter()
            .map(|(id, _, v, why, _, _)| {
                (id, serde_json::json!({"result": v.as_str(), "detail": why}))
            })
            .collect();
        std::fs::write(p, serde_json::to_string_pretty(&all).unwrap()).unwrap();
    }
    if std::env::var("LIMBO_PEER").is_ok() {
        return;
    }
    for u in &unexpected {
        println!("UNEXPECTED {u}");
    }
    for s in &stale {
        println!("STALE (now passes, remove from divergences.json) {s}");
    }
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected divergence(s), {} stale",
        unexpected.len(),
        stale.len()
    );
}
