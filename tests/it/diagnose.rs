//! `chainfix diagnose` fed the exact text real peers printed, on
//! 127.0.0.1 only: curl and `openssl s_client` against `openssl s_server`,
//! Python's `ssl`, and a small Java program (tests/java/TlsPeer.java,
//! compiled here with javac) as client and as server. Each test makes the
//! peer fail for a known reason, captures what it printed, gives diagnose
//! that text with the same files, and checks the side it judged and the
//! cause it put first.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::pki::{Alg, Pki, Spec};
use crate::util::{self, Guard};

/// Both PKIs, written out: c* is the client's (root → intermediate →
/// clientAuth leaf), s* the server's (root → intermediate → leaf for
/// localhost).
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(server_leaf_not_after: (i32, u8, u8)) -> Files {
        let dir = util::tempdir();
        let c = Pki::client(1, false);
        let mut leaf = Spec::server("localhost", Alg::EcdsaP256, "localhost");
        leaf.not_after = server_leaf_not_after;
        let s = Pki::build(
            Spec::ca("Server Root CA", Alg::EcdsaP256),
            vec![Spec::ca("Server Intermediate CA", Alg::EcdsaP256)],
            leaf,
        );
        for (p, pki) in [("c", &c), ("s", &s)] {
            let d = dir.path();
            util::write(d, &format!("{p}root.pem"), pki.root.pem());
            util::write(d, &format!("{p}int.pem"), pki.intermediates[0].pem());
            util::write(d, &format!("{p}leaf.pem"), pki.leaf.pem());
            util::write(d, &format!("{p}leaf.key"), pki.leaf.key_pem());
            util::write(d, &format!("{p}chain.pem"), pki.chain_pems().concat());
        }
        Files { dir }
    }
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }
}

/// `chainfix diagnose FILES --roots ROOT --error TEXT --json`: exit code
/// and the JSON.
fn diagnose_json(f: &Files, files: &[&str], root: &str, error: &str) -> (i32, Value) {
    let mut args: Vec<String> = vec!["diagnose".into()];
    args.extend(files.iter().map(|x| f.s(x)));
    args.extend([
        "--roots".into(),
        f.s(root),
        "--offline".into(),
        "--json".into(),
    ]);
    args.extend(["--error".into(), error.into()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = util::chainfix(f.dir.path(), &argv);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", util::stdout(&o), util::stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

/// The family diagnose read, the role it judged, and the first cause with
/// its standing.
fn verdict(v: &Value) -> (String, String, String, String) {
    let m = &v["message"];
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    (
        s(&m["reading"]["families"][0]),
        s(&m["judged_role"]),
        s(&m["causes"][0]["cause"]),
        s(&m["causes"][0]["standing"]),
    )
}

/// diagnose read `family`, judged the `role` chain, and put `cause` first
/// as shown by the files.
fn expect(v: &Value, family: &str, role: &str, cause: &str) {
    let want = (
        family.into(),
        role.into(),
        cause.into(),
        "shown-by-files".into(),
    );
    assert_eq!(verdict(v), want, "{v:#}");
}

fn curl(f: &Files, port: u16, args: &[&str]) -> String {
    let o = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "--max-time", "20"])
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .args(args)
        .arg(format!("https://localhost:{port}/"))
        .current_dir(f.dir.path())
        .output()
        .expect("curl is installed");
    assert!(!o.status.success(), "curl succeeded");
    util::stderr(&o)
}

/// curl presenting the client `cert` (with cleaf.key), trusting the
/// server's root; `verbose` adds -v.
fn curl_with(f: &Files, port: u16, cert: &str, verbose: bool) -> String {
    let (cacert, cert, key) = (f.s("sroot.pem"), f.s(cert), f.s("cleaf.key"));
    let mut args = vec!["--cacert", &cacert, "--cert", &cert, "--key", &key];
    if verbose {
        args.push("-v");
    }
    curl(f, port, &args)
}

/// s_server presenting `cert` (+ `chain`), requiring a client certificate
/// that chains to `client_ca`.
fn s_server(
    f: &Files,
    cert: &str,
    chain: Option<&str>,
    client_ca: &str,
    extra: &[&str],
) -> (Guard, u16) {
    util::openssl_mtls_server_opts(
        f.dir.path(),
        &f.p(cert),
        chain.map(|c| f.p(c)).as_deref(),
        &f.p("sleaf.key"),
        &f.p(client_ca),
        extra,
    )
}

#[test]
fn curl_told_unknown_ca_judges_the_client_chain_and_names_the_missing_intermediate() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "croot.pem", &[]);
    let err = curl_with(&f, port, "cleaf.pem", false);
    assert!(err.contains("alert unknown ca"), "{err}");
    let (code, v) = diagnose_json(&f, &["cleaf.pem"], "croot.pem", &err);
    assert_eq!(code, 1);
    expect(&v, "alert-unknown-ca", "client", "intermediate-missing");
    assert_eq!(v["message"]["reading"]["chain_of"], "client");
    assert_eq!(v["message"]["reading"]["raised"], "alerted");
}

