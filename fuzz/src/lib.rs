//! The bodies of chainfix's fuzz targets, one per reader and one for the
//! chain stages on parsed input. Compiled twice: by the cargo-fuzz targets
//! in `fuzz_targets/` (nightly, coverage-guided) and by chainfix's own
//! `cargo test` (tests/it/fuzz_replay.rs, stable), which replays
//! `fuzz/corpus/` and `fuzz/regressions/` so a past crash or slow input
//! fails the ordinary test run. Only chainfix's public API is used.
//!
//! Each body must return for any input without panicking, and quickly: key
//! derivation is bounded by the same run budget the CLI uses.

use chainfix::chain::assemble::assemble;
use chainfix::chain::path::{Budget, build};
use chainfix::chain::validate::{Policy, Role};
use chainfix::check::{self, Input, Options, Trust};
use chainfix::model::{Cert, KeyFormat, Origin};
use chainfix::parse::keys::{self, Shape};
use chainfix::parse::{FixedPassword, Inventory, encrypted, kdf, parse_source, pem, pkcs7, pkcs12};
use chainfix::trust::TrustStore;

/// Key-derivation work a single fuzz input may ask for: enough to reach
/// every decryption path, little enough to keep executions fast.
const FUZZ_KDF: u64 = 50_000;

const PASSWORD: &str = "fuzzing";

/// The tolerant PEM scanner.
pub fn pem_scan(data: &[u8]) {
    for b in pem::scan(data) {
        let _ = b.header("DEK-Info");
    }
    let _ = pem::looks_like_pem(data);
    // The byte-level fast path answers only when it agrees.
    assert!(pem::fast_path_agrees(data), "the fast path disagrees");
    // Read in pieces, PEM text gives what it gives read whole (but for
    // the two choices made per piece: the quoted-printable retry of a
    // damaged block and `\/` unescaping; see parse_pem_stream).
    let per_piece = data.contains(&b'\\') || pem::scan(data).iter().any(|b| b.body.is_err());
    if chainfix::parse::streams_as_pem(data) && !per_piece {
        let reading = |chunk: Option<usize>| {
            let mut inv = Inventory::default();
            match chunk {
                None => parse_source(data, "f.pem", None, &NO_PASSWORD, &mut inv),
                Some(chunk) => {
                    let n = chunk.min(data.len());
                    let mut rest = &data[n..];
                    chainfix::parse::parse_pem_stream(
                        data[..n].to_vec(),
                        &mut rest,
                        u64::MAX / 2,
                        chunk,
                        "f.pem",
                        &NO_PASSWORD,
                        &mut inv,
                    )
                    .expect("no limit, no read error");
                }
            }
            let ids: Vec<_> = inv
                .certs
                .iter()
                .map(|c| (c.id(), c.origins.clone()))
                .collect();
            format!(
                "{ids:?} {:?} {:?} {:?}",
                inv.keys, inv.dropped, inv.problems
            )
        };
        let whole = reading(None);
        for chunk in [64, 1 + data.len() / 3] {
            assert_eq!(reading(Some(chunk)), whole, "read in pieces of {chunk}");
        }
    }
}

/// No password: encrypted blocks are reported, not decrypted.
const NO_PASSWORD: chainfix::parse::NoPasswords = chainfix::parse::NoPasswords;

/// One DER certificate, and everything read from it on demand.
pub fn der_cert(data: &[u8]) {
    if let Ok(c) = Cert::from_der(data.to_vec(), Origin::file("fuzz.der")) {
        let _ = c.parsed();
        let _ = c.is_ca();
        let _ = c.is_self_issued();
        let _ = chainfix::chain::signature::verify_issued_by(&c, &c);
    }
}

/// PKCS#7 certs-only bundles.
pub fn pkcs7(data: &[u8]) {
    let _ = pkcs7::looks_like(data);
    let _ = pkcs7::certificates(data);
}

