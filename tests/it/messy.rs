//! Files as they arrive by mail, chat and configuration: each case makes
//! real certificates with `openssl`, mangles them the way people's tools
//! do, and asserts exactly which certificates chainfix reads from them.

use std::path::Path;

use crate::util::{self, chainfix, openssl, stderr, stdout, write};

/// A root and a leaf it signed, as PEM files; returns their SHA-256s.
fn two_certs(dir: &Path) -> Vec<String> {
    for (name, subj) in [("root", "/CN=Messy Root"), ("leaf", "/CN=Messy Leaf")] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                subj,
            ],
        );
    }
    openssl(
        dir,
        &[
            "x509", "-req", "-in", "root.csr", "-key", "root.key", "-days", "30", "-out",
            "root.pem",
        ],
    );
    openssl(
        dir,
        &[
            "x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key", "-days",
            "30", "-out", "leaf.pem",
        ],
    );
    ["leaf.pem", "root.pem"]
        .iter()
        .map(|f| fingerprint(dir, f))
        .collect()
}

/// `openssl x509 -fingerprint -sha256`, as lowercase hex.
fn fingerprint(dir: &Path, file: &str) -> String {
    let out = openssl(
        dir,
        &["x509", "-in", file, "-noout", "-fingerprint", "-sha256"],
    );
    stdout(&out)
        .split('=')
        .nth(1)
        .unwrap()
        .trim()
        .replace(':', "")
        .to_lowercase()
}

