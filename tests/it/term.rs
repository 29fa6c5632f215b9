//! The real binary under a pseudo-terminal (util-linux `script`), as a
//! person runs it: every command that can draw progress (bundle, keystore,
//! probe; verify and diagnose when they check an AIA URL), with a cold and a
//! warm cache and a slow AIA server on 127.0.0.1, must finish within a
//! bound. A process that holds the stderr lock while the progress bar's
//! thread draws to the terminal hangs here (and only here: in a pipe the
//! bar is never drawn).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::httpd::{Route, Server};
use crate::pki::{Alg, Pki, Spec};
use crate::util::{self, write};

/// Generous for a debug build on a loaded 2-core machine; the commands
/// below take about a second each (the AIA server waits 400 ms per URL).
const BOUND: Duration = Duration::from_secs(30);

/// What a run under a terminal gave.
pub struct Tty {
    /// The exit code, or None when the bound passed and the run was killed.
    pub code: Option<i32>,
    /// Everything the terminal showed (stdout and stderr together, `\r\n`).
    pub screen: String,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs chainfix with `args` in `dir` on a pseudo-terminal `cols` columns
/// wide (stdin, stdout and stderr all the terminal), with `env` added, and
/// kills it (the whole process group) if it has not ended within `bound`.
pub fn run_tty(dir: &Path, args: &[&str], cols: u16, env: &[(&str, &str)], bound: Duration) -> Tty {
    let mut line = format!("stty cols {cols} rows 24; exec ");
    line.push_str(&quote(env!("CARGO_BIN_EXE_chainfix")));
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env_remove("CHAINFIX_PASSWORD")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .env("COLUMNS", cols.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("script (util-linux) is installed");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > bound {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let screen = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    Tty { code, screen }
}

/// Asserts the run ended within the bound, with `want`, and returns the screen.
fn finished(t: &Tty, want: i32, what: &str) -> String {
    assert!(
        t.code.is_some(),
        "{what}: still running after {BOUND:?} on a terminal (a hang); the screen:\n{}",
        t.screen
    );
    assert_eq!(t.code, Some(want), "{what}: {}", t.screen);
    t.screen.clone()
}

/// A client PKI whose leaf and intermediate name their issuers by AIA on a
/// server that waits `delay` before answering each.
fn slow_aia(delay: Duration) -> (Server, Pki) {
    let srv = Server::start();
    let mut leaf = Spec::client("client.example.test", Alg::EcdsaP256);
    leaf.aia = vec![srv.url("/int.der")];
    let mut int = Spec::ca("Test Intermediate CA", Alg::EcdsaP256);
    int.aia = vec![srv.url("/root.der")];
    let p = Pki::build(Spec::ca("Test Root CA", Alg::EcdsaP256), vec![int], leaf);
    srv.set("/int.der", Route::Slow(delay, p.intermediates[0].der()));
    srv.set("/root.der", Route::Slow(delay, p.root.der()));
    (srv, p)
}

const DELAY: Duration = Duration::from_millis(400);

fn leaf_and_key(dir: &Path, p: &Pki) {
    write(dir, "leaf.pem", p.leaf.pem());
    write(dir, "leaf.key", p.leaf.key_pem());
    write(dir, "root.pem", p.root.pem());
    write(dir, "pw.txt", "changeit\n");
}

/// Runs `args` twice under a terminal: with an empty cache (fetching from
/// the slow server) and again with the cache it filled.
fn cold_then_warm(args: &[&str], want: i32, what: &str) -> (String, String) {
    let (srv, p) = slow_aia(DELAY);
    let dir = util::tempdir();
    let d = dir.path();
    leaf_and_key(d, &p);
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--cache-dir", "cache"]);
    let cold = finished(
        &run_tty(d, &a, 80, &[], BOUND),
        want,
        &format!("{what} (cold)"),
    );
    assert!(
        srv.hits().contains(&"/int.der".to_string()),
        "{what}: the cold run fetched nothing: {:?}",
        srv.hits()
    );
    let _ = std::fs::remove_file(d.join("out.jks"));
    let _ = std::fs::remove_file(d.join("out.pem"));
    let warm = finished(
        &run_tty(d, &a, 80, &[], BOUND),
        want,
        &format!("{what} (warm)"),
    );
    (cold, warm)
}

#[test]
fn bundle_fetching_from_a_slow_aia_server_ends_on_a_terminal_cold_and_warm() {
    let (cold, warm) = cold_then_warm(
        &["bundle", "leaf.pem", "--key", "leaf.key", "-o", "out.pem"],
        0,
        "bundle",
    );
    for s in [&cold, &warm] {
        assert!(s.contains("out.pem"), "{s}");
    }
}

#[test]
fn keystore_fetching_from_a_slow_aia_server_ends_on_a_terminal_cold_and_warm() {
    cold_then_warm(
        &[
            "keystore",
            "leaf.pem",
            "--key",
            "leaf.key",
            "-o",
            "out.jks",
            "--for",
            "generic",
            "--out-password-file",
            "pw.txt",
        ],
        0,
        "keystore",
    );
}

#[test]
fn verify_and_diagnose_checking_a_slow_aia_url_end_on_a_terminal_cold_and_warm() {
    for cmd in ["verify", "diagnose"] {
        // The intermediate is missing: its AIA URL is checked (1: not valid).
        cold_then_warm(
            &[cmd, "leaf.pem", "--trust", "root.pem", "--at", "2026-06-01"],
            1,
            cmd,
        );
    }
}

#[test]
fn probe_completing_a_server_chain_from_a_slow_aia_server_ends_on_a_terminal() {
    let (srv, p) = slow_aia(DELAY);
    let dir = util::tempdir();
    let d = dir.path();
    // A server that sends its leaf alone: probe completes it by AIA.
    let mut leaf = Spec::server("localhost", Alg::EcdsaP256, "localhost");
    leaf.aia = vec![srv.url("/sint.der")];
    let server = Pki::build(
        Spec::ca("Server Root CA", Alg::EcdsaP256),
        vec![Spec::ca("Server Intermediate CA", Alg::EcdsaP256)],
        leaf,
    );
    srv.set(
        "/sint.der",
        Route::Slow(DELAY, server.intermediates[0].der()),
    );
    let cert = write(d, "server.pem", server.leaf.pem());
    let key = write(d, "server.key", server.leaf.key_pem());
    let ca = write(d, "client-root.pem", p.root.pem());
    write(d, "server-root.pem", server.root.pem());
    let (_guard, port) = util::openssl_mtls_server(d, &cert, &key, &ca);
    let target = format!("127.0.0.1:{port}");
    for run in ["cold", "warm"] {
        let t = run_tty(
            d,
            &[
                "probe",
                &target,
                "--servername",
                "localhost",
                "--trust",
                "server-root.pem",
                "--cache-dir",
                "cache",
                "--timeout",
                "5",
            ],
            80,
            &[],
            BOUND,
        );
        assert!(t.code.is_some(), "probe ({run}) hung: {}", t.screen);
        assert!(
            t.screen.contains("Server Intermediate CA"),
            "probe ({run}): {}",
            t.screen
        );
    }
    assert!(srv.hits().contains(&"/sint.der".to_string()));
}

#[test]
fn at_forty_columns_bundle_ends_and_no_progress_line_outgrows_the_terminal() {
    let (_srv, p) = slow_aia(DELAY);
    let dir = util::tempdir();
    let d = dir.path();
    leaf_and_key(d, &p);
    let t = run_tty(
        d,
        &["bundle", "leaf.pem", "--key", "leaf.key", "--no-cache"],
        40,
        &[],
        BOUND,
    );
    let screen = finished(&t, 0, "bundle at 40 columns");
    // The spinner redraws in place: each frame must fit in 40 columns, or
    // the terminal wraps it and leaves a trail of half-lines.
    for frame in screen.split(['\r', '\n']) {
        let visible = strip_escapes(frame);
        if visible.contains("fetched") {
            assert!(visible.chars().count() <= 40, "{visible:?}");
        }
    }
    assert!(screen.contains("fullcert.pem"), "{screen}");
}

/// `text` without ANSI escape sequences (CSI ... final byte).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\u{1b}' {
            if it.peek() == Some(&'[') {
                it.next();
                for c in it.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// An SGR (colour or bold) escape: ESC [ digits/semicolons m.
fn has_colour(text: &str) -> bool {
    text.split('\u{1b}').skip(1).any(|rest| {
        rest.strip_prefix('[').is_some_and(|r| {
            let end = r.find(|c: char| !(c.is_ascii_digit() || c == ';'));
            end.is_some_and(|i| r[i..].starts_with('m'))
        })
    })
}

#[test]
fn quiet_prints_only_the_report_and_no_colour_with_no_color_or_color_never() {
    let (_srv, p) = slow_aia(DELAY);
    let dir = util::tempdir();
    let d = dir.path();
    leaf_and_key(d, &p);
    let args = ["bundle", "leaf.pem", "--key", "leaf.key", "--no-cache"];
    // -q: no spinner frame, only the final report.
    let mut a = args.to_vec();
    a.extend(["-q", "-o", "q.pem"]);
    let screen = finished(&run_tty(d, &a, 80, &[], BOUND), 0, "bundle -q");
    assert!(!screen.contains("fetched"), "{screen:?}");
    assert!(screen.contains("q.pem"), "{screen}");
    // Without -q the spinner is drawn (so the check above can fail).
    let mut a = args.to_vec();
    a.extend(["-o", "spin.pem"]);
    let screen = finished(&run_tty(d, &a, 80, &[], BOUND), 0, "bundle");
    assert!(screen.contains("fetched"), "{screen:?}");
    // --offline fetches nothing, so no "0 fetched" spinner either.
    let mut a = args.to_vec();
    a.extend(["-o", "off.pem", "--offline"]);
    // (The issuer is then missing: exit 1.)
    let screen = finished(&run_tty(d, &a, 80, &[], BOUND), 1, "bundle --offline");
    assert!(!screen.contains("fetched"), "{screen:?}");
    assert!(screen.contains("incomplete chain"), "{screen}");
    // No colour, whichever way it is asked for.
    let mut a = args.to_vec();
    a.extend(["-o", "nc.pem"]);
    let t = run_tty(d, &a, 80, &[("NO_COLOR", "1")], BOUND);
    let screen = finished(&t, 0, "bundle with NO_COLOR");
    assert!(!has_colour(&screen), "{screen:?}");
    let mut a = args.to_vec();
    a.extend(["-o", "never.pem", "--color", "never"]);
    let screen = finished(&run_tty(d, &a, 80, &[], BOUND), 0, "bundle --color never");
    assert!(!has_colour(&screen), "{screen:?}");
    assert!(has_colour("x\u{1b}[1;31mred\u{1b}[0m") && !has_colour("\u{1b}[2K"));
    // keystore -q: no progress and no account of the downloads, the report stays.
    let ks = [
        "keystore",
        "leaf.pem",
        "--key",
        "leaf.key",
        "--for",
        "generic",
        "--out-password-file",
        "pw.txt",
        "--no-cache",
    ];
    let mut a = ks.to_vec();
    a.extend(["-o", "loud.jks"]);
    let loud = finished(&run_tty(d, &a, 80, &[], BOUND), 0, "keystore");
    assert!(loud.contains("/int.der"), "{loud}");
    let mut a = ks.to_vec();
    a.extend(["-o", "quiet.jks", "-q"]);
    let quiet = finished(&run_tty(d, &a, 80, &[], BOUND), 0, "keystore -q");
    assert!(
        !quiet.contains("/int.der") && !quiet.contains("fetched"),
        "{quiet}"
    );
    assert!(quiet.contains("wrote quiet.jks"), "{quiet}");
}

/// Runs `script` with bash -n on stdin: Ok when bash parses it.
fn bash_parses(script: &[u8]) -> bool {
    use std::io::Write;
    let mut child = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash");
    child.stdin.take().unwrap().write_all(script).unwrap();
    child.wait().unwrap().success()
}

#[test]
fn completions_for_every_shell_name_every_command_and_bash_parses_them() {
    let dir = util::tempdir();
    let commands = [
        "inspect", "bundle", "verify", "diagnose", "lint", "keystore", "csr", "probe", "roots",
    ];
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = util::chainfix(dir.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", util::stderr(&o));
        let text = util::stdout(&o);
        for c in commands {
            assert!(text.contains(c), "{shell} completions lack {c}");
        }
        if shell == "bash" {
            assert!(
                bash_parses(text.as_bytes()),
                "bash -n refuses the completions"
            );
            assert!(!bash_parses(b"if then fi ("), "bash -n accepts anything");
        }
    }
}

#[test]
fn man_writes_a_page_for_chainfix_and_each_command() {
    let dir = util::tempdir();
    let d = dir.path();
    let o = util::chainfix(d, &["man"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        util::stdout(&o).contains(".TH chainfix 1"),
        "{}",
        util::stdout(&o)
    );
    let o = util::chainfix(d, &["man", "--out-dir", "man1"]);
    assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
    for c in ["bundle", "keystore", "probe", "completions"] {
        let page = std::fs::read_to_string(d.join(format!("man1/chainfix-{c}.1"))).unwrap();
        assert!(page.contains(&format!(".TH chainfix-{c} 1")), "{page}");
        assert!(
            page.contains("\\-\\-json") || c == "completions",
            "{c}: {page}"
        );
    }
}

/// The verify arguments of the table tests, with the chain and root they
/// name written into `d`.
const TABLE_ARGS: [&str; 6] = [
    "verify",
    "chain.pem",
    "--trust",
    "root.pem",
    "--at",
    "2026-06-01",
];

fn table_files(d: &Path) {
    let p = Pki::client(1, false);
    write(d, "chain.pem", p.chain_pems().join(""));
    write(d, "root.pem", p.root.pem());
}

/// verify's table as drawn on a terminal `cols` columns wide: its lines,
/// escapes stripped.
fn table_on_terminal(d: &Path, cols: u16) -> (Vec<String>, String) {
    let t = run_tty(d, &TABLE_ARGS, cols, &[], BOUND);
    let screen = finished(&t, 0, &format!("verify at {cols} columns"));
    let table = screen
        .lines()
        .filter(|l| l.contains('│') || l.contains('┌'))
        .map(|l| strip_escapes(l.trim_end_matches('\r')))
        .collect();
    (table, screen)
}

#[test]
fn tables_fit_a_forty_column_terminal_and_are_plain_lines_in_a_pipe() {
    let dir = util::tempdir();
    let d = dir.path();
    table_files(d);
    let (table, screen) = table_on_terminal(d, 40);
    assert!(table.len() > 3, "{screen}");
    for l in table {
        assert!(l.chars().count() <= 40, "{l:?}");
    }
    // In a pipe: a header line and one tab-separated line per certificate.
    let o = util::chainfix(d, &TABLE_ARGS);
    let out = util::stdout(&o);
    assert!(!out.contains('│'), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.contains('\t')).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert!(rows[0].starts_with("#\tsubject\texpires"), "{out}");
    assert!(
        rows[1].starts_with("0\tO=chainfix test, CN=client.example.test\t"),
        "{out}"
    );
}

/// A pseudo-terminal nobody sized reports 0 columns (`script` with no
/// terminal above it, a serial console): the table is drawn at 80 columns,
/// not one letter per line.
#[test]
fn a_terminal_that_reports_zero_columns_gets_an_eighty_column_table() {
    let dir = util::tempdir();
    let d = dir.path();
    table_files(d);
    let (table, screen) = table_on_terminal(d, 0);
    assert!(
        table
            .iter()
            .any(|l| l.contains("subject") && l.contains("expires")),
        "{screen}"
    );
    for l in &table {
        let n = l.chars().count();
        assert!((20..=80).contains(&n), "{n} columns: {l:?}");
    }
}

/// `n` self-signed certificates in one PEM file; those past the first
/// `short` have subjects far longer than the first ones.
fn many_certificates(n: usize, short: usize) -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    (0..n)
        .map(|i| {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            let cn = if i < short {
                format!("Pool {i}")
            } else {
                format!("A far longer subject than any in the first rows, number {i}")
            };
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            p.self_signed(&key).unwrap().pem()
        })
        .collect()
}

/// inspect draws a long table as it goes (the widths come from the first
/// rows): on a terminal it is still one table that fits, with every row
/// once and in order, even where later rows hold longer cells. At 60
/// columns comfy-table alone squeezed "#" to two digits, so row 100 read
/// "10" over "0"; the column is now as wide as the last row's number.
/// (Under 160 columns inspect draws records instead: next test.)
#[test]
fn a_long_inspect_table_on_a_terminal_fits_and_shows_every_row_once() {
    let batch = chainfix::render::table::BATCH;
    let n = 2 * batch + 17;
    let dir = util::tempdir();
    let d = dir.path();
    write(d, "pool.pem", many_certificates(n, batch));
    let t = run_tty(d, &["inspect", "pool.pem"], 170, &[], BOUND);
    let screen = finished(&t, 0, "inspect of a long pool");
    let lines: Vec<String> = screen
        .lines()
        .map(|l| strip_escapes(l.trim_end_matches('\r')))
        .filter(|l| l.starts_with(['┌', '│', '╞', '└']))
        .collect();
    for l in &lines {
        assert!(l.chars().count() <= 170, "{l:?}");
    }
    let count = |c: char| lines.iter().filter(|l| l.starts_with(c)).count();
    assert_eq!((count('┌'), count('╞'), count('└')), (1, 1, 1), "{screen}");
    assert!(lines.last().is_some_and(|l| l.starts_with('└')), "{screen}");
    let numbers: Vec<usize> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("│ "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "{screen}");
}

/// inspect on an 80-column terminal: its twelve columns squeezed into 80
/// wrapped every cell a few letters a line ("Subj" over "ect", a serial
/// in five-letter pieces). Each certificate and key is now a record: a
/// "#N" title, then one labelled line per cell, every line within the
/// terminal, the subject whole. Files made by openssl.
#[test]
fn inspect_on_a_narrow_terminal_draws_a_record_per_certificate() {
    let dir = util::tempdir();
    let d = dir.path();
    util::openssl_self_signed(
        d,
        "leaf.key",
        "leaf.pem",
        "/CN=client.example.com/O=Example",
        &[],
    );
    for cols in [80u16, 60] {
        let t = run_tty(d, &["inspect", "leaf.pem", "leaf.key"], cols, &[], BOUND);
        let screen = finished(&t, 0, "inspect at a narrow terminal");
        let lines: Vec<String> = screen
            .lines()
            .map(|l| strip_escapes(l.trim_end_matches('\r')))
            .collect();
        for l in &lines {
            assert!(l.chars().count() <= usize::from(cols), "{l:?}");
        }
        assert!(!screen.contains('┆'), "{screen}");
        let titles: Vec<&String> = lines.iter().filter(|l| l.starts_with('#')).collect();
        assert_eq!(titles.len(), 2, "{screen}");
        assert!(
            titles[0].starts_with("#1 ─") && titles[1].starts_with("#2 ─"),
            "{screen}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "  Subject  O=Example, CN=client.example.com"
                    || l == "  Subject  CN=client.example.com, O=Example"),
            "{screen}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  Kind     private key")),
            "{screen}"
        );
    }
}
