//! OCSP transport against real `openssl ocsp` responders on 127.0.0.1:
//! GET for a short request and POST for a long one (RFC 5019 §5), a POST
//! retry when a responder refuses the GET, the cache answering a second
//! run offline, a delegated responder with and without
//! id-pkix-ocsp-nocheck, and hostile answers to a POST. The test HTTP
//! server sits in front of the responder to log each request's method.

use std::time::Duration;

use crate::httpd::Route;
use crate::revocation::{
    bounded_ocsp_verify, issue_ext, openssl_ocsp, real_ca, responder, revoke, verify,
};
use crate::util::openssl;

/// A client leaf's extensions with this OCSP URL.
fn leaf_ext(ocsp: &str) -> String {
    format!(
        "basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = clientAuth\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\nauthorityInfoAccess = OCSP;URI:{ocsp}\n"
    )
}

/// The methods of the requests made since `from`.
fn methods_since(server: &crate::httpd::Server, from: usize) -> Vec<(String, String)> {
    server.requests()[from..].to_vec()
}

/// The leaf's status line under "revocation (…)".
fn leaf_line(out: &str) -> String {
    out.lines()
        .skip_while(|l| !l.starts_with("revocation ("))
        .nth(1)
        .unwrap_or("")
        .to_string()
}

#[test]
fn get_for_short_requests_post_for_long_ones_and_the_cache_answers_offline() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let srv = &ca.server;
    let port = crate::util::free_port();
    // Through the test server: "/o/…" reaches the responder as "/…" (GET
    // and POST); "/p/…" answers a GET with 405 and relays a POST.
    srv.set("/o/*", Route::Forward { port, get: true });
    srv.set("/p/*", Route::Forward { port, get: false });
    let long = format!("/o/{}", "l".repeat(200));
    issue_ext(dir, "a", "short", "Short URL", &leaf_ext(&srv.url("/o")));
    issue_ext(dir, "a", "long", "Long URL", &leaf_ext(&srv.url(&long)));
    issue_ext(
        dir,
        "a",
        "long-rev",
        "Long URL Revoked",
        &leaf_ext(&srv.url(&long)),
    );
    issue_ext(
        dir,
        "a",
        "post-only",
        "POST only",
        &leaf_ext(&srv.url("/p/ocsp")),
    );
    revoke(dir, "a", "long-rev.pem", "superseded");
    let root = responder(dir, "root", ca.ocsp[0], "root/ca.pem", "root/ca.key");
    let a = responder(dir, "a", port, "a-responder.pem", "a-responder.key");

    let cases: [(&str, &str, &[&str], &str); 4] = [
        ("short.pem", "good", &["GET"], "OCSP GET http"),
        ("long.pem", "good", &["POST"], "OCSP POST http"),
        ("long-rev.pem", "revoked", &["POST"], "OCSP POST http"),
        ("post-only.pem", "good", &["GET", "POST"], "OCSP GET http"),
    ];
    for (leaf, want, methods, shown) in cases {
        assert_eq!(openssl_ocsp(dir, leaf, "a.pem", port), want, "{leaf}");
        let from = srv.requests().len();
        let (ok, out) = verify(
            dir,
            leaf,
            "a.pem",
            &["--revocation", "ocsp", "--cache-dir", "cache", "--verbose"],
        );
        let sent: Vec<String> = methods_since(srv, from).into_iter().map(|m| m.0).collect();
        assert_eq!(sent, methods, "{leaf}\n{out}");
        assert!(
            leaf_line(&out).contains(&format!(": {want}")),
            "{leaf}\n{out}"
        );
        assert_eq!(ok, want == "good", "{out}");
        assert!(out.contains(shown), "{leaf}\n{out}");
        if leaf == "post-only.pem" {
            assert!(
                out.contains("OCSP GET http") && out.contains("HTTP 405"),
                "{out}"
            );
            assert!(
                out.contains("OCSP POST http") && out.contains(": answered"),
                "{out}"
            );
        }
    }
    // The GET URL of the short request fits in 255 bytes; the long one's
    // would not.
    let get_path = srv
        .requests()
        .into_iter()
        .find(|(m, p)| m == "GET" && p.starts_with("/o/"))
        .unwrap()
        .1;
    assert!(srv.url(&get_path).len() <= 255, "{get_path}");
    assert!(srv.url(&long).len() + get_path.len() - 2 > 255);

    // Second runs: the responders are gone and the network is off; the
    // cache answers (good and revoked), and asks nobody.
    drop(a);
    drop(root);
    let from = srv.requests().len();
    for (leaf, want) in [("short.pem", "good"), ("long-rev.pem", "revoked")] {
        let (ok, out) = verify(
            dir,
            leaf,
            "a.pem",
            &[
                "--revocation",
                "ocsp",
                "--cache-dir",
                "cache",
                "--offline",
                "--verbose",
            ],
        );
        assert_eq!(ok, want == "good", "{out}");
        assert!(
            leaf_line(&out).contains(&format!(": {want}")),
            "{leaf}\n{out}"
        );
        assert!(out.contains("from the cache"), "{out}");
    }
    assert_eq!(methods_since(srv, from), vec![]);
    // A cache that never saw them: offline cannot check.
    let (ok, out) = verify(
        dir,
        "short.pem",
        "a.pem",
        &["--revocation", "ocsp", "--cache-dir", "other", "--offline"],
    );
    assert!(
        !ok && out.contains("--offline forbids asking the responder"),
        "{out}"
    );
}

