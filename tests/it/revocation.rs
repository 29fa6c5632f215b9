//! Revocation against a real CA made with `openssl ca` in the test: a root,
//! two intermediates and three client leaves whose cRLDistributionPoints
//! name CRLs served over HTTP on 127.0.0.1. One leaf and one intermediate
//! are revoked with `openssl ca -revoke`; chainfix must say revoked / good
//! exactly as `openssl verify -crl_check_all` does. Then the intermediate's
//! CRL URL turns hostile (huge, slow, garbage, wrong signer, stale) and
//! every run ends within its bounds with the cause named.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::httpd::{Route, Server};
use crate::util::{chainfix, openssl, stdout, tempdir, write};

pub(crate) fn config(dir: &Path, name: &str, cdp: &str, ocsp: &str) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(d.join("newcerts")).unwrap();
    write(&d, "index.txt", "");
    write(&d, "serial", "1000\n");
    write(&d, "crlnumber", "01\n");
    let cnf = format!(
        "[ ca ]\ndefault_ca = d\n[ d ]\ndir = {dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\n\
         serial = $dir/serial\ncrlnumber = $dir/crlnumber\ncertificate = $dir/ca.pem\nprivate_key = $dir/ca.key\n\
         default_md = sha256\ndefault_days = 365\ndefault_crl_days = 7\npolicy = p\nunique_subject = no\n\
         [ p ]\ncommonName = supplied\n\
         [ req ]\ndistinguished_name = dn\n[ dn ]\n\
         [ root ]\nbasicConstraints = critical, CA:true\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n\
         [ ca_ext ]\nbasicConstraints = critical, CA:true\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\ncrlDistributionPoints = URI:{cdp}\n\
         authorityInfoAccess = OCSP;URI:{ocsp}\n\
         [ leaf ]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = clientAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n\
         crlDistributionPoints = URI:{cdp}\nauthorityInfoAccess = OCSP;URI:{ocsp}\n\
         [ server ]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n\
         [ responder ]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\nnoCheck = ignored\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n",
        dir = d.display()
    );
    write(&d, "ca.cnf", cnf)
}

fn key(dir: &Path, name: &str) {
    crate::util::openssl_ec_key(dir, &format!("{name}.key"));
}

/// Issues `name` (a CA when `ext` is "ca_ext") from the CA in `ca_dir`.
pub(crate) fn issue(dir: &Path, ca: &str, name: &str, cn: &str, ext: &str) {
    issue_from(dir, ca, name, cn, ext, None);
}

/// Issues `name` from the CA in `ca` with the extensions `ext` (config
/// lines of one section, in a file of their own).
pub(crate) fn issue_ext(dir: &Path, ca: &str, name: &str, cn: &str, ext: &str) {
    let file = format!("{name}.ext");
    write(dir, &file, format!("[ x ]\n{ext}"));
    issue_from(dir, ca, name, cn, "x", Some(&file));
}

fn issue_from(dir: &Path, ca: &str, name: &str, cn: &str, ext: &str, extfile: Option<&str>) {
    key(dir, name);
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &format!("{name}.key"),
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    let cnf = format!("{ca}/ca.cnf");
    let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
    let mut args = vec!["ca", "-batch", "-notext", "-config", &cnf];
    if let Some(f) = extfile {
        args.extend_from_slice(&["-extfile", f]);
    }
    args.extend_from_slice(&["-extensions", ext, "-in", &csr, "-out", &pem]);
    openssl(dir, &args);
}

/// Revokes `cert` in the database of the CA in `ca`, with `reason`.
pub(crate) fn revoke(dir: &Path, ca: &str, cert: &str, reason: &str) {
    let cnf = format!("{ca}/ca.cnf");
    openssl(
        dir,
        &[
            "ca",
            "-config",
            &cnf,
            "-revoke",
            cert,
            "-crl_reason",
            reason,
        ],
    );
}

/// Makes `name` (issued already) a CA of its own: its key and certificate
/// in its directory, whose CRLs are served at `cdp`.
pub(crate) fn become_ca(dir: &Path, name: &str, cdp: &str, ocsp: &str) {
    config(dir, name, cdp, ocsp);
    std::fs::copy(
        dir.join(format!("{name}.pem")),
        dir.join(name).join("ca.pem"),
    )
    .unwrap();
    std::fs::copy(
        dir.join(format!("{name}.key")),
        dir.join(name).join("ca.key"),
    )
    .unwrap();
}

pub(crate) fn gencrl(dir: &Path, ca: &str, out: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["ca", "-gencrl", "-config"];
    let cnf = format!("{ca}/ca.cnf");
    args.push(&cnf);
    args.extend_from_slice(extra);
    let pem = format!("{out}.pem");
    args.extend_from_slice(&["-out", &pem]);
    openssl(dir, &args);
    openssl(dir, &["crl", "-in", &pem, "-outform", "DER", "-out", out]);
    std::fs::read(dir.join(out)).unwrap()
}

pub(crate) fn openssl_verify(dir: &Path, leaf: &str, chain: &str) -> bool {
    Command::new("openssl")
        .args([
            "verify",
            "-crl_check_all",
            "-CAfile",
            "root.pem",
            "-untrusted",
            chain,
        ])
        .args([
            "-CRLfile",
            "root.crl.pem",
            "-CRLfile",
            "a.crl.pem",
            "-CRLfile",
            "b.crl.pem",
        ])
        .arg(leaf)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success()
}

