//! `chainfix probe` against servers on 127.0.0.1 only: an in-process rustls
//! server (client auth required, with and without CA names; complete
//! chain, missing intermediate, root included, expired leaf), the real
//! `openssl s_server -Verify 3 -verify_return_error`, a port with nothing
//! listening, a server that accepts but never speaks, and client chains
//! with one flaw each (expired, not valid yet, serverAuth-only EKU, broken
//! signature, wrong issuing key, none) against OpenSSL and rustls servers
//! in TLS 1.2 and 1.3, checking the alert each really sends.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

use crate::pki::{Alg, Node, Pki, Spec};
use crate::util::{self, chainfix, stderr, stdout, write};

const AT: &str = "2026-06-01";

/// Server PKI: root → intermediate → leaf for `localhost`.
fn server_pki(leaf_not_after: (i32, u8, u8)) -> Pki {
    let mut leaf = Spec::server("localhost", Alg::EcdsaP256, "localhost");
    leaf.not_after = leaf_not_after;
    Pki::build(
        Spec::ca("Server Root CA", Alg::EcdsaP256),
        vec![Spec::ca("Server Intermediate CA", Alg::EcdsaP256)],
        leaf,
    )
}

fn client_pki() -> Pki {
    Pki::client(1, false)
}

#[derive(Clone, Copy)]
enum Sends {
    Complete,
    LeafOnly,
    WithRoot,
}

#[derive(Clone, Copy, PartialEq)]
enum ClientAuth {
    None,
    WithNames,
    WithoutNames,
}

fn der(n: &Node) -> CertificateDer<'static> {
    CertificateDer::from(n.der())
}

/// Starts a rustls server on 127.0.0.1 that serves connections until the
/// test process ends, and returns its port.
fn rustls_server(server: &Pki, sends: Sends, auth: ClientAuth, client_root: &Node) -> u16 {
    rustls_server_with(server, sends, auth, client_root, false, false)
}

/// As [`rustls_server`]; `tls12_only` makes the server refuse TLS 1.3, so
/// a refused client certificate is refused inside the handshake.
fn rustls_server_with(
    server: &Pki,
    sends: Sends,
    auth: ClientAuth,
    client_root: &Node,
    tls12_only: bool,
    mute_after_handshake: bool,
) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut chain = vec![der(&server.leaf)];
    match sends {
        Sends::Complete => chain.push(der(&server.intermediates[0])),
        Sends::LeafOnly => {}
        Sends::WithRoot => {
            chain.push(der(&server.intermediates[0]));
            chain.push(der(&server.root));
        }
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.leaf.key.serialize_der()));
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap();
    let builder = if auth == ClientAuth::None {
        builder.with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der(client_root)).unwrap();
        let mut v =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
        if auth == ClientAuth::WithoutNames {
            v = v.clear_root_hint_subjects();
        }
        builder.with_client_cert_verifier(v.build().unwrap())
    };
    let config = Arc::new(builder.with_single_cert(chain, key).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = sock.set_read_timeout(Some(Duration::from_secs(20)));
                let mut conn = rustls::ServerConnection::new(config).unwrap();
                while conn.is_handshaking() {
                    if conn.complete_io(&mut sock).is_err() {
                        return;
                    }
                }
                if mute_after_handshake {
                    std::thread::sleep(Duration::from_secs(15));
                    return;
                }
                // Answer the client's close_notify with ours.
                loop {
                    match conn.complete_io(&mut sock) {
                        Ok((0, 0)) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let mut buf = [0u8; 1024];
                    if let Ok(0) = conn.reader().read(&mut buf) {
                        conn.send_close_notify();
                        let _ = conn.complete_io(&mut sock);
                        return;
                    }
                }
            });
        }
    });
    port
}

/// Writes key + leaf + intermediates (what `chainfix bundle` writes).
fn fullcert(dir: &Path, pki: &Pki) -> String {
    let mut text = pki.leaf.key_pem();
    for p in pki.chain_pems() {
        text.push_str(&p);
    }
    write(dir, "fullcert.pem", text);
    "fullcert.pem".into()
}

