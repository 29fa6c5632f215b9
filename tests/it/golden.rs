//! Golden outputs: what the commands print must not change by accident.
//!
//! Work on speed (issue 16) rewrites the reader, the certificate model and
//! the tables; none of that may change a path, a message or a JSON field.
//! This test runs the real binary over the committed corpora — the bundled
//! example (whole and with blocks removed), every NIST PKITS case, every
//! 20th x509-limbo case under each peer in turn (the chain as sent: leaf and
//! intermediates as inputs), and `inspect` of the PKITS
//! certificates as a directory — in text and in `--json`, all with `--at`
//! pinned and no network, and compares a SHA-256 of each run's exit code,
//! stdout and stderr with `testdata/golden/outputs.json`.
//!
//! A change that is meant to change output is blessed with
//! `CHAINFIX_BLESS=1 cargo test --test it golden`, and the commit says why.
//! To see what changed, dump every run's output from the old and the new
//! build and diff the two directories:
//! `CHAINFIX_GOLDEN_DUMP=/tmp/new cargo test --test it golden` (on each
//! commit), then `diff -r /tmp/old /tmp/new`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/golden/outputs.json");

/// One run: a name for the report, the directory it runs in, its arguments.
struct Run {
    name: String,
    dir: PathBuf,
    args: Vec<String>,
}

fn run(name: impl Into<String>, dir: &Path, args: &[&str]) -> Run {
    Run {
        name: name.into(),
        dir: dir.to_path_buf(),
        args: args.iter().map(|s| s.to_string()).collect(),
    }
}

/// Both forms of a command: as text and with `--json`.
fn both(runs: &mut Vec<Run>, name: &str, dir: &Path, args: &[&str]) {
    runs.push(run(format!("{name}.txt"), dir, args));
    let mut json = args.to_vec();
    json.push("--json");
    runs.push(run(format!("{name}.json"), dir, &json));
}

/// The bundled example, whole, without its root, and without an
/// intermediate, through every command that reads it.
fn example(runs: &mut Vec<Run>, tmp: &Path) {
    let src = Path::new(ROOT).join("testdata/examples/salesforce-client");
    let bundle = std::fs::read_to_string(src.join("ca-bundle.txt")).unwrap();
    let blocks: Vec<&str> = bundle.split("-----BEGIN CERTIFICATE-----").collect();
    for (variant, drop) in [
        ("whole", None),
        ("no-first-block", Some(1)),
        ("no-last-block", Some(blocks.len() - 1)),
    ] {
        let dir = tmp.join(format!("example-{variant}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["client.key", "client.crt"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        std::fs::copy(src.join("../root-ca.pem"), dir.join("root-ca.pem")).unwrap();
        let kept: String = blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != drop)
            .map(|(i, b)| {
                if i == 0 {
                    b.to_string()
                } else {
                    format!("-----BEGIN CERTIFICATE-----{b}")
                }
            })
            .collect();
        std::fs::write(dir.join("ca-bundle.txt"), kept).unwrap();
        let files = ["client.crt", "ca-bundle.txt", "client.key"];
        let at = ["--at", "2027-01-01T00:00:00Z"];
        let net = ["--offline", "--no-cache"];
        fn with<'a>(files: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
            files.iter().chain(extra).copied().collect()
        }
        let n = |c: &str| format!("example/{variant}/{c}");
        let mut args = vec!["inspect"];
        args.extend(files);
        both(runs, &n("inspect"), &dir, &args);
        for peer in ["salesforce", "openssl"] {
            let mut args = vec!["verify"];
            args.extend(with(&files, &at));
            args.extend(net);
            if peer == "openssl" {
                args.extend(["--trust", "root-ca.pem", "--peer", "openssl"]);
            }
            both(runs, &n(&format!("verify-{peer}")), &dir, &args);
        }
        let mut args = vec!["bundle", "-o", "-"];
        args.extend(with(&files, &at));
        args.extend(net);
        runs.push(run(n("bundle.txt"), &dir, &args));
        args.splice(1..3, ["-o", "fullcert.pem", "--force", "--json"]);
        runs.push(run(n("bundle.json"), &dir, &args));
        let mut args = vec![
            "diagnose",
            "--error",
            "unable to get local issuer certificate",
        ];
        args.extend(with(&files, &at));
        args.extend(net);
        both(runs, &n("diagnose"), &dir, &args);
        let mut args = vec!["lint"];
        args.extend(with(&files, &at));
        both(runs, &n("lint"), &dir, &args);
    }
}

