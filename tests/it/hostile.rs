//! Hostile input and faults (issue 18): special files and unbounded files
//! are refused with a sentence, never waited on; no temp file with key
//! material survives a killed run; empty output passwords, the cache
//! directory's mode, fetches to link-local and private addresses.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::pki::Pki;
use crate::util::{self, stderr, write};

/// `chainfix ARGS` in `dir`, without a terminal, with no password and
/// every knob this file tests (budgets, caps, fetch setting) at its default.
fn chainfix_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainfix"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for knob in [
        "CHAINFIX_PASSWORD",
        "CHAINFIX_MAX_INPUT_MIB",
        "CHAINFIX_KDF_BUDGET",
        "CHAINFIX_SIGNATURE_BUDGET",
        "CHAINFIX_ALLOW_PRIVATE_FETCH",
    ] {
        cmd.env_remove(knob);
    }
    cmd
}

/// Runs `cmd`, killing it after 60 s: a hang must fail the test, not stall
/// the suite. Output is drained while it runs (a full pipe would block it).
fn run(cmd: &mut Command) -> Output {
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(o) => o,
        Err(_) => {
            // SAFETY: signalling our own child, which has not been reaped.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            let o = rx.recv().unwrap();
            panic!("chainfix {cmd:?} hung; stderr: {}", stderr(&o));
        }
    }
}

/// `chainfix verify FILE --offline --no-cache --roots root.pem EXTRA…` in
/// a `pki_dir`.
fn verify_cmd(dir: &Path, file: &str, extra: &[&str]) -> Command {
    let mut args = vec![
        "verify",
        file,
        "--offline",
        "--no-cache",
        "--roots",
        "root.pem",
    ];
    args.extend_from_slice(extra);
    chainfix_cmd(dir, &args)
}

/// `chainfix keystore … --format p12 -o out.p12 EXTRA…` in a `pki_dir`.
fn p12_cmd(dir: &Path, extra: &[&str]) -> Command {
    let mut args = vec![
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
    ];
    args.extend_from_slice(extra);
    chainfix_cmd(dir, &args)
}

/// `run(chainfix_cmd(dir, args))`.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    run(&mut chainfix_cmd(dir, args))
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

fn refused(mut cmd: Command, names: &str, kind: &str) -> String {
    let o = run(&mut cmd);
    let args = cmd.get_args().collect::<Vec<_>>();
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
    for extra in [
        vec!["pipe"],
        vec!["--trust", "pipe"],
        vec!["--roots", "pipe"],
        vec!["--intermediates", "pipe"],
        vec!["--password-file", "pipe"],
    ] {
        refused(verify_cmd(d.path(), "chain.pem", &extra), "pipe", fifo);
    }
    refused(
        p12_cmd(d.path(), &["--out-password-file", "pipe"]),
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
        verify_cmd(d.path(), "chain.pem", &["--password-file", "/dev/zero"]),
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
    let o = run(
        verify_cmd(d.path(), "chain.pem", &["--password-file", "pw.txt"])
            .env("CHAINFIX_MAX_INPUT_MIB", "1"),
    );
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
    let mut child = verify_cmd(d.path(), "/dev/stdin", &[])
        .stdin(Stdio::piped())
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
    let mut cmd = chainfix_cmd(dir, &BUNDLE);
    cmd.env("CHAINFIX_TEST_HOLD_WRITE", &ready)
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

/// Writes fullcert.pem (key included) from the `pki_dir` files.
const BUNDLE: [&str; 6] = [
    "bundle",
    "chain.pem",
    "root.pem",
    "key.pem",
    "--offline",
    "--no-cache",
];

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
        let mut cmd = chainfix_cmd(d.path(), &BUNDLE);
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
        let o = run(&mut cmd);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with("chainfix: cannot write fullcert.pem: file too large"),
            "{err}"
        );
        assert!(!err.contains(".chainfix-"), "{err}");
        assert_eq!(temp_files(d.path()), Vec::<String>::new());
    }
}

/// A listener on 127.0.0.1 that counts the connections it gets: given as
/// the HTTP proxy, it catches any request a broken check would let through,
/// so no test can send traffic beyond this machine.
struct Trap {
    port: u16,
    listener: std::net::TcpListener,
}

impl Trap {
    fn new() -> Trap {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Trap {
            port: listener.local_addr().unwrap().port(),
            listener,
        }
    }
    fn connections(&self) -> usize {
        let mut n = 0;
        while self.listener.accept().is_ok() {
            n += 1;
        }
        n
    }
}