pub(crate) struct Ca {
    pub dir: tempfile::TempDir,
    pub server: Server,
    /// OCSP responder ports: root (for A and B), A, B.
    pub ocsp: [u16; 3],
}

pub(crate) fn ocsp_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// root → A (good) → leaf-good, leaf-revoked; root → B (revoked) → leaf-b.
pub(crate) fn real_ca() -> Ca {
    let t = tempdir();
    let dir = t.path();
    let server = Server::start();
    let ocsp = [
        crate::util::free_port(),
        crate::util::free_port(),
        crate::util::free_port(),
    ];
    let root_cnf = config(dir, "root", &server.url("/root.crl"), &ocsp_url(ocsp[0]));
    key(dir, "root/ca");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "root/ca.key",
            "-subj",
            "/CN=Revocation Test Root",
            "-days",
            "3650",
            "-config",
            root_cnf.to_str().unwrap(),
            "-extensions",
            "root",
            "-out",
            "root/ca.pem",
        ],
    );
    std::fs::copy(dir.join("root/ca.pem"), dir.join("root.pem")).unwrap();
    issue(dir, "root", "a", "Intermediate A", "ca_ext");
    issue(dir, "root", "b", "Intermediate B", "ca_ext");
    become_ca(dir, "a", &server.url("/a.crl"), &ocsp_url(ocsp[1]));
    become_ca(dir, "b", &server.url("/b.crl"), &ocsp_url(ocsp[2]));
    // A delegates its OCSP signing to a responder certificate.
    issue(dir, "a", "a-responder", "A OCSP Responder", "responder");
    issue(dir, "a", "leaf-good", "Good Client", "leaf");
    issue(dir, "a", "leaf-revoked", "Revoked Client", "leaf");
    issue(dir, "b", "leaf-b", "Client under B", "leaf");
    revoke(dir, "a", "leaf-revoked.pem", "keyCompromise");
    revoke(dir, "root", "b.pem", "cACompromise");
    for (ca, path) in [("root", "root.crl"), ("a", "a.crl"), ("b", "b.crl")] {
        let der = gencrl(dir, ca, path, &[]);
        server.set(
            &format!("/{path}"),
            Route::Body("application/pkix-crl", der),
        );
    }
    Ca {
        dir: t,
        server,
        ocsp,
    }
}

pub(crate) fn verify(dir: &Path, leaf: &str, inter: &str, extra: &[&str]) -> (bool, String) {
    let mut args = vec![
        "verify",
        leaf,
        inter,
        "--trust",
        "root.pem",
        "--fetch-timeout",
        "3",
        "--connect-timeout",
        "2",
    ];
    if !extra.contains(&"--revocation") {
        args.extend_from_slice(&["--revocation", "crl"]);
    }
    if !extra.contains(&"--cache-dir") && !extra.contains(&"--no-cache") {
        args.extend_from_slice(&["--cache-dir", "cache"]);
    }
    args.extend_from_slice(extra);
    let o = chainfix(dir, &args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        crate::util::stderr(&o)
    );
    (o.status.success(), stdout(&o))
}

