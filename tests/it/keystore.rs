//! `chainfix keystore` and `chainfix csr` against the real tools: keytool
//! lists, converts and uses our JKS; openssl reads our PKCS#12 (modern and
//! legacy) and curl presents it to openssl s_server on 127.0.0.1; openssl
//! verifies our CSRs; a JKS made by keytool comes back out identical in
//! content; every bad input is one sentence, a documented exit code, and
//! nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chainfix::keystore::jks::{RawEntry, decode};

use crate::pki::{Alg, Pki, Spec};
use crate::util::{self, chainfix, stderr, write};

const PW: &str = "changeit";

fn tool(dir: &Path, prog: &str, args: &[&str]) -> Output {
    Command::new(prog)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{prog} is installed: {e}"))
}

fn ok(o: &Output, what: &str) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{what} failed: {all}");
    all
}

/// `keytool -list -v` of a JKS made with the test password, failing the
/// test if keytool refuses it.
fn keytool_list(dir: &Path, file: &str) -> String {
    ok(
        &tool(
            dir,
            "keytool",
            &["-list", "-v", "-keystore", file, "-storepass", PW],
        ),
        "keytool -list",
    )
}

/// A dir with root.pem, pile.pem (intermediates), leaf.crt, client.key, pw.
fn pki_dir(pki: &Pki) -> tempfile::TempDir {
    let d = util::tempdir();
    write(d.path(), "root.pem", pki.root.pem());
    let inters: String = pki.intermediates.iter().rev().map(|n| n.pem()).collect();
    write(d.path(), "pile.pem", inters);
    write(d.path(), "leaf.crt", pki.leaf.pem());
    write(d.path(), "client.key", pki.leaf.key_pem());
    write(d.path(), "pw", format!("{PW}\n"));
    d
}