/// PKCS#12, within the fuzzing key-derivation bound.
pub fn pkcs12(data: &[u8]) {
    let _ = pkcs12::looks_like(data);
    let _ = pkcs12::is_ber(data);
    let work = kdf::visible_work(data);
    if work.total <= FUZZ_KDF && !pkcs12::is_ber(data) {
        let _ = pkcs12::open(data, PASSWORD);
    }
}

/// JKS (and the JCEKS check).
pub fn jks(data: &[u8]) {
    let _ = chainfix::keystore::jks::is_jks(data);
    let _ = chainfix::keystore::jks::is_jceks(data);
    let _ = chainfix::keystore::jks::read(data, "fuzz.jks", PASSWORD);
}

/// Private keys in every shape, and encrypted PKCS#8.
pub fn keys(data: &[u8]) {
    let _ = keys::shape(data);
    for shape in [Shape::Pkcs8, Shape::Pkcs1, Shape::Sec1] {
        let _ = keys::read(data, shape, KeyFormat::Pkcs8, Origin::file("fuzz.key"));
    }
    if kdf::visible_work(data).total <= FUZZ_KDF {
        let _ = encrypted::decrypt_pkcs12_pbe(data, PASSWORD.as_bytes());
        let _ = encrypted::decrypt_pkcs8(data, PASSWORD.as_bytes());
    }
    let _ = encrypted::pbes1_scheme(data);
}

/// Any input as the CLI reads it (format sniffing, every reader), then the
/// chain stages on what was read: leaf choice and ordering, the validating
/// path builder against the self-signed certificates found, and lint.
pub fn chain(data: &[u8]) {
    // The CLI's run-wide signature budget, smaller: a pile of same-named
    // certificates must not make an execution slow.
    chainfix::chain::signature::with_budget(2_000, || chain_stages(data));
}

fn chain_stages(data: &[u8]) {
    // The run's real key-derivation budget, nearly spent: the budget logic
    // itself is exercised, and no input costs more than FUZZ_KDF.
    let mut inv = Inventory {
        kdf_spent: kdf::run_budget().saturating_sub(FUZZ_KDF),
        ..Inventory::default()
    };
    let pw = FixedPassword(zeroize::Zeroizing::new(PASSWORD.to_string()));
    parse_source(data, "fuzz.pem", None, &pw, &mut inv);
    let _ = inv.problems.iter().map(ToString::to_string).count();
    if inv.certs.is_empty() {
        return;
    }
    let _ = assemble(&inv, None);
    let anchors: Vec<Cert> = inv
        .certs
        .iter()
        .filter(|c| c.is_self_issued())
        .cloned()
        .collect();
    // 2026-01-01: a fixed time, as every validation takes one.
    let at = 1_767_225_600;
    for role in [Role::Client, Role::Server] {
        let out = build(
            &inv.certs[0],
            &inv.certs,
            &anchors,
            &Policy::new(at, role),
            Budget::default(),
        );
        let _ = out.is_valid();
        let _ = out.main_problem().map(|p| p.to_string());
    }
    let store = TrustStore::new("fuzz", anchors, false);
    let unreadable: Vec<String> = inv.problems.iter().map(ToString::to_string).collect();
    let input = Input {
        certs: &inv.certs,
        keys: &inv.keys,
        dropped: &inv.dropped,
        unreadable: &unreadable,
    };
    let trust = Trust {
        public: &store,
        private: None,
        explicit: true,
    };
    if let Some(r) = check::lint(&input, &trust, &Options::at(at)) {
        let _ = r.findings.len();
    }
}

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name, for the replay test.
pub const TARGETS: &[(&str, Target)] = &[
    ("pem_scan", pem_scan),
    ("der_cert", der_cert),
    ("pkcs7", pkcs7),
    ("pkcs12", pkcs12),
    ("jks", jks),
    ("keys", keys),
    ("chain", chain),
];
