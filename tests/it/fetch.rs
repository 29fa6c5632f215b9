//! AIA completion against a real HTTP server on 127.0.0.1: every response
//! format, every hostile endpoint (each ends within its bound with the
//! right outcome), cycles, limits, pools, the cache and `--offline`, and
//! end to end: `chainfix bundle leaf-only.pem --key key.pem` → curl → openssl.
//!

use std::process::Command;
use std::time::{Duration, Instant};

use chainfix::chain::assemble::Assembly;
use chainfix::chain::complete::{Completer, CompletionReport, NoProgress, Outcome};
use chainfix::fetch::cache::CachingFetcher;
use chainfix::fetch::http::HttpFetcher;
use chainfix::fetch::{Fetch, Limits};
use chainfix::parse::{Inventory, NoPasswords, parse_source};

use crate::httpd::{Route, Server};
use crate::pki::{Alg, Node, Pki, Spec};
use crate::util::{self, chainfix, stderr, write};

const DER: &str = "application/pkix-cert";
const P7: &str = "application/pkcs7-mime";

/// root → "Fetch Intermediate CA" (AIA `int_aia`) → leaf (AIA `leaf_aia`).
fn pki(leaf_aia: Vec<String>, int_aia: Vec<String>) -> Pki {
    Pki::build(
        Spec::ca("Fetch Root CA", Alg::EcdsaP256),
        vec![Spec {
            aia: int_aia,
            ..Spec::ca("Fetch Intermediate CA", Alg::EcdsaP256)
        }],
        Spec {
            aia: leaf_aia,
            ..Spec::client("fetch-client.example.test", Alg::EcdsaP256)
        },
    )
}

