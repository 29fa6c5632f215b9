//! A CRL signed by a certificate of its own (same name as the CA, another
//! key, keyUsage cRLSign only) whose certificatePolicies extension is
//! critical: RFC 5280 §6.3.3 (f) asks only that the signer have a valid
//! path, so Java, which reads certificatePolicies and uses CRLs from other
//! signers, uses the CRL: a certificate on it is revoked, as `openssl
//! verify -crl_check_all -extended_crl` with the same files says. OpenSSL
//! as libssl runs it (no `-extended_crl`) uses no such CRL at all.

use std::path::Path;
use std::process::Command;

use crate::httpd::Route;
use crate::revocation::{real_ca, verify};
use crate::util::openssl;

/// `openssl verify -crl_check_all` (`-extended_crl` when `extended`) with
/// the signer among the untrusted certificates and A's CRL signed by it.
fn openssl_verify(dir: &Path, leaf: &str, extended: bool) -> bool {
    let mut c = Command::new("openssl");
    c.args(["verify", "-crl_check_all"]);
    if extended {
        c.arg("-extended_crl");
    }
    crate::util::succeeds(
        c.args(["-CAfile", "root.pem", "-untrusted", "a.pem"])
            .args(["-untrusted", "a-signer.pem"])
            .args(["-CRLfile", "root.crl.pem", "-CRLfile", "a-signed.crl.pem"])
            .arg(leaf)
            .current_dir(dir),
        &format!("openssl verify {leaf}"),
    )
}

#[test]
fn a_crl_signer_with_critical_certificate_policies_has_a_valid_path() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let srv = &ca.server;
    let signer_ext = format!(
        "basicConstraints = critical, CA:false\nkeyUsage = critical, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n\
         certificatePolicies = critical, 1.3.6.1.4.1.99999.7\n\
         crlDistributionPoints = URI:{}\n",
        srv.url("/root.crl")
    );
    crate::revocation::issue_ext(dir, "root", "a-signer", "Intermediate A", &signer_ext);
    let shown = crate::util::stdout(&openssl(
        dir,
        &["x509", "-in", "a-signer.pem", "-noout", "-text"],
    ));
    assert!(
        shown.contains("X509v3 Certificate Policies: critical"),
        "{shown}"
    );
    // A's CRL (leaf-revoked on it), signed by the signer, naming its key.
    let cnf = dir.join("a/ca.cnf");
    let mut text = std::fs::read_to_string(&cnf).unwrap();
    text.push_str("[ by_signer ]\nauthorityKeyIdentifier = keyid:always\n");
    std::fs::write(&cnf, text).unwrap();
    let crl = crate::revocation::gencrl(
        dir,
        "a",
        "a-signed.crl",
        &[
            "-keyfile",
            "a-signer.key",
            "-cert",
            "a-signer.pem",
            "-crlexts",
            "by_signer",
        ],
    );
    srv.set("/a.crl", Route::Body("application/pkix-crl", crl));

    let run = |peer: &str, leaf: &str| {
        verify(
            dir,
            leaf,
            "a.pem",
            &[
                "--intermediates",
                "a-signer.pem",
                "--peer",
                peer,
                "--revocation",
                "crl",
                "--revocation-failure",
                "hard",
                "--no-cache",
            ],
        )
    };
    for (leaf, revoked) in [("leaf-revoked.pem", true), ("leaf-good.pem", false)] {
        // Java uses the CRL: revoked or good, as `openssl verify
        // -extended_crl` says.
        assert_eq!(openssl_verify(dir, leaf, true), !revoked, "{leaf}: openssl");
        let (ok, out) = run("java", leaf);
        assert_eq!(ok, !revoked, "java {leaf}\n{out}");
        if revoked {
            assert!(
                out.contains("revoked on") && out.contains("keyCompromise"),
                "java {leaf}\n{out}"
            );
        } else {
            assert!(!out.contains("could not check"), "java {leaf}\n{out}");
        }
        // Without -extended_crl (X509_V_FLAG_EXTENDED_CRL_SUPPORT, which
        // libssl does not set either) OpenSSL uses no CRL signed by another
        // key than the issuer's: error 3, "unable to get certificate CRL",
        // and so does chainfix's openssl peer.
        assert!(!openssl_verify(dir, leaf, false), "{leaf}: openssl");
        let (ok, out) = run("openssl", leaf);
        assert!(!ok, "openssl {leaf}\n{out}");
        assert!(
            out.contains("could not check") && out.contains("OpenSSL (curl) uses no such CRL"),
            "openssl {leaf}\n{out}"
        );
    }
}
