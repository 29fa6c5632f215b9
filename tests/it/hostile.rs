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

/// Starts `chainfix bundle` writing fullcert.pem (key included) in `dir`,
/// held by the debug-build hook after the data is written and before the
/// file gets its name; returns once it is held.
#[cfg(debug_assertions)]
fn bundle_held_at_rename(dir: &Path, named_temp: bool) -> util::Guard {
    let ready = dir.parent().unwrap().join(format!(
        "ready-{}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainfix"));
    cmd.args([
        "bundle",
        "chain.pem",
        "root.pem",
        "key.pem",
        "--offline",
        "--no-cache",
    ])
    .current_dir(dir)
    .env("CHAINFIX_TEST_HOLD_WRITE", &ready)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if named_temp {
        cmd.env("CHAINFIX_TEST_NAMED_TEMP", "1");
    }
    let child = util::Guard(cmd.spawn().unwrap());
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never reached the rename"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = std::fs::remove_file(&ready);
    child
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".chainfix-") || n == "fullcert.pem")
        .collect()
}

#[cfg(all(debug_assertions, target_os = "linux"))]
#[test]
fn sigkill_during_a_write_leaves_no_file_behind() {
    let (d, _) = pki_dir();
    let mut child = bundle_held_at_rename(d.path(), false);
    // The key is written but has no name: nothing to find, nothing to leak.
    assert_eq!(temp_files(d.path()), Vec::<String>::new());
    child.0.kill().unwrap(); // SIGKILL
    child.0.wait().unwrap();
    assert_eq!(temp_files(d.path()), Vec::<String>::new());
}

#[cfg(all(debug_assertions, unix))]
#[test]
fn sigterm_and_sigint_during_a_write_remove_the_named_temp_file() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let (d, _) = pki_dir();
        let mut child = bundle_held_at_rename(d.path(), true);
        let held = temp_files(d.path());
        assert_eq!(held.len(), 1, "{held:?}");
        let mode = std::fs::metadata(d.path().join(&held[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "temp file readable by others: {mode:o}");
        assert_eq!(unsafe { libc::kill(child.0.id() as i32, sig) }, 0);
        let status = child.0.wait().unwrap();
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert_eq!(temp_files(d.path()), Vec::<String>::new(), "signal {sig}");
    }
}

#[cfg(unix)]
#[test]
fn a_failed_write_names_the_output_not_the_temp_file_and_leaves_nothing() {
    use std::os::unix::process::CommandExt;
    // A file-size limit stands in for a full disk: the write fails midway.
    let (d, _) = pki_dir();
    for named_temp in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainfix"));
        cmd.args([
            "bundle",
            "chain.pem",
            "root.pem",
            "key.pem",
            "--offline",
            "--no-cache",
        ])
        .current_dir(d.path())
        .stdin(Stdio::null());
        if named_temp {
            cmd.env("CHAINFIX_TEST_NAMED_TEMP", "1");
        }
        // SAFETY: async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: 100,
                    rlim_max: 100,
                };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                Ok(())
            });
        }
        let o = cmd.output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with("chainfix: cannot write fullcert.pem: File too large"),
            "{err}"
        );
        assert!(!err.contains(".chainfix-"), "{err}");
        assert_eq!(temp_files(d.path()), Vec::<String>::new());
    }
}