#[test]
fn files_that_pass_are_not_nothing_wrong_when_curl_was_told_unknown_ca() {
    let f = Files::new((2027, 1, 1));
    // The server trusts only the server's own root: the client's full chain
    // is refused although it is complete.
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "sroot.pem", &[]);
    let err = curl_with(&f, port, "cchain.pem", false);
    assert!(err.contains("alert unknown ca"), "{err}");
    let (code, v) = diagnose_json(&f, &["cchain.pem"], "croot.pem", &err);
    assert_eq!(code, 1, "a failure in hand is never exit 0");
    assert_eq!(v["message"]["unexplained"], true);
    let causes: Vec<&str> = v["message"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cause"].as_str().unwrap())
        .collect();
    assert!(causes.contains(&"root-not-trusted"), "{causes:?}");
    assert!(causes.contains(&"other-file-sent"), "{causes:?}");
    // The text says so, with the command that tells them apart.
    let o = util::chainfix(
        f.dir.path(),
        &[
            "diagnose",
            &f.s("cchain.pem"),
            "--roots",
            &f.s("croot.pem"),
            "--offline",
            "--error",
            &err,
        ],
    );
    let out = util::stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("The files pass"), "{out}");
    assert!(!out.contains("Nothing wrong"), "{out}");
    assert!(out.contains("chainfix probe HOST:PORT --cert"), "{out}");
}

#[test]
fn curl_refusing_the_servers_chain_judges_the_server_chain() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", None, "croot.pem", &[]);
    let err = curl(&f, port, &["--cacert", &f.s("sroot.pem")]);
    assert!(
        err.contains("SSL certificate problem: unable to get local issuer certificate"),
        "{err}"
    );
    let (code, v) = diagnose_json(&f, &["sleaf.pem"], "sroot.pem", &err);
    assert_eq!(code, 1);
    expect(&v, "issuer-unknown", "server", "intermediate-missing");
    assert_eq!(v["message"]["reading"]["judged_by"], "openssl");

    // The same failure, as `openssl s_client` prints it.
    let o = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-verify_return_error",
        ])
        .arg("-CAfile")
        .arg(f.p("sroot.pem"))
        .stdin(Stdio::null())
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    let text = format!("{}{}", util::stdout(&o), util::stderr(&o));
    assert!(
        text.contains("unable to get local issuer certificate"),
        "{text}"
    );
    let (_, v) = diagnose_json(&f, &["sleaf.pem"], "sroot.pem", &text);
    expect(&v, "issuer-unknown", "server", "intermediate-missing");
}

#[test]
fn curl_refusing_an_expired_server_certificate_names_it() {
    let f = Files::new((2025, 6, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "croot.pem", &[]);
    let err = curl(&f, port, &["--cacert", &f.s("sroot.pem")]);
    assert!(err.contains("certificate has expired"), "{err}");
    let (_, v) = diagnose_json(&f, &["schain.pem"], "sroot.pem", &err);
    expect(&v, "expired", "server", "expired");
}

#[test]
fn curl_sending_no_certificate_to_a_tls13_server_lists_what_remains() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "croot.pem", &["-tls1_3"]);
    let err = curl(&f, port, &["--cacert", &f.s("sroot.pem")]);
    assert!(err.contains("alert certificate required"), "{err}");
    let (code, v) = diagnose_json(&f, &["cchain.pem"], "croot.pem", &err);
    assert_eq!(code, 1);
    assert_eq!(
        v["message"]["reading"]["families"][0],
        "alert-certificate-required"
    );
    assert_eq!(v["message"]["causes"][0]["cause"], "no-client-cert-sent");
    assert_eq!(v["message"]["unexplained"], true);
}

#[test]
fn python_ssl_refusing_the_servers_chain_judges_the_server_chain() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", None, "croot.pem", &[]);
    let script = format!(
        "import ssl, socket\nctx = ssl.create_default_context(cafile={:?})\nctx.wrap_socket(socket.create_connection(('127.0.0.1', {port}), timeout=20), server_hostname='localhost')\n",
        f.s("sroot.pem")
    );
    let o = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    let err = util::stderr(&o);
    assert!(err.contains("SSLCertVerificationError"), "{err}");
    let (_, v) = diagnose_json(&f, &["sleaf.pem"], "sroot.pem", &err);
    assert_eq!(v["message"]["reading"]["speaker"], "python");
    expect(&v, "issuer-unknown", "server", "intermediate-missing");
}