fn keystore(d: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "keystore",
        "root.pem",
        "pile.pem",
        "leaf.crt",
        "client.key",
        "--password-file",
        "pw",
    ];
    args.extend_from_slice(extra);
    chainfix(d, &args)
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn jks_is_listed_converted_and_used_by_keytool() {
    let pki = Pki::client(2, true);
    let d = pki_dir(&pki);
    let o = keystore(d.path(), &["--alias", "mtls_client", "-o", "out.jks"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("Salesforce import rules: all 7 passed"));
    let bytes = std::fs::read(d.path().join("out.jks")).unwrap();
    assert_eq!(&bytes[..4], &[0xFE, 0xED, 0xFE, 0xED], "JKS magic");
    #[cfg(unix)]
    assert_eq!(mode(&d.path().join("out.jks")), 0o600);

    let list = keytool_list(d.path(), "out.jks");
    assert_eq!(
        list.matches("Entry type: PrivateKeyEntry").count(),
        1,
        "{list}"
    );
    assert!(list.contains("Alias name: mtls_client"), "{list}");
    assert!(list.contains("Certificate chain length: 3"), "{list}");

    // The first certificate of the chain is the leaf.
    let first_owner = list.lines().find(|l| l.starts_with("Owner:")).unwrap();
    assert!(first_owner.contains("client.example.test"), "{list}");

    // Converting to PKCS#12 recovers the key and checks the chain order.
    // keytool exits 0 even when an entry fails: read its verdict.
    let conv = ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-importkeystore",
                "-srckeystore",
                "out.jks",
                "-srcstoretype",
                "JKS",
                "-srcstorepass",
                PW,
                "-destkeystore",
                "conv.p12",
                "-deststoretype",
                "PKCS12",
                "-deststorepass",
                PW,
                "-noprompt",
            ],
        ),
        "keytool -importkeystore",
    );
    assert!(
        conv.contains("1 entries successfully imported, 0 entries failed"),
        "{conv}"
    );
    // The key is usable: keytool signs a CSR with it.
    let req = ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-certreq",
                "-alias",
                "mtls_client",
                "-keystore",
                "out.jks",
                "-storepass",
                PW,
                "-storetype",
                "JKS",
            ],
        ),
        "keytool -certreq",
    );
    assert!(req.contains("BEGIN NEW CERTIFICATE REQUEST"), "{req}");

    // A non-ASCII password (UTF-16BE, as Java's char[]): keytool lists the
    // file and recovers the key.
    write(d.path(), "pw-utf8", "pässwörd\n");
    let o = chainfix(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            "client.key",
            "--password-file",
            "pw-utf8",
            "--alias",
            "utf",
            "-o",
            "utf.jks",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conv = Command::new("keytool")
        .args([
            "-importkeystore",
            "-srckeystore",
            "utf.jks",
            "-srcstoretype",
            "JKS",
            "-srcstorepass",
            "pässwörd",
            "-destkeystore",
            "utf.p12",
            "-deststoretype",
            "PKCS12",
            "-deststorepass",
            PW,
            "-noprompt",
        ])
        .env("LC_ALL", "C.UTF-8")
        .current_dir(d.path())
        .output()
        .unwrap();
    let conv = ok(&conv, "keytool -importkeystore with a non-ASCII password");
    assert!(
        conv.contains("1 entries successfully imported, 0 entries failed"),
        "{conv}"
    );

    // --json: the report on stdout, with every Salesforce rule.
    let o = keystore(
        d.path(),
        &["--alias", "json_client", "--json", "-o", "json.jks"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["format"], "jks");
    assert_eq!(j["alias"], "json_client");
    assert_eq!(j["chain"].as_array().unwrap().len(), 3);
    assert_eq!(j["complete"], true);
    let checks = j["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 7);
    assert!(checks.iter().all(|c| c["ok"] == true));

    // A PKCS#1 key (`openssl rsa -traditional`) goes in as PKCS#8: Java recovers it.
    ok(
        &tool(
            d.path(),
            "openssl",
            &[
                "rsa",
                "-in",
                "client.key",
                "-traditional",
                "-out",
                "pkcs1.key",
            ],
        ),
        "openssl rsa -traditional",
    );
    assert!(
        std::fs::read_to_string(d.path().join("pkcs1.key"))
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    let o = chainfix(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            "pkcs1.key",
            "--password-file",
            "pw",
            "--alias",
            "from_pkcs1",
            "-o",
            "p1.jks",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conv = ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-importkeystore",
                "-srckeystore",
                "p1.jks",
                "-srcstoretype",
                "JKS",
                "-srcstorepass",
                PW,
                "-destkeystore",
                "p1.p12",
                "-deststoretype",
                "PKCS12",
                "-deststorepass",
                PW,
                "-noprompt",
            ],
        ),
        "keytool -importkeystore of the PKCS#1-sourced key",
    );
    assert!(
        conv.contains("1 entries successfully imported, 0 entries failed"),
        "{conv}"
    );

    // --root puts the root at the end of the chain.
    let o = keystore(
        d.path(),
        &["--alias", "with_root", "--root", "-o", "root.jks"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = keytool_list(d.path(), "root.jks");
    assert!(list.contains("Certificate chain length: 4"), "{list}");
}

#[test]
fn p12_modern_and_legacy_are_read_by_openssl_and_accepted_with_curl() {
    let pki = Pki::client(2, true);
    let d = pki_dir(&pki);
    let server = pki.root.issue(
        Spec::server("localhost", Alg::EcdsaP256, "localhost").params(),
        Alg::EcdsaP256,
    );
    let scert = write(d.path(), "server.pem", server.pem());
    let skey = write(d.path(), "server.key", server.key_pem());
    let root = d.path().join("root.pem");
    let (_server, port) = util::openssl_mtls_server(d.path(), &scert, &skey, &root);

    for (name, legacy, expect) in [
        ("modern.p12", false, "AES-256-CBC"),
        ("legacy.p12", true, "3-KeyTripleDES"),
    ] {
        let mut extra = vec!["--format", "p12", "--alias", "client", "-o", name];
        if legacy {
            extra.push("--legacy");
        }
        let o = keystore(d.path(), &extra);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        #[cfg(unix)]
        assert_eq!(mode(&d.path().join(name)), 0o600);
        let info = ok(
            &tool(
                d.path(),
                "openssl",
                &[
                    "pkcs12",
                    "-info",
                    "-nokeys",
                    "-in",
                    name,
                    "-passin",
                    &format!("pass:{PW}"),
                ],
            ),
            "openssl pkcs12 -info",
        );
        assert!(info.contains(expect), "{name}: {info}");
        assert!(!info.contains("RC2"), "{name}: {info}");
        assert_eq!(
            info.matches("BEGIN CERTIFICATE").count(),
            3,
            "{name}: {info}"
        );
        // Java reads it too, key and chain of 3.
        let list = ok(
            &tool(
                d.path(),
                "keytool",
                &[
                    "-list",
                    "-v",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    name,
                    "-storepass",
                    PW,
                ],
            ),
            "keytool -list on the PKCS#12",
        );
        assert!(list.contains("Entry type: PrivateKeyEntry"), "{list}");
        assert!(list.contains("Certificate chain length: 3"), "{list}");
        let (code, err) =
            util::curl_with_cert(d.path(), port, &format!("{name}:{PW}"), "P12", &root);
        assert_eq!(code, 200, "curl with {name}: {err}");
    }
}

#[test]
fn csr_is_verified_by_openssl_with_eku_and_sans_and_key_is_0600() {
    let d = util::tempdir();
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "CN=client.example.test, O=Example, C=US",
            "--san",
            "DNS:client.example.test",
            "--san",
            "IP:127.0.0.1",
            "--role",
            "client",
            "-o",
            "req.csr",
            "--key-out",
            "client.key",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    ok(
        &tool(
            d.path(),
            "openssl",
            &["req", "-verify", "-noout", "-in", "req.csr"],
        ),
        "openssl req -verify",
    );
    let text = ok(
        &tool(
            d.path(),
            "openssl",
            &["req", "-text", "-noout", "-in", "req.csr"],
        ),
        "openssl req -text",
    );
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(text.contains("DNS:client.example.test"), "{text}");
    assert!(text.contains("IP Address:127.0.0.1"), "{text}");
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&d.path().join("client.key")), 0o600);
    let key = std::fs::read_to_string(d.path().join("client.key")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    // The CSR carries the public key of the key written.
    let pub_csr = ok(
        &tool(
            d.path(),
            "openssl",
            &["req", "-pubkey", "-noout", "-in", "req.csr"],
        ),
        "openssl req -pubkey",
    );
    let pub_key = ok(
        &tool(
            d.path(),
            "openssl",
            &["pkey", "-pubout", "-in", "client.key"],
        ),
        "openssl pkey",
    );
    assert_eq!(pub_csr, pub_key);

    // An existing key is never overwritten.
    let before = std::fs::read(d.path().join("client.key")).unwrap();
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "CN=x",
            "-o",
            "other.csr",
            "--key-out",
            "client.key",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("never replaces"), "{}", stderr(&o));
    assert!(!d.path().join("other.csr").exists());
    assert_eq!(std::fs::read(d.path().join("client.key")).unwrap(), before);

    // Server role, P-256, encrypted key.
    write(d.path(), "kpw", "s3cret-pass\n");
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "/CN=server.example.test",
            "--san",
            "server.example.test",
            "--role",
            "server",
            "--key-type",
            "p256",
            "-o",
            "s.csr",
            "--key-out",
            "s.key",
            "--key-password-file",
            "kpw",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = ok(
        &tool(
            d.path(),
            "openssl",
            &["req", "-text", "-noout", "-in", "s.csr"],
        ),
        "openssl req -text",
    );
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    assert!(!text.contains("Client Authentication"), "{text}");
    ok(
        &tool(
            d.path(),
            "openssl",
            &[
                "pkey",
                "-in",
                "s.key",
                "-passin",
                "pass:s3cret-pass",
                "-noout",
            ],
        ),
        "openssl pkey on the encrypted key",
    );

    // --key EXISTING: no new key, the CSR is for that key.
    let existing = format!("{}/testdata/keys/rsa2048-3.pem", env!("CARGO_MANIFEST_DIR"));
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "CN=again",
            "--key",
            &existing,
            "-o",
            "again.csr",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!d.path().join("private.key").exists());
    let pub_csr = ok(
        &tool(
            d.path(),
            "openssl",
            &["req", "-pubkey", "-noout", "-in", "again.csr"],
        ),
        "openssl req -pubkey",
    );
    let pub_key = ok(
        &tool(d.path(), "openssl", &["pkey", "-pubout", "-in", &existing]),
        "openssl pkey",
    );
    assert_eq!(pub_csr, pub_key);
}

