//! `chainfix serve`: the gates (foreign Host, cross-origin POST, no token,
//! oversized upload, each refused with its status) and the API on the
//! bundled example, whose fullcert.pem must pass `openssl verify` and get
//! `curl -E` through an `openssl s_server` that requires client
//! certificates, and whose JKS `keytool` must read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::bundle::server_files;
use crate::pki::Pki;
use crate::util::{self, Guard, write};

/// A running `chainfix serve`: its host:port and token.
pub struct Served {
    _child: Guard,
    pub host: String,
    pub token: String,
}

pub fn serve(extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .arg("serve")
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let rest = url.strip_prefix("http://").unwrap();
    let (host, query) = rest.split_once("/?t=").unwrap();
    assert!(host.starts_with("127.0.0.1:"), "{line}");
    Served {
        _child: Guard(child),
        host: host.to_string(),
        token: query.to_string(),
    }
}

/// Sends raw `head` (+ `body`) and returns (status, body).
pub fn raw(s: &Served, head: &str, body: &[u8]) -> (u16, String) {
    let mut t = TcpStream::connect(&s.host).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    t.write_all(head.as_bytes()).unwrap();
    let _ = t.write_all(body);
    let mut out = Vec::new();
    let _ = t.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    (status, body)
}

fn post(s: &Served, host: &str, origin: &str, token: &str, body: &[u8]) -> (u16, String) {
    raw(
        s,
        &format!(
            "POST /api/check HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nX-Chainfix-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ),
        body,
    )
}

#[test]
fn gates_refuse_foreign_host_cross_origin_no_token_and_big_uploads() {
    let s = serve(&["--max-upload", "1"]);
    let h = s.host.clone();
    let get = |host: &str, q: &str| {
        raw(
            &s,
            &format!("GET /{q} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
            b"",
        )
    };
    // The page with the token, from the address served.
    let (code, page) = get(&h, &format!("?t={}", s.token));
    assert_eq!(code, 200);
    assert!(page.contains("<title>chainfix"), "{page}");
    // DNS rebinding: a name that resolves to 127.0.0.1 but is not ours.
    let port = h.rsplit(':').next().unwrap();
    assert_eq!(
        get(
            &format!("attacker.example:{port}"),
            &format!("?t={}", s.token)
        )
        .0,
        421
    );
    assert_eq!(get("127.0.0.1:1", &format!("?t={}", s.token)).0, 421);
    // No token, a wrong one.
    assert_eq!(get(&h, "").0, 401);
    assert_eq!(get(&h, "?t=00000000000000000000000000000000").0, 401);
    // A POST from another origin, with the right token even.
    let body = br#"{"files":[],"journey":"client"}"#;
    assert_eq!(post(&s, &h, "http://evil.example", &s.token, body).0, 403);
    assert_eq!(
        raw(
            &s,
            &format!("POST /api/check HTTP/1.1\r\nHost: {h}\r\nSec-Fetch-Site: cross-site\r\nX-Chainfix-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", s.token, body.len()),
            body
        )
        .0,
        403
    );
    assert_eq!(post(&s, &h, &format!("http://{h}"), "", body).0, 401);
    // Over the 1 MiB cap: refused from the header, before reading the body.
    let (code, msg) = raw(
        &s,
        &format!(
            "POST /api/check HTTP/1.1\r\nHost: {h}\r\nOrigin: http://{h}\r\nX-Chainfix-Token: {}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
            s.token
        ),
        b"",
    );
    assert_eq!(code, 413, "{msg}");
    // The same-origin request goes through (no files: a sentence, not a crash).
    let (code, out) = post(&s, &h, &format!("http://{h}"), &s.token, body);
    assert_eq!(code, 200, "{out}");
    assert!(out.contains("\"problems\":[\""), "{out}");
}

/// `full` (key + chain of the bundled example) passes `openssl verify`
/// against the example's root and gets `curl -E` through an `openssl
/// s_server` that requires a client certificate from that root.
pub fn example_fullcert_works(dir: &Path, full: &Path) {
    let root = example_dir().join("root-ca.pem");
    let o = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(&root)
        .arg("-untrusted")
        .arg(full)
        .arg(full)
        .output()
        .unwrap();
    assert!(o.status.success(), "openssl verify: {o:?}");
    let server_pki = Pki::client(0, false);
    let server_root = write(dir, "server-root.pem", server_pki.root.pem());
    let (scert, skey) = server_files(dir, &server_pki);
    let (_server, port) = util::openssl_mtls_server(dir, &scert, &skey, &root);
    let name = full.file_name().unwrap().to_str().unwrap();
    let (code, err) = util::curl_with_cert(dir, port, name, "PEM", &server_root);
    assert_eq!(code, 200, "curl -E with the page's fullcert.pem: {err}");
}

pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples")
}

fn upload(names: &[&str], extra: &str) -> Vec<u8> {
    let files: Vec<String> = names
        .iter()
        .map(|n| {
            let bytes = std::fs::read(example_dir().join("salesforce-client").join(n)).unwrap();
            format!(r#"{{"name":"{n}","data":"{}"}}"#, B64.encode(bytes))
        })
        .collect();
    format!(
        r#"{{"files":[{}],"journey":"salesforce-client"{extra}}}"#,
        files.join(",")
    )
    .into_bytes()
}

#[test]
fn api_on_the_bundled_example_gives_a_fullcert_that_openssl_and_curl_accept() {
    let s = serve(&[]);
    let h = s.host.clone();
    let body = upload(
        &["client.crt", "client.key", "ca-bundle.txt"],
        r#","keystore":"jks","keystore_password":"changeit""#,
    );
    let (code, out) = post(&s, &h, &format!("http://{h}"), &s.token, &body);
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // verify's own JSON document.
    assert_eq!(v["verify"]["version"], 1, "{v}");
    assert_eq!(v["verify"]["verdict"]["peer"], "salesforce", "{v}");
    assert!(
        v["verify"]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{v}"
    );
    let svg = v["svg"].as_str().unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("api-client.example.com"));
    assert_eq!(svg.matches("<g class=\"node").count(), 4, "{svg}");

    let d = util::tempdir();
    let full = write(
        d.path(),
        "fullcert.pem",
        v["fullcert_pem"].as_str().unwrap(),
    );
    example_fullcert_works(d.path(), &full);
    // The chain for the upload box: the certificates, no key.
    let chain = v["chain_pem"].as_str().unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 3, "{chain}");
    assert!(!chain.contains("PRIVATE KEY"));
    // The JKS: keytool reads it, key entry and whole chain.
    assert_eq!(v["keystore_name"], "keystore.jks");
    let ks = write(
        d.path(),
        "keystore.jks",
        B64.decode(v["keystore"].as_str().unwrap()).unwrap(),
    );
    if let Ok(o) = Command::new("keytool")
        .args(["-list", "-v", "-storepass", "changeit", "-keystore"])
        .arg(&ks)
        .output()
    {
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "keytool: {o:?}");
        assert!(text.contains("PrivateKeyEntry"), "{text}");
        assert!(text.contains("Certificate chain length: 3"), "{text}");
    }
}