#[test]
fn a_curl_verbose_log_on_stdin_is_read_for_its_relevant_lines() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "croot.pem", &[]);
    let log = curl_with(&f, port, "cleaf.pem", true);
    assert!(log.lines().count() > 10, "{log}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args([
            "diagnose",
            &f.s("cleaf.pem"),
            "--roots",
            &f.s("croot.pem"),
            "--offline",
            "--json",
            "--error",
            "-",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    expect(&v, "alert-unknown-ca", "client", "intermediate-missing");
    // curl -v names the server it connected to: the probe commands use it.
    assert_eq!(
        v["message"]["reading"]["target"],
        format!("localhost:{port}")
    );
    let hits = v["message"]["reading"]["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() < log.lines().count());
}

/// tests/java/TlsPeer.java compiled once per run (javac is needed: CI
/// installs openjdk-17-jdk-headless).
fn java_peer() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = util::tempdir().keep();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/java/TlsPeer.java");
        let o = Command::new("javac")
            .arg("-d")
            .arg(&dir)
            .arg(&src)
            .output()
            .expect("javac is installed (openjdk-17-jdk-headless)");
        assert!(o.status.success(), "javac: {}", util::stderr(&o));
        dir
    })
}

/// A PKCS#12 (password changeit) of `certs` with `key`, for Java.
fn p12(f: &Files, certs: &str, key: &str, out: &str) {
    util::openssl(
        f.dir.path(),
        &[
            "pkcs12",
            "-export",
            "-in",
            certs,
            "-inkey",
            key,
            "-out",
            out,
            "-passout",
            "pass:changeit",
        ],
    );
}

