//! Output stays bounded however large the input: dropped inputs, repeated
//! problems from one bad file and long lists of candidates are shown for a
//! few lines, then summarised with a count and how to see them all
//! (`--verbose`).

use crate::pki::{self, Alg, Pki, Spec};
use crate::util::{self, chainfix, stderr, stdout, write};

/// `n` self-signed certificates that have nothing to do with anything.
fn strangers(n: usize) -> String {
    let key = pki::key(Alg::EcdsaP256);
    (0..n)
        .map(|i| {
            let p = Spec::ca(&format!("Stranger {i}"), Alg::EcdsaP256).params();
            p.self_signed(&key).unwrap().pem()
        })
        .collect()
}

/// `bundle` reading what [`leaf_and_pool`] wrote.
const POOL_ARGS: [&str; 6] = [
    "bundle",
    "leaf.pem",
    "pool.pem",
    "--key",
    "leaf.key",
    "--offline",
];

/// leaf.pem, leaf.key and pool.pem in `d`: the pool holds `before`, then
/// the leaf's intermediate and root, then `n` strangers.
fn leaf_and_pool(d: &std::path::Path, before: &str, n: usize) {
    let p = Pki::client(1, false);
    write(d, "leaf.pem", p.leaf.pem());
    write(d, "leaf.key", p.leaf.key_pem());
    let pool = format!(
        "{before}{}{}{}",
        p.intermediates[0].pem(),
        p.root.pem(),
        strangers(n)
    );
    write(d, "pool.pem", pool);
}

#[test]
fn bundle_summarises_unrelated_certificates_after_a_few_lines() {
    let dir = util::tempdir();
    let d = dir.path();
    leaf_and_pool(d, "", 300);
    let args = POOL_ARGS;
    let o = chainfix(d, &[&args[..], &["-o", "a.pem"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("… and 295 more unrelated certificates; --verbose lists them"),
        "{err}"
    );
    assert!(err.lines().count() < 20, "{err}");
    let o = chainfix(d, &[&args[..], &["-o", "b.pem", "--verbose"]].concat());
    assert_eq!(stderr(&o).matches("unrelated: not an issuer").count(), 300);
}

/// The text report keeps only the entries it shows and counts the rest:
/// the count by kind must be what the whole list gives (`--verbose`).
#[test]
fn bundle_counts_mixed_dropped_inputs_as_the_whole_list_does() {
    let dir = util::tempdir();
    let d = dir.path();
    let thing = "-----BEGIN THING-----\nAAAA\n-----END THING-----\n";
    leaf_and_pool(d, &thing.repeat(8), 7);
    let args = POOL_ARGS;
    let o = chainfix(d, &[&args[..], &["-o", "a.pem"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "… and 10 more dropped inputs (7 of them unrelated certificates); --verbose lists them"
        ),
        "{err}"
    );
    assert_eq!(err.matches("is not used").count(), 5, "{err}");
    let o = chainfix(d, &[&args[..], &["-o", "b.pem", "--verbose"]].concat());
    let all = stderr(&o);
    assert_eq!(all.matches("is not used").count(), 8, "{all}");
    assert_eq!(all.matches("unrelated: not an issuer").count(), 7, "{all}");
}

#[test]
fn a_file_of_twenty_thousand_bad_blocks_prints_a_few_lines_per_command() {
    let dir = util::tempdir();
    let d = dir.path();
    let p = Pki::client(1, false);
    write(d, "chain.pem", p.chain_pems().join("") + &p.root.pem());
    let bad = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    write(d, "flood.pem", bad.repeat(20_000));
    for cmd in ["inspect", "verify", "lint", "bundle"] {
        let mut a = vec![cmd, "flood.pem", "chain.pem", "--at", "2026-06-01"];
        if cmd == "inspect" || cmd == "bundle" {
            a.truncate(3);
        }
        if cmd == "bundle" {
            a.extend(["--no-key", "--offline"]);
        }
        let o = chainfix(d, &a);
        let all = stdout(&o) + &stderr(&o);
        assert!(
            all.lines().count() < 40,
            "{cmd}: {} lines",
            all.lines().count()
        );
        assert!(all.contains("--verbose lists them"), "{cmd}: {all}");
        assert!(all.contains("19,99"), "{cmd}: {all}");
    }
    // --verbose lists them all.
    let o = chainfix(d, &["inspect", "flood.pem", "--verbose"]);
    assert!(stderr(&o).lines().count() >= 20_000);
}

#[test]
fn many_candidate_leaves_are_listed_with_a_count() {
    let dir = util::tempdir();
    let d = dir.path();
    let p = Pki::client(1, false);
    let key = pki::key(Alg::EcdsaP256);
    let int = &p.intermediates[0];
    let leaves: String = (0..60)
        .map(|i| {
            let params = Spec::client(&format!("leaf {i}"), Alg::EcdsaP256).params();
            params.signed_by(&key, &int.issuer()).unwrap().pem()
        })
        .collect();
    write(d, "leaves.pem", leaves + &int.pem() + &p.root.pem());
    let o = chainfix(d, &["bundle", "leaves.pem", "--no-key", "--offline"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("and 55 more; choose one with --leaf"), "{err}");
    assert!(err.len() < 1500, "{} bytes: {err}", err.len());
}
