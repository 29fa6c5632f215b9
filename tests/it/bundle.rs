//! `chainfix bundle` end to end: scrambled piles in, exact order out, and
//! the real curl presenting the result to a real openssl server on
//! 127.0.0.1; every kind of bad input gives one sentence and exit 2 (or 1),
//! with nothing written.

use std::path::Path;

use crate::pki::{Alg, Pki, Spec};
use crate::util::{self, chainfix, stderr, write};

/// The PEM blocks of a file as (label, DER).
fn blocks(path: &Path) -> Vec<(String, Vec<u8>)> {
    let text = std::fs::read(path).unwrap();
    pem::parse_many(text)
        .unwrap()
        .into_iter()
        .map(|p| (p.tag().to_string(), p.contents().to_vec()))
        .collect()
}

fn pem_of_der(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

/// A scrambled pile: intermediates out of order, the root pasted in, a
/// duplicate, an unrelated certificate and a CSR, with CRLF line ends.
fn scrambled_pile(pki: &Pki) -> String {
    let stranger = crate::pki::root(&Spec::ca("Unrelated CA", Alg::EcdsaP256));
    let csr = {
        let k = crate::pki::key(Alg::EcdsaP256);
        let mut p = Spec::client("csr", Alg::EcdsaP256).params();
        p.use_authority_key_identifier_extension = false;
        p.serialize_request(&k).unwrap().pem().unwrap()
    };
    let mut parts = vec![
        pki.intermediates[0].pem(),
        stranger.pem(),
        pki.root.pem(),
        csr,
    ];
    for i in pki.intermediates.iter().rev() {
        parts.push(i.pem());
    }
    parts.push(pki.intermediates[0].pem()); // duplicate
    parts.join("\n").replace('\n', "\r\n")
}

fn expected_blocks(pki: &Pki, with_key: bool) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    if with_key {
        v.push(("PRIVATE KEY".to_string(), pki.leaf.key.serialize_der()));
    }
    v.push(("CERTIFICATE".to_string(), pki.leaf.der()));
    for i in pki.intermediates.iter().rev() {
        v.push(("CERTIFICATE".to_string(), i.der()));
    }
    v
}