/// The Java server (the server's full chain, trusting the client's root),
/// its port, and its stderr to read once it has ended.
fn java_server(f: &Files) -> (Guard, u16, std::process::ChildStderr) {
    p12(f, "schain.pem", "sleaf.key", "server.p12");
    let mut server = java(&["server", &f.s("croot.pem"), &f.s("server.p12"), "changeit"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .expect("the Java server prints its port");
    let err = server.stderr.take().unwrap();
    (Guard(server), port, err)
}

fn java(args: &[&str]) -> Command {
    let mut c = Command::new("java");
    c.arg("-cp").arg(java_peer()).arg("TlsPeer").args(args);
    c
}

#[test]
fn java_client_refusing_the_servers_chain_is_judged_as_java_for_the_server() {
    let f = Files::new((2027, 1, 1));
    let (_g, port) = s_server(&f, "sleaf.pem", None, "croot.pem", &[]);
    let o = java(&["client", &port.to_string(), &f.s("sroot.pem")])
        .output()
        .unwrap();
    let err = util::stderr(&o);
    assert!(err.contains("PKIX path building failed"), "{err}");
    let (_, v) = diagnose_json(&f, &["sleaf.pem"], "sroot.pem", &err);
    assert_eq!(v["message"]["reading"]["judged_by"], "java");
    expect(&v, "issuer-unknown", "server", "intermediate-missing");
}

#[test]
fn java_server_refusing_curls_leaf_alone_is_judged_for_the_client_both_ways() {
    let f = Files::new((2027, 1, 1));
    let (guard, port, mut server_err) = java_server(&f);
    let curl_err = curl_with(&f, port, "cleaf.pem", false);
    let mut java_err = String::new();
    std::io::Read::read_to_string(&mut server_err, &mut java_err).unwrap();
    drop(guard);
    assert!(java_err.contains("PKIX path building failed"), "{java_err}");
    // What the Java server printed: it refused the client's chain.
    let (_, v) = diagnose_json(&f, &["cleaf.pem"], "croot.pem", &java_err);
    assert_eq!(v["message"]["reading"]["printer_role"], "server");
    expect(&v, "issuer-unknown", "client", "intermediate-missing");
    // What curl printed: Java's alert for a PKIX failure.
    assert!(curl_err.contains("alert certificate unknown"), "{curl_err}");
    let (_, v) = diagnose_json(&f, &["cleaf.pem"], "croot.pem", &curl_err);
    expect(
        &v,
        "alert-certificate-unknown",
        "client",
        "intermediate-missing",
    );
}

#[test]
fn curl_refusing_a_sha1_signature_is_shown_by_the_files() {
    let f = Files::new((2027, 1, 1));
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys");
    let (k1, k2) = (keys.join("rsa2048-1.pem"), keys.join("rsa2048-2.pem"));
    let (k1, k2) = (k1.to_str().unwrap(), k2.to_str().unwrap());
    let d = f.dir.path();
    util::openssl(
        d,
        &[
            "req",
            "-x509",
            "-key",
            k1,
            "-out",
            "wroot.pem",
            "-subj",
            "/CN=SHA-1 Test Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    util::openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            k2,
            "-subj",
            "/CN=localhost",
            "-out",
            "w.csr",
        ],
    );
    util::write(
        d,
        "w.ext",
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    util::openssl(
        d,
        &[
            "x509",
            "-req",
            "-sha1",
            "-in",
            "w.csr",
            "-CA",
            "wroot.pem",
            "-CAkey",
            k1,
            "-set_serial",
            "7",
            "-days",
            "300",
            "-extfile",
            "w.ext",
            "-out",
            "wleaf.pem",
        ],
    );
    // s_server itself must be told to load a SHA-1 certificate.
    let (_g, port) = util::openssl_mtls_server_opts(
        d,
        &f.p("wleaf.pem"),
        None,
        Path::new(k2),
        &f.p("croot.pem"),
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let err = curl(&f, port, &["--cacert", &f.s("wroot.pem")]);
    assert!(
        err.contains("CA signature digest algorithm too weak"),
        "{err}"
    );
    let (code, v) = diagnose_json(&f, &["wleaf.pem"], "wroot.pem", &err);
    assert_eq!(code, 1);
    expect(&v, "weak-algorithm", "server", "weak-algorithm");
    assert_eq!(v["message"]["unexplained"], false);
    // Judged as OpenSSL judges it: SHA-1 is refused at its default level.
    assert_eq!(v["message"]["peer"], "openssl");
    assert_eq!(v["valid"], false);
}

/// The client sends its leaf without the intermediate to an OpenSSL
/// server (TLS 1.2) that asks for certificates under the client's root.
/// Python sends the leaf and is told unknown_ca. Java's key manager finds
/// no chain under the CA names asked for, sends no certificate at all, and
/// is told handshake_failure: the server-asks-other-CAs case, live.
#[test]
fn python_told_unknown_ca_and_java_told_handshake_failure_are_judged_for_the_client() {
    let f = Files::new((2027, 1, 1));
    p12(&f, "cleaf.pem", "cleaf.key", "client.p12");
    let (_g, port) = s_server(&f, "sleaf.pem", Some("sint.pem"), "croot.pem", &["-tls1_2"]);
    let script = format!(
        "import ssl, socket\nctx = ssl.create_default_context(cafile={:?})\nctx.load_cert_chain({:?}, {:?})\ns = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {port}), timeout=20), server_hostname='localhost')\ns.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\ns.recv(100)\n",
        f.s("sroot.pem"),
        f.s("cleaf.pem"),
        f.s("cleaf.key")
    );
    let o = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    let py_err = util::stderr(&o);
    assert!(py_err.contains("TLSV1_ALERT_UNKNOWN_CA"), "{py_err}");
    let (_, v) = diagnose_json(&f, &["cleaf.pem"], "croot.pem", &py_err);
    assert_eq!(v["message"]["reading"]["speaker"], "python");
    expect(&v, "alert-unknown-ca", "client", "intermediate-missing");

    let o = java(&[
        "client",
        &port.to_string(),
        &f.s("sroot.pem"),
        &f.s("client.p12"),
        "changeit",
    ])
    .output()
    .unwrap();
    let java_err = util::stderr(&o);
    assert!(
        java_err.contains("Received fatal alert: handshake_failure"),
        "{java_err}"
    );
    let (_, v) = diagnose_json(&f, &["cleaf.pem"], "croot.pem", &java_err);
    assert_eq!(v["message"]["reading"]["speaker"], "java");
    assert_eq!(v["message"]["judged_role"], "client");
    let causes: Vec<(&str, &str)> = v["message"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cause"].as_str().unwrap(),
                c["standing"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        causes.contains(&("server-asks-other-cas", "possible")),
        "{causes:?}"
    );
    assert!(
        causes.contains(&("intermediate-missing", "also-in-files")),
        "{causes:?}"
    );
}

#[test]
fn java_server_given_no_client_certificate_says_none_was_sent() {
    let f = Files::new((2027, 1, 1));
    let (guard, port, mut server_err) = java_server(&f);
    let curl_err = curl(&f, port, &["--cacert", &f.s("sroot.pem")]);
    let mut java_err = String::new();
    std::io::Read::read_to_string(&mut server_err, &mut java_err).unwrap();
    drop(guard);
    assert!(
        java_err.contains("Empty client certificate chain"),
        "{java_err}"
    );
    let (code, v) = diagnose_json(&f, &["cchain.pem"], "croot.pem", &java_err);
    assert_eq!(code, 1);
    assert_eq!(
        v["message"]["reading"]["families"][0],
        "no-client-certificate"
    );
    assert_eq!(v["message"]["judged_role"], "client");
    assert_eq!(v["message"]["causes"][0]["cause"], "no-client-cert-sent");
    // curl's side of it: an alert saying a certificate was required.
    let (_, v) = diagnose_json(&f, &["cchain.pem"], "croot.pem", &curl_err);
    assert_eq!(
        v["message"]["causes"][0]["cause"], "no-client-cert-sent",
        "{curl_err}"
    );
}
