//! Delta CRLs found through freshestCRL (RFC 5280 §5.2.6, §6.3.3 (c)),
//! made by openssl itself (`openssl crl -gendelta`, X509_CRL_diff) and
//! served on 127.0.0.1. No peer applies them by default (docs/peers.md, row
//! `delta_crls`): for `--peer openssl` a certificate revoked only in the
//! delta is good, as plain `openssl verify -crl_check_all` with the delta
//! says, and the report names the delta passed over. With `--use-deltas` it
//! is revoked exactly when `openssl verify -crl_check_all -use_deltas` says
//! so, whether the certificate or the complete CRL names the delta; without
//! a reachable delta both say good. (Plain OpenSSL does read a delta given
//! to it, as a complete CRL, when it is newer than its base: row
//! `delta_as_complete_crl`, the last test here; the first pins both CRLs'
//! lastUpdate so that openssl keeps the base.)

use std::path::Path;
use std::process::Command;

use crate::httpd::Route;
use crate::revocation::{gencrl, issue_ext, real_ca, revoke, verify};
use crate::util::openssl;

fn leaf_ext(cdp: &str, freshest: Option<&str>) -> String {
    let mut e = format!(
        "basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = clientAuth\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\ncrlDistributionPoints = URI:{cdp}\n"
    );
    if let Some(f) = freshest {
        e.push_str(&format!("freshestCRL = URI:{f}\n"));
    }
    e
}

/// `openssl verify -crl_check_all` (with `-use_deltas` when `use_deltas`)
/// with A's complete CRL, and its delta when `delta`.
fn openssl_verify(dir: &Path, leaf: &str, delta: bool, use_deltas: bool) -> bool {
    let mut c = Command::new("openssl");
    c.args(["verify", "-crl_check_all"]);
    if use_deltas {
        c.arg("-use_deltas");
    }
    c.args(["-CAfile", "root.pem", "-untrusted", "a.pem"])
        .args(["-CRLfile", "root.crl.pem", "-CRLfile", "a-base.crl.pem"]);
    if delta {
        c.args(["-CRLfile", "a-delta.crl.pem"]);
    }
    crate::util::succeeds(
        c.arg(leaf).current_dir(dir),
        &format!("openssl verify {leaf} (delta {delta}, -use_deltas {use_deltas})"),
    )
}