#[test]
fn revoked_and_good_as_openssl_says_then_hostile_crl_endpoints() {
    let ca = real_ca();
    let dir = ca.dir.path();
    for (leaf, inter, want_revoked) in [
        ("leaf-good.pem", "a.pem", None),
        ("leaf-revoked.pem", "a.pem", Some("Revoked Client")),
        ("leaf-b.pem", "b.pem", Some("Intermediate B")),
    ] {
        let theirs = openssl_verify(dir, leaf, inter);
        let (ours, out) = verify(dir, leaf, inter, &[]);
        assert_eq!(ours, theirs, "{leaf}: openssl says {theirs}\n{out}");
        match want_revoked {
            None => assert!(out.contains("good (per http://127.0.0.1"), "{out}"),
            Some(who) => {
                assert!(out.contains("revoked on"), "{out}");
                assert!(
                    out.contains(&format!("\"{who}\"")) || out.contains(who),
                    "{out}"
                );
                assert!(out.contains("fix:"), "{out}");
            }
        }
    }
    let (_, out) = verify(dir, "leaf-revoked.pem", "a.pem", &[]);
    assert!(out.contains("keyCompromise"), "{out}");
    let (_, out) = verify(dir, "leaf-b.pem", "b.pem", &[]);
    assert!(
        out.contains("cACompromise") && out.contains("the CA has replaced the intermediate"),
        "{out}"
    );

    // --offline: the cache answers (the CRLs are current), and a fresh
    // cache has nothing, which a hard-failing check refuses.
    let (ok, out) = verify(dir, "leaf-good.pem", "a.pem", &["--offline"]);
    assert!(ok, "{out}");
    let (ok, out) = verify(
        dir,
        "leaf-good.pem",
        "a.pem",
        &["--offline", "--cache-dir", "empty-cache"],
    );
    assert!(!ok && out.contains("could not check"), "{out}");
    let (ok, out) = verify(
        dir,
        "leaf-good.pem",
        "a.pem",
        &[
            "--offline",
            "--cache-dir",
            "empty-cache",
            "--revocation-failure",
            "soft",
        ],
    );
    assert!(ok && out.contains("soft fail"), "{out}");

    // Hostile endpoints for A's CRL. Each run ends within its bounds.
    let good_a = std::fs::read(dir.join("a.crl")).unwrap();
    // A's CRL with its signature spoilt: what a CRL from the wrong signer
    // looks like to the checker (name right, key wrong).
    let wrong_signer = {
        let mut b = good_a.clone();
        let n = b.len();
        b[n - 5] ^= 0xff;
        b
    };
    let stale = gencrl(dir, "a", "a-stale.crl", &["-crlhours", "1"]);
    let cases: Vec<(&str, Route, &str)> = vec![
        ("huge", Route::Endless, "larger than 100000 bytes"),
        (
            "slow",
            Route::Slow(Duration::from_secs(30), good_a.clone()),
            "timed out",
        ),
        (
            "garbage",
            Route::Body("application/pkix-crl", b"<html>not found</html>".to_vec()),
            "not a CRL",
        ),
        (
            "wrong signer",
            Route::Body("application/pkix-crl", wrong_signer),
            "does not verify",
        ),
        ("stale", Route::Body("application/pkix-crl", stale), "stale"),
    ];
    for (what, route, says) in cases {
        ca.server.set("/a.crl", route);
        let at = if what == "stale" {
            // Two hours on: past the one-hour CRL's nextUpdate.
            let t = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        } else {
            String::new()
        };
        let mut extra = vec!["--no-cache", "--max-crl-size", "100000"];
        if !at.is_empty() {
            extra.extend_from_slice(&["--at", &at]);
        }
        let t0 = Instant::now();
        let (ok, out) = verify(dir, "leaf-good.pem", "a.pem", &extra);
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "{what}: took {:?}",
            t0.elapsed()
        );
        assert!(
            !ok,
            "{what}: a hostile CRL must not pass under hard fail\n{out}"
        );
        assert!(
            out.contains("could not check") && out.contains(says),
            "{what}:\n{out}"
        );
    }
}