/// Every PKITS case through `verify` under the java profile, with its CRLs.
fn pkits(runs: &mut Vec<Run>) {
    let dir = Path::new(ROOT).join("testdata/pkits");
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    for c in cases.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let ee = format!("certs/{}.crt", c["ee"].as_str().unwrap());
        // By id: in the indirect-CRL cases the CRL issuer could be the leaf too.
        let der = std::fs::read(dir.join(&ee)).unwrap();
        let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &der));
        let mut args: Vec<String> = vec!["verify".into(), ee, "--leaf".into(), sha];
        for ca in c["cas"].as_array().unwrap() {
            args.push(format!("certs/{}.crt", ca.as_str().unwrap()));
        }
        for crl in c["crls"].as_array().unwrap() {
            args.push("--crl".into());
            args.push(format!("crls/{}.crl", crl.as_str().unwrap()));
        }
        args.extend(
            [
                "--crl",
                "crls/TrustAnchorRootCRL.crl",
                "--trust",
                "certs/TrustAnchorRootCertificate.crt",
                "--peer",
                "java",
                "--revocation",
                "crl",
                "--at",
                "2015-01-01T00:00:00Z",
                "--offline",
                "--no-cache",
            ]
            .map(String::from),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        both(runs, &format!("pkits/{id}"), &dir, &args);
    }
    both(runs, "pkits/inspect-all", &dir, &["inspect", "certs"]);
}

/// Every 20th x509-limbo case, the peers taken in turn, written to files.
fn limbo(runs: &mut Vec<Run>, tmp: &Path) {
    let peers = ["openssl", "java", "salesforce", "webpki"];
    for (n, t) in super::limbo::load().iter().step_by(20).enumerate() {
        let id = t["id"].as_str().unwrap();
        let dir = tmp.join(format!("limbo-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let pems = |v: &Value| -> String {
            match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => String::new(),
            }
        };
        std::fs::write(dir.join("leaf.pem"), pems(&t["peer_certificate"])).unwrap();
        std::fs::write(dir.join("roots.pem"), pems(&t["trusted_certs"])).unwrap();
        let mut args: Vec<String> = vec!["verify".into(), "leaf.pem".into()];
        let ints = pems(&t["untrusted_intermediates"]);
        if !ints.is_empty() {
            std::fs::write(dir.join("ints.pem"), ints).unwrap();
            args.push("ints.pem".into());
        }
        let crls = pems(&t["crls"]);
        if !crls.is_empty() {
            std::fs::write(dir.join("crls.pem"), crls).unwrap();
            args.extend(["--crl".into(), "crls.pem".into()]);
        }
        let role = if t["validation_kind"] == "CLIENT" {
            "client"
        } else {
            "server"
        };
        args.extend(["--role".into(), role.into()]);
        match (
            t["expected_peer_name"]["kind"].as_str(),
            t["expected_peer_name"]["value"].as_str(),
        ) {
            (Some("DNS"), Some(v)) => args.extend(["--host".into(), v.into()]),
            (Some("IP"), Some(v)) => args.extend(["--ip".into(), v.into()]),
            _ => {}
        }
        let at = t["validation_time"]
            .as_str()
            .unwrap_or("2024-01-01T00:00:00+00:00");
        let peer = peers[n % peers.len()];
        args.extend(
            [
                "--trust",
                "roots.pem",
                "--peer",
                peer,
                "--at",
                at,
                "--offline",
                "--no-cache",
            ]
            .map(String::from),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        both(runs, &format!("limbo/{id}@{peer}"), &dir, &args);
    }
}

/// Exit code, stdout and stderr of one run, as the digest hashes them.
fn output(r: &Run) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(&r.args)
        .current_dir(&r.dir)
        .env_remove("CHAINFIX_PASSWORD")
        .env_remove("CHAINFIX_CACHE_DIR")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let mut out = format!("exit: {:?}\n--- stdout\n", o.status.code()).into_bytes();
    out.extend_from_slice(&o.stdout);
    out.extend_from_slice(b"\n--- stderr\n");
    out.extend_from_slice(&o.stderr);
    out
}

#[test]
fn outputs_are_unchanged() {
    let tmp = super::util::tempdir();
    let mut runs = Vec::new();
    example(&mut runs, tmp.path());
    pkits(&mut runs);
    limbo(&mut runs, tmp.path());
    let dump = std::env::var_os("CHAINFIX_GOLDEN_DUMP").map(PathBuf::from);
    let got: BTreeMap<String, String> = super::util::par_map(&runs, |r| {
        let out = output(r);
        if let Some(d) = &dump {
            let p = d.join(&r.name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &out).unwrap();
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, &out);
        (r.name.clone(), hex::encode(digest))
    })
    .into_iter()
    .collect();
    assert_eq!(got.len(), runs.len(), "two runs share a name");
    if std::env::var_os("CHAINFIX_BLESS").is_some() {
        std::fs::create_dir_all(Path::new(GOLDEN).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        return;
    }
    let want: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(GOLDEN)
            .expect("testdata/golden/outputs.json (CHAINFIX_BLESS=1 writes it)"),
    )
    .unwrap();
    let changed: Vec<&String> = got.keys().filter(|k| want.get(*k) != got.get(*k)).collect();
    let gone: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    assert!(
        changed.is_empty() && gone.is_empty(),
        "{} of {} outputs changed (first: {:?}); {} expected runs are gone (first: {:?}). If the change is \
         meant, bless it with CHAINFIX_BLESS=1 and say why in the commit; to see it, compare \
         CHAINFIX_GOLDEN_DUMP=DIR runs of the old and the new build",
        changed.len(),
        got.len(),
        changed.iter().take(5).collect::<Vec<_>>(),
        gone.len(),
        gone.iter().take(5).collect::<Vec<_>>(),
    );
}