/// `chainfix bundle leaf.pem key.pem` whose leaf's AIA URL is `aia`, all
/// HTTP going through the trap proxy.
fn bundle_with_aia(aia: &str, extra: &[&str]) -> (Output, usize) {
    let d = util::tempdir();
    let mut leaf = crate::pki::Spec::client("leaf", crate::pki::Alg::EcdsaP256);
    leaf.aia = vec![aia.into()];
    let ca = crate::pki::Spec::ca("Issuing CA", crate::pki::Alg::EcdsaP256);
    let pki = Pki::build(
        crate::pki::Spec::ca("Root", crate::pki::Alg::EcdsaP256),
        vec![ca],
        leaf,
    );
    write(d.path(), "leaf.pem", pki.leaf.pem());
    write(d.path(), "key.pem", pki.leaf.key_pem());
    let trap = Trap::new();
    let proxy = format!("http://127.0.0.1:{}", trap.port);
    let mut args = vec![
        "bundle",
        "leaf.pem",
        "key.pem",
        "--no-cache",
        "--fetch-timeout",
        "1",
    ];
    args.extend_from_slice(extra);
    let o = run(chainfix_cmd(d.path(), &args)
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("ALL_PROXY", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy"));
    (o, trap.connections())
}

#[test]
fn an_aia_url_to_cloud_metadata_is_refused_without_connecting() {
    let (o, connections) = bundle_with_aia("http://169.254.169.254/latest/meta-data/ca.der", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("refused: 169.254.169.254 is a link-local address, never fetched from"),
        "{err}"
    );
    assert_eq!(connections, 0, "a request left chainfix: {err}");
}

#[test]
fn an_aia_url_to_a_private_address_is_refused_when_private_fetches_are_off() {
    let (o, connections) =
        bundle_with_aia("http://10.0.0.1/ca.der", &["--allow-private-fetch=false"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("refused: 10.0.0.1 is a private address, and fetching from those is off"),
        "{err}"
    );
    assert_eq!(connections, 0, "a request left chainfix: {err}");
    // The same URL with the default setting is tried (through the trap):
    // the trap proves the refusal above came from the setting.
    let (_, connections) = bundle_with_aia("http://10.0.0.1/ca.der", &[]);
    assert_eq!(connections, 1);
}

fn fetcher(allow_private: bool) -> chainfix::fetch::http::HttpFetcher {
    chainfix::fetch::http::HttpFetcher::new(&chainfix::fetch::Limits {
        total_timeout: Duration::from_secs(2),
        allow_private,
        ..Default::default()
    })
    .unwrap()
}

fn refused_reason(r: Result<chainfix::fetch::Response, chainfix::fetch::FetchError>) -> String {
    match r {
        Err(chainfix::fetch::FetchError::RefusedAddress { reason, .. }) => reason,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_redirect_to_a_forbidden_address_is_refused_before_connecting() {
    use crate::httpd::{Route, Server};
    use chainfix::fetch::Fetch;
    let srv = Server::start();
    // 0.0.0.0 is never fetched; were it followed, it would reach this very
    // server (on Linux 0.0.0.0 means this machine) and show in its hits.
    srv.set(
        "/first",
        Route::Redirect(format!("http://0.0.0.0:{}/second", srv.port)),
    );
    srv.set("/second", Route::Status(404));
    let reason = refused_reason(fetcher(true).fetch(&srv.url("/first")));
    assert_eq!(reason, "unspecified");
    assert_eq!(srv.hits(), ["/first"]);
}

#[test]
fn loopback_by_address_or_by_name_is_refused_without_a_socket_when_private_is_off() {
    use crate::httpd::{Route, Server};
    use chainfix::fetch::Fetch;
    let srv = Server::start();
    srv.set("/x", Route::Status(404));
    let f = fetcher(false);
    for url in [
        srv.url("/x"),
        format!("http://localhost:{}/x", srv.port),
        format!("http://[::ffff:127.0.0.1]:{}/x", srv.port),
    ] {
        assert_eq!(refused_reason(f.fetch(&url)), "loopback", "{url}");
    }
    assert_eq!(srv.hits(), Vec::<String>::new());
    // And allowed, the same server answers.
    assert!(fetcher(true).fetch(&srv.url("/x")).is_ok());
    assert_eq!(srv.hits(), ["/x"]);
}

#[cfg(unix)]
#[test]
fn the_cache_directory_is_made_0700_even_under_umask_000() {
    use crate::httpd::{Route, Server};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let d = util::tempdir();
    let srv = Server::start();
    let mut leaf = crate::pki::Spec::client("leaf", crate::pki::Alg::EcdsaP256);
    leaf.aia = vec![srv.url("/ca.der")];
    let ca = crate::pki::Spec::ca("Issuing CA", crate::pki::Alg::EcdsaP256);
    let pki = Pki::build(
        crate::pki::Spec::ca("Root", crate::pki::Alg::EcdsaP256),
        vec![ca],
        leaf,
    );
    srv.set(
        "/ca.der",
        Route::Body("application/pkix-cert", pki.intermediates[0].der()),
    );
    write(d.path(), "leaf.pem", pki.leaf.pem());
    write(d.path(), "root.pem", pki.root.pem());
    let mut cmd = chainfix_cmd(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--roots",
            "root.pem",
            "--cache-dir",
            "cache/chainfix/aia",
        ],
    );
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let o = run(&mut cmd);
    assert_eq!(srv.hits(), ["/ca.der"], "{}", stderr(&o));
    assert!(
        std::fs::read_dir(d.path().join("cache/chainfix/aia"))
            .unwrap()
            .count()
            == 1,
        "the issuer was not cached: {}",
        util::stdout(&o)
    );
    for dir in ["cache", "cache/chainfix", "cache/chainfix/aia"] {
        let mode = std::fs::metadata(d.path().join(dir))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{dir}: {mode:o}");
    }
}

#[test]
fn an_empty_output_password_is_refused_unless_allowed() {
    let (d, _) = pki_dir();
    write(d.path(), "empty.txt", "\n");
    let keystore = |extra: &[&str]| {
        run(&mut p12_cmd(
            d.path(),
            &[&["--out-password-file", "empty.txt"], extra].concat(),
        ))
    };
    let o = keystore(&[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the password for the new PKCS#12 file (empty.txt) is empty")
            && err.contains("--allow-empty-password"),
        "{err}"
    );
    assert!(!d.path().join("out.p12").exists());
    let o = keystore(&["--allow-empty-password"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The real tool opens it with the empty password.
    let o = util::openssl(
        d.path(),
        &[
            "pkcs12", "-in", "out.p12", "-passin", "pass:", "-nokeys", "-noout",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let o = run_bounded(
        d.path(),
        &[
            "bundle",
            "chain.pem",
            "root.pem",
            "key.pem",
            "--offline",
            "--no-cache",
            "--key-password-file",
            "empty.txt",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("leave out --key-password-file"), "{err}");
    assert!(!d.path().join("fullcert.pem").exists());
}

#[test]
fn many_encrypted_keys_share_one_key_derivation_budget() {
    let (d, _) = pki_dir();
    write(d.path(), "pw.txt", "correct horse\n");
    // One key encrypted by the real openssl with 40,000 PBKDF2 iterations.
    let o = util::openssl(
        d.path(),
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-iter",
            "40000",
            "-in",
            "key.pem",
            "-out",
            "enc.pem",
            "-passout",
            "file:pw.txt",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let one = std::fs::read_to_string(d.path().join("enc.pem")).unwrap();
    write(d.path(), "many.pem", one.repeat(5));
    let o = run(verify_cmd(
        d.path(),
        "chain.pem",
        &["many.pem", "--password-file", "pw.txt"],
    )
    .env("CHAINFIX_KDF_BUDGET", "100000"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // Two keys fit in 100,000 iterations; the third is refused, not run.
    assert!(
        err.contains("many.pem:3: decrypting it takes 40000 more key-derivation iterations, past the 100000 chainfix spends in one run (80000 already spent")
            && err.contains("CHAINFIX_KDF_BUDGET"),
        "{err}"
    );
}

#[test]
fn a_pkcs12_with_a_huge_iteration_count_says_so() {
    let (d, _) = pki_dir();
    write(d.path(), "pw.txt", "correct horse\n");
    let o = util::openssl(
        d.path(),
        &[
            "pkcs12",
            "-export",
            "-in",
            "chain.pem",
            "-inkey",
            "key.pem",
            "-out",
            "slow.p12",
            "-passout",
            "file:pw.txt",
            "-iter",
            "1000001",
            "-nomac",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let start = Instant::now();
    let o = run_bounded(
        d.path(),
        &["inspect", "slow.p12", "--password-file", "pw.txt"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("slow.p12: the PKCS#12 file asks for 1000001 key-derivation iterations, more than the 1000000 chainfix accepts"),
        "{err}"
    );
    assert!(!err.contains("get a fresh copy"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "it was decrypted anyway"
    );
}

#[test]
fn one_signature_budget_bounds_a_pile_of_same_named_certificates() {
    // Twenty CAs under one name: every pair is a candidate (400 checks in
    // lint alone, more in leaf choice and ordering).
    let d = util::tempdir();
    let pile: String = (0..20)
        .map(|_| {
            crate::pki::root(&crate::pki::Spec::ca(
                "Same Name CA",
                crate::pki::Alg::EcdsaP256,
            ))
            .pem()
        })
        .collect();
    write(d.path(), "pile.pem", pile);
    let lint = |budget: Option<&str>| {
        let mut cmd = chainfix_cmd(
            d.path(),
            &["lint", "pile.pem", "--at", "2027-01-01", "--json"],
        );
        if let Some(b) = budget {
            cmd.env("CHAINFIX_SIGNATURE_BUDGET", b);
        }
        let o = run(&mut cmd);
        format!("{}{}", util::stdout(&o), stderr(&o))
    };
    let out = lint(Some("50"));
    assert!(
        out.contains("not checked: this run's budget of 50 signature checks is spent")
            && out.contains("raise it with CHAINFIX_SIGNATURE_BUDGET=N"),
        "{out}"
    );
    let out = lint(None);
    assert!(!out.contains("signature checks is spent"), "{out}");
}
