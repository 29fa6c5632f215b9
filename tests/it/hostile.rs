//! Hostile input and faults (issue 18): special files and unbounded files
//! are refused with a sentence, never waited on; no temp file with key
//! material survives a killed run; empty output passwords, the cache
//! directory's mode, fetches to link-local and private addresses.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::pki::Pki;
use crate::util::{self, stderr, write};

/// Runs chainfix like `util::chainfix`, but kills it after `limit`: a hang
/// must fail the test, not stall the suite.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("CHAINFIX_PASSWORD")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("chainfix {args:?} hung; stderr: {}", stderr(&o));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub fn mkfifo(path: &Path) {
    let o = Command::new("mkfifo").arg(path).output().unwrap();
    assert!(o.status.success(), "mkfifo: {o:?}");
}

/// A directory with a complete client PKI: chain.pem (leaf + intermediate),
/// root.pem, key.pem.
fn pki_dir() -> (tempfile::TempDir, Pki) {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    write(
        d.path(),
        "chain.pem",
        [pki.leaf.pem(), pki.intermediates[0].pem()].concat(),
    );
    write(d.path(), "root.pem", pki.root.pem());
    write(d.path(), "key.pem", pki.leaf.key_pem());
    (d, pki)
}

fn refused(d: &Path, args: &[&str], names: &str, kind: &str) -> String {
    let o = run_bounded(d, args, Duration::from_secs(20));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    let want = format!("{names} is a {kind}, not a regular file");
    assert!(err.contains(&want), "{args:?}: want {want:?} in {err}");
    err
}

#[test]
fn a_fifo_anywhere_is_refused_at_once_with_a_sentence() {
    let (d, _) = pki_dir();
    mkfifo(&d.path().join("pipe"));
    let fifo = "named pipe (FIFO)";
    let verify = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "chain.pem",
            "--offline",
            "--no-cache",
            "--roots",
            "root.pem",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    for extra in [
        vec!["pipe"],
        vec!["--trust", "pipe"],
        vec!["--roots", "pipe"],
        vec!["--intermediates", "pipe"],
        vec!["--password-file", "pipe"],
    ] {
        let a = verify(&extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        refused(d.path(), &a, "pipe", fifo);
    }
    refused(
        d.path(),
        &[
            "keystore",
            "chain.pem",
            "root.pem",
            "key.pem",
            "--offline",
            "--no-cache",
            "--format",
            "p12",
            "-o",
            "out.p12",
            "--out-password-file",
            "pipe",
        ],
        "pipe",
        fifo,
    );
    assert!(!d.path().join("out.p12").exists());
}

#[test]
fn dev_zero_as_password_file_is_refused_not_read() {
    let (d, _) = pki_dir();
    let start = Instant::now();
    let err = refused(
        d.path(),
        &[
            "verify",
            "chain.pem",
            "--offline",
            "--no-cache",
            "--roots",
            "root.pem",
            "--password-file",
            "/dev/zero",
        ],
        "/dev/zero",
        "character device",
    );
    assert!(start.elapsed() < Duration::from_secs(10), "{err}");
}

#[test]
fn a_password_file_past_the_cap_is_refused_naming_the_cap_and_the_way_to_raise_it() {
    let (d, _) = pki_dir();
    // 2 MiB of password file against a cap lowered to 1 MiB.
    write(d.path(), "pw.txt", vec![b'x'; 2 << 20]);
    let o = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args([
            "verify",
            "chain.pem",
            "--offline",
            "--no-cache",
            "--roots",
            "root.pem",
            "--password-file",
            "pw.txt",
        ])
        .current_dir(d.path())
        .env("CHAINFIX_MAX_INPUT_MIB", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pw.txt is larger than 1 MiB") && err.contains("CHAINFIX_MAX_INPUT_MIB"),
        "{err}"
    );
}

#[test]
fn standard_input_named_as_a_path_is_still_read() {
    // `--password-file /dev/stdin` is the user's own pipe: read it.
    let (d, _) = pki_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args([
            "verify",
            "/dev/stdin",
            "--offline",
            "--no-cache",
            "--roots",
            "root.pem",
        ])
        .current_dir(d.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let chain = std::fs::read(d.path().join("chain.pem")).unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &chain).unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