#[test]
fn api_names_the_missing_issuer() {
    let s = serve(&[]);
    let h = s.host.clone();
    let (code, out) = post(
        &s,
        &h,
        &format!("http://{h}"),
        &s.token,
        &upload(&["client.crt"], ""),
    );
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verify"]["valid"], false);
    let findings = v["verify"]["findings"].to_string();
    assert!(findings.contains("Example Issuing CA 2"), "{findings}");
    assert!(v["fullcert_pem"].is_null(), "no key was uploaded");
}

/// The page fetches missing issuers only from public addresses: an AIA URL
/// on 127.0.0.1 (where a test server really holds the issuer) is refused
/// and never requested, so the page cannot be used to probe the network
/// it runs in.
#[test]
fn api_fetch_never_reaches_loopback() {
    use crate::httpd::{Route, Server};
    use crate::pki::{Alg, Spec, root};
    let mut http = Server::start();
    let ca = root(&Spec::ca("Root", Alg::EcdsaP256));
    let inter = ca.issue(Spec::ca("Inter", Alg::EcdsaP256).params(), Alg::EcdsaP256);
    http.set(
        "/inter.der",
        Route::Body("application/pkix-cert", inter.der()),
    );
    let mut leaf = Spec::client("leaf", Alg::EcdsaP256);
    leaf.aia = vec![http.url("/inter.der")];
    let leaf = inter.issue(leaf.params(), Alg::EcdsaP256);
    let s = serve(&[]);
    let h = s.host.clone();
    let body = format!(
        r#"{{"files":[{{"name":"leaf.pem","data":"{}"}}],"journey":"client","fetch":true}}"#,
        B64.encode(leaf.pem())
    );
    let (code, out) = post(&s, &h, &format!("http://{h}"), &s.token, body.as_bytes());
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["completion"]["attempts"][0]["result"], "refused-address",
        "{v}"
    );
    assert!(http.hits().is_empty(), "the page fetched from loopback");
    assert_eq!(v["verify"]["valid"], false);
    http.stop();
}