/// The delta between A's CRLs a-base and a-next, signed by A: `out` in
/// DER (returned) and `out`.pem.
fn gendelta(dir: &Path, out: &str, extra: &[&str]) -> Vec<u8> {
    let pem = format!("{out}.pem");
    let mut args = vec![
        "crl",
        "-in",
        "a-base.crl.pem",
        "-gendelta",
        "a-next.crl.pem",
        "-key",
        "a/ca.key",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-out", &pem]);
    openssl(dir, &args);
    openssl(dir, &["crl", "-in", &pem, "-outform", "DER", "-out", out]);
    std::fs::read(dir.join(out)).unwrap()
}

/// Now plus `secs`, whole seconds, as `openssl ca -crl_lastupdate` takes
/// it (YYYYMMDDHHMMSSZ).
fn stamp(secs: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let t = now + secs;
    let (days, s) = (t.div_euclid(86400), t.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn leaf_line_has(out: &str, what: &str) -> bool {
    out.lines()
        .skip_while(|l| !l.starts_with("revocation ("))
        .nth(1)
        .is_some_and(|l| l.contains(what))
}

#[test]
fn a_delta_crl_counts_only_where_the_peer_applies_it_as_openssl_says() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let srv = &ca.server;
    let cdp = srv.url("/a.crl");
    // leaf-d names a delta CRL itself; leaf-e only through A's complete CRL.
    let own = srv.url("/own-delta.crl");
    let of_crl = srv.url("/a-delta.crl");
    issue_ext(
        dir,
        "a",
        "leaf-d",
        "Revoked In The Delta",
        &leaf_ext(&cdp, Some(&own)),
    );
    issue_ext(
        dir,
        "a",
        "leaf-e",
        "Also In The Delta",
        &leaf_ext(&cdp, None),
    );
    let cnf = dir.join("a/ca.cnf");
    let mut text = std::fs::read_to_string(&cnf).unwrap();
    text.push_str(&format!("[ fresh ]\nfreshestCRL = URI:{of_crl}\n"));
    std::fs::write(&cnf, text).unwrap();
    // The complete CRL, then both leaves revoked, then the delta between
    // that CRL and the next one.
    // Both CRLs carry the same lastUpdate: a delta newer than its base is
    // the complete CRL to OpenSSL (see
    // openssl_takes_a_newer_delta_crl_as_the_complete_one), and two
    // `openssl ca -gencrl` a second apart made this test flaky.
    let (last, next) = (stamp(-3600), stamp(7 * 86400));
    let times = ["-crl_lastupdate", &last, "-crl_nextupdate", &next];
    let base = gencrl(
        dir,
        "a",
        "a-base.crl",
        &[&["-crlexts", "fresh"], &times[..]].concat(),
    );
    for (leaf, reason) in [
        ("leaf-d.pem", "keyCompromise"),
        ("leaf-e.pem", "affiliationChanged"),
    ] {
        revoke(dir, "a", leaf, reason);
    }
    gencrl(
        dir,
        "a",
        "a-next.crl",
        &[&["-crlexts", "fresh"], &times[..]].concat(),
    );
    // openssl signs a delta with SHA-1 unless told (chainfix, like ring
    // and webpki, verifies no ECDSA-SHA-1 signature).
    let delta = gendelta(dir, "a-delta.crl", &["-sha256"]);
    let shown = crate::util::stdout(&openssl(
        dir,
        &["crl", "-in", "a-delta.crl.pem", "-noout", "-text"],
    ));
    assert!(shown.contains("Delta CRL Indicator"), "{shown}");
    srv.set("/a.crl", Route::Body("application/pkix-crl", base));

    let run = |leaf: &str| {
        verify(
            dir,
            leaf,
            "a.pem",
            &[
                "--revocation",
                "crl",
                "--no-cache",
                "--verbose",
                "--use-deltas",
            ],
        )
    };
    // Both delta URLs serve it.
    srv.set(
        "/own-delta.crl",
        Route::Body("application/pkix-crl", delta.clone()),
    );
    srv.set(
        "/a-delta.crl",
        Route::Body("application/pkix-crl", delta.clone()),
    );
    // OpenSSL as curl runs it applies no delta: every leaf is good, for
    // plain `openssl verify -crl_check_all` with the delta and for
    // chainfix's openssl peer, which does not fetch the deltas and says so.
    for leaf in ["leaf-d.pem", "leaf-e.pem", "leaf-good.pem"] {
        assert!(openssl_verify(dir, leaf, true, false), "{leaf}: openssl");
        let (ok, out) = verify(
            dir,
            leaf,
            "a.pem",
            &["--peer", "openssl", "--no-cache", "--verbose"],
        );
        assert!(ok, "{leaf}\n{out}");
        if leaf != "leaf-good.pem" {
            assert!(
                out.contains("note: delta CRLs ignored, as OpenSSL (curl) ignores them")
                    && out.contains(&of_crl),
                "{leaf}\n{out}"
            );
        }
        assert!(!out.contains("delta CRL GET"), "{leaf}\n{out}");
    }
    let (ok, json) = verify(
        dir,
        "leaf-d.pem",
        "a.pem",
        &["--peer", "java", "--no-cache", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    crate::schema::assert_valid("verify-schema.json", &v);
    assert!(ok, "{v:#}");
    assert_eq!(v["revocation"]["use_deltas"], false, "{v:#}");
    let ignored = v["revocation"]["ignored_deltas"].to_string();
    assert!(ignored.contains(&own) && ignored.contains(&of_crl), "{v:#}");

    // With --use-deltas, as `openssl verify -use_deltas`: both leaves
    // revoked.
    for (leaf, revoked) in [
        ("leaf-d.pem", true),
        ("leaf-e.pem", true),
        ("leaf-good.pem", false),
    ] {
        assert!(
            openssl_verify(dir, leaf, false, true),
            "{leaf}: openssl without the delta"
        );
        assert_eq!(openssl_verify(dir, leaf, true, true), !revoked, "{leaf}");
        let (ok, out) = run(leaf);
        assert_eq!(ok, !revoked, "{leaf}\n{out}");
        if revoked {
            assert!(
                out.contains("revoked on") && out.contains("-delta.crl"),
                "{leaf}\n{out}"
            );
        }
        assert!(out.contains("delta CRL GET http"), "{leaf}\n{out}");
    }
    let (_, out) = run("leaf-e.pem");
    assert!(
        out.contains("affiliationChanged") && out.contains(&of_crl),
        "{out}"
    );
    let (_, json) = verify(
        dir,
        "leaf-d.pem",
        "a.pem",
        &["--no-cache", "--json", "--use-deltas"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    crate::schema::assert_valid("verify-schema.json", &v);
    let kinds: Vec<&str> = v["revocation"]["fetched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["crl", "delta-crl", "delta-crl", "crl"], "{v}");
    assert_eq!(v["revocation"]["use_deltas"], true, "{v:#}");
    assert!(v["revocation"].get("ignored_deltas").is_none(), "{v:#}");

    // Only the certificate's own freshestCRL URL serves the delta: leaf-d
    // is still revoked through it; leaf-e, whose delta is unreachable, is
    // good on the complete CRL, as openssl without the delta says.
    srv.set("/a-delta.crl", Route::Status(404));
    let (ok, out) = run("leaf-d.pem");
    assert!(
        !ok && out.contains(&own) && out.contains("keyCompromise"),
        "{out}"
    );
    let (ok, out) = run("leaf-e.pem");
    assert!(
        ok && out.contains("delta CRL GET") && out.contains("HTTP 404"),
        "{out}"
    );

    // openssl's default delta, signed with ECDSA-SHA-1: openssl verify
    // applies it; chainfix cannot verify that signature, and does not fall
    // back to the complete CRL's "good": the status is undetermined, and a
    // hard-failing check refuses the chain as openssl does.
    let sha1 = gendelta(dir, "a-delta-sha1.crl", &[]);
    srv.set(
        "/own-delta.crl",
        Route::Body("application/pkix-crl", sha1.clone()),
    );
    srv.set("/a-delta.crl", Route::Body("application/pkix-crl", sha1));
    let (ok, out) = run("leaf-d.pem");
    assert!(!ok, "{out}");
    assert!(
        leaf_line_has(&out, "could not check")
            && out.contains("the delta CRL")
            && out.contains("does not verify"),
        "{out}"
    );

    // The same files given with --crl, offline: the delta still decides
    // with --use-deltas; without it, it is named as passed over.
    let files = [
        "--offline",
        "--no-cache",
        "--crl",
        "root.crl",
        "--crl",
        "a-base.crl",
        "--crl",
        "a-delta.crl",
    ];
    let (ok, out) = verify(
        dir,
        "leaf-d.pem",
        "a.pem",
        &[&files[..], &["--use-deltas"]].concat(),
    );
    assert!(!ok && out.contains("keyCompromise"), "{out}");
    let (ok, out) = verify(dir, "leaf-d.pem", "a.pem", &files);
    assert!(
        ok && out.contains("delta CRLs ignored") && out.contains("a-delta.crl"),
        "{out}"
    );
}

/// OpenSSL scores a delta CRL as a complete one (docs/peers.md, row
/// `delta_as_complete_crl`): a delta newer than its base, or beside a stale
/// base, or alone, is used in the base's place, so a certificate revoked
/// only in the base is good; on equal lastUpdate the CRL given first wins.
/// Times pinned with `-crl_lastupdate`; each case as real `openssl verify
/// -crl_check_all [-use_deltas]` says it, and chainfix's openssl peer with
/// the same files in the same order agrees.
#[test]
fn openssl_takes_a_newer_delta_crl_as_the_complete_one() {
    let ca = real_ca();
    let dir = ca.dir.path();
    let cdp = ca.server.url("/a.crl");
    let fresh = ca.server.url("/a-delta.crl");
    issue_ext(
        dir,
        "a",
        "leaf-d",
        "Revoked In The Delta",
        &leaf_ext(&cdp, Some(&fresh)),
    );
    // leaf-revoked (real_ca) is in every base; leaf-d only after them.
    let t = -3600;
    let crl = |out: &str, last: i64, next: i64| {
        let (l, n) = (stamp(last), stamp(next));
        gencrl(
            dir,
            "a",
            out,
            &["-crl_lastupdate", &l, "-crl_nextupdate", &n],
        );
    };
    crl("base.crl", t, 7 * 86400);
    crl("base-stale.crl", t - 2 * 86400, t - 86400);
    revoke(dir, "a", "leaf-d.pem", "keyCompromise");
    crl("next-same.crl", t, 7 * 86400);
    crl("next-later.crl", t + 1, 7 * 86400);
    for (base, next, out) in [
        ("base", "next-same", "d-same"),
        ("base", "next-later", "d-later"),
        ("base-stale", "next-same", "d-stale"),
    ] {
        let pem = format!("{out}.crl.pem");
        openssl(
            dir,
            &[
                "crl",
                "-in",
                &format!("{base}.crl.pem"),
                "-gendelta",
                &format!("{next}.crl.pem"),
                "-key",
                "a/ca.key",
                "-sha256",
                "-out",
                &pem,
            ],
        );
        openssl(
            dir,
            &[
                "crl",
                "-in",
                &pem,
                "-outform",
                "DER",
                "-out",
                &format!("{out}.crl"),
            ],
        );
    }
    // (CRL files in order, -use_deltas, [leaf-d good, leaf-revoked good])
    // as openssl 3.0.19 says.
    let cases: [(&[&str], bool, [bool; 2]); 10] = [
        (&["base", "d-same"], false, [true, false]),
        (&["base", "d-same"], true, [false, false]),
        (&["d-same", "base"], false, [false, true]),
        (&["d-same", "base"], true, [false, true]),
        (&["base", "d-later"], false, [false, true]),
        (&["base", "d-later"], true, [false, true]),
        (&["base-stale", "d-stale"], false, [false, true]),
        (&["base-stale", "d-stale"], true, [false, true]),
        (&["d-later"], false, [false, true]),
        (&["d-later"], true, [false, true]),
    ];
    for (files, deltas, want) in cases {
        for (leaf, want) in [("leaf-d.pem", want[0]), ("leaf-revoked.pem", want[1])] {
            let mut c = Command::new("openssl");
            c.args(["verify", "-crl_check_all"]);
            if deltas {
                c.arg("-use_deltas");
            }
            c.args(["-CAfile", "root.pem", "-untrusted", "a.pem"])
                .args(["-CRLfile", "root.crl.pem"]);
            let mut ours = vec!["--peer", "openssl", "--offline", "--no-cache"];
            ours.extend_from_slice(&["--crl", "root.crl"]);
            let names: Vec<String> = files.iter().map(|f| format!("{f}.crl")).collect();
            for n in &names {
                c.args(["-CRLfile", &format!("{n}.pem")]);
                ours.extend_from_slice(&["--crl", n]);
            }
            if deltas {
                ours.push("--use-deltas");
            }
            let what = format!("{leaf} with {files:?}, -use_deltas {deltas}");
            let theirs = crate::util::succeeds(c.arg(leaf).current_dir(dir), &what);
            assert_eq!(theirs, want, "openssl: {what}");
            let (ok, out) = verify(dir, leaf, "a.pem", &ours);
            assert_eq!(ok, theirs, "chainfix: {what}\n{out}");
        }
    }
}