/// PKCS#7 certs-only made by the real openssl.
fn pkcs7(certs: &[&Node], pem_out: bool) -> Vec<u8> {
    let d = util::tempdir();
    let mut cmd = Command::new("openssl");
    cmd.args(["crl2pkcs7", "-nocrl"]);
    for (i, c) in certs.iter().enumerate() {
        let p = write(d.path(), &format!("c{i}.pem"), c.pem());
        cmd.arg("-certfile").arg(p);
    }
    cmd.args(["-outform", if pem_out { "PEM" } else { "DER" }]);
    let out = cmd.output().expect("openssl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Reads a DER TLV header: (header length, content length).
fn tlv(b: &[u8]) -> (usize, usize) {
    let l = b[1] as usize;
    if l < 0x80 {
        (2, l)
    } else {
        let n = l & 0x7f;
        let mut len = 0usize;
        for &x in &b[2..2 + n] {
            len = (len << 8) | x as usize;
        }
        (2 + n, len)
    }
}

/// The same PKCS#7 re-encoded with BER indefinite lengths on the outer
/// ContentInfo SEQUENCE and its [0] wrapper (what some CAs serve).
fn ber_indefinite(der: &[u8]) -> Vec<u8> {
    let (h, _) = tlv(der);
    let inner = &der[h..];
    let (oh, ol) = tlv(inner);
    let oid = &inner[..oh + ol];
    let wrapped = &inner[oh + ol..];
    let (wh, wl) = tlv(wrapped);
    let signed = &wrapped[wh..wh + wl];
    let mut out = vec![0x30, 0x80];
    out.extend_from_slice(oid);
    out.extend_from_slice(&[0xa0, 0x80]);
    out.extend_from_slice(signed);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

fn limits() -> Limits {
    Limits {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(1),
        // The test servers listen on 127.0.0.1.
        allow_private: true,
        ..Limits::default()
    }
}

/// Completes from the leaf alone.
fn complete(leaf: &Node, f: &dyn Fetch, limits: Limits) -> (Assembly, CompletionReport) {
    let mut inv = Inventory::default();
    parse_source(
        leaf.pem().as_bytes(),
        "leaf.pem",
        Some("pem"),
        &NoPasswords,
        &mut inv,
    );
    assert_eq!(inv.certs.len(), 1);
    let c = Completer {
        pools: &[],
        fetcher: Some(f),
        limits,
        offline: false,
        progress: &NoProgress,
    };
    c.run(&mut inv, None).unwrap()
}

fn http() -> HttpFetcher {
    HttpFetcher::new(&limits()).unwrap()
}

#[test]
fn every_response_format_completes_the_chain_and_keeps_all_certificates() {
    for fmt in ["der", "pem", "bundle", "p7c", "p7pem", "p7ber"] {
        let srv = Server::start();
        // Single-cert formats: the intermediate names where the root is.
        // Multi-cert formats carry the root too, so /never must not be asked.
        let multi = matches!(fmt, "bundle" | "p7c" | "p7pem" | "p7ber");
        let int_aia = if multi {
            srv.url("/never")
        } else {
            srv.url("/root.der")
        };
        let p = pki(vec![srv.url(&format!("/int.{fmt}"))], vec![int_aia]);
        let int = &p.intermediates[0];
        let body = match fmt {
            "der" => int.der(),
            "pem" => int.pem().into_bytes(),
            "bundle" => format!("{}{}", int.pem(), p.root.pem()).into_bytes(),
            "p7c" => pkcs7(&[int, &p.root], false),
            "p7pem" => pkcs7(&[int, &p.root], true),
            "p7ber" => ber_indefinite(&pkcs7(&[int, &p.root], false)),
            _ => unreachable!(),
        };
        srv.set(&format!("/int.{fmt}"), Route::Body(P7, body));
        srv.set("/root.der", Route::Body(DER, p.root.der()));
        let (a, r) = complete(&p.leaf, &http(), limits());
        assert!(a.complete(), "{fmt}: {r:#?}");
        assert_eq!(a.path.len(), 3, "{fmt}");
        assert!(
            matches!(&r.attempts[0].outcome, Outcome::Issuer { subject, .. } if subject.contains("Fetch Intermediate CA")),
            "{fmt}: {r:#?}"
        );
        if multi {
            assert_eq!(
                r.attempts[0].certificates.len(),
                2,
                "{fmt}: all certificates kept"
            );
            assert_eq!(r.attempts.len(), 1, "{fmt}");
            assert!(!srv.hits().contains(&"/never".to_string()), "{fmt}");
        } else {
            assert_eq!(r.attempts.len(), 2, "{fmt}");
        }
    }
}

/// One hostile endpoint: the leaf's only AIA URL is `path` served by `route`.
fn hostile(path: &str, route: Option<Route>, bound: Duration) -> Outcome {
    let srv = Server::start();
    let url = if path.contains(':') {
        path.to_string()
    } else {
        srv.url(path)
    };
    let p = pki(vec![url], vec![]);
    if let Some(r) = route {
        srv.set(path, r);
    }
    let t = Instant::now();
    let (a, r) = complete(&p.leaf, &http(), limits());
    let took = t.elapsed();
    assert!(took < bound, "{path} took {took:?}, bound {bound:?}");
    assert!(!a.complete());
    assert_eq!(r.attempts.len(), 1, "{r:#?}");
    r.attempts[0].outcome.clone()
}

#[test]
fn hostile_endpoints_end_within_their_bound_with_the_right_outcome() {
    let quick = Duration::from_secs(3);
    assert_eq!(hostile("/missing", None, quick), Outcome::NotFound);
    assert_eq!(
        hostile("/error", Some(Route::Status(500)), quick),
        Outcome::HttpStatus { status: 500 }
    );
    assert_eq!(
        hostile(
            "/slow",
            Some(Route::Slow(Duration::from_secs(8), vec![])),
            quick
        ),
        Outcome::Timeout { millis: 1000 }
    );
    assert_eq!(
        hostile("/huge", Some(Route::Body(DER, vec![0x30; 2 << 20])), quick),
        Outcome::TooLarge { limit: 1 << 20 }
    );
    assert_eq!(
        hostile("/endless", Some(Route::Endless), quick),
        Outcome::TooLarge { limit: 1 << 20 }
    );
    assert_eq!(
        hostile("/loop", Some(Route::Redirect("/loop".into())), quick),
        Outcome::TooManyRedirects { limit: 5 }
    );
    assert!(matches!(
        hostile(
            "/junk",
            Some(Route::Body(DER, b"<html>hello</html>".to_vec())),
            quick
        ),
        Outcome::NotACertificate { .. }
    ));
    assert_eq!(
        hostile("ldap://127.0.0.1/cn=CA?cACertificate", None, quick),
        Outcome::RefusedScheme {
            scheme: "ldap".into()
        }
    );
    assert_eq!(
        hostile("file:///etc/ssl/certs/ca-certificates.crt", None, quick),
        Outcome::RefusedScheme {
            scheme: "file".into()
        }
    );
    // A redirect to file: is refused too.
    assert_eq!(
        hostile(
            "/tofile",
            Some(Route::Redirect("file:///etc/passwd".into())),
            quick
        ),
        Outcome::RefusedScheme {
            scheme: "file".into()
        }
    );
    // A certificate with the right name that did not sign the child.
    let impostor = crate::pki::root(&Spec::ca("Fetch Intermediate CA", Alg::EcdsaP256));
    match hostile("/impostor", Some(Route::Body(DER, impostor.der())), quick) {
        Outcome::WrongSignature { certificates } => {
            assert_eq!(certificates.len(), 1);
            assert!(certificates[0].subject.contains("Fetch Intermediate CA"));
        }
        o => panic!("expected wrong-signature, got {o:?}"),
    }
}

#[test]
fn every_url_is_followed_concurrently() {
    let srv = Server::start();
    let p = pki(
        vec![srv.url("/gone"), srv.url("/slow1"), srv.url("/slow2")],
        vec![srv.url("/root.der")],
    );
    // Each of these answers only while the other is in flight too: fetched
    // one after the other, both would get 503 and the chain stay incomplete.
    srv.set("/slow1", Route::Together(2, p.intermediates[0].der()));
    srv.set("/slow2", Route::Together(2, p.intermediates[0].der()));
    srv.set("/root.der", Route::Body(DER, p.root.der()));
    let (a, r) = complete(&p.leaf, &http(), limits());
    assert!(a.complete(), "{r:#?}");
    let outcomes: Vec<&Outcome> = r.attempts.iter().map(|a| &a.outcome).collect();
    assert_eq!(outcomes[0], &Outcome::NotFound);
    assert!(matches!(outcomes[1], Outcome::Issuer { .. }));
    assert!(matches!(outcomes[2], Outcome::Issuer { .. }));
    assert_eq!(r.attempts.len(), 4);
}

#[test]
fn an_aia_cycle_ends() {
    // Root → B (AIA /a) → A (AIA /b) → leaf (AIA /a): /a serves A, /b serves B,
    // B's issuer points back at /a.
    let srv = Server::start();
    let p = Pki::build(
        Spec::ca("Cycle Root", Alg::EcdsaP256),
        vec![
            Spec {
                aia: vec![srv.url("/a")],
                ..Spec::ca("Cycle B", Alg::EcdsaP256)
            },
            Spec {
                aia: vec![srv.url("/b")],
                ..Spec::ca("Cycle A", Alg::EcdsaP256)
            },
        ],
        Spec {
            aia: vec![srv.url("/a")],
            ..Spec::client("cycle leaf", Alg::EcdsaP256)
        },
    );
    srv.set("/a", Route::Body(DER, p.intermediates[1].der()));
    srv.set("/b", Route::Body(DER, p.intermediates[0].der()));
    let t = Instant::now();
    let (a, r) = complete(&p.leaf, &http(), limits());
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(!a.complete());
    assert_eq!(a.path.len(), 3);
    assert_eq!(srv.hits(), vec!["/a", "/b"]);
    assert_eq!(r.attempts.last().unwrap().outcome, Outcome::AlreadyTried);
}

#[test]
fn fetch_and_depth_limits_stop_completion() {
    let srv = Server::start();
    let p = pki(vec![srv.url("/int.der")], vec![srv.url("/root.der")]);
    srv.set("/int.der", Route::Body(DER, p.intermediates[0].der()));
    srv.set("/root.der", Route::Body(DER, p.root.der()));
    let (a, r) = complete(
        &p.leaf,
        &http(),
        Limits {
            max_fetches: 1,
            ..limits()
        },
    );
    assert!(!a.complete());
    assert_eq!(r.attempts[1].outcome, Outcome::FetchLimit { limit: 1 });
    assert!(r.stopped_by.as_deref().unwrap().contains("fetch limit"));
    let (a, r) = complete(
        &p.leaf,
        &http(),
        Limits {
            max_depth: 1,
            ..limits()
        },
    );
    assert!(!a.complete());
    assert_eq!(r.attempts.len(), 1);
    assert!(r.stopped_by.as_deref().unwrap().contains("depth"));
    assert_eq!(srv.hits(), vec!["/int.der", "/int.der"]);
}

#[test]
fn local_pools_are_searched_before_the_network() {
    let srv = Server::start();
    let p = pki(vec![srv.url("/int.der")], vec![srv.url("/root.der")]);
    srv.set("/root.der", Route::Body(DER, p.root.der()));
    let mut pool = Inventory::default();
    parse_source(
        p.intermediates[0].pem().as_bytes(),
        "pool.pem",
        None,
        &NoPasswords,
        &mut pool,
    );
    let mut inv = Inventory::default();
    parse_source(
        p.leaf.pem().as_bytes(),
        "leaf.pem",
        None,
        &NoPasswords,
        &mut inv,
    );
    let f = http();
    let c = Completer {
        pools: &pool.certs,
        fetcher: Some(&f),
        limits: limits(),
        offline: false,
        progress: &NoProgress,
    };
    let (a, r) = c.run(&mut inv, None).unwrap();
    assert!(a.complete());
    assert_eq!(r.from_pools.len(), 1);
    assert_eq!(
        srv.hits(),
        vec!["/root.der"],
        "the intermediate came from the pool"
    );
}

#[test]
fn the_cache_serves_the_same_chain_offline_after_the_server_is_gone() {
    let cache = util::tempdir();
    let mut srv = Server::start();
    let p = pki(vec![srv.url("/int.der")], vec![srv.url("/root.der")]);
    srv.set("/int.der", Route::Body(DER, p.intermediates[0].der()));
    srv.set("/root.der", Route::Body(DER, p.root.der()));
    let online = CachingFetcher::new(cache.path(), Some(http()), 1_000_000);
    let (a1, r1) = complete(&p.leaf, &online, limits());
    assert!(a1.complete());
    assert!(r1.attempts.iter().all(|a| !a.from_cache));
    srv.stop();
    let offline: CachingFetcher<HttpFetcher> = CachingFetcher::new(cache.path(), None, 2_000_000);
    let (a2, r2) = complete(&p.leaf, &offline, limits());
    assert!(a2.complete());
    assert!(r2.attempts.iter().all(|a| a.from_cache));
    assert_eq!(a1.path.len(), a2.path.len());
    // A cold cache offline: nothing, and no socket (the server is gone anyway).
    let empty = util::tempdir();
    let cold: CachingFetcher<HttpFetcher> = CachingFetcher::new(empty.path(), None, 0);
    let (a3, r3) = complete(&p.leaf, &cold, limits());
    assert!(!a3.complete());
    assert_eq!(r3.attempts[0].outcome, Outcome::NotCached);
}

#[test]
fn bundle_completes_a_leaf_only_file_that_curl_gets_accepted_with_then_again_offline_from_cache() {
    let d = util::tempdir();
    let mut srv = Server::start();
    let p = Pki::build(
        Spec::ca("E2E Root", Alg::Rsa(1)),
        vec![
            Spec {
                aia: vec![srv.url("/root.crt")],
                ..Spec::ca("E2E Policy CA", Alg::Rsa(2))
            },
            Spec {
                aia: vec![srv.url("/policy.crt")],
                ..Spec::ca("E2E Issuing CA", Alg::Rsa(3))
            },
        ],
        Spec {
            aia: vec![srv.url("/issuing.crt")],
            ..Spec::client("e2e-client.example.test", Alg::Rsa(4))
        },
    );
    srv.set("/issuing.crt", Route::Body(DER, p.intermediates[1].der()));
    srv.set(
        "/policy.crt",
        Route::Body(DER, p.intermediates[0].pem().into_bytes()),
    );
    srv.set("/root.crt", Route::Body(DER, p.root.der()));
    write(d.path(), "leaf-only.pem", p.leaf.pem());
    write(d.path(), "key.pem", p.leaf.key_pem());
    let root = write(d.path(), "root.pem", p.root.pem());
    let cache = d.path().join("cache");
    let cache_s = cache.to_str().unwrap();
    let args = [
        "bundle",
        "leaf-only.pem",
        "--key",
        "key.pem",
        "--cache-dir",
        cache_s,
    ];
    let o = chainfix(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&srv.url("/issuing.crt")), "{err}");
    assert!(err.contains("E2E Issuing CA"), "{err}");
    assert!(err.contains("tried"), "{err}");
    let first = std::fs::read(d.path().join("fullcert.pem")).unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("-----BEGIN PRIVATE KEY-----"));
    let (scert, skey) = crate::bundle::server_files(d.path(), &p);
    let (_s, port) = util::openssl_mtls_server(d.path(), &scert, &skey, &root);
    let (code, cerr) = util::curl_with_cert(d.path(), port, "fullcert.pem", "PEM", &root);
    assert_eq!(code, 200, "curl with the completed fullcert.pem: {cerr}");

    srv.stop();
    let args = [
        "bundle",
        "leaf-only.pem",
        "--key",
        "key.pem",
        "--offline",
        "--cache-dir",
        cache_s,
        "-o",
        "again.pem",
        "--json",
    ];
    let o = chainfix(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.path().join("again.pem")).unwrap(), first);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let attempts = j["completion"]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts
            .iter()
            .all(|a| a["from_cache"] == true && a["result"] == "issuer")
    );
    assert_eq!(j["completion"]["offline"], true);
}