/// A real `openssl ocsp -index … -port` responder for one CA.
pub(crate) fn responder(
    dir: &Path,
    ca: &str,
    port: u16,
    signer: &str,
    key: &str,
) -> crate::util::Guard {
    let child = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            &format!("{ca}/index.txt"),
            "-port",
            &port.to_string(),
        ])
        .args([
            "-CA",
            &format!("{ca}/ca.pem"),
            "-rsigner",
            signer,
            "-rkey",
            key,
        ])
        .args(["-ndays", "1"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl is installed");
    let g = crate::util::Guard(child);
    // Not by connecting: openssl's responder serves one connection at a
    // time and stalls on one that closes without a request.
    let t0 = Instant::now();
    while !listening(port) {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "no OCSP responder on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    g
}

/// True when a socket listens on `port` (Linux /proc/net/tcp{,6}).
pub(crate) fn listening(port: u16) -> bool {
    let want = format!(":{port:04X} ");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|f| {
        std::fs::read_to_string(f).is_ok_and(|t| {
            t.lines()
                .any(|l| l.split_whitespace().nth(3) == Some("0A") && l.contains(&want))
        })
    })
}

/// `openssl ocsp`'s own verdict for `cert` issued by `issuer`: "good",
/// "revoked" or "unknown".
pub(crate) fn openssl_ocsp(dir: &Path, cert: &str, issuer: &str, port: u16) -> String {
    let o = Command::new("openssl")
        .args([
            "ocsp",
            "-issuer",
            issuer,
            "-cert",
            cert,
            "-url",
            &ocsp_url(port),
        ])
        .args(["-CAfile", "root.pem", "-timeout", "5"])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for w in ["good", "revoked", "unknown"] {
        if text.contains(&format!("{cert}: {w}")) {
            return w.into();
        }
    }
    panic!(
        "openssl ocsp said: {text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn ocsp_answers_as_openssl_ocsp_does() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let _root = responder(dir, "root", ca.ocsp[0], "root/ca.pem", "root/ca.key");
    let _a = responder(dir, "a", ca.ocsp[1], "a-responder.pem", "a-responder.key");
    let _b = responder(dir, "b", ca.ocsp[2], "b/ca.pem", "b/ca.key");
    for (leaf, inter, port) in [
        ("leaf-good.pem", "a.pem", ca.ocsp[1]),
        ("leaf-revoked.pem", "a.pem", ca.ocsp[1]),
        ("leaf-b.pem", "b.pem", ca.ocsp[2]),
    ] {
        let leaf_says = openssl_ocsp(dir, leaf, inter, port);
        let inter_says = openssl_ocsp(dir, inter, "root.pem", ca.ocsp[0]);
        let (ok, out) = verify(dir, leaf, inter, &["--revocation", "ocsp", "--no-cache"]);
        let first = |line: usize| {
            out.lines()
                .skip_while(|l| !l.starts_with("revocation ("))
                .nth(line)
                .unwrap_or("")
                .to_string()
        };
        for (line, says) in [(first(1), &leaf_says), (first(2), &inter_says)] {
            let ours = if line.contains(": good") {
                "good"
            } else if line.contains(": revoked") {
                "revoked"
            } else {
                "other"
            };
            assert_eq!(ours, says, "{leaf}: openssl ocsp says {says}\n{out}");
        }
        assert_eq!(ok, leaf_says == "good" && inter_says == "good", "{out}");
    }
}

/// `openssl s_server` stapling `status` (a DER OCSP response file), or
/// nothing when None.
fn stapling_server(dir: &Path, status: Option<&str>) -> (crate::util::Guard, u16) {
    let port = crate::util::free_port();
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
        .args([
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-cert_chain",
            "a.pem",
        ]);
    if let Some(f) = status {
        cmd.args(["-status_file", f]);
    }
    let child = cmd
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl is installed");
    let g = crate::util::Guard(child);
    let t0 = Instant::now();
    while !listening(port) {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "no s_server on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (g, port)
}

#[test]
fn probe_judges_a_stapled_ocsp_response() {
    let ca = real_ca();
    let dir = ca.dir.path();
    issue(dir, "a", "server", "localhost", "server");
    // A's responder answers for the server certificate offline, into a file.
    let respond =
        |out: &str| ocsp_response(dir, "a-responder.pem", "a-responder.key", "server.pem", out);
    respond("good.der");
    revoke(dir, "a", "server.pem", "superseded");
    respond("revoked.der");
    for (file, want) in [
        (Some("good.der"), "stapled OCSP response: good"),
        (Some("revoked.der"), "stapled OCSP response: revoked on"),
        (None, "stapled OCSP response: none"),
    ] {
        let (_g, port) = stapling_server(dir, file);
        let target = format!("127.0.0.1:{port}");
        let o = chainfix(
            dir,
            &[
                "probe",
                &target,
                "--servername",
                "localhost",
                "--trust",
                "root.pem",
                "--timeout",
                "10",
            ],
        );
        let out = stdout(&o);
        assert!(
            out.contains(want),
            "{file:?}: {out}{}",
            crate::util::stderr(&o)
        );
    }
}

/// A server stapling a response signed by a delegated responder without
/// id-pkix-ocsp-nocheck: probe adds the same note verify's OCSP path gives
/// for that responder (RFC 6960 §4.2.2.2.1), word for word, and says in
/// --json which responder signed; a responder with nocheck gets no note.
#[test]
fn probe_notes_a_stapled_response_from_a_responder_without_nocheck() {
    let ca = real_ca();
    let dir = ca.dir.path();
    issue(dir, "a", "server", "localhost", "server");
    issue_ext(
        dir,
        "a",
        "plain-responder",
        "A Responder Without nocheck",
        "basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n",
    );
    ocsp_response(
        dir,
        "plain-responder.pem",
        "plain-responder.key",
        "server.pem",
        "plain.der",
    );
    ocsp_response(
        dir,
        "a-responder.pem",
        "a-responder.key",
        "server.pem",
        "nocheck.der",
    );
    // What verify's OCSP path says of the same responder.
    let _r = responder(
        dir,
        "a",
        ca.ocsp[1],
        "plain-responder.pem",
        "plain-responder.key",
    );
    let (_, out) = verify(
        dir,
        "leaf-good.pem",
        "a.pem",
        &["--revocation", "ocsp", "--no-cache"],
    );
    let note = out
        .lines()
        .find(|l| l.contains("has no id-pkix-ocsp-nocheck"))
        .unwrap_or_else(|| panic!("verify gives no nocheck note:\n{out}"))
        .trim()
        .to_string();
    assert!(note.contains("A Responder Without nocheck"), "{note}");
    let probe = |file: &str, json: bool| {
        let (_g, port) = stapling_server(dir, Some(file));
        let target = format!("127.0.0.1:{port}");
        let mut args = vec![
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "root.pem",
            "--timeout",
            "10",
        ];
        if json {
            args.push("--json");
        }
        let o = chainfix(dir, &args);
        (stdout(&o), crate::util::stderr(&o))
    };
    let (out, err) = probe("plain.der", false);
    assert!(out.contains("stapled OCSP response: good"), "{out}{err}");
    assert!(
        out.lines().any(|l| l.trim() == note),
        "want {note:?}:\n{out}{err}"
    );
    let (out, err) = probe("nocheck.der", false);
    assert!(out.contains("stapled OCSP response: good"), "{out}{err}");
    assert!(!out.contains("id-pkix-ocsp-nocheck extension"), "{out}");
    let (out, err) = probe("plain.der", true);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert_eq!(
        v["stapled_ocsp_responder"],
        serde_json::json!({"subject": "CN=A Responder Without nocheck", "nocheck": false}),
        "{v:#}"
    );
    let errs = crate::schema::errors(&crate::schema::load("probe-schema.json"), &v);
    assert!(errs.is_empty(), "{errs:#?}\n{v:#}");
    let (out, _) = probe("nocheck.der", true);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stapled_ocsp_responder"]["nocheck"], true, "{v:#}");
}

#[test]
fn hostile_ocsp_responders_end_within_bounds() {
    let ca = real_ca();
    let dir = ca.dir.path();
    // A second door into CA A whose leaves name an OCSP URL on the test
    // server, where each hostile answer is put in turn.
    let ocsp = ca.server.url("/ocsp");
    config(dir, "a2", &ca.server.url("/a.crl"), &ocsp);
    std::fs::copy(dir.join("a.pem"), dir.join("a2/ca.pem")).unwrap();
    std::fs::copy(dir.join("a.key"), dir.join("a2/ca.key")).unwrap();
    issue(dir, "a2", "leaf-h", "Hostile OCSP Client", "leaf");
    // A genuine response, but to another request (for another certificate,
    // with openssl's own nonce): a replay.
    ocsp_response(dir, "a/ca.pem", "a/ca.key", "leaf-good.pem", "other.der");
    let other = std::fs::read(dir.join("other.der")).unwrap();
    let cases: Vec<(&str, Route, &str)> = vec![
        ("huge", Route::Endless, "larger than 100000 bytes"),
        (
            "slow",
            Route::Slow(Duration::from_secs(30), other.clone()),
            "timed out",
        ),
        (
            "garbage",
            Route::Body("application/ocsp-response", b"<html/>".to_vec()),
            "is not",
        ),
        ("error", Route::Status(500), "HTTP 500"),
        (
            "replayed response",
            Route::Body("application/ocsp-response", other),
            "another request's nonce",
        ),
    ];
    for (what, route, says) in cases {
        ca.server.set("/ocsp/*", route);
        let (ok, out) = bounded_ocsp_verify(dir, "leaf-h.pem", what);
        assert!(!ok, "{what}: must not pass under hard fail\n{out}");
        assert!(
            out.contains("could not check") && out.contains(says),
            "{what}:\n{out}"
        );
    }
}

/// `verify --revocation ocsp` of `leaf` (under A) against a hostile
/// responder, with a body cap of 100000 bytes; it must end within 20 s.
pub(crate) fn bounded_ocsp_verify(dir: &Path, leaf: &str, what: &str) -> (bool, String) {
    let t0 = Instant::now();
    let args = [
        "--revocation",
        "ocsp",
        "--no-cache",
        "--max-crl-size",
        "100000",
    ];
    let r = verify(dir, leaf, "a.pem", &args);
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(20), "{what}: {took:?}");
    r
}

/// A's answer for `cert`, signed with `signer` and `key`, made by `openssl
/// ocsp` from A's database into the file `out` (current for a day).
pub(crate) fn ocsp_response(dir: &Path, signer: &str, key: &str, cert: &str, out: &str) {
    let args = [
        "ocsp",
        "-index",
        "a/index.txt",
        "-CA",
        "a/ca.pem",
        "-issuer",
        "a.pem",
        "-ndays",
        "1",
    ];
    openssl(
        dir,
        &[
            &args[..],
            &[
                "-rsigner", signer, "-rkey", key, "-cert", cert, "-respout", out,
            ],
        ]
        .concat(),
    );
}

/// `openssl verify` as curl runs it: no CRL checking.
fn openssl_verify_plain(dir: &Path, leaf: &str, chain: &str) -> bool {
    Command::new("openssl")
        .args(["verify", "-CAfile", "root.pem", "-untrusted", chain, leaf])
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success()
}

/// Without --revocation, the peer's profile decides: Salesforce checks the
/// CRL and refuses a revoked leaf (as `openssl verify -crl_check_all`),
/// OpenSSL (curl) does not check and accepts it (as plain `openssl verify`),
/// and the verdict headline and exit code agree with the revocation result.
#[test]
fn the_peer_profile_decides_whether_revocation_is_checked() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let run = |peer: &str, json: bool| {
        let mut args = vec![
            "verify",
            "leaf-revoked.pem",
            "a.pem",
            "--trust",
            "root.pem",
            "--peer",
            peer,
            "--fetch-timeout",
            "3",
            "--no-cache",
        ];
        if json {
            args.push("--json");
        }
        chainfix(dir, &args)
    };

    let o = run("salesforce", false);
    let out = stdout(&o);
    assert!(!openssl_verify(dir, "leaf-revoked.pem", "a.pem"));
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("Salesforce refuses: the certificate \"CN=Revoked Client\": revoked on")
            || out.contains("Salesforce refuses: the certificate \"Revoked Client\": revoked on"),
        "{out}"
    );
    assert!(
        out.contains("keyCompromise") && out.contains("revocation (CRL, soft fail)"),
        "{out}"
    );
    assert!(!out.contains("accepts"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&run("salesforce", true).stdout).unwrap();
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["verdict"]["accepted"], false, "{v}");
    assert_eq!(
        v["verdict"]["reason"]["problem"]["problem"], "revoked",
        "{v}"
    );
    assert_eq!(v["revocation"]["from_peer"], true, "{v}");
    assert_eq!(v["revocation"]["refused"], true, "{v}");
    // diagnose judges with the same default and names the revocation.
    let o = chainfix(
        dir,
        &[
            "diagnose",
            "leaf-revoked.pem",
            "a.pem",
            "--trust",
            "root.pem",
            "--peer",
            "salesforce",
            "--no-cache",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("revoked"), "{}", stdout(&o));

    let o = run("openssl", false);
    let out = stdout(&o);
    assert!(openssl_verify_plain(dir, "leaf-revoked.pem", "a.pem"));
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("OpenSSL (curl) accepts this chain"), "{out}");
    assert!(
        out.contains(
            "revocation: not checked: OpenSSL (curl) does not check revocation unless asked; --revocation crl to check"
        ),
        "{out}"
    );

    // --revocation off turns Salesforce's check off.
    let o = chainfix(
        dir,
        &[
            "verify",
            "leaf-revoked.pem",
            "a.pem",
            "--trust",
            "root.pem",
            "--peer",
            "salesforce",
            "--revocation",
            "off",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("revocation:"), "{}", stdout(&o));
}

/// The Salesforce default on a PKI whose certificates name no CRL
/// distribution point: nothing is fetched, the chain passes (soft fail)
/// with a warning that says why and what the risk is; --offline the same.
#[test]
fn salesforce_default_without_crl_urls_fetches_nothing_and_warns() {
    let t = tempdir();
    let dir = t.path();
    let p = crate::pki::Pki::client(1, false);
    write(dir, "chain.pem", p.chain_pems().concat());
    write(dir, "root.pem", p.root.pem());
    for extra in [&[][..], &["--offline"][..]] {
        let mut args = vec![
            "verify",
            "chain.pem",
            "--trust",
            "root.pem",
            "--peer",
            "salesforce",
            "--at",
            "2026-06-01T00:00:00Z",
            "--no-cache",
        ];
        args.extend_from_slice(extra);
        let o = chainfix(dir, &args);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert!(out.contains("Salesforce accepts this chain"), "{out}");
        assert!(
            out.contains("warning: the revocation status of the leaf")
                && out.contains("it names no CRL distribution point")
                && out.contains("what Salesforce does is not documented"),
            "{out}"
        );
        args.push("--json");
        let v: serde_json::Value = serde_json::from_slice(&chainfix(dir, &args).stdout).unwrap();
        assert_eq!(v["revocation"]["mode"], "crl", "{v}");
        assert_eq!(v["revocation"]["failure"], "soft", "{v}");
        assert!(v["revocation"].get("fetched").is_none(), "{v}");
        assert_eq!(v["verdict"]["accepted"], true, "{v}");
    }
}

/// How a test run judges revocation: chainfix's flags, and the real
/// `openssl verify` / `s_server` it must agree with.
struct Judging {
    peer: &'static str,
    /// `--revocation crl` added (else the peer's default).
    crl: bool,
    /// The real peer checks CRLs (`-crl_check_all`).
    checks_crls: bool,
}

/// What one command said: (command, accepted, exit code, what it printed).
fn every_command(
    dir: &Path,
    case: &str,
    j: &Judging,
    port: u16,
) -> Vec<(&'static str, bool, Option<i32>, String)> {
    let chain = format!("{case}-chain.pem");
    let key = format!("{case}.key");
    let mut common = vec![
        "--trust",
        "root.pem",
        "--peer",
        j.peer,
        "--fetch-timeout",
        "3",
        "--cache-dir",
        "cache",
        "--json",
    ];
    if j.crl {
        common.extend_from_slice(&["--revocation", "crl"]);
    }
    let out = format!("{case}-{}-{}", j.peer, j.crl);
    let (bundle_out, ks_out) = (format!("{out}.pem"), format!("{out}.p12"));
    let target = format!("127.0.0.1:{port}");
    let runs: Vec<(&str, Vec<&str>, &[&str])> = vec![
        ("verify", vec!["verify", &chain], &["verdict"]),
        ("diagnose", vec!["diagnose", &chain], &["verdict"]),
        (
            "lint",
            vec!["lint", &chain, "--profile", "client"],
            &["verdict"],
        ),
        (
            "bundle",
            vec!["bundle", &chain, &key, "-o", &bundle_out],
            &["verdict"],
        ),
        (
            "keystore",
            vec![
                "keystore",
                &chain,
                &key,
                "--format",
                "p12",
                "-o",
                &ks_out,
                "--out-password-file",
                "pw",
            ],
            &["verdict"],
        ),
        (
            "probe",
            vec![
                "probe",
                &target,
                "--servername",
                "localhost",
                "--cert",
                &chain,
                "--key",
                &key,
                "--timeout",
                "10",
            ],
            &["client_chain", "verdict"],
        ),
    ];
    runs.into_iter()
        .map(|(cmd, head, path)| {
            let args: Vec<&str> = head.iter().chain(common.iter()).copied().collect();
            let o = chainfix(dir, &args);
            let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
                panic!("{args:?}: {e}\n{}{}", stdout(&o), crate::util::stderr(&o))
            });
            let v = path.iter().fold(&doc, |v, p| &v[*p]);
            let accepted = v["accepted"]
                .as_bool()
                .unwrap_or_else(|| panic!("{cmd}: no verdict in {doc:#}"));
            (cmd, accepted, o.status.code(), format!("{doc:#}"))
        })
        .collect()
}

