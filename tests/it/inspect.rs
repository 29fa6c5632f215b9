//! `inspect` beyond reading: `--at` (validity judged at a time, compared
//! with `openssl verify -attime`) and the CRL URLs it shows.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{self, openssl, stdout};

/// `epoch` as RFC 3339, by GNU date (the test has no time crate).
fn rfc3339(epoch: i64) -> String {
    let o = Command::new("date")
        .args(["-u", "-d", &format!("@{epoch}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date runs");
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// What `openssl verify -attime` says of a self-signed certificate trusted
/// as itself: `valid`, `expired` or `not-yet-valid`, chainfix's words.
fn openssl_validity(dir: &Path, cert: &str, epoch: i64) -> &'static str {
    let o = Command::new("openssl")
        .args([
            "verify",
            "-attime",
            &epoch.to_string(),
            "-CAfile",
            cert,
            cert,
        ])
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    if o.status.success() {
        "valid"
    } else if all.contains("certificate has expired") {
        "expired"
    } else if all.contains("certificate is not yet valid") {
        "not-yet-valid"
    } else {
        panic!("openssl verify said {all}")
    }
}

/// `inspect --at` without `--graph` is accepted and marks each certificate
/// valid, expired or not yet valid at that time, as `openssl verify
/// -attime` judges it; without `--at` nothing is marked.
#[test]
fn at_marks_validity_as_openssl_judges_it() {
    let d = util::tempdir();
    let dir = d.path();
    util::openssl_self_signed(dir, "k.pem", "c.pem", "/CN=at test", &["-days", "3"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (epoch, word) in [
        (now - 10 * 86_400, "not yet valid"),
        (now + 3_600, "valid"),
        (now + 10 * 86_400, "expired"),
    ] {
        let want = openssl_validity(dir, "c.pem", epoch);
        assert_eq!(
            want.replace('-', " "),
            word,
            "openssl verify -attime {epoch}"
        );
        let at = rfc3339(epoch);
        let o = util::chainfix(dir, &["inspect", "c.pem", "--at", &at, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
        let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(j["at"], at.as_str());
        assert_eq!(j["certificates"][0]["validity"], want, "at {at}");
        let o = util::chainfix(dir, &["inspect", "c.pem", "--at", &at]);
        assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
        let text = stdout(&o);
        let marked = ["not yet valid", "expired"]
            .into_iter()
            .filter(|w| text.contains(w))
            .collect::<Vec<_>>();
        let expect: Vec<&str> = if want == "valid" { vec![] } else { vec![word] };
        assert_eq!(marked, expect, "at {at}:\n{text}");
    }
    let o = util::chainfix(dir, &["inspect", "c.pem", "--json"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(j.get("at").is_none() && j["certificates"][0].get("validity").is_none());
}

/// The URIs `openssl` prints under `heading` (e.g. "X509v3 Freshest CRL")
/// in `text` (`-text` output): the `URI:` lines of that extension.
fn openssl_uris(text: &str, heading: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in text.lines() {
        let t = l.trim();
        if t.starts_with("X509v3 ") {
            inside = t.starts_with(heading);
            continue;
        }
        if inside && let Some(u) = t.strip_prefix("URI:") {
            out.push(u.to_string());
        } else if inside && !t.starts_with("Full Name") && !t.is_empty() && !t.starts_with("URI") {
            inside = t.starts_with("DirName") || t.starts_with("Relative");
        }
    }
    out
}

/// A certificate and a CRL made by openssl with freshestCRL (and the
/// certificate with cRLDistributionPoints): inspect shows the URLs of
/// each, in --json and in the table, as `openssl x509` / `openssl crl`
/// read them.
#[test]
fn freshest_crl_urls_of_certificates_and_crls_are_shown() {
    let d = util::tempdir();
    let dir = d.path();
    util::openssl_self_signed(
        dir,
        "k.pem",
        "c.pem",
        "/CN=fresh",
        &[
            "-addext",
            "crlDistributionPoints=URI:http://crl.example/ca.crl,URI:ldap://ldap.example/cn=ca",
            "-addext",
            "freshestCRL=URI:http://crl.example/delta.crl",
        ],
    );
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crlext\n[crlext]\nfreshestCRL = URI:http://crl.example/crl-delta.crl\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "k.pem", "-cert", "c.pem", "-out",
            "crl.pem",
        ],
    );
    let x509 = stdout(&openssl(dir, &["x509", "-in", "c.pem", "-noout", "-text"]));
    let crl = stdout(&openssl(dir, &["crl", "-in", "crl.pem", "-noout", "-text"]));
    let cdp = openssl_uris(&x509, "X509v3 CRL Distribution Points");
    let fresh = openssl_uris(&x509, "X509v3 Freshest CRL");
    let crl_fresh = openssl_uris(&crl, "X509v3 Freshest CRL");
    assert_eq!(cdp.len(), 2, "{x509}");
    assert_eq!(fresh.len(), 1, "{x509}");
    assert_eq!(crl_fresh.len(), 1, "{crl}");

    let o = util::chainfix(dir, &["inspect", "c.pem", "crl.pem", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("not a list: {v}"))
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let c = &j["certificates"][0];
    assert_eq!(strings(&c["crl_distribution_points"]), cdp, "{j:#}");
    assert_eq!(strings(&c["freshest_crl"]), fresh, "{j:#}");
    assert_eq!(strings(&j["crls"][0]["freshest_crl"]), crl_fresh, "{j:#}");

    let o = util::chainfix(dir, &["inspect", "c.pem", "crl.pem"]);
    assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
    let text = stdout(&o);
    for u in &cdp {
        assert!(text.contains(&format!("CRL {u}")), "{u}:\n{text}");
    }
    for u in &fresh {
        assert!(text.contains(&format!("delta CRL {u}")), "{u}:\n{text}");
    }
    for u in &crl_fresh {
        assert!(text.contains(&format!("delta CRLs at {u}")), "{u}:\n{text}");
    }
    // A certificate without the extensions has neither field.
    util::openssl_self_signed(dir, "k2.pem", "plain.pem", "/CN=plain", &[]);
    let o = util::chainfix(dir, &["inspect", "plain.pem", "--json"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let c = &j["certificates"][0];
    assert!(c.get("crl_distribution_points").is_none() && c.get("freshest_crl").is_none());
}