#[test]
fn failed_completion_names_the_certificate_the_urls_and_what_to_do() {
    let d = util::tempdir();
    let srv = Server::start();
    let p = pki(vec![srv.url("/gone.crt"), srv.url("/bad.crt")], vec![]);
    srv.set("/bad.crt", Route::Body(DER, b"not a cert".to_vec()));
    write(d.path(), "leaf.pem", p.leaf.pem());
    write(d.path(), "key.pem", p.leaf.key_pem());
    let cache = d.path().join("cache");
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            "leaf.pem",
            "--no-key",
            "--cache-dir",
            cache.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "Fetch Intermediate CA",
        "fetch-client.example.test",
        &srv.url("/gone.crt"),
        "404",
        &srv.url("/bad.crt"),
        "not a certificate",
        "--intermediates",
        "ask the CA",
        "the certificate without its issuer: O=chainfix test, CN=fetch-client.example.test",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    // --intermediates fixes it without the network.
    write(
        d.path(),
        "int.pem",
        p.intermediates[0].pem() + &p.root.pem(),
    );
    let o = chainfix(
        d.path(),
        &[
            "bundle",
            "leaf.pem",
            "--no-key",
            "--intermediates",
            "int.pem",
            "--offline",
            "--no-cache",
            "-o",
            "fixed.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("int.pem"));
}

#[test]
fn https_is_verified_and_an_http_to_https_redirect_is_followed_with_tls() {
    // openssl s_server with a certificate from a test root nobody trusts:
    // the TLS client must refuse it (and say why), directly and after a
    // redirect from http.
    let d = util::tempdir();
    let p = pki(vec![], vec![]);
    let (scert, skey) = crate::bundle::server_files(d.path(), &p);
    let port = util::free_port();
    let child = Command::new("openssl")
        .args(["s_server", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&scert)
        .arg("-key")
        .arg(&skey)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _guard = util::Guard(child);
    util::wait_for_port(port, Duration::from_secs(10));
    let https = format!("https://127.0.0.1:{port}/int.crt");
    let f = http();
    match f.fetch(&https) {
        Err(chainfix::fetch::FetchError::Network { detail }) => {
            assert!(detail.to_lowercase().contains("certificate"), "{detail}")
        }
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
    let srv = Server::start();
    srv.set("/up", Route::Redirect(https.clone()));
    match f.fetch(&srv.url("/up")) {
        Err(chainfix::fetch::FetchError::Network { detail }) => {
            assert!(detail.to_lowercase().contains("certificate"), "{detail}")
        }
        other => panic!("expected a TLS refusal after the redirect, got {other:?}"),
    }
}

#[test]
fn an_endless_body_is_cut_at_the_cap_and_memory_stays_small() {
    // The server would send 256 MiB; chainfix stops at the 1 MiB cap. GNU
    // time reports the process's peak resident memory.
    let d = util::tempdir();
    let srv = Server::start();
    let p = pki(vec![srv.url("/endless")], vec![]);
    srv.set("/endless", Route::Endless);
    write(d.path(), "leaf.pem", p.leaf.pem());
    let t = Instant::now();
    let o = Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_chainfix"))
        .args(["bundle", "leaf.pem", "--no-key", "--no-cache", "--json"])
        .current_dir(d.path())
        .output()
        .expect("GNU time is installed (/usr/bin/time)");
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["completion"]["attempts"][0]["result"], "too-large");
    let err = stderr(&o);
    let kb: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .expect("time printed the peak memory")
        .trim()
        .parse()
        .unwrap();
    assert!(kb < 48 * 1024, "peak memory {kb} KiB");
    eprintln!("peak memory with an endless body: {kb} KiB");
}
