//! Helpers shared by the integration tests: a temp dir per test, running
//! the chainfix binary, free ports on 127.0.0.1, and child processes that
//! are killed when the test ends, however it ends.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// `chainfix` with the given arguments, run in `dir`, without a terminal
/// and with the password variable cleared.
pub fn chainfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("CHAINFIX_PASSWORD")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `c`: true when it succeeds; when not, its output goes to the test's
/// log under `what` (shown when the test fails).
pub fn succeeds(c: &mut std::process::Command, what: &str) -> bool {
    let o = c.output().unwrap();
    if !o.status.success() {
        eprintln!("{what}: {}{}", stdout(&o), stderr(&o));
    }
    o.status.success()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed on drop.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, limit: Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listened on 127.0.0.1:{port} within {limit:?}");
}

/// Starts `openssl s_server` on 127.0.0.1 requiring a client certificate
/// that chains to `ca_file`, answering HTTP with `-www`.
pub fn openssl_mtls_server(dir: &Path, cert: &Path, key: &Path, ca_file: &Path) -> (Guard, u16) {
    openssl_mtls_server_with_chain(dir, cert, None, key, ca_file)
}

/// As [`openssl_mtls_server`], also sending the intermediates in `chain`
/// (`-cert_chain`: s_server sends only the first certificate of `-cert`).
pub fn openssl_mtls_server_with_chain(
    dir: &Path,
    cert: &Path,
    chain: Option<&Path>,
    key: &Path,
    ca_file: &Path,
) -> (Guard, u16) {
    openssl_mtls_server_opts(dir, cert, chain, key, ca_file, &[])
}

/// Runs the real curl with a client certificate file against
/// https://localhost:`port`/ and returns (HTTP code or 0, stderr).
pub fn curl_with_cert(
    dir: &Path,
    port: u16,
    cert_arg: &str,
    cert_type: &str,
    cacert: &Path,
) -> (u16, String) {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "20",
        ])
        .args(["--cert-type", cert_type, "--cert", cert_arg])
        .arg("--cacert")
        .arg(cacert)
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg(format!("https://localhost:{port}/"))
        .current_dir(dir)
        .output()
        .expect("curl is installed");
    let code = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// As [`openssl_mtls_server_with_chain`], with extra `s_server` arguments
/// (e.g. `-tls1_2`, `-tls1_3`, `-purpose sslclient`).
pub fn openssl_mtls_server_opts(
    dir: &Path,
    cert: &Path,
    chain: Option<&Path>,
    key: &Path,
    ca_file: &Path,
    extra: &[&str],
) -> (Guard, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-Verify", "3", "-verify_return_error", "-www", "-cert"])
            .arg(cert)
            .arg("-key")
            .arg(key)
            .arg("-CAfile")
            .arg(ca_file)
            .args(extra);
        if let Some(c) = chain {
            cmd.arg("-cert_chain").arg(c);
        }
        let child = cmd
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl is installed");
        let mut guard = Guard(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = guard.0.try_wait() {
                break; // port taken or bad arguments: try another port
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (guard, port);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("openssl s_server did not start");
}

/// Runs the real openssl in `dir` and fails the test, with openssl's own
/// message, when it does not succeed. Returns the output for callers that
/// read it.
/// A self-signed P-256 certificate `cert` for `subj` with its key in
/// `key`, by `openssl req -x509`; `extra` adds flags (serial, key
/// encryption, days).
pub fn openssl_self_signed(dir: &Path, key: &str, cert: &str, subj: &str, extra: &[&str]) {
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-keyout",
        key,
        "-out",
        cert,
        "-subj",
        subj,
    ];
    if !extra.contains(&"-passout") {
        args.push("-noenc");
    }
    if !extra.contains(&"-days") {
        args.extend(["-days", "3"]);
    }
    args.extend(extra);
    openssl(dir, &args);
}

/// A P-256 private key made by openssl, written to `out` in `dir`.
pub fn openssl_ec_key(dir: &Path, out: &str) {
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            out,
        ],
    );
}

pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// `f` over `items` on every core, the answers in the items' order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                s.spawn(move || part.iter().map(f).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}