fn probe_json(dir: &Path, port: u16, extra: &[&str]) -> (i32, Value, String) {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "probe",
        &target,
        "--servername",
        "localhost",
        "--trust",
        "server-root.pem",
        "--at",
        AT,
        "--timeout",
        "10",
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = chainfix(dir, &args);
    let code = o.status.code().unwrap();
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&o), stderr(&o)));
    (code, v, stderr(&o))
}

fn ids(v: &Value) -> Vec<String> {
    v["server"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

struct Setup {
    dir: tempfile::TempDir,
    server: Pki,
    client: Pki,
}

fn setup(leaf_not_after: (i32, u8, u8)) -> Setup {
    let dir = util::tempdir();
    let server = server_pki(leaf_not_after);
    let client = client_pki();
    write(dir.path(), "server-root.pem", server.root.pem());
    fullcert(dir.path(), &client);
    Setup {
        dir,
        server,
        client,
    }
}

#[test]
fn probe_full_chain_is_accepted_and_ca_names_are_listed() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(
        &s.server,
        Sends::Complete,
        ClientAuth::WithNames,
        &s.client.root,
    );
    let (code, v, err) = probe_json(s.dir.path(), port, &["--cert", "fullcert.pem"]);
    assert_eq!(code, 0, "{v:#}\n{err}");
    assert_eq!(v["server_chain"].as_array().unwrap().len(), 2);
    assert_eq!(v["server"]["chain_valid"], true);
    assert_eq!(v["server"]["trusted"], true);
    assert_eq!(v["client_auth"]["requested"], true);
    assert_eq!(v["client_auth"]["any_ca"], false);
    let names = v["client_auth"]["ca_names"].as_array().unwrap();
    assert_eq!(names.len(), 1);
    assert!(names[0].as_str().unwrap().contains("Test Root CA"));
    assert_eq!(v["client_auth"]["chain_matches_ca_names"], true);
    let a = &v["attempts"][0];
    assert_eq!(a["label"], "full-chain");
    assert_eq!(a["sent_certs"], 2);
    assert_eq!(a["accepted"], true, "{a:#}");
}

#[test]
fn probe_send_only_leaf_shows_unknown_ca_beside_the_full_chain() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(
        &s.server,
        Sends::Complete,
        ClientAuth::WithoutNames,
        &s.client.root,
    );
    let (code, v, _) = probe_json(
        s.dir.path(),
        port,
        &["--cert", "fullcert.pem", "--send-only-leaf"],
    );
    assert_eq!(code, 1);
    assert_eq!(v["client_auth"]["requested"], true);
    assert_eq!(v["client_auth"]["any_ca"], true, "names were cleared");
    let full = &v["attempts"][0];
    let leaf = &v["attempts"][1];
    assert_eq!(
        (full["label"].as_str(), full["accepted"].as_bool()),
        (Some("full-chain"), Some(true))
    );
    assert_eq!(leaf["label"], "leaf-only");
    assert_eq!(leaf["sent_certs"], 1);
    assert_eq!(leaf["accepted"], false);
    assert_eq!(leaf["outcome"]["kind"], "alert");
    assert_eq!(leaf["outcome"]["alert"], "unknown_ca");
    assert!(
        leaf["outcome"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("send the intermediates")
    );
    // And for people: the side-by-side table.
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(
        s.dir.path(),
        &[
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "server-root.pem",
            "--at",
            AT,
            "--cert",
            "fullcert.pem",
            "--send-only-leaf",
        ],
    );
    let text = stdout(&o);
    assert!(
        text.contains("full-chain") && text.contains("leaf-only"),
        "{text}"
    );
    assert!(text.contains("none given (any CA)"), "{text}");
    assert!(text.contains("send the intermediates"), "{text}");
}

#[test]
fn probe_tls12_server_refuses_the_leaf_inside_the_handshake() {
    let s = setup((2027, 1, 1));
    let port = rustls_server_with(
        &s.server,
        Sends::Complete,
        ClientAuth::WithNames,
        &s.client.root,
        true,
        false,
    );
    let (code, v, _) = probe_json(
        s.dir.path(),
        port,
        &["--cert", "fullcert.pem", "--send-only-leaf"],
    );
    assert_eq!(code, 1);
    assert_eq!(v["protocol"], "TLSv1.2");
    assert_eq!(v["attempts"][0]["accepted"], true);
    assert_eq!(v["attempts"][0]["outcome"]["evidence"], "finished");
    let leaf = &v["attempts"][1];
    assert_eq!(leaf["handshake_completed"], false);
    assert_eq!(leaf["outcome"]["alert"], "unknown_ca");
    assert_eq!(leaf["outcome"]["after_handshake"], false);
}

#[test]
fn probe_says_when_the_client_chain_reaches_none_of_the_named_cas() {
    let s = setup((2027, 1, 1));
    // The server accepts client certificates from its own root only.
    let port = rustls_server(
        &s.server,
        Sends::Complete,
        ClientAuth::WithNames,
        &s.server.root,
    );
    let (code, v, _) = probe_json(s.dir.path(), port, &["--cert", "fullcert.pem"]);
    assert_eq!(code, 1);
    let names = v["client_auth"]["ca_names"].as_array().unwrap();
    assert!(names[0].as_str().unwrap().contains("Server Root CA"));
    assert_eq!(v["client_auth"]["chain_matches_ca_names"], false);
    assert_eq!(v["attempts"][0]["outcome"]["alert"], "unknown_ca");
    assert_eq!(v["attempts"][0]["outcome"]["after_handshake"], true);
}

#[test]
fn probe_without_a_client_certificate_reports_certificate_required() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(
        &s.server,
        Sends::Complete,
        ClientAuth::WithNames,
        &s.client.root,
    );
    let (code, v, _) = probe_json(s.dir.path(), port, &[]);
    assert_eq!(code, 1);
    let a = &v["attempts"][0];
    assert_eq!(a["label"], "no-certificate");
    assert_eq!(a["sent_certs"], 0);
    assert_eq!(a["outcome"]["alert"], "certificate_required", "{a:#}");
    assert!(
        a["outcome"]["cause"]
            .as_str()
            .unwrap()
            .contains("none was sent")
    );
    // The server's own chain is still judged, and is fine.
    assert_eq!(v["server"]["chain_valid"], true);
}

