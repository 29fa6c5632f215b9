//! Differential test of the per-certificate rules against the real pkilint
//! (PyPI; `.ci/run` installs it): the corpus of `corpus.rs`, linted by
//! chainfix (`--profile server --certificate-only`, through the library)
//! and by pkilint's `lint_pkix_cert` and `lint_cabf_serverauth_cert
//! --detect` validators (one Python process for the whole corpus,
//! tests/pkilint/batch.py). For every rule of tests/pkilint/map.txt, the
//! two must agree on every certificate, or the disagreement must be listed
//! with its reason in tests/pkilint/disagreements.txt. A listed
//! disagreement that no longer happens fails too, so the list stays true.
//! The 158 real roots of data/salesforce-trust/candidate-roots.pem are
//! linted too, as `roots:NNN`; disagreements on them are listed by class
//! (`roots:*`), since each class has one reason.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use chainfix::check::{self, Input, Options, Profile, Trust};
use chainfix::model::{Cert, Origin};
use chainfix::trust::TrustStore;

use crate::corpus;

fn here(p: &str) -> String {
    format!("{}/tests/pkilint/{p}", env!("CARGO_MANIFEST_DIR"))
}

/// chainfix's per-certificate findings for one PEM file.
fn chainfix_ids(path: &std::path::Path) -> BTreeSet<String> {
    let p = pem::parse(std::fs::read(path).unwrap()).unwrap();
    let cert = Cert::from_der(
        p.contents().to_vec(),
        Origin::file(path.display().to_string()),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let certs = [cert];
    let input = Input {
        certs: &certs,
        keys: &[],
        dropped: &[],
        unreadable: &[],
    };
    let store = TrustStore::new("empty", vec![], false);
    let trust = Trust {
        public: &store,
        private: None,
        explicit: false,
    };
    let mut opts = Options::at(certs[0].not_before() + 86_400);
    opts.profile = Some(Profile::Server);
    opts.certificate_only = true;
    let r = check::lint(&input, &trust, &opts).unwrap();
    let rules: Vec<&str> = check::certificate::RULES
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    r.findings
        .iter()
        .map(|f| f.id.as_str())
        .filter(|i| rules.contains(i))
        .map(String::from)
        .collect()
}

/// pkilint's finding codes for each file, from one Python process.
fn pkilint_codes(files: &[&std::path::Path]) -> BTreeMap<String, BTreeSet<String>> {
    let o = Command::new("python3")
        .arg(here("batch.py"))
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "pkilint did not run (install it with `pip install pkilint`; .ci/run does): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out = BTreeMap::new();
    for (file, e) in v.as_object().unwrap() {
        assert!(
            e.get("error").is_none(),
            "pkilint could not read {file}: {e}"
        );
        let mut codes = BTreeSet::new();
        for k in ["pkix", "cabf"] {
            for pair in e[k].as_array().unwrap() {
                codes.insert(pair[1].as_str().unwrap().to_string());
            }
        }
        out.insert(file.clone(), codes);
    }
    out
}

/// `chainfix-id pkilint-code…` per line.
fn map() -> Vec<(String, Vec<String>)> {
    std::fs::read_to_string(here("map.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut w = l.split_whitespace().map(String::from);
            (w.next().unwrap(), w.collect())
        })
        .collect()
}

/// `entry chainfix-id side — reason` per line (side: chainfix-only or pkilint-only).
fn listed() -> BTreeSet<(String, String, String)> {
    std::fs::read_to_string(here("disagreements.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut w = l.split_whitespace();
            let (e, i, s) = (w.next().unwrap(), w.next().unwrap(), w.next().unwrap());
            assert!(
                l.contains(" — ") && l.split(" — ").nth(1).is_some_and(|r| r.len() > 10),
                "disagreements.txt: every line gives its reason after ' — ': {l}"
            );
            (e.to_string(), i.to_string(), s.to_string())
        })
        .collect()
}

/// One certificate to compare.
struct Case {
    name: String,
    path: std::path::PathBuf,
    expect: &'static [&'static str],
}