fn entries(path: &Path) -> Vec<(String, Vec<u8>, Vec<Vec<u8>>)> {
    decode(&std::fs::read(path).unwrap(), "x", PW)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            RawEntry::PrivateKey {
                alias,
                pkcs8,
                chain,
                ..
            } => Some((alias, pkcs8.to_vec(), chain)),
            RawEntry::TrustedCert { .. } => None,
        })
        .collect()
}

#[test]
fn jks_made_by_keytool_is_read_and_re_emitted_identically_in_content() {
    // 1. keytool -genkeypair: self-signed RSA 2048.
    let d = util::tempdir();
    write(d.path(), "pw", format!("{PW}\n"));
    ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-genkeypair",
                "-alias",
                "genkey",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=genkey.example.test",
                "-validity",
                "30",
                "-keystore",
                "kt.jks",
                "-storetype",
                "JKS",
                "-storepass",
                PW,
                "-keypass",
                PW,
            ],
        ),
        "keytool -genkeypair",
    );
    let o = chainfix(
        d.path(),
        &[
            "keystore",
            "kt.jks",
            "--password-file",
            "pw",
            "--alias",
            "genkey",
            "-o",
            "ours.jks",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        entries(&d.path().join("kt.jks")),
        entries(&d.path().join("ours.jks"))
    );

    // 2. keytool -importkeystore from an openssl PKCS#12 with a 3-certificate chain.
    let pki = Pki::client(2, true);
    let d2 = pki_dir(&pki);
    ok(
        &tool(
            d2.path(),
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "client.key",
                "-in",
                "leaf.crt",
                "-certfile",
                "pile.pem",
                "-name",
                "imported",
                "-out",
                "o.p12",
                "-passout",
                &format!("pass:{PW}"),
            ],
        ),
        "openssl pkcs12 -export",
    );
    ok(
        &tool(
            d2.path(),
            "keytool",
            &[
                "-importkeystore",
                "-srckeystore",
                "o.p12",
                "-srcstoretype",
                "PKCS12",
                "-srcstorepass",
                PW,
                "-destkeystore",
                "kt.jks",
                "-deststoretype",
                "JKS",
                "-deststorepass",
                PW,
                "-noprompt",
            ],
        ),
        "keytool -importkeystore",
    );
    let o = chainfix(
        d2.path(),
        &[
            "keystore",
            "kt.jks",
            "root.pem",
            "--password-file",
            "pw",
            "--alias",
            "imported",
            "-o",
            "ours.jks",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let theirs = entries(&d2.path().join("kt.jks"));
    assert_eq!(theirs[0].2.len(), 3);
    assert_eq!(theirs, entries(&d2.path().join("ours.jks")));
}

/// Runs chainfix in `d`, expecting exit `code`, one line on stderr that
/// contains every one of `needles`, and no `out` file.
fn refused(d: &Path, args: &[&str], code: i32, needles: &[&str]) {
    let o = chainfix(d, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected {n:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    let out: PathBuf = d.join("out.jks");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn bad_keystores_and_passwords_are_one_sentence_and_write_nothing() {
    let pki = Pki::client(1, true);
    let d = pki_dir(&pki);
    let o = keystore(d.path(), &["--alias", "good", "-o", "good.jks"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(d.path(), "wrong", "changeme\n");
    refused(
        d.path(),
        &[
            "keystore",
            "good.jks",
            "--password-file",
            "wrong",
            "-o",
            "out.jks",
        ],
        2,
        &[
            "good.jks",
            "the keystore password is wrong or the file was changed",
        ],
    );
    let good = std::fs::read(d.path().join("good.jks")).unwrap();
    write(d.path(), "cut.jks", &good[..good.len() / 2]);
    refused(
        d.path(),
        &[
            "keystore",
            "cut.jks",
            "--password-file",
            "pw",
            "-o",
            "out.jks",
        ],
        2,
        &["cut.jks", "truncated"],
    );
    let mut jceks = vec![0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2, 0, 0, 0, 0];
    jceks.extend_from_slice(&[0u8; 20]);
    write(d.path(), "old.jceks", jceks);
    refused(
        d.path(),
        &[
            "keystore",
            "old.jceks",
            "--password-file",
            "pw",
            "-o",
            "out.jks",
        ],
        2,
        // JCEKS is read like JKS (see corpus.rs); this one's trailer is zeros.
        &["old.jceks", "password is wrong"],
    );
    ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                "root.pem",
                "-keystore",
                "trust.jks",
                "-storetype",
                "JKS",
                "-storepass",
                PW,
            ],
        ),
        "keytool -importcert",
    );
    refused(
        d.path(),
        &[
            "keystore",
            "trust.jks",
            "--password-file",
            "pw",
            "-o",
            "out.jks",
        ],
        2,
        &[
            "trust.jks",
            "only trusted certificates",
            "doesn't contain a PrivateKey entry",
        ],
    );
    // keytool lets the key password differ from the store password;
    // Salesforce refuses such a file, and so do we, naming the alias.
    ok(
        &tool(
            d.path(),
            "keytool",
            &[
                "-genkeypair",
                "-alias",
                "twopw",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=twopw",
                "-keystore",
                "twopw.jks",
                "-storetype",
                "JKS",
                "-storepass",
                PW,
                "-keypass",
                "another-password",
            ],
        ),
        "keytool -genkeypair",
    );
    refused(
        d.path(),
        &[
            "keystore",
            "twopw.jks",
            "--password-file",
            "pw",
            "-o",
            "out.jks",
        ],
        2,
        &[
            "twopw",
            "per key password is not the same as the keystore password",
            "keytool -keypasswd",
        ],
    );
    write(d.path(), "short", "abc\n");
    refused(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            "client.key",
            "--password-file",
            "short",
            "--alias",
            "x",
            "-o",
            "out.jks",
        ],
        2,
        &["at least 6 characters"],
    );
    refused(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            "client.key",
            "--alias",
            "x",
            "-o",
            "out.jks",
        ],
        2,
        &["--password-file", "CHAINFIX_PASSWORD"],
    );
}

#[test]
fn salesforce_rules_refuse_before_writing() {
    // EC key.
    let ec = Pki::client(1, false);
    let d = pki_dir(&ec);
    let args = [
        "keystore",
        "root.pem",
        "pile.pem",
        "leaf.crt",
        "client.key",
        "--password-file",
        "pw",
        "--alias",
        "client",
        "-o",
        "out.jks",
    ];
    refused(
        d.path(),
        &args,
        2,
        &[
            "The key is not an RSA key.",
            "chainfix csr --key-type rsa2048",
        ],
    );
    // The same EC key is fine for a generic JKS.
    let o = chainfix(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            "client.key",
            "--password-file",
            "pw",
            "--alias",
            "client",
            "--for",
            "generic",
            "-o",
            "ec.jks",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // 1024-bit RSA: a self-signed certificate made by openssl.
    let small = format!("{}/testdata/keys/rsa1024-1.pem", env!("CARGO_MANIFEST_DIR"));
    ok(
        &tool(
            d.path(),
            "openssl",
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                &small,
                "-subj",
                "/CN=small",
                "-days",
                "30",
                "-out",
                "small.crt",
            ],
        ),
        "openssl req -x509",
    );
    refused(
        d.path(),
        &[
            "keystore",
            "small.crt",
            &small,
            "--password-file",
            "pw",
            "--alias",
            "small",
            "-o",
            "out.jks",
        ],
        2,
        &[
            "1024 bits",
            "Imported keys must have a bit size of 2048, 3072, or 4096.",
        ],
    );

    // A key that does not match the certificate.
    let rsa = Pki::client(1, true);
    let d = pki_dir(&rsa);
    let other = format!("{}/testdata/keys/rsa2048-8.pem", env!("CARGO_MANIFEST_DIR"));
    refused(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            &other,
            "--password-file",
            "pw",
            "--alias",
            "client",
            "-o",
            "out.jks",
        ],
        2,
        &["The private key does not match the certificate chain in the keystore."],
    );
    refused(
        d.path(),
        &[
            "keystore",
            "root.pem",
            "pile.pem",
            "leaf.crt",
            &other,
            "--password-file",
            "pw",
            "--alias",
            "client",
            "--for",
            "generic",
            "-o",
            "out.jks",
        ],
        1,
        &["matches none of the certificates"],
    );

    // Aliases: capitals, double underscore, leading digit.
    for (alias, why, suggestion) in [
        ("MyClient", "capital letters", "--alias myclient"),
        (
            "my__client",
            "two underscores in a row",
            "--alias my_client",
        ),
        (
            "2026_client",
            "begin with a letter",
            "--alias cert_2026_client",
        ),
    ] {
        refused(
            d.path(),
            &[
                "keystore",
                "root.pem",
                "pile.pem",
                "leaf.crt",
                "client.key",
                "--password-file",
                "pw",
                "--alias",
                alias,
                "-o",
                "out.jks",
            ],
            2,
            &[why, suggestion],
        );
    }
}

