//! Signature algorithms checked against certificates the real openssl
//! signed: each pair must be ordered (the signature verifies), and a
//! leaf whose signature bytes were altered must not be.

use std::path::Path;

use crate::util::openssl;
use crate::util::{self, chainfix, stderr};

/// Root and leaf signed with `keyalg` keys and `digest`/`sigopts`.
fn make(dir: &Path, keyopts: &[&str], digest: Option<&str>, sigopts: &[&str]) {
    let mut genkey = vec!["genpkey"];
    genkey.extend_from_slice(keyopts);
    for name in ["root", "leaf"] {
        let mut g = genkey.clone();
        let out = format!("{name}.key");
        g.extend_from_slice(&["-out", &out]);
        openssl(dir, &g);
    }
    let mut sign: Vec<&str> = Vec::new();
    if let Some(d) = digest {
        sign.push(d);
    }
    for s in sigopts {
        sign.extend_from_slice(&["-sigopt", s]);
    }
    let mut root = vec![
        "req",
        "-x509",
        "-new",
        "-key",
        "root.key",
        "-subj",
        "/CN=Sig Root",
        "-days",
        "30",
        "-out",
        "root.pem",
    ];
    root.extend_from_slice(&["-addext", "basicConstraints=critical,CA:TRUE"]);
    root.extend(sign.iter());
    openssl(dir, &root);
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=Sig Leaf",
            "-out",
            "leaf.csr",
        ],
    );
    let mut leaf = vec![
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-days",
        "10",
        "-out",
        "leaf.pem",
    ];
    leaf.extend(sign.iter());
    openssl(dir, &leaf);
}

fn orders(keyopts: &[&str], digest: Option<&str>, sigopts: &[&str]) {
    let d = util::tempdir();
    make(d.path(), keyopts, digest, sigopts);
    let o = chainfix(
        d.path(),
        &["bundle", "root.pem", "leaf.pem", "--no-key", "--json"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{keyopts:?} {digest:?} {sigopts:?}: {}",
        stderr(&o)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["complete"], true);
}

#[test]
fn rsa_pkcs1_sha1_sha256_sha384_sha512() {
    for d in ["-sha1", "-sha256", "-sha384", "-sha512"] {
        orders(
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            Some(d),
            &[],
        );
    }
}

#[test]
fn rsa_pss_sha256_and_sha384() {
    for d in ["-sha256", "-sha384"] {
        orders(
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            Some(d),
            &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
        );
    }
}

#[test]
fn rsa_pss_sha512_and_any_salt_length() {
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    orders(
        &rsa,
        Some("-sha512"),
        &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
    );
    // Salt lengths ring refuses: none, SHA-1's length, the maximum.
    for salt in [
        "rsa_pss_saltlen:0",
        "rsa_pss_saltlen:20",
        "rsa_pss_saltlen:max",
    ] {
        orders(&rsa, Some("-sha256"), &["rsa_padding_mode:pss", salt]);
    }
    // A 1024-bit key (ring's PSS wants 2048 or more).
    orders(
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        Some("-sha384"),
        &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
    );
}

#[test]
fn ecdsa_p521_and_sha512_on_every_curve() {
    for curve in ["P-256", "P-384", "P-521"] {
        let opt = format!("ec_paramgen_curve:{curve}");
        for d in ["-sha256", "-sha384", "-sha512"] {
            orders(&["-algorithm", "EC", "-pkeyopt", &opt], Some(d), &[]);
        }
    }
}

/// Ed448 and DSA are not checked: the algorithm is named, and a
/// self-signed root of that kind is never called "missing".
#[test]
fn unsupported_algorithms_are_named_not_missing() {
    for (keyopts, digest, name) in [
        (&["-algorithm", "ED448"][..], None, "Ed448"),
        (
            &["-paramfile", "dsa.param"][..],
            Some("-sha256"),
            "DSA with SHA-256",
        ),
    ] {
        let d = util::tempdir();
        openssl(d.path(), &["dsaparam", "-out", "dsa.param", "2048"]);
        make(d.path(), keyopts, digest, &[]);
        // A root alone is bundled only when chosen with --leaf.
        let o = chainfix(
            d.path(),
            &[
                "bundle", "root.pem", "--no-key", "--json", "--leaf", "Sig Root",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["end"]["kind"], "root", "{name}");
        let o = chainfix(
            d.path(),
            &[
                "bundle", "root.pem", "leaf.pem", "--no-key", "-o", "two.pem",
            ],
        );
        let all = format!("{}{}", stderr(&o), util::stdout(&o));
        assert!(all.contains(name), "{name}: {all}");
        assert!(!all.contains("is missing"), "{name}: {all}");
        let o = chainfix(d.path(), &["lint", "root.pem", "leaf.pem", "--json"]);
        let out = util::stdout(&o);
        assert!(
            out.contains("signature-unsupported") && !out.contains("issuer-missing"),
            "{name}: {out}"
        );
    }
}

#[test]
fn ecdsa_p256_and_p384() {
    orders(
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        Some("-sha256"),
        &[],
    );
    orders(
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        Some("-sha384"),
        &[],
    );
}

#[test]
fn ed25519() {
    orders(&["-algorithm", "ED25519"], None, &[]);
}

#[test]
fn an_altered_signature_is_not_a_link() {
    let d = util::tempdir();
    make(
        d.path(),
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        Some("-sha256"),
        &[],
    );
    let text = std::fs::read_to_string(d.path().join("leaf.pem")).unwrap();
    let mut der = pem::parse(&text).unwrap().into_contents();
    let n = der.len();
    der[n - 5] ^= 0x01; // inside the signature value
    std::fs::write(
        d.path().join("leaf.pem"),
        pem::encode(&pem::Pem::new("CERTIFICATE", der)),
    )
    .unwrap();
    let o = chainfix(
        d.path(),
        &[
            "bundle", "root.pem", "leaf.pem", "--no-key", "--json", "--leaf", "Sig Leaf",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["complete"], false);
    assert_eq!(
        j["missing_issuer"]["name_matched_but_signature_failed"],
        true
    );
}