/// The bundled candidate roots, one file each, named `roots:NNN`.
fn real_roots(dir: &std::path::Path) -> Vec<Case> {
    let all = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/salesforce-trust/candidate-roots.pem"
    ))
    .unwrap();
    pem::parse_many(all)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let path = dir.join(format!("real-root-{:03}.pem", i + 1));
            std::fs::write(&path, pem::encode(&p)).unwrap();
            Case {
                name: format!("roots:{:03}", i + 1),
                path,
                expect: &[],
            }
        })
        .collect()
}

#[test]
fn per_certificate_rules_agree_with_pkilint_or_say_why_not() {
    let d = crate::util::tempdir();
    let mut entries: Vec<Case> = corpus::shared()
        .iter()
        .map(|e| Case {
            name: e.name.to_string(),
            path: e.path.clone(),
            expect: e.expect,
        })
        .collect();
    let roots = real_roots(d.path());
    assert!(roots.len() > 100, "the candidate roots are bundled");
    entries.extend(roots);
    let files: Vec<&std::path::Path> = entries.iter().map(|e| e.path.as_path()).collect();
    let pk = pkilint_codes(&files);
    let map = map();
    let ids: Vec<&str> = check::certificate::RULES
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    for (id, _) in &map {
        assert!(
            ids.contains(&id.as_str()),
            "map.txt names {id}, not a per-certificate rule"
        );
    }
    // Per rule: certificates both flag, neither flags, only chainfix, only pkilint.
    let mut table: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut found = BTreeSet::new();
    let mut report = String::new();
    let mut missed = Vec::new();
    for e in &entries {
        let ours = chainfix_ids(&e.path);
        for want in e.expect {
            if !ours.contains(*want) {
                missed.push(format!(
                    "{}: expected {want}, chainfix found {ours:?}",
                    e.name
                ));
            }
        }
        let theirs = &pk[&e.path.display().to_string()];
        report.push_str(&format!(
            "{}: chainfix {ours:?}\n  pkilint {theirs:?}\n",
            e.name
        ));
        for (id, codes) in &map {
            let a = ours.contains(id);
            let b = codes.iter().any(|c| theirs.contains(c));
            let row = table.entry(id.clone()).or_default();
            row[match (a, b) {
                (true, true) => 0,
                (false, false) => 1,
                (true, false) => 2,
                (false, true) => 3,
            }] += 1;
            if a != b {
                let side = if a { "chainfix-only" } else { "pkilint-only" };
                found.insert((e.name.to_string(), id.clone(), side.to_string()));
            }
        }
    }
    println!("{report}");
    println!(
        "| {:<30} | {:>4} | {:>7} | {:>13} | {:>12} |",
        "rule", "both", "neither", "chainfix only", "pkilint only"
    );
    for (id, [both, neither, ours, theirs]) in &table {
        let id = format!("`{id}`");
        println!("| {id:<30} | {both:>4} | {neither:>7} | {ours:>13} | {theirs:>12} |");
    }
    if let Some(dir) = std::env::var_os("CHAINFIX_KEEP_CORPUS") {
        for e in &entries {
            std::fs::copy(
                &e.path,
                std::path::Path::new(&dir).join(e.path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");
    let listed = listed();
    // A real root's disagreement is listed by its class, `roots:*`.
    let found: BTreeSet<(String, String, String)> = found
        .into_iter()
        .map(|(e, i, s)| {
            let e = if e.starts_with("roots:") {
                "roots:*".to_string()
            } else {
                e
            };
            (e, i, s)
        })
        .collect();
    let new: Vec<_> = found.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&found).collect();
    assert!(
        new.is_empty() && stale.is_empty(),
        "disagreements with pkilint not listed in tests/pkilint/disagreements.txt: {new:#?}\nlisted but no longer found: {stale:#?}"
    );
}
