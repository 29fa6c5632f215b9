//! The Java peer: `tests/java/PeerOracle.java`, compiled with `javac` at
//! test time and run once (one JVM) over all cases; it asks the JDK's own
//! TLS validator (`sun.security.validator.Validator`, PKIX + the TLS
//! end-entity checks, then `sun.security.util.HostnameChecker`).

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;
use chainfix::chain::validate::Role;

use super::{Answer, Answers, Case, Name};

const EXPORTS: [&str; 4] = [
    "--add-exports",
    "java.base/sun.security.validator=ALL-UNNAMED",
    "--add-exports",
    "java.base/sun.security.util=ALL-UNNAMED",
];

fn b64(ders: &[Vec<u8>]) -> String {
    if ders.is_empty() {
        return "-".into();
    }
    ders.iter()
        .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs every case through the JDK's validator in one JVM.
pub fn run(cases: &[Case]) -> Answers {
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/java/PeerOracle.java");
    let javac = Command::new("javac")
        .args(EXPORTS)
        .args(["-nowarn", "-XDsuppressNotes", "-d"])
        .arg(dir.path())
        .arg(src)
        .output()
        .expect("javac runs (install openjdk-17-jdk-headless)");
    assert!(
        javac.status.success(),
        "javac PeerOracle.java: {}",
        String::from_utf8_lossy(&javac.stderr)
    );
    let mut input = String::new();
    for c in cases {
        let name = match &c.name {
            Some(Name::Dns(h)) => format!("DNS:{h}"),
            Some(Name::Ip(ip)) => format!("IP:{ip}"),
            None => "-".into(),
        };
        let role = match c.role {
            Role::Server => "SERVER",
            Role::Client => "CLIENT",
        };
        input.push_str(&format!(
            "{}\t{role}\t{}\t{name}\t{}\t{}\t{}\n",
            c.id,
            c.at * 1000,
            b64(&c.anchors),
            b64(&c.chain),
            b64(std::slice::from_ref(&c.leaf)),
        ));
    }
    let mut child = Command::new("java")
        .args(EXPORTS)
        // C1 only and the serial collector: the same answers for half the
        // CPU time of the default JIT on a short run.
        .args(["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"])
        .args([
            "--add-opens",
            "java.base/sun.security.ssl=ALL-UNNAMED",
            "-cp",
        ])
        .arg(dir.path())
        .arg("PeerOracle")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("java runs");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "PeerOracle: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let id = f.next()?.to_string();
            let accept = f.next()? == "SUCCESS";
            let detail = f.next().unwrap_or_default().to_string();
            Some((id, Answer { accept, detail }))
        })
        .collect()
}