#[test]
fn a_delegated_responder_without_nocheck_is_named_not_refused() {
    let ca = real_ca();
    let dir = ca.dir.path();
    // A second responder certificate for A, without id-pkix-ocsp-nocheck.
    issue_ext(
        dir,
        "a",
        "a-responder-nn",
        "A OCSP Responder Without NoCheck",
        "basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n",
    );
    let text = |f: &str| crate::util::stdout(&openssl(dir, &["x509", "-noout", "-text", "-in", f]));
    assert!(text("a-responder.pem").contains("OCSP No Check"));
    assert!(!text("a-responder-nn.pem").contains("OCSP No Check"));
    let nn_port = crate::util::free_port();
    issue_ext(
        dir,
        "a",
        "leaf-nn",
        "Client Answered Without NoCheck",
        &leaf_ext(&format!("http://127.0.0.1:{nn_port}")),
    );
    let _root = responder(dir, "root", ca.ocsp[0], "root/ca.pem", "root/ca.key");
    let _a = responder(dir, "a", ca.ocsp[1], "a-responder.pem", "a-responder.key");
    let _nn = responder(
        dir,
        "a",
        nn_port,
        "a-responder-nn.pem",
        "a-responder-nn.key",
    );
    for (leaf, port, nocheck) in [
        ("leaf-good.pem", ca.ocsp[1], true),
        ("leaf-nn.pem", nn_port, false),
    ] {
        // openssl ocsp accepts both responders' answers.
        assert_eq!(openssl_ocsp(dir, leaf, "a.pem", port), "good", "{leaf}");
        let (ok, out) = verify(
            dir,
            leaf,
            "a.pem",
            &["--revocation", "ocsp", "--no-cache", "--verbose"],
        );
        assert!(ok, "{leaf}: {out}");
        assert!(leaf_line(&out).contains(": good"), "{out}");
        let note = "has no id-pkix-ocsp-nocheck extension, and its own revocation status was not checked (RFC 6960 §4.2.2.2.1";
        assert_eq!(out.contains(note), !nocheck, "{leaf}\n{out}");
        assert_eq!(
            out.contains("carries id-pkix-ocsp-nocheck: its own status is not checked"),
            nocheck,
            "{leaf}\n{out}"
        );
        let (_, json) = verify(
            dir,
            leaf,
            "a.pem",
            &["--revocation", "ocsp", "--no-cache", "--json"],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        crate::schema::assert_valid("verify-schema.json", &v);
        let first = &v["revocation"]["fetched"][0];
        assert_eq!(first["kind"], "ocsp", "{v}");
        assert_eq!(first["method"], "GET", "{v}");
        assert_eq!(first["responder"]["nocheck"], nocheck, "{v}");
    }
}

#[test]
fn hostile_answers_to_a_post_end_within_bounds() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let srv = &ca.server;
    let port = crate::util::free_port();
    srv.set("/o/*", Route::Forward { port, get: true });
    let long = format!("/h/{}", "h".repeat(200));
    issue_ext(
        dir,
        "a",
        "leaf-h",
        "Hostile POST",
        &leaf_ext(&srv.url(&long)),
    );
    // A genuine answer for leaf-h, signed by B (not A, nor a responder A
    // authorised): the wrong signer.
    crate::revocation::ocsp_response(dir, "b/ca.pem", "b/ca.key", "leaf-h.pem", "wrong.der");
    let wrong = std::fs::read(dir.join("wrong.der")).unwrap();
    let _root = responder(dir, "root", ca.ocsp[0], "root/ca.pem", "root/ca.key");
    let _a = responder(dir, "a", port, "a-responder.pem", "a-responder.key");
    let relay = format!("/o/{}", "r".repeat(200));
    let cases: Vec<(&str, Route, Option<&str>)> = vec![
        ("huge", Route::Endless, Some("larger than 100000 bytes")),
        (
            "slow",
            Route::Slow(Duration::from_secs(30), wrong.clone()),
            Some("timed out"),
        ),
        (
            "garbage",
            Route::Body("application/ocsp-response", b"<html/>".to_vec()),
            Some("is not"),
        ),
        (
            "wrong signer",
            Route::Body("application/ocsp-response", wrong),
            Some("a responder the issuer did not authorise"),
        ),
        ("error", Route::Status(500), Some("HTTP 500")),
        (
            "302",
            Route::Redirect(relay.clone()),
            Some("redirected with HTTP 302"),
        ),
        // 307 re-sends the POST, to the real responder: good.
        ("307", Route::Redirect307(relay.clone()), None),
    ];
    for (what, route, says) in cases {
        srv.set("/h/*", route);
        let from = srv.requests().len();
        let (ok, out) = bounded_ocsp_verify(dir, "leaf-h.pem", what);
        let sent = methods_since(srv, from);
        assert_eq!(sent[0].0, "POST", "{what}: {sent:?}");
        match says {
            Some(says) => {
                assert!(!ok, "{what}: must not pass under hard fail\n{out}");
                assert!(
                    leaf_line(&out).contains("could not check") && out.contains(says),
                    "{what}:\n{out}"
                );
                // The fix speaks of the responder, not of a CRL.
                assert!(
                    out.contains("fix: ")
                        && out.contains("responder")
                        && !out.contains("fix: get the CRL"),
                    "{what}:\n{out}"
                );
                // Only the POST: no GET fallback for a long request, no
                // follow of a 302.
                assert_eq!(sent.len(), 1, "{what}: {sent:?}");
            }
            None => {
                assert!(ok && leaf_line(&out).contains(": good"), "{what}:\n{out}");
                assert_eq!(sent[1], ("POST".to_string(), relay.clone()), "{what}");
            }
        }
    }
}
