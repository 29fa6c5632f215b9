//! What chainfix writes, read back by the real tools: `csr` subjects as
//! `openssl req -text` shows them, and an encrypted key written decrypted
//! only with a word about it.

use crate::util::{self, chainfix, openssl, stderr, stdout, write};

fn req_text(dir: &std::path::Path, file: &str) -> String {
    stdout(&openssl(
        dir,
        &[
            "req", "-in", file, "-noout", "-text", "-verify", "-nameopt", "RFC2253",
        ],
    ))
}

#[test]
fn csr_subject_reads_back_exactly_as_typed_with_rfc5280_string_types() {
    let d = util::tempdir();
    let typed = r"CN=api.example.com, O=Example\, Inc., OU=Ops+UID=ops1, C=US, emailAddress=ops@example.com, serialNumber=42, DC=example, DC=com";
    for (key_type, out) in [("p256", "p.csr"), ("rsa2048", "r.csr")] {
        let o = chainfix(
            d.path(),
            &[
                "csr",
                "--subject",
                typed,
                "--role",
                "client",
                "--key-type",
                key_type,
                "--key-out",
                &format!("{out}.key"),
                "-o",
                out,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = req_text(d.path(), out);
        // RFC 2253 output: most specific first, as typed (OpenSSL writes
        // no space after the commas and puts a multi-valued RDN's parts
        // in DER order).
        let want = r"CN=api.example.com,O=Example\, Inc.,UID=ops1+OU=Ops,C=US,emailAddress=ops@example.com,serialNumber=42,DC=example,DC=com";
        assert!(text.contains(&format!("Subject: {want}")), "{text}");
        let asn1 = stdout(&openssl(d.path(), &["asn1parse", "-in", out]));
        for (value, typ) in [
            ("US", "PRINTABLESTRING"),
            ("42", "PRINTABLESTRING"),
            ("example", "IA5STRING"),
            ("ops@example.com", "IA5STRING"),
            ("Example, Inc.", "UTF8STRING"),
        ] {
            assert!(
                asn1.lines()
                    .any(|l| l.contains(typ) && l.trim_end().ends_with(&format!(":{value}"))),
                "{value} as {typ}: {asn1}"
            );
        }
    }
}

#[test]
fn csr_for_a_server_without_san_gets_one_from_the_common_name() {
    let d = util::tempdir();
    let o = chainfix(
        d.path(),
        &[
            "csr",
            "--subject",
            "/C=US/O=Example/CN=api.example.com",
            "--role",
            "server",
            "--key-type",
            "p256",
            "-o",
            "s.csr",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = req_text(d.path(), "s.csr");
    assert!(text.contains("DNS:api.example.com"), "{text}");
    assert!(
        text.contains("Subject: CN=api.example.com,O=Example,C=US"),
        "{text}"
    );
}

#[test]
fn bundle_says_when_an_encrypted_key_is_written_decrypted() {
    let d = util::tempdir();
    util::openssl_self_signed(
        d.path(),
        "enc.key",
        "c.pem",
        "/CN=enc",
        &["-passout", "pass:pw"],
    );
    write(d.path(), "pw.txt", "pw\n");
    let bundle = |extra: &[&str]| {
        let mut args = vec![
            "bundle",
            "c.pem",
            "--key",
            "enc.key",
            "--password-file",
            "pw.txt",
        ];
        args.extend(extra);
        chainfix(d.path(), &args)
    };
    let o = bundle(&["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["key_written_decrypted"], true);
    // openssl reads the written key without a password.
    openssl(
        d.path(),
        &["pkey", "-in", "fullcert.pem", "-passin", "pass:", "-noout"],
    );
    let o = bundle(&["-o", "again.pem"]);
    assert!(
        stderr(&o).contains("written DECRYPTED") && stderr(&o).contains("--key-password-file"),
        "{}",
        stderr(&o)
    );
    // With --key-password-file it stays encrypted, and nothing is said.
    let o = bundle(&["--key-password-file", "pw.txt", "-o", "enc.pem", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["key_written_decrypted"], false);
    let text = std::fs::read_to_string(d.path().join("enc.pem")).unwrap();
    assert!(text.contains("ENCRYPTED PRIVATE KEY"));
}