fn orders_scrambled(rsa: bool) {
    let d = util::tempdir();
    let pki = Pki::client(2, rsa);
    write(d.path(), "pile.pem", scrambled_pile(&pki));
    write(d.path(), "leaf.crt", pki.leaf.pem());
    write(d.path(), "client.key", pki.leaf.key_pem());
    let o = chainfix(
        d.path(),
        &["bundle", "pile.pem", "leaf.crt", "--key", "client.key"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = d.path().join("fullcert.pem");
    assert_eq!(blocks(&out), expected_blocks(&pki, true));
    let err = stderr(&o);
    assert!(err.contains("duplicate of pile.pem:1"), "{err}");
    assert!(err.contains("certificate request"), "{err}");
    assert!(err.contains("Unrelated CA"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a file holding a key must be 0600");
    }
}

#[test]
fn bundle_orders_scrambled_rsa_pile() {
    orders_scrambled(true);
}

#[test]
fn bundle_orders_scrambled_ecdsa_pile() {
    orders_scrambled(false);
}

#[test]
fn bundle_without_key_picks_the_only_end_entity_and_writes_chain_alone() {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    write(
        d.path(),
        "all.pem",
        [pki.root.pem(), pki.leaf.pem(), pki.intermediates[0].pem()].concat(),
    );
    let o = chainfix(
        d.path(),
        &["bundle", "all.pem", "--no-key", "--include-root", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = blocks(&d.path().join("chain.pem"));
    let want: Vec<Vec<u8>> = vec![pki.leaf.der(), pki.intermediates[0].der(), pki.root.der()];
    assert_eq!(got.into_iter().map(|b| b.1).collect::<Vec<_>>(), want);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["complete"], true);
    assert_eq!(j["leaf_choice"], "only-end-entity");
    assert_eq!(j["chain"].as_array().unwrap().len(), 2);
    assert_eq!(j["root_written"], true);
}

#[test]
fn bundle_reports_missing_intermediate_with_aia_and_exits_1() {
    let d = util::tempdir();
    let mut inter = Spec::ca("Issuing CA", Alg::EcdsaP256);
    inter.aia = vec![];
    let mut leaf = Spec::client("leaf", Alg::EcdsaP256);
    leaf.aia = vec!["http://127.0.0.1:9/issuing-ca.crt".into()];
    let pki = Pki::build(Spec::ca("Root", Alg::EcdsaP256), vec![inter], leaf);
    write(d.path(), "leaf.pem", pki.leaf.pem());
    write(d.path(), "key.pem", pki.leaf.key_pem());
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            "leaf.pem",
            "key.pem",
            "--json",
            "--offline",
            "--no-cache",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["complete"], false);
    assert!(
        j["missing_issuer"]["issuer"]
            .as_str()
            .unwrap()
            .contains("Issuing CA")
    );
    assert_eq!(
        j["missing_issuer"]["ca_issuers"][0],
        "http://127.0.0.1:9/issuing-ca.crt"
    );
    assert!(j["missing_issuer"]["authority_key_id"].is_string());
}

/// Writes the server side of an mTLS test: a server certificate for
/// localhost from the same root, and returns (server cert, server key).
/// A localhost server certificate issued by `pki`'s root, and its key
/// (also used by the fetch tests).
pub fn server_files(dir: &Path, pki: &Pki) -> (std::path::PathBuf, std::path::PathBuf) {
    let server = pki.root.issue(
        Spec::server("localhost", Alg::EcdsaP256, "localhost").params(),
        Alg::EcdsaP256,
    );
    (
        write(dir, "server.pem", server.pem()),
        write(dir, "server.key", server.key_pem()),
    )
}

#[test]
fn curl_with_bundled_fullcert_is_accepted_by_openssl_s_server_and_leaf_plus_one_is_refused() {
    let d = util::tempdir();
    let pki = Pki::client(2, true);
    let root = write(d.path(), "root.pem", pki.root.pem());
    let (scert, skey) = server_files(d.path(), &pki);
    write(d.path(), "pile.pem", scrambled_pile(&pki));
    write(d.path(), "leaf.crt", pki.leaf.pem());
    write(d.path(), "client.key", pki.leaf.key_pem());
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            "pile.pem",
            "leaf.crt",
            "client.key",
            "-o",
            "fullcert.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // The same file with one intermediate removed: what people send by mistake.
    let full = std::fs::read_to_string(d.path().join("fullcert.pem")).unwrap();
    let short: String = {
        let parts = pem::parse_many(&full).unwrap();
        parts
            .iter()
            .filter(|p| p.contents() != pki.intermediates[0].der().as_slice())
            .map(|p| pem_of_der(p.tag(), p.contents()))
            .collect()
    };
    write(d.path(), "short.pem", short);

    let (_server, port) = util::openssl_mtls_server(d.path(), &scert, &skey, &root);
    let (code, err) = util::curl_with_cert(d.path(), port, "fullcert.pem", "PEM", &root);
    assert_eq!(code, 200, "curl with the bundled file: {err}");
    let (code, err) = util::curl_with_cert(d.path(), port, "short.pem", "PEM", &root);
    assert_ne!(code, 200);
    assert!(
        err.contains("unknown ca"),
        "expected the server's unknown ca alert, got: {err}"
    );
}

/// Runs bundle in a fresh dir holding `files`, expecting `code`, a message
/// that names `names`, and no output file left behind.
fn bad_input(files: &[(&str, Vec<u8>)], args: &[&str], code: i32, names: &str) -> String {
    let d = util::tempdir();
    for (n, c) in files {
        write(d.path(), n, c);
    }
    let before: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let mut full = vec!["bundle"];
    full.extend_from_slice(args);
    let o = chainfix(d.path(), &full);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.contains(names), "message should name {names}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !err.contains("BEGIN PRIVATE KEY"),
        "key material printed: {err}"
    );
    let after: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        before.len(),
        after.len(),
        "a file was left behind: {after:?}"
    );
    err
}

#[test]
fn bad_input_empty_file() {
    bad_input(&[("empty.pem", vec![])], &["empty.pem"], 2, "empty.pem");
}

#[test]
fn bad_input_binary_garbage() {
    let garbage: Vec<u8> = (0..512u32).map(|i| (i * 7919 % 251) as u8).collect();
    bad_input(&[("junk.bin", garbage)], &["junk.bin"], 2, "junk.bin");
}

#[test]
fn bad_input_truncated_der() {
    let pki = Pki::client(0, false);
    let der = pki.leaf.der();
    bad_input(
        &[("leaf.der", der[..der.len() / 2].to_vec())],
        &["leaf.der"],
        2,
        "leaf.der",
    );
}

#[test]
fn bad_input_pem_with_broken_base64() {
    let pki = Pki::client(0, false);
    let broken = pki.leaf.pem().replacen("MII", "M*I", 1);
    bad_input(
        &[("leaf.pem", broken.into_bytes())],
        &["leaf.pem"],
        2,
        "leaf.pem",
    );
}

#[test]
fn bad_input_key_matching_no_certificate_exits_1() {
    let pki = Pki::client(1, false);
    let other = Pki::client(0, false);
    let err = bad_input(
        &[
            (
                "chain.pem",
                [pki.leaf.pem(), pki.intermediates[0].pem()]
                    .concat()
                    .into_bytes(),
            ),
            ("k.pem", other.leaf.key_pem().into_bytes()),
        ],
        &["chain.pem", "--key", "k.pem"],
        1,
        "k.pem",
    );
    assert!(err.contains("matches none"), "{err}");
}

#[test]
fn bad_input_two_leaves_lists_candidates_and_selector() {
    let a = Pki::client(0, false);
    let b = Pki::client(0, false);
    let err = bad_input(
        &[(
            "two.pem",
            [a.leaf.pem(), b.leaf.pem()].concat().into_bytes(),
        )],
        &["two.pem", "--no-key"],
        2,
        "--leaf",
    );
    assert_eq!(err.matches("client.example.test").count(), 2, "{err}");
}

#[test]
fn two_leaves_resolved_with_leaf_prefix() {
    let d = util::tempdir();
    let a = Pki::client(0, false);
    let b = Pki::client(0, false);
    write(d.path(), "two.pem", [a.leaf.pem(), b.leaf.pem()].concat());
    let prefix =
        hex::encode(&ring::digest::digest(&ring::digest::SHA256, &b.leaf.der()).as_ref()[..4]);
    let o = chainfix(
        d.path(),
        &["bundle", "two.pem", "--no-key", "--leaf", &prefix],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "b's root is missing, so exit 1: {}",
        stderr(&o)
    );
    assert_eq!(blocks(&d.path().join("chain.pem"))[0].1, b.leaf.der());
}

#[test]
fn bad_input_directory_without_certificates() {
    let d = util::tempdir();
    std::fs::create_dir(d.path().join("emptydir")).unwrap();
    let o = chainfix(d.path(), &["bundle", "emptydir", "--no-key"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("emptydir"), "{}", stderr(&o));
}

#[test]
fn bad_input_unreadable_file() {
    bad_input(&[], &["does-not-exist.pem"], 2, "does-not-exist.pem");
}

#[test]
fn bad_input_output_in_missing_directory() {
    let pki = Pki::client(0, false);
    bad_input(
        &[
            ("leaf.pem", pki.leaf.pem().into_bytes()),
            ("k.pem", pki.leaf.key_pem().into_bytes()),
        ],
        &["leaf.pem", "k.pem", "-o", "nodir/fullcert.pem"],
        2,
        "nodir",
    );
}

#[test]
fn bad_input_output_exists_without_force() {
    let pki = Pki::client(0, false);
    let err = bad_input(
        &[
            ("leaf.pem", pki.leaf.pem().into_bytes()),
            ("k.pem", pki.leaf.key_pem().into_bytes()),
            ("fullcert.pem", b"keep me".to_vec()),
        ],
        &["leaf.pem", "k.pem"],
        2,
        "--force",
    );
    assert!(err.contains("fullcert.pem"), "{err}");
}

#[test]
fn output_exists_is_kept_byte_for_byte() {
    let d = util::tempdir();
    let pki = Pki::client(0, false);
    write(d.path(), "leaf.pem", pki.leaf.pem());
    write(d.path(), "k.pem", pki.leaf.key_pem());
    write(d.path(), "fullcert.pem", "keep me");
    let o = chainfix(d.path(), &["bundle", "leaf.pem", "k.pem"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read(d.path().join("fullcert.pem")).unwrap(),
        b"keep me"
    );
    let o = chainfix(d.path(), &["bundle", "leaf.pem", "k.pem", "--force"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "root not given: incomplete: {}",
        stderr(&o)
    );
    assert_ne!(
        std::fs::read(d.path().join("fullcert.pem")).unwrap(),
        b"keep me"
    );
}

#[test]
fn encrypted_output_key_is_read_by_openssl_with_the_password() {
    let d = util::tempdir();
    let pki = Pki::client(1, true);
    write(
        d.path(),
        "all.pem",
        [
            pki.leaf.pem(),
            pki.intermediates[0].pem(),
            pki.root.pem(),
            pki.leaf.key_pem(),
        ]
        .concat(),
    );
    write(d.path(), "pw.txt", "s3cret-pass\n");
    let o = chainfix(
        d.path(),
        &["bundle", "all.pem", "--key-password-file", "pw.txt"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b = blocks(&d.path().join("fullcert.pem"));
    assert_eq!(b[0].0, "ENCRYPTED PRIVATE KEY");
    let ok = std::process::Command::new("openssl")
        .args([
            "pkey",
            "-in",
            "fullcert.pem",
            "-passin",
            "pass:s3cret-pass",
            "-noout",
        ])
        .current_dir(d.path())
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "openssl could not decrypt the key with the password"
    );
    let bad = std::process::Command::new("openssl")
        .args([
            "pkey",
            "-in",
            "fullcert.pem",
            "-passin",
            "pass:wrong",
            "-noout",
        ])
        .current_dir(d.path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!bad.success());
}

#[test]
fn bundled_example_chain_verifies_with_openssl() {
    let d = util::tempdir();
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples");
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            ex.join("salesforce-client").to_str().unwrap(),
            "-o",
            "fullcert.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = std::process::Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(ex.join("root-ca.pem"))
        .args([
            "-untrusted",
            "fullcert.pem",
            "-purpose",
            "sslclient",
            "fullcert.pem",
        ])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

/// The same chain arriving as every format at once: the leaf as DER, the
/// intermediates in a PKCS#7 made by openssl, the key and leaf in a PKCS#12
/// made by openssl, the root as PEM. The output order must be exact.
#[test]
fn bundle_from_der_pkcs7_and_pkcs12_inputs_gives_exact_order() {
    let d = util::tempdir();
    let pki = Pki::client(2, true);
    write(d.path(), "leaf.cer", pki.leaf.der());
    write(d.path(), "leaf.pem", pki.leaf.pem());
    write(d.path(), "root.pem", pki.root.pem());
    write(d.path(), "key.pem", pki.leaf.key_pem());
    let inters: String = pki.intermediates.iter().map(|n| n.pem()).collect();
    write(d.path(), "inters.pem", inters);
    write(d.path(), "pw.txt", "p12-pass\n");
    let run = |args: &[&str]| util::openssl(d.path(), args);
    run(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        "inters.pem",
        "-outform",
        "DER",
        "-out",
        "inters.p7b",
    ]);
    run(&[
        "pkcs12",
        "-export",
        "-in",
        "leaf.pem",
        "-inkey",
        "key.pem",
        "-passout",
        "pass:p12-pass",
        "-out",
        "client.pfx",
    ]);
    for f in ["leaf.pem", "key.pem", "inters.pem"] {
        std::fs::remove_file(d.path().join(f)).unwrap();
    }
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            "inters.p7b",
            "root.pem",
            "client.pfx",
            "leaf.cer",
            "--password-file",
            "pw.txt",
            "--offline",
            "--no-cache",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        blocks(&d.path().join("fullcert.pem")),
        expected_blocks(&pki, true)
    );
    assert!(
        stderr(&o).contains("duplicate"),
        "the leaf in the .pfx and the .cer is one certificate: {}",
        stderr(&o)
    );
}

#[test]
fn bad_input_csr_in_place_of_the_certificate_is_named_as_a_csr() {
    let k = crate::pki::key(Alg::EcdsaP256);
    let mut params = Spec::client("csr", Alg::EcdsaP256).params();
    params.use_authority_key_identifier_extension = false;
    let csr = params.serialize_request(&k).unwrap().pem().unwrap();
    let err = bad_input(
        &[
            ("request.csr", csr.into_bytes()),
            ("k.pem", k.serialize_pem().into_bytes()),
        ],
        &["request.csr", "k.pem"],
        2,
        "request.csr:1",
    );
    assert!(
        err.contains("certificate signing request (CSR), not a certificate")
            && err.contains("give chainfix the certificate it returns"),
        "{err}"
    );
}

/// Two CAs that sign each other, made by the real openssl.
fn cross_signed_pair() -> Vec<(&'static str, Vec<u8>)> {
    let d = util::tempdir();
    let run = |args: &[&str]| util::openssl(d.path(), args);
    write(d.path(), "ca.ext", "basicConstraints=critical,CA:TRUE\n");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut a0 = vec!["req", "-x509", "-keyout", "a.key", "-out", "a0.pem"];
    a0.extend_from_slice(&ec);
    a0.extend_from_slice(&[
        "-subj",
        "/CN=Cross A",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
    ]);
    run(&a0);
    let mut b = vec![
        "req",
        "-new",
        "-keyout",
        "b.key",
        "-out",
        "b.csr",
        "-subj",
        "/CN=Cross B",
    ];
    b.extend_from_slice(&ec);
    run(&b);
    run(&[
        "x509",
        "-req",
        "-in",
        "b.csr",
        "-CA",
        "a0.pem",
        "-CAkey",
        "a.key",
        "-set_serial",
        "2",
        "-days",
        "5",
        "-extfile",
        "ca.ext",
        "-out",
        "b.pem",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "a.key",
        "-out",
        "a.csr",
        "-subj",
        "/CN=Cross A",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "a.csr",
        "-CA",
        "b.pem",
        "-CAkey",
        "b.key",
        "-set_serial",
        "3",
        "-days",
        "5",
        "-extfile",
        "ca.ext",
        "-out",
        "a.pem",
    ]);
    ["a.pem", "b.pem"]
        .into_iter()
        .map(|n| (n, std::fs::read(d.path().join(n)).unwrap()))
        .collect()
}

#[test]
fn bad_input_cas_that_sign_each_other_ask_for_leaf_not_for_a_certificate() {
    let files = cross_signed_pair();
    let err = bad_input(&files, &["a.pem", "b.pem", "--no-key"], 2, "--leaf");
    assert!(
        err.contains("CN=Cross A") && err.contains("CN=Cross B"),
        "{err}"
    );
    assert!(!err.contains("no certificate was found"), "{err}");
}

#[test]
fn self_signed_client_certificate_is_written_with_its_key_and_accepted_by_openssl_s_server() {
    let d = util::tempdir();
    let k = crate::pki::key(Alg::EcdsaP256);
    let leaf = Spec::client("self.example.test", Alg::EcdsaP256)
        .params()
        .self_signed(&k)
        .unwrap();
    let client = write(d.path(), "client.pem", leaf.pem());
    write(d.path(), "client.key", k.serialize_pem());
    let o = chainfix(d.path(), &["bundle", "client.pem", "client.key"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = blocks(&d.path().join("fullcert.pem"));
    let labels: Vec<&str> = got.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(
        labels,
        ["PRIVATE KEY", "CERTIFICATE"],
        "the leaf was left out"
    );
    assert_eq!(got[1].1, leaf.der().to_vec());
    let o = chainfix(d.path(), &["bundle", "client.pem", "--no-key"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let chain = blocks(&d.path().join("chain.pem"));
    assert_eq!(
        chain,
        vec![("CERTIFICATE".to_string(), leaf.der().to_vec())]
    );

    // The server trusts the client certificate itself.
    let server_pki = Pki::client(0, false);
    let root = write(d.path(), "root.pem", server_pki.root.pem());
    let (scert, skey) = server_files(d.path(), &server_pki);
    let (_server, port) = util::openssl_mtls_server(d.path(), &scert, &skey, &client);
    let (code, err) = util::curl_with_cert(d.path(), port, "fullcert.pem", "PEM", &root);
    assert_eq!(code, 200, "curl with the bundled self-signed client: {err}");
}

#[test]
fn bad_input_key_alone_names_the_key_file_and_asks_for_its_certificate() {
    let pki = Pki::client(0, false);
    let err = bad_input(
        &[("client.key", pki.leaf.key_pem().into_bytes())],
        &["client.key"],
        2,
        "client.key:1",
    );
    assert_eq!(
        err.trim_end(),
        "chainfix: client.key:1 holds a private key, but no certificate was given; \
         add the file that holds the certificate issued for this key"
    );
}

#[test]
fn a_password_file_that_is_not_text_is_named_with_how_to_write_one() {
    let pki = Pki::client(0, false);
    let err = bad_input(
        &[
            ("leaf.pem", pki.leaf.pem().into_bytes()),
            ("pw.bin", vec![0xff, 0xfe, 0x00, 0x80]),
        ],
        &["leaf.pem", "--no-key", "--password-file", "pw.bin"],
        2,
        "pw.bin",
    );
    assert!(err.contains("not a text file"), "{err}");
}

#[test]
fn an_oversized_input_is_refused_without_reading_it_whole() {
    let d = util::tempdir();
    // A sparse file: 70 MiB on paper, nothing on disk.
    let f = std::fs::File::create(d.path().join("huge.pem")).unwrap();
    f.set_len(70 * 1024 * 1024).unwrap();
    let o = chainfix(d.path(), &["inspect", "huge.pem"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("huge.pem is larger than 64 MiB"),
        "{}",
        stderr(&o)
    );
}
