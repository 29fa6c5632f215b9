//! `inspect` beyond reading: `--at` (validity judged at a time, compared
//! with `openssl verify -attime`) and the CRL URLs it shows.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{self, stdout};

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
