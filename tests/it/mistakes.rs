//! The common mistakes of a person at a terminal, each with files made by
//! the real `openssl`: the CSR instead of the certificate, a key alone, a
//! wrong password. Each must get one sentence that names the file given and
//! says what to do, with exit 2.

use std::path::Path;

use crate::util::{chainfix, openssl, openssl_ec_key, stderr, tempdir};

/// A P-256 key `leaf.key` and its CSR `leaf.csr`, made by openssl.
fn key_and_csr(d: &Path) {
    openssl_ec_key(d, "leaf.key");
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=client.example.com",
        ],
    );
}

/// Every command that reads certificates names the file when it was given
/// a key alone or a CSR alone: lint and roots said "no certificate was
/// found in the inputs", naming nothing, where verify named the file.
#[test]
fn a_key_or_a_csr_alone_is_named_by_every_command() {
    let dir = tempdir();
    let d = dir.path();
    key_and_csr(d);
    let commands: [&[&str]; 4] = [
        &["lint", "--profile", "salesforce-mtls"],
        &["roots"],
        &["verify"],
        &["inspect"],
    ];
    for cmd in commands {
        for (file, says) in [
            (
                "leaf.csr",
                "leaf.csr:1 is a certificate signing request (CSR), not a certificate",
            ),
            (
                "leaf.key",
                "leaf.key:1 holds a private key, but no certificate was given",
            ),
        ] {
            if cmd[0] == "inspect" && file == "leaf.key" {
                continue; // inspect shows a key alone: that is its job
            }
            let mut args = cmd.to_vec();
            args.push(file);
            let o = chainfix(d, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
        }
    }
}

/// The CSR given where the certificate belongs, beside the CA's bundle and
/// the key: bundle said "the private key matches none of the certificates
/// given" (exit 1) and keystore, given the CSR alone, "leaf.csr holds no
/// private key". Both now name the CSR for what it is (exit 2).
#[test]
fn the_csr_given_instead_of_the_certificate_is_named() {
    let dir = tempdir();
    let d = dir.path();
    key_and_csr(d);
    crate::util::openssl_self_signed(d, "ca.key", "ca-bundle.pem", "/CN=Some CA", &[]);
    std::fs::write(d.join("pw.txt"), "secret\n").unwrap();
    let runs: [&[&str]; 4] = [
        &[
            "bundle",
            "leaf.csr",
            "ca-bundle.pem",
            "--key",
            "leaf.key",
            "--offline",
        ],
        &[
            "bundle",
            "leaf.csr",
            "ca-bundle.pem",
            "leaf.key",
            "--offline",
        ],
        &[
            "keystore",
            "leaf.csr",
            "--format",
            "p12",
            "-o",
            "c.p12",
            "--password-file",
            "pw.txt",
        ],
        &[
            "keystore",
            "leaf.csr",
            "ca-bundle.pem",
            "--key",
            "leaf.key",
            "--format",
            "jks",
            "--alias",
            "a",
            "-o",
            "c.jks",
            "--password-file",
            "pw.txt",
            "--offline",
        ],
    ];
    for args in runs {
        let o = chainfix(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("leaf.csr:1 is a certificate signing request (CSR), not a certificate"),
            "{args:?}: {err}"
        );
        for out in ["fullcert.pem", "c.p12", "c.jks"] {
            assert!(!d.join(out).exists(), "{args:?} wrote {out}");
        }
    }
}