#[test]
fn keystore_completes_the_chain_from_intermediates_pool_like_bundle() {
    let pki = Pki::client(2, true);
    let d = pki_dir(&pki);
    // Only the leaf and key as inputs; the intermediates come from a pool.
    let o = chainfix(
        d.path(),
        &[
            "keystore",
            "leaf.crt",
            "client.key",
            "--password-file",
            "pw",
            "--format",
            "jks",
            "--alias",
            "api_client",
            "-o",
            "out.jks",
            "--intermediates",
            "pile.pem",
            "--intermediates",
            "root.pem",
            "--offline",
            "--no-cache",
        ],
    );
    ok(&o, "chainfix keystore with --intermediates");
    let list = keytool_list(d.path(), "out.jks");
    assert!(list.contains("Certificate chain length: 3"), "{list}");
}

#[test]
fn csr_never_replaces_an_existing_private_key_even_with_force() {
    let d = util::tempdir();
    write(
        d.path(),
        "client.key",
        "the key a certificate was issued for",
    );
    let args = [
        "csr",
        "--subject",
        "CN=c.example.test",
        "--key-type",
        "p256",
        "-o",
        "req.csr",
        "--key-out",
        "client.key",
        "--force",
    ];
    let o = chainfix(d.path(), &args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--key client.key"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.path().join("client.key")).unwrap(),
        b"the key a certificate was issued for"
    );
    assert!(!d.path().join("req.csr").exists());
    // The CSR itself may be replaced with --force.
    write(d.path(), "req.csr", "old request");
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "CN=c.example.test",
            "--key-type",
            "p256",
            "-o",
            "req.csr",
            "--key-out",
            "new.key",
            "--force",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(
        std::fs::read(d.path().join("req.csr")).unwrap(),
        b"old request"
    );
}