/// The SHA-256 of every certificate `inspect --json` reads from `files`,
/// asserting a clean exit.
fn read(dir: &Path, files: &[&str]) -> Vec<String> {
    let mut args = vec!["inspect", "--json"];
    args.extend_from_slice(files);
    let o = chainfix(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{files:?}: {}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha256"].as_str().unwrap().to_string())
        .collect()
}

fn pems(dir: &Path) -> (String, String) {
    let leaf = std::fs::read_to_string(dir.join("leaf.pem")).unwrap();
    let root = std::fs::read_to_string(dir.join("root.pem")).unwrap();
    (leaf, root)
}

#[test]
fn messy_glued_boundaries_from_cat_without_a_final_newline() {
    let d = util::tempdir();
    let want = two_certs(d.path());
    let (leaf, root) = pems(d.path());
    write(d.path(), "glued.pem", format!("{}{root}", leaf.trim_end()));
    assert!(
        std::fs::read_to_string(d.path().join("glued.pem"))
            .unwrap()
            .contains("-----END CERTIFICATE----------BEGIN CERTIFICATE-----")
    );
    assert_eq!(read(d.path(), &["glued.pem"]), want);
}

#[test]
fn messy_single_line_with_literal_backslash_n_from_json_and_env() {
    let d = util::tempdir();
    let want = two_certs(d.path());
    let (leaf, root) = pems(d.path());
    let one_line = format!("{leaf}{root}").replace('\n', "\\n");
    write(
        d.path(),
        "secret.json",
        format!("{{\"certificate\": \"{one_line}\"}}\n"),
    );
    write(d.path(), "env.txt", format!("TLS_CHAIN={one_line}"));
    assert_eq!(read(d.path(), &["secret.json"]), want);
    assert_eq!(read(d.path(), &["env.txt"]), want);
}

#[test]
fn messy_cr_only_line_ends_from_classic_mac_os() {
    let d = util::tempdir();
    let want = two_certs(d.path());
    let (leaf, root) = pems(d.path());
    write(
        d.path(),
        "cr.pem",
        format!("{leaf}{root}").replace('\n', "\r"),
    );
    assert_eq!(read(d.path(), &["cr.pem"]), want);
}

#[test]
fn messy_quoted_printable_mail_attachment() {
    let d = util::tempdir();
    let want = two_certs(d.path());
    let (leaf, root) = pems(d.path());
    // What a mail client writes: `=` as `=3D`, long lines broken with
    // soft line breaks, a trailing space as `=20`.
    let mut qp = String::from("Here are the files=20\n");
    for line in format!("{leaf}{root}").lines() {
        let line = line.replace('=', "=3D");
        if line.len() > 40 {
            let (a, b) = line.split_at(40);
            qp.push_str(&format!("{a}=\n{b}\n"));
        } else {
            qp.push_str(&format!("{line}\n"));
        }
    }
    write(d.path(), "mail.txt", qp);
    assert_eq!(read(d.path(), &["mail.txt"]), want);
}

#[test]
fn messy_directory_with_readme_and_junk_is_read_with_notes() {
    let d = util::tempdir();
    let want = two_certs(d.path());
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(d.path().join("leaf.pem"), dir.join("leaf.pem")).unwrap();
    std::fs::copy(d.path().join("root.pem"), dir.join("root.pem")).unwrap();
    write(&dir, "README.txt", "These are our certificates. Ask Bob.\n");
    write(&dir, "DS_Store", b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00");
    write(&dir, "empty.txt", "");
    let mut got = read(d.path(), &["certs"]);
    got.sort();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
    let o = chainfix(d.path(), &["inspect", "certs"]);
    let err = stderr(&o);
    assert!(
        err.contains("README.txt") && err.contains("skipped, not certificate data"),
        "{err}"
    );
    // A damaged certificate in the directory is still an error.
    let (leaf, _) = pems(d.path());
    write(&dir, "broken.pem", leaf.replace("MII", "M*I"));
    let o = chainfix(d.path(), &["inspect", "certs"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn messy_crl_is_named_not_called_a_malformed_certificate() {
    let d = util::tempdir();
    two_certs(d.path());
    let key =
        rcgen::KeyPair::from_pem(&std::fs::read_to_string(d.path().join("root.key")).unwrap())
            .unwrap();
    let root_pem = std::fs::read_to_string(d.path().join("root.pem")).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&root_pem, &key).unwrap();
    let crl = rcgen::CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 1, 1),
        next_update: rcgen::date_time_ymd(2027, 1, 1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap();
    write(d.path(), "ca.crl", crl.der());
    write(d.path(), "ca-crl.pem", crl.pem().unwrap());
    for f in ["ca.crl", "ca-crl.pem"] {
        let o = chainfix(d.path(), &["inspect", "root.pem", f]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        // Read as a CRL (inspect's CRL table names its issuer and file),
        // never called a malformed certificate.
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.lines().any(|l| l.contains(f) && l.contains("CN=")),
            "{out}"
        );
        assert!(!stderr(&o).contains("malformed"), "{}", stderr(&o));
    }
}

#[test]
fn messy_dsa_key_in_pkcs12_leaves_the_certificate_readable() {
    let d = util::tempdir();
    openssl(d.path(), &["dsaparam", "-out", "p.pem", "2048"]);
    openssl(
        d.path(),
        &["genpkey", "-paramfile", "p.pem", "-out", "dsa.key"],
    );
    openssl(
        d.path(),
        &[
            "req", "-x509", "-new", "-key", "dsa.key", "-subj", "/CN=DSA", "-days", "3", "-out",
            "dsa.pem",
        ],
    );
    openssl(
        d.path(),
        &[
            "pkcs12", "-export", "-in", "dsa.pem", "-inkey", "dsa.key", "-passout", "pass:pw",
            "-out", "dsa.p12",
        ],
    );
    let want = fingerprint(d.path(), "dsa.pem");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(["inspect", "dsa.p12"])
        .current_dir(d.path())
        .env("CHAINFIX_PASSWORD", "pw")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&want[..9]), "{}", stdout(&o));
    assert!(stderr(&o).contains("key not used"), "{}", stderr(&o));
}

#[test]
fn messy_a_block_without_line_breaks_is_quoted_only_in_part() {
    let d = util::tempdir();
    two_certs(d.path());
    let (leaf, _) = pems(d.path());
    // Line breaks lost *and* the body damaged: an error, but a short one.
    let flat = leaf.replace('\n', "").replace("MII", "M*I");
    write(d.path(), "flat.pem", &flat);
    let o = chainfix(d.path(), &["inspect", "flat.pem"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for line in err.lines() {
        assert!(line.len() < 300, "{} characters: {line}", line.len());
    }
    assert!(err.contains("flat.pem"), "{err}");
}

#[test]
fn messy_names_and_negative_serials_read_as_openssl_reads_them() {
    let d = util::tempdir();
    util::openssl_self_signed(
        d.path(),
        "k.pem",
        "c.pem",
        "/C=US/O=Cisco Systems, Inc./CN=a\\+b #1",
        &["-set_serial", "-0x04316693ED"],
    );
    let want_serial = stdout(&openssl(
        d.path(),
        &["x509", "-in", "c.pem", "-noout", "-serial"],
    ));
    let o = chainfix(d.path(), &["inspect", "--json", "c.pem", "k.pem"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &j["certificates"][0];
    assert_eq!(c["subject"], "C=US, O=Cisco Systems\\, Inc., CN=a\\+b #1");
    assert_eq!(
        want_serial.trim(),
        format!("serial={}", c["serial"].as_str().unwrap())
    );
    // Which key belongs to which certificate.
    assert_eq!(
        j["keys"][0]["public_key_sha256"],
        c["public_key_sha256"].clone()
    );
    assert_eq!(j["keys"][0]["certificates"][0], c["sha256"].clone());
    let o = chainfix(d.path(), &["inspect", "c.pem", "k.pem"]);
    assert!(stdout(&o).contains("key of #1"), "{}", stdout(&o));
}

#[test]
fn messy_a_certificate_openssl_refuses_is_read_and_said_plainly() {
    let d = util::tempdir();
    util::openssl_self_signed(d.path(), "k.pem", "c.pem", "/CN=zzzz", &[]);
    // The subject's UTF8String "zzzz" made invalid UTF-8 (the issuer keeps
    // its own copy): the signature no longer matters, the parse does.
    let text = std::fs::read_to_string(d.path().join("c.pem")).unwrap();
    let mut der = pem::parse(&text).unwrap().into_contents();
    let at = der
        .windows(6)
        .enumerate()
        .filter(|(_, w)| *w == [0x0c, 0x04, b'z', b'z', b'z', b'z'])
        .map(|(i, _)| i)
        .nth(1)
        .expect("subject CN");
    der[at + 2] = 0xff;
    write(
        d.path(),
        "bad.pem",
        pem::encode(&pem::Pem::new("CERTIFICATE", der)),
    );
    let o = std::process::Command::new("openssl")
        .args(["x509", "-in", "bad.pem", "-noout"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(!o.status.success(), "openssl accepted it after all");
    let o = chainfix(d.path(), &["inspect", "bad.pem"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("OpenSSL refuses to parse this certificate (in its subject, the CN value is not a valid UTF8String)"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("X509Error"), "{}", stdout(&o));
    let o = chainfix(d.path(), &["inspect", "--json", "c.pem"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        j["certificates"][0]["openssl_refuses"],
        serde_json::Value::Null
    );
}

/// `chainfix ARGS` in `dir`, with io_uring batch reading on or off.
fn chainfix_uring(dir: &Path, args: &[&str], on: bool) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("CHAINFIX_PASSWORD")
        .env("NO_COLOR", "1")
        .env("CHAINFIX_IO_URING", if on { "1" } else { "0" })
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn messy_directory_reads_the_same_through_io_uring_as_one_file_at_a_time() {
    let d = util::tempdir();
    two_certs(d.path());
    let (leaf, root) = pems(d.path());
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    // More files than one io_uring batch (64), in name order.
    for i in 0..70 {
        let pem = if i % 2 == 0 { &leaf } else { &root };
        write(&dir, &format!("c{i:03}.pem"), pem);
    }
    // A link (O_NOFOLLOW refuses it in the ring; followed the usual way).
    std::os::unix::fs::symlink(d.path().join("root.pem"), dir.join("a-link.pem")).unwrap();
    // A file that cannot be read: the kernel's EIO from a process's memory
    // at address 0, as root reads a chmod 000 file.
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("b-mem.pem")).unwrap();
    let noperm = write(&dir, "b-noperm.pem", &root);
    std::fs::set_permissions(&noperm, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let root_user = std::fs::read(&noperm).is_ok();
    write(&dir, "empty.pem", "");
    // Bigger than a slot of the ring (64 KiB): 60 copies, one file.
    write(&dir, "pile.pem", format!("{leaf}{root}").repeat(60));
    // Exactly one byte past what the ring's first read takes.
    let mut over = leaf.clone().into_bytes();
    over.resize(64 * 1024, b'\n');
    write(&dir, "over.pem", &over);
    // A FIFO without a writer: skipped, never waited on.
    let fifo = std::ffi::CString::new(dir.join("fifo.pem").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);

    let want_fp = [
        fingerprint(d.path(), "leaf.pem"),
        fingerprint(d.path(), "root.pem"),
    ];
    for args in [
        &["inspect", "certs"][..],
        &["inspect", "--json", "certs"],
        &["inspect", "--verbose", "certs"],
    ] {
        let plain = chainfix_uring(d.path(), args, false);
        let ring = chainfix_uring(d.path(), args, true);
        assert_eq!(plain.status.code(), Some(2), "{args:?}: {}", stderr(&plain));
        assert_eq!(ring.status.code(), plain.status.code(), "{args:?}");
        assert_eq!(stdout(&ring), stdout(&plain), "{args:?}");
        assert_eq!(stderr(&ring), stderr(&plain), "{args:?}");
    }
    let o = chainfix_uring(d.path(), &["inspect", "--json", "certs"], true);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut got: Vec<String> = j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha256"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want = want_fp.to_vec();
    want.sort();
    assert_eq!(got, want);
    // The messages main's reader gives for these files.
    let err = stderr(&chainfix_uring(
        d.path(),
        &["inspect", "--verbose", "certs"],
        true,
    ));
    let expect = [
        "chainfix: cannot read certs/b-mem.pem: input/output error; check the path and its permissions",
        "dropped certs/empty.pem: skipped, not certificate data (empty)",
        "dropped certs/c001.pem:1: duplicate of certs/a-link.pem:1",
        "dropped certs/c002.pem:1: duplicate of certs/c000.pem:1",
        "dropped certs/c069.pem:1: duplicate of certs/a-link.pem:1",
        "dropped certs/over.pem:1: duplicate of certs/c000.pem:1",
        "dropped certs/pile.pem:120: duplicate of certs/a-link.pem:1",
    ];
    for line in expect {
        assert!(err.lines().any(|l| l == line), "{line}\n{err}");
    }
    // Root reads a chmod 000 file; anyone else is refused it.
    let noperm = if root_user {
        "dropped certs/b-noperm.pem:1: duplicate of certs/a-link.pem:1"
    } else {
        "chainfix: cannot read certs/b-noperm.pem: permission denied; check the path and its permissions"
    };
    assert!(err.lines().any(|l| l == noperm), "{noperm}\n{err}");
    assert!(!err.contains("fifo.pem"), "{err}");
}