#[test]
fn probe_server_missing_intermediate_completes_the_handshake_but_the_chain_is_invalid() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(&s.server, Sends::LeafOnly, ClientAuth::None, &s.client.root);
    let (code, v, _) = probe_json(s.dir.path(), port, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["attempts"][0]["handshake_completed"], true);
    assert_eq!(v["attempts"][0]["accepted"], true);
    assert_eq!(v["client_auth"]["requested"], false);
    assert_eq!(v["server"]["chain_valid"], false);
    assert_eq!(v["server"]["trusted"], false);
    assert_eq!(ids(&v), vec!["missing-intermediate"]);
}

#[test]
fn probe_server_sending_its_root_is_a_warning_only() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(&s.server, Sends::WithRoot, ClientAuth::None, &s.client.root);
    let (code, v, _) = probe_json(s.dir.path(), port, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["server_chain"].as_array().unwrap().len(), 3);
    assert_eq!(ids(&v), vec!["root-included"]);
    assert_eq!(v["server"]["findings"][0]["severity"], "warning");
    assert_eq!(v["server"]["findings"][0]["cert"], 2);
}

#[test]
fn probe_server_with_expired_leaf_is_an_error_at_the_given_time() {
    let s = setup((2026, 3, 1));
    let port = rustls_server(&s.server, Sends::Complete, ClientAuth::None, &s.client.root);
    let (code, v, _) = probe_json(s.dir.path(), port, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["attempts"][0]["handshake_completed"], true);
    assert_eq!(ids(&v), vec!["expired"]);
    assert_eq!(v["server"]["findings"][0]["cert"], 0);
    // The same server judged before the leaf expired passes: time is an argument.
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(
        s.dir.path(),
        &[
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "server-root.pem",
            "--at",
            "2026-01-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn probe_wrong_servername_is_a_name_mismatch() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(&s.server, Sends::Complete, ClientAuth::None, &s.client.root);
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(
        s.dir.path(),
        &[
            "probe",
            &target,
            "--servername",
            "other.test",
            "--trust",
            "server-root.pem",
            "--at",
            AT,
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(ids(&v), vec!["name-mismatch"]);
}

/// The real OpenSSL server requiring a client certificate that chains to
/// the client root: the full chain gets in, the leaf alone gets unknown_ca.
#[test]
fn probe_openssl_s_server_full_chain_succeeds_and_leaf_only_is_unknown_ca() {
    let s = setup((2027, 1, 1));
    let d = s.dir.path();
    let cert = write(d, "server.pem", s.server.leaf.pem());
    let inter = write(d, "server-inter.pem", s.server.intermediates[0].pem());
    let key = write(d, "server.key", s.server.leaf.key_pem());
    let ca = write(d, "client-root.pem", s.client.root.pem());
    let (_guard, port) = util::openssl_mtls_server_with_chain(d, &cert, Some(&inter), &key, &ca);

    let (code, v, err) = probe_json(d, port, &["--cert", "fullcert.pem"]);
    assert_eq!(code, 0, "{v:#}\n{err}");
    assert_eq!(v["attempts"][0]["accepted"], true);
    assert_eq!(v["attempts"][0]["sent_certs"], 2);
    assert_eq!(v["client_auth"]["requested"], true);

    let (code, v, _) = probe_json(d, port, &["--cert", "fullcert.pem", "--send-only-leaf"]);
    assert_eq!(code, 1);
    let leaf = &v["attempts"][1];
    assert_eq!(leaf["outcome"]["alert"], "unknown_ca", "{leaf:#}");
    assert!(
        leaf["outcome"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("send the intermediates")
    );
    assert_eq!(v["attempts"][0]["accepted"], true);
}

/// `openssl s_server -cert` with only the leaf (the usual server mistake):
/// the handshake completes, and the probe says the chain is not valid.
#[test]
fn probe_openssl_s_server_without_cert_chain_is_missing_an_intermediate() {
    let s = setup((2027, 1, 1));
    let d = s.dir.path();
    let cert = write(d, "server.pem", s.server.leaf.pem());
    let key = write(d, "server.key", s.server.leaf.key_pem());
    let ca = write(d, "client-root.pem", s.client.root.pem());
    let (_guard, port) = util::openssl_mtls_server(d, &cert, &key, &ca);
    let (code, v, _) = probe_json(d, port, &["--cert", "fullcert.pem"]);
    assert_eq!(code, 1);
    assert_eq!(v["attempts"][0]["handshake_completed"], true);
    assert_eq!(v["attempts"][0]["accepted"], true);
    assert_eq!(v["server"]["chain_valid"], false);
    assert_eq!(ids(&v), vec!["missing-intermediate"]);
}

#[test]
fn probe_refused_port_says_nothing_listens() {
    let dir = util::tempdir();
    let port = util::free_port();
    let target = format!("127.0.0.1:{port}");
    let start = Instant::now();
    let o = chainfix(dir.path(), &["probe", &target, "--timeout", "3"]);
    assert!(start.elapsed() < Duration::from_secs(6));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing listens"), "{}", stderr(&o));
}

#[test]
fn probe_silent_server_ends_within_the_timeout() {
    let dir = util::tempdir();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds the connection, never says a word.
    let held = std::thread::spawn(move || {
        let (_sock, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(8));
    });
    let target = format!("127.0.0.1:{port}");
    let start = Instant::now();
    let o = chainfix(dir.path(), &["probe", &target, "--timeout", "2"]);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("accepted the connection but sent no TLS handshake within 2s"),
        "{}",
        stderr(&o)
    );
    drop(held);
}

/// `--trust salesforce` uses the bundled CANDIDATE list: a private root is
/// not in it, which is a warning that says how to check, not an error.
#[test]
fn probe_trust_salesforce_says_the_store_is_a_candidate_list() {
    let s = setup((2027, 1, 1));
    let port = rustls_server(&s.server, Sends::Complete, ClientAuth::None, &s.client.root);
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(
        s.dir.path(),
        &[
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "salesforce",
            "--at",
            AT,
            "--json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["server"]["trust_store_candidate"], true);
    assert_eq!(v["server"]["trusted"], false);
    assert_eq!(ids(&v), vec!["missing-intermediate", "candidate-store"]);
    assert_eq!(v["server"]["findings"][0]["severity"], "warning");
    assert!(
        v["server"]["findings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("CANDIDATE")
    );
    // The same chain with the private root added by --roots is valid.
    let o = chainfix(
        s.dir.path(),
        &[
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "salesforce",
            "--roots",
            "server-root.pem",
            "--at",
            AT,
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["server"]["path_valid"], true);
    assert_eq!(v["server"]["anchor"], "O=chainfix test, CN=Server Root CA");
}

/// A server that asked for no client certificate has nothing left to
/// decide after the handshake: the probe does not wait for it, even when
/// it ignores close_notify.
#[test]
fn probe_does_not_wait_on_a_server_that_asked_for_no_certificate() {
    let s = setup((2027, 1, 1));
    let port = rustls_server_with(
        &s.server,
        Sends::Complete,
        ClientAuth::None,
        &s.client.root,
        false,
        true,
    );
    let start = Instant::now();
    let (code, v, _) = probe_json(s.dir.path(), port, &["--cert", "fullcert.pem"]);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["attempts"][0]["requested"], false);
    assert_eq!(v["attempts"][0]["sent_certs"], 0);
    assert_eq!(v["attempts"][0]["outcome"]["evidence"], "finished");
}

/// A server that leaves out its intermediate, which its leaf's AIA points
/// to (served on 127.0.0.1): the chain is still an error — Salesforce
/// callouts do not fetch — but the report says AIA would complete it.
#[test]
fn probe_missing_intermediate_says_whether_aia_would_fix_it() {
    use crate::httpd::{Route, Server};
    let srv = Server::start();
    let mut leaf = Spec::server("localhost", Alg::EcdsaP256, "localhost");
    leaf.aia = vec![srv.url("/inter.der")];
    let server = Pki::build(
        Spec::ca("Server Root CA", Alg::EcdsaP256),
        vec![Spec::ca("Server Intermediate CA", Alg::EcdsaP256)],
        leaf,
    );
    srv.set(
        "/inter.der",
        Route::Body("application/pkix-cert", server.intermediates[0].der()),
    );
    let dir = util::tempdir();
    write(dir.path(), "server-root.pem", server.root.pem());
    let client = client_pki();
    let port = rustls_server(&server, Sends::LeafOnly, ClientAuth::None, &client.root);
    let (code, v, _) = probe_json(dir.path(), port, &["--no-cache"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&v), vec!["missing-intermediate"]);
    assert!(
        v["server"]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Salesforce callouts, Java, curl and OpenSSL do not")
    );
    assert_eq!(v["aia"]["fixes"], true, "{:#}", v["aia"]);
    assert_eq!(
        v["aia"]["found"][0],
        "O=chainfix test, CN=Server Intermediate CA"
    );
    // Offline, nothing is fetched: whether AIA would fix it is unknown (null).
    let (_, v, _) = probe_json(dir.path(), port, &["--no-cache", "--offline"]);
    assert_eq!(v["aia"]["fixes"], serde_json::Value::Null, "{:#}", v["aia"]);
}

// ---------------------------------------------------------------------------
// Alerts from real servers for client chains that are wrong in one way each.

/// A client chain that is wrong in one way.
#[derive(Clone, Copy, Debug)]
enum Flaw {
    /// The leaf's notAfter is in the past (by the servers' real clock).
    Expired,
    /// The leaf's notBefore is in the future.
    NotYetValid,
    /// The leaf's Extended Key Usage is serverAuth only.
    ServerAuthOnly,
    /// One byte of the leaf's signature is changed.
    BrokenSignature,
    /// The leaf names the intermediate as issuer (and its key identifier)
    /// but another key with the same name signed it.
    WrongKeyWithAki,
    /// As `WrongKeyWithAki`, without an Authority Key Identifier, so the
    /// server finds the intermediate by name and checks the signature.
    WrongKeyNoAki,
}

/// Writes `fullcert.pem` (key + leaf + intermediate) for a client chain with
/// `flaw`, and returns the client PKI (whose root the server trusts).
fn flawed_client(dir: &Path, flaw: Flaw) -> Pki {
    let mut leaf = Spec::client("client.example.test", Alg::EcdsaP256);
    match flaw {
        Flaw::Expired => {
            leaf.not_before = (2024, 1, 1);
            leaf.not_after = (2025, 1, 1);
        }
        Flaw::NotYetValid => {
            leaf.not_before = (2099, 1, 1);
            leaf.not_after = (2100, 1, 1);
        }
        Flaw::ServerAuthOnly => {
            leaf.eku = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        }
        _ => {}
    }
    let inter = Spec::ca("Test Intermediate CA 1", Alg::EcdsaP256);
    let mut pki = Pki::build(
        Spec::ca("Test Root CA", Alg::EcdsaP256),
        vec![inter.clone()],
        leaf.clone(),
    );
    let leaf_pem = match flaw {
        Flaw::BrokenSignature => {
            let mut der = pki.leaf.der();
            // The signature BIT STRING ends the certificate; the last byte is
            // part of the ECDSA `s` value.
            *der.last_mut().unwrap() ^= 0x01;
            pem::encode(&pem::Pem::new("CERTIFICATE", der))
        }
        Flaw::WrongKeyWithAki | Flaw::WrongKeyNoAki => {
            let impostor = pki.root.issue(inter.params(), Alg::EcdsaP256);
            let mut params = leaf.params();
            params.use_authority_key_identifier_extension = matches!(flaw, Flaw::WrongKeyWithAki);
            let node = impostor.issue(params, Alg::EcdsaP256);
            let pem = node.pem();
            pki.leaf = node;
            pem
        }
        _ => pki.leaf.pem(),
    };
    let text = format!(
        "{}{}{}",
        pki.leaf.key_pem(),
        leaf_pem,
        pki.intermediates[0].pem()
    );
    write(dir, "fullcert.pem", text);
    pki
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Peer {
    OpenSsl12,
    OpenSsl13,
    Rustls12,
    Rustls13,
}

/// Starts `peer` trusting `client`'s root for client certificates; the
/// guard kills an openssl server when dropped.
fn start_peer(s: &Setup, client: &Pki, peer: Peer) -> (Option<util::Guard>, u16) {
    let d = s.dir.path();
    match peer {
        Peer::OpenSsl12 | Peer::OpenSsl13 => {
            let cert = write(d, "server.pem", s.server.leaf.pem());
            let inter = write(d, "server-inter.pem", s.server.intermediates[0].pem());
            let key = write(d, "server.key", s.server.leaf.key_pem());
            let ca = write(d, "client-root.pem", client.root.pem());
            let v = if peer == Peer::OpenSsl12 {
                "-tls1_2"
            } else {
                "-tls1_3"
            };
            let (g, port) = util::openssl_mtls_server_opts(d, &cert, Some(&inter), &key, &ca, &[v]);
            (Some(g), port)
        }
        Peer::Rustls12 | Peer::Rustls13 => (
            None,
            rustls_server_with(
                &s.server,
                Sends::Complete,
                ClientAuth::WithNames,
                &client.root,
                peer == Peer::Rustls12,
                false,
            ),
        ),
    }
}

/// Runs `probe --cert fullcert.pem --json` against `peer` (which trusts
/// `client`'s root) and returns the one attempt. Any openssl server is
/// killed when this returns.
fn attempt_against(s: &Setup, client: &Pki, peer: Peer) -> Value {
    let d = s.dir.path();
    let (_guard, port) = start_peer(s, client, peer);
    let (code, v, err) = probe_json(d, port, &["--cert", "fullcert.pem"]);
    assert_eq!(code, 1, "{peer:?}: {v:#}\n{err}");
    let want = if matches!(peer, Peer::OpenSsl12 | Peer::Rustls12) {
        "TLSv1.2"
    } else {
        "TLSv1.3"
    };
    assert_eq!(v["protocol"], want, "{peer:?}");
    v["attempts"][0].clone()
}

/// What one server sent for one flaw, and what the cause and fix must say.
struct Expect {
    peer: Peer,
    alert: &'static str,
    cause: &'static str,
    fix: &'static str,
}

const fn ex(peer: Peer, alert: &'static str, cause: &'static str, fix: &'static str) -> Expect {
    Expect {
        peer,
        alert,
        cause,
        fix,
    }
}

/// Probes every peer in `expect` with a client chain with `flaw`, and checks
/// the alert, that it came inside the handshake in TLS 1.2 and after it in
/// TLS 1.3, and the words of the cause and the fix.
fn check_alerts(flaw: Flaw, expect: &[Expect]) {
    let s = setup((2027, 1, 1));
    let client = flawed_client(s.dir.path(), flaw);
    for e in expect {
        let a = attempt_against(&s, &client, e.peer);
        let what = format!("{flaw:?} against {:?}: {a:#}", e.peer);
        assert_eq!(a["sent_certs"], 2, "{what}");
        assert_eq!(a["accepted"], false, "{what}");
        assert_eq!(a["outcome"]["kind"], "alert", "{what}");
        assert_eq!(a["outcome"]["alert"], e.alert, "{what}");
        let tls13 = matches!(e.peer, Peer::OpenSsl13 | Peer::Rustls13);
        assert_eq!(a["outcome"]["after_handshake"], tls13, "{what}");
        assert_eq!(a["handshake_completed"], tls13, "{what}");
        let cause = a["outcome"]["cause"].as_str().unwrap();
        let fix = a["outcome"]["fix"].as_str().unwrap();
        assert!(cause.contains(e.cause), "cause: {what}");
        assert!(fix.contains(e.fix), "fix: {what}");
    }
}

/// Expired client leaf: every server says certificate_expired.
#[test]
fn probe_expired_client_certificate_is_certificate_expired() {
    let (c, f) = ("has expired", "renew the expired certificate");
    check_alerts(
        Flaw::Expired,
        &[
            ex(Peer::OpenSsl12, "certificate_expired", c, f),
            ex(Peer::OpenSsl13, "certificate_expired", c, f),
            ex(Peer::Rustls12, "certificate_expired", c, f),
            ex(Peer::Rustls13, "certificate_expired", c, f),
        ],
    );
}

/// Not valid yet: OpenSSL says bad_certificate, rustls certificate_expired.
#[test]
fn probe_not_yet_valid_client_certificate_differs_between_openssl_and_rustls() {
    let (c, f) = ("not valid yet", "check the clocks");
    check_alerts(
        Flaw::NotYetValid,
        &[
            ex(Peer::OpenSsl12, "bad_certificate", c, f),
            ex(Peer::OpenSsl13, "bad_certificate", c, f),
            ex(Peer::Rustls12, "certificate_expired", c, f),
            ex(Peer::Rustls13, "certificate_expired", c, f),
        ],
    );
}

/// EKU serverAuth only: OpenSSL (default purpose sslclient on the server
/// side) and rustls both say unsupported_certificate.
#[test]
fn probe_server_auth_only_client_certificate_is_unsupported_certificate() {
    let (c, f) = (
        "does not include clientAuth",
        "Extended Key Usage clientAuth",
    );
    check_alerts(
        Flaw::ServerAuthOnly,
        &[
            ex(Peer::OpenSsl12, "unsupported_certificate", c, f),
            ex(Peer::OpenSsl13, "unsupported_certificate", c, f),
            ex(Peer::Rustls12, "unsupported_certificate", c, f),
            ex(Peer::Rustls13, "unsupported_certificate", c, f),
        ],
    );
}

/// A corrupted signature on the leaf: decrypt_error everywhere (not a key
/// mismatch: the probe always sends the leaf that matches the key).
#[test]
fn probe_broken_client_signature_is_decrypt_error() {
    let (c, f) = ("not signed by the issuer it names", "which signature fails");
    check_alerts(
        Flaw::BrokenSignature,
        &[
            ex(Peer::OpenSsl12, "decrypt_error", c, f),
            ex(Peer::OpenSsl13, "decrypt_error", c, f),
            ex(Peer::Rustls12, "decrypt_error", c, f),
            ex(Peer::Rustls13, "decrypt_error", c, f),
        ],
    );
}

/// Signed by another key under the intermediate's name: with an Authority
/// Key Identifier OpenSSL does not take the intermediate sent as the issuer
/// (unknown_ca), rustls checks the signature (decrypt_error).
#[test]
fn probe_client_leaf_signed_by_the_wrong_key_with_aki() {
    let (c, f) = ("not signed by the issuer it names", "which signature fails");
    let (uc, uf) = (
        "not the one that signed the certificate below it",
        "see where it breaks",
    );
    check_alerts(
        Flaw::WrongKeyWithAki,
        &[
            ex(Peer::OpenSsl12, "unknown_ca", uc, uf),
            ex(Peer::OpenSsl13, "unknown_ca", uc, uf),
            ex(Peer::Rustls12, "decrypt_error", c, f),
            ex(Peer::Rustls13, "decrypt_error", c, f),
        ],
    );
}

/// Without an Authority Key Identifier both find the issuer by name and the
/// signature fails: decrypt_error.
#[test]
fn probe_client_leaf_signed_by_the_wrong_key_without_aki_is_decrypt_error() {
    let (c, f) = ("not signed by the issuer it names", "which signature fails");
    check_alerts(
        Flaw::WrongKeyNoAki,
        &[
            ex(Peer::OpenSsl12, "decrypt_error", c, f),
            ex(Peer::OpenSsl13, "decrypt_error", c, f),
            ex(Peer::Rustls12, "decrypt_error", c, f),
            ex(Peer::Rustls13, "decrypt_error", c, f),
        ],
    );
}

/// For people: a refused handshake reads as one cause and one fix.
#[test]
fn probe_text_output_gives_one_cause_and_one_fix_for_an_alert() {
    let s = setup((2027, 1, 1));
    let d = s.dir.path();
    let client = flawed_client(d, Flaw::ServerAuthOnly);
    let cert = write(d, "server.pem", s.server.leaf.pem());
    let inter = write(d, "server-inter.pem", s.server.intermediates[0].pem());
    let key = write(d, "server.key", s.server.leaf.key_pem());
    let ca = write(d, "client-root.pem", client.root.pem());
    let (_guard, port) =
        util::openssl_mtls_server_opts(d, &cert, Some(&inter), &key, &ca, &["-tls1_2"]);
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(
        d,
        &[
            "probe",
            &target,
            "--servername",
            "localhost",
            "--trust",
            "server-root.pem",
            "--at",
            AT,
            "--cert",
            "fullcert.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let refused: Vec<&str> = text.lines().filter(|l| l.contains("REFUSED")).collect();
    assert_eq!(refused.len(), 1, "{text}");
    assert!(
        refused[0].contains("alert unsupported_certificate")
            && refused[0].contains("does not include clientAuth"),
        "{text}"
    );
    let fixes: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("fix:"))
        .collect();
    assert_eq!(fixes.len(), 1, "{text}");
    assert!(fixes[0].contains("Extended Key Usage clientAuth"), "{text}");
}

/// No certificate sent: TLS 1.3 has certificate_required; in TLS 1.2 there
/// is no such alert and the servers differ.
#[test]
fn probe_no_client_certificate_alerts_by_server_and_version() {
    let s = setup((2027, 1, 1));
    for (peer, alert, cause) in [
        (
            Peer::OpenSsl12,
            "handshake_failure",
            "requires a client certificate",
        ),
        (Peer::OpenSsl13, "certificate_required", "none was sent"),
        (Peer::Rustls12, "certificate_required", "none was sent"),
        (Peer::Rustls13, "certificate_required", "none was sent"),
    ] {
        let (_guard, port) = start_peer(&s, &s.client, peer);
        let (code, v, err) = probe_json(s.dir.path(), port, &[]);
        let a = &v["attempts"][0];
        assert_eq!(code, 1, "{peer:?}: {v:#}\n{err}");
        assert_eq!(a["sent_certs"], 0, "{peer:?}: {a:#}");
        assert_eq!(a["outcome"]["alert"], alert, "{peer:?}: {a:#}");
        let c = a["outcome"]["cause"].as_str().unwrap();
        assert!(c.contains(cause), "{peer:?}: {a:#}");
        assert!(
            a["outcome"]["fix"].as_str().unwrap().contains("--cert"),
            "{peer:?}: {a:#}"
        );
    }
}