/// The agreement test for revocation: a revoked leaf, a leaf under a
/// revoked intermediate and a good leaf, judged by verify, diagnose, lint,
/// bundle, keystore and probe (presenting the chain to a real `openssl
/// s_server -verify_return_error`, with the CRLs and `-crl_check_all` when
/// the peer checks CRLs). Every command must accept or refuse as the real
/// `openssl verify` does (`-crl_check_all` for Salesforce and for
/// `--revocation crl`, plain for OpenSSL's default), and the real server
/// must too; bundle and keystore write nothing for a refused chain.
#[test]
fn every_command_refuses_a_revoked_chain_as_the_peer_does() {
    let ca = real_ca();
    let dir = ca.dir.path();
    issue(dir, "a", "server", "localhost", "server");
    write(dir, "pw", "revocation-test\n");
    let cases = [
        ("leaf-good", "a.pem"),
        ("leaf-revoked", "a.pem"),
        ("leaf-b", "b.pem"),
    ];
    for (leaf, inter) in cases {
        let text = std::fs::read_to_string(dir.join(format!("{leaf}.pem"))).unwrap()
            + &std::fs::read_to_string(dir.join(inter)).unwrap();
        write(dir, &format!("{leaf}-chain.pem"), text);
    }
    // The server's store: the root and the three CRLs, hashed as OpenSSL
    // looks them up (s_server's -CRL takes one CRL only).
    std::fs::create_dir_all(dir.join("store")).unwrap();
    for f in ["root.pem", "root.crl.pem", "a.crl.pem", "b.crl.pem"] {
        std::fs::copy(dir.join(f), dir.join("store").join(f)).unwrap();
    }
    openssl(dir, &["rehash", "store"]);
    let server = |crl: bool| {
        let extra: &[&str] = if crl {
            &["-verifyCApath", "store", "-crl_check_all"]
        } else {
            &[]
        };
        crate::util::openssl_mtls_server_opts(
            dir,
            &dir.join("server.pem"),
            Some(&dir.join("a.pem")),
            &dir.join("server.key"),
            &dir.join("root.pem"),
            extra,
        )
    };
    let (_plain, plain_port) = server(false);
    let (_crl, crl_port) = server(true);
    let judgings = [
        Judging {
            peer: "salesforce",
            crl: false,
            checks_crls: true,
        },
        Judging {
            peer: "openssl",
            crl: false,
            checks_crls: false,
        },
        Judging {
            peer: "openssl",
            crl: true,
            checks_crls: true,
        },
    ];
    for j in &judgings {
        for (leaf, inter) in cases {
            let leaf_file = format!("{leaf}.pem");
            let want = if j.checks_crls {
                openssl_verify(dir, &leaf_file, inter)
            } else {
                openssl_verify_plain(dir, &leaf_file, inter)
            };
            assert_eq!(
                want,
                leaf == "leaf-good" || !j.checks_crls,
                "the test PKI: openssl verify says {want} for {leaf}"
            );
            let port = if j.checks_crls { crl_port } else { plain_port };
            let said = every_command(dir, leaf, j, port);
            let what = format!("{leaf} --peer {} (--revocation crl: {})", j.peer, j.crl);
            for (cmd, accepted, code, doc) in &said {
                assert_eq!(
                    *accepted, want,
                    "{what}: {cmd} disagrees with openssl\n{doc}"
                );
                if !want {
                    assert_eq!(*code, Some(1), "{what}: {cmd} refuses but exits {code:?}");
                    assert!(
                        doc.contains("\"problem\": \"revoked\""),
                        "{what}: {cmd}\n{doc}"
                    );
                }
                let v: serde_json::Value = serde_json::from_str(doc).unwrap();
                let rv = match *cmd {
                    "probe" => &v["client_chain"]["revocation"],
                    _ => &v["revocation"],
                };
                assert_eq!(
                    rv["mode"],
                    if j.checks_crls { "crl" } else { "off" },
                    "{what}: {cmd}\n{doc}"
                );
                match *cmd {
                    "bundle" | "keystore" => {
                        let f = if *cmd == "bundle" { "pem" } else { "p12" };
                        let out = dir.join(format!("{leaf}-{}-{}.{f}", j.peer, j.crl));
                        assert_eq!(out.exists(), want, "{what}: {cmd} wrote {out:?}?\n{doc}");
                        assert_eq!(v["output"].is_null(), !want, "{what}: {cmd}\n{doc}");
                    }
                    "probe" => {
                        // The real server, checking CRLs or not, agrees.
                        assert_eq!(
                            v["attempts"][0]["accepted"], want,
                            "{what}: s_server\n{doc}"
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    // probe judges the server's chain with the same stage: revoke the
    // server certificate, publish A's new CRL, and ask as Salesforce (CRLs:
    // given with --crl, as the server certificate names no distribution
    // point) and as OpenSSL (no check), beside the real openssl verify.
    revoke(dir, "a", "server.pem", "superseded");
    let der = gencrl(dir, "a", "a.crl", &[]);
    ca.server
        .set("/a.crl", Route::Body("application/pkix-crl", der));
    let target = format!("127.0.0.1:{plain_port}");
    for (peer, crl, want) in [
        (
            "salesforce",
            &["--crl", "a.crl.pem"][..],
            openssl_verify(dir, "server.pem", "a.pem"),
        ),
        (
            "openssl",
            &[][..],
            openssl_verify_plain(dir, "server.pem", "a.pem"),
        ),
    ] {
        let mut args = vec![
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "root.pem",
            "--peer",
            peer,
            "--no-cache",
            "--timeout",
            "10",
            "--json",
        ];
        args.extend_from_slice(crl);
        let o = chainfix(dir, &args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["server"]["verdict"]["accepted"], want, "{peer}: {v:#}");
        // (The handshake itself fails: this server wants a client certificate.)
        assert_eq!(v["server"]["chain_valid"], want, "{peer}: {v:#}");
        let revoked = v["server"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "revoked");
        assert_eq!(revoked, !want, "{peer}: {v:#}");
    }
    assert!(!openssl_verify(dir, "server.pem", "a.pem"));

    // The text says which certificate, since when, why and the fix, and
    // that nothing was written.
    let o = chainfix(
        dir,
        &[
            "bundle",
            "leaf-b-chain.pem",
            "leaf-b.key",
            "--trust",
            "root.pem",
            "--peer",
            "salesforce",
            "--cache-dir",
            "cache",
            "-o",
            "text.pem",
        ],
    );
    let err = crate::util::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!dir.join("text.pem").exists());
    for says in [
        "the intermediate \"CN=Intermediate B\" was revoked by its CA on",
        "cACompromise",
        "fix: the CA has replaced the intermediate",
        "Salesforce refuses: the intermediate",
        "error: nothing written to text.pem: the peer refuses this chain for revocation",
    ] {
        assert!(err.contains(says), "{says:?} not in:\n{err}");
    }
    // OpenSSL's default says it did not check, in every command's text.
    for args in [
        &["lint", "leaf-revoked-chain.pem", "--profile", "client"][..],
        &[
            "bundle",
            "leaf-revoked-chain.pem",
            "leaf-revoked.key",
            "-o",
            "t2.pem",
        ][..],
    ] {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--trust", "root.pem", "--peer", "openssl"]);
        let o = chainfix(dir, &a);
        let text = stdout(&o) + &crate::util::stderr(&o);
        assert!(
            text.contains(
                "revocation: not checked: OpenSSL (curl) does not check revocation unless asked"
            ),
            "{args:?}:\n{text}"
        );
    }
}

/// Every `headline` in a JSON document.
fn headlines(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .flat_map(|(k, x)| match (k.as_str(), x) {
                ("headline", serde_json::Value::String(h)) => vec![h.clone()],
                _ => headlines(x),
            })
            .collect(),
        serde_json::Value::Array(a) => a.iter().flat_map(headlines).collect(),
        _ => Vec::new(),
    }
}

/// `--policy` is one of the stages every command runs: a path whose
/// certificates carry no certificatePolicies is valid for no policy, so
/// with `--policy` verify says not valid, lint exits 1, and bundle and
/// keystore write nothing, every headline saying "refuses" with the policy
/// problem; without it all four pass and say "accepts".
#[test]
fn policy_refuses_in_every_command_alike() {
    let t = tempdir();
    let dir = t.path();
    let p = crate::pki::Pki::client(1, false);
    write(dir, "chain.pem", p.chain_pems().concat());
    write(dir, "leaf.key", p.leaf.key_pem());
    write(dir, "root.pem", p.root.pem());
    write(dir, "pw", "policy-test\n");
    for (policy, ok) in [
        (&["--policy", "1.3.6.1.4.1.99999.1"][..], false),
        (&[][..], true),
    ] {
        let common = [
            "--trust",
            "root.pem",
            "--peer",
            "openssl",
            "--at",
            "2026-06-01",
            "--offline",
            "--no-cache",
            "--json",
        ];
        for (cmd, head) in [
            ("verify", &["verify", "chain.pem"][..]),
            ("lint", &["lint", "chain.pem", "--profile", "client"][..]),
            (
                "bundle",
                &["bundle", "chain.pem", "leaf.key", "-o", "out.pem"][..],
            ),
            (
                "keystore",
                &[
                    "keystore",
                    "chain.pem",
                    "leaf.key",
                    "--format",
                    "p12",
                    "-o",
                    "out.p12",
                    "--out-password-file",
                    "pw",
                ][..],
            ),
        ] {
            let mut args = head.to_vec();
            args.extend_from_slice(&common);
            args.extend_from_slice(policy);
            let o = chainfix(dir, &args);
            let v: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{cmd}: {e}\n{}", crate::util::stderr(&o)));
            if cmd != "lint" {
                assert_eq!(o.status.success(), ok, "{cmd} {policy:?}: {v:#}");
            } else if !ok {
                assert_eq!(o.status.code(), Some(1), "{cmd}: {v:#}");
            }
            assert_eq!(v["policies"].is_array(), !ok, "{cmd} {policy:?}: {v:#}");
            // The headline is the verdict the exit code comes from.
            let heads = headlines(&v);
            assert!(!heads.is_empty(), "{cmd}: no headline: {v:#}");
            for h in &heads {
                let said = if ok { "accepts" } else { "refuses" };
                assert!(h.contains(said), "{cmd} {policy:?}: {h}");
            }
            if !ok {
                assert!(
                    heads.iter().any(|h| h.contains("certificate policies")),
                    "{cmd}: {heads:?}"
                );
            }
            if cmd == "bundle" || cmd == "keystore" {
                let f = if cmd == "bundle" {
                    "out.pem"
                } else {
                    "out.p12"
                };
                assert_eq!(dir.join(f).exists(), ok, "{cmd} {policy:?}: {v:#}");
            }
        }
    }
}
