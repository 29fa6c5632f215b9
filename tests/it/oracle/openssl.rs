//! The OpenSSL peer: the real `openssl verify`, with the flags that make it
//! judge as libssl does in a handshake (`ssl_verify_cert_chain`): the purpose
//! of the role (`sslserver` for a server's chain, `sslclient` for a
//! client's), the security level as authentication level (`-auth_level`;
//! 2 is Debian 12's default `CipherString = DEFAULT:@SECLEVEL=2`), the host
//! name or IP address, and the validation time. No `-x509_strict` (libssl
//! does not set it), and no system trust store (`-no-CApath -no-CAstore`).

use std::path::Path;
use std::process::Command;

use chainfix::chain::validate::Role;

use super::{Answer, Answers, Case, Name};

fn pem_file(path: &Path, ders: &[Vec<u8>]) {
    let text: String = ders
        .iter()
        .map(|d| pem::encode(&pem::Pem::new("CERTIFICATE", d.clone())))
        .collect();
    std::fs::write(path, text).unwrap();
}

/// One case through `openssl verify` at security level `level`.
pub fn verify(dir: &Path, case: &Case, level: u8) -> Answer {
    let slug: String = case
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let (ca, pool, leaf) = (
        dir.join(format!("{slug}.ca.pem")),
        dir.join(format!("{slug}.pool.pem")),
        dir.join(format!("{slug}.leaf.pem")),
    );
    pem_file(&ca, &case.anchors);
    pem_file(&leaf, std::slice::from_ref(&case.leaf));
    let mut cmd = Command::new("openssl");
    cmd.arg("verify")
        .args(["-no-CApath", "-no-CAstore", "-CAfile"])
        .arg(&ca)
        .args(["-auth_level", &level.to_string()])
        .args(["-attime", &case.at.to_string()])
        .args(["-purpose"])
        .arg(match case.role {
            Role::Server => "sslserver",
            Role::Client => "sslclient",
        });
    if !case.chain.is_empty() {
        pem_file(&pool, &case.chain);
        cmd.arg("-untrusted").arg(&pool);
    }
    match &case.name {
        Some(Name::Dns(h)) => {
            cmd.args(["-verify_hostname", h]);
        }
        Some(Name::Ip(ip)) => {
            cmd.args(["-verify_ip", ip]);
        }
        None => {}
    }
    let out = cmd.arg(&leaf).output().expect("openssl verify runs");
    for p in [&ca, &pool, &leaf] {
        let _ = std::fs::remove_file(p);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let leaf_name = leaf.display().to_string();
    let detail: Vec<String> = text
        .lines()
        .map(|l| {
            l.replace(&leaf_name, "leaf")
                .replace(&ca.display().to_string(), "CAfile")
        })
        .filter(|l| !l.trim().is_empty())
        .collect();
    Answer {
        accept: out.status.success() && text.contains(": OK"),
        detail: detail.join("; "),
    }
}

/// Every case through `openssl verify`, on every core.
pub fn run(cases: &[Case], level: u8) -> Answers {
    let dir = tempfile::tempdir().unwrap();
    super::parallel(cases, |c| verify(dir.path(), c, level))
}
