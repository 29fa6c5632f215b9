//! The `--json` contract and the exit-code contract, through the real
//! binary, for all nine commands on three inputs (a complete chain, one with
//! its intermediate missing, a file that is not a certificate):
//! - `--json` prints exactly one object with `version`, valid against the
//!   command's schema in docs/ (exit 0 or 1) or docs/error-schema.json (exit 2);
//! - text and JSON exit alike; exit 1 always comes with an `error:` line,
//!   exit 0 never does.

use std::path::Path;

use serde_json::Value;

use crate::pki::{Alg, Pki, Spec};
use crate::schema;
use crate::util::{self, chainfix, stderr, stdout, write};

struct Setup {
    dir: tempfile::TempDir,
    _server: Option<util::Guard>,
    port: u16,
}

fn setup() -> Setup {
    let dir = util::tempdir();
    let d = dir.path();
    let p = Pki::client(1, false);
    let [leaf, int, root] = [p.leaf.pem(), p.intermediates[0].pem(), p.root.pem()];
    write(d, "complete.pem", format!("{leaf}{int}{root}"));
    write(d, "missing.pem", format!("{leaf}{root}"));
    write(d, "unreadable.pem", "this is not a certificate\n");
    write(d, "leaf.key", p.leaf.key_pem());
    write(d, "complete.key", p.leaf.key_pem());
    write(d, "missing.key", p.leaf.key_pem());
    write(d, "unreadable.key", "not a key either\n");
    write(d, "root.pem", &root);
    write(d, "pw.txt", "changeit\n");
    // A server that asks for a client certificate issued under p's root.
    let server = Pki::build(
        Spec::ca("Server Root CA", Alg::EcdsaP256),
        vec![Spec::ca("Server Intermediate CA", Alg::EcdsaP256)],
        Spec::server("localhost", Alg::EcdsaP256, "localhost"),
    );
    let cert = write(d, "server.pem", server.leaf.pem());
    let chain = write(d, "server-chain.pem", server.intermediates[0].pem());
    let key = write(d, "server.key", server.leaf.key_pem());
    write(d, "server-root.pem", server.root.pem());
    let ca = write(d, "client-root.pem", &root);
    let (guard, port) = util::openssl_mtls_server_with_chain(d, &cert, Some(&chain), &key, &ca);
    Setup {
        dir,
        _server: Some(guard),
        port,
    }
}

/// The command line for `cmd` on `input` (complete, missing or unreadable).
fn args(cmd: &str, input: &str, port: u16) -> Vec<String> {
    let f = format!("{input}.pem");
    let at = ["--at", "2026-06-01"];
    let offline = ["--offline", "--no-cache"];
    let v: Vec<&str> = match cmd {
        "inspect" => vec!["inspect", &f],
        "bundle" => [
            &[
                "bundle", &f, "--key", "leaf.key", "-o", "out.pem", "--force",
            ][..],
            &offline,
        ]
        .concat(),
        "verify" | "diagnose" => [&[cmd, &f, "--trust", "root.pem"][..], &offline, &at].concat(),
        "lint" => [&["lint", &f, "--trust", "root.pem"][..], &at].concat(),
        "keystore" => [
            &[
                "keystore", &f, "--key", "leaf.key", "-o", "ks.p12", "--force",
            ][..],
            &["--format", "p12", "--out-password-file", "pw.txt"],
            &offline,
        ]
        .concat(),
        "csr" => {
            let k = format!("{input}.key");
            return [
                "csr",
                "--key",
                &k,
                "--subject",
                "CN=client",
                "-o",
                "req.csr",
                "--force",
            ]
            .map(String::from)
            .to_vec();
        }
        "probe" => {
            let t = format!("127.0.0.1:{port}");
            return [
                "probe",
                &t,
                "--servername",
                "localhost",
                "--trust",
                "server-root.pem",
                "--cert",
                &f,
                "--key",
                "leaf.key",
                "--offline",
                "--no-cache",
            ]
            .map(String::from)
            .to_vec();
        }
        "roots" => vec!["roots", "--trust", "root.pem", &f],
        other => panic!("{other}"),
    };
    v.into_iter().map(String::from).collect()
}

const COMMANDS: [&str; 9] = [
    "inspect", "bundle", "verify", "diagnose", "lint", "keystore", "csr", "probe", "roots",
];

/// (text exit, JSON exit, the JSON) for one command line.
fn run(d: &Path, a: &[String]) -> (i32, String, i32, Value) {
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let text = chainfix(d, &a);
    let mut j = a.clone();
    j.push("--json");
    let json = chainfix(d, &j);
    let out = stdout(&json);
    let doc: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{a:?} --json: not one JSON object ({e}): {out:?}"));
    (
        text.status.code().unwrap(),
        format!("{}{}", stdout(&text), stderr(&text)),
        json.status.code().unwrap(),
        doc,
    )
}

#[test]
fn every_command_keeps_the_json_and_exit_code_contracts_on_three_inputs() {
    let s = setup();
    let d = s.dir.path();
    let mut table = String::new();
    for input in ["complete", "missing", "unreadable"] {
        for cmd in COMMANDS {
            let a = args(cmd, input, s.port);
            let (code, text, jcode, doc) = run(d, &a);
            table.push_str(&format!("{cmd:9} {input:10} text {code} json {jcode}\n"));
            assert_eq!(code, jcode, "{a:?}: text and --json exit differently");
            let has_error_line = text.lines().any(|l| l.trim_start().starts_with("error:"));
            match code {
                0 => assert!(!has_error_line, "{a:?} exits 0 with an error line:\n{text}"),
                1 => assert!(has_error_line, "{a:?} exits 1 with no error: line:\n{text}"),
                2 => {}
                c => panic!("{a:?}: exit {c}"),
            }
            assert_eq!(doc["version"], 1, "{a:?}: {doc:#}");
            let name = if code == 2 {
                "error-schema.json".to_string()
            } else {
                format!("{cmd}-schema.json")
            };
            let errs = schema::errors(&schema::load(&name), &doc);
            assert!(errs.is_empty(), "{a:?} against {name}: {errs:#?}\n{doc:#}");
        }
    }
    // The inputs do what they are for: every command fails on the file that
    // is not a certificate, and the chain-judging ones exit 1 on the gap.
    let want = |cmd: &str, input: &str| format!("{cmd:9} {input:10} text ");
    for cmd in COMMANDS {
        assert!(table.contains(&(want(cmd, "unreadable") + "2")), "{table}");
    }
    for cmd in ["bundle", "verify", "diagnose", "lint", "keystore", "probe"] {
        assert!(table.contains(&(want(cmd, "missing") + "1")), "{table}");
        assert!(table.contains(&(want(cmd, "complete") + "0")), "{table}");
    }
}

#[test]
fn a_failure_with_json_names_kind_file_message_and_fix_on_stdout() {
    let dir = util::tempdir();
    let d = dir.path();
    let p = Pki::client(1, false);
    write(
        d,
        "all.pem",
        format!("{}{}", p.leaf.key_pem(), p.chain_pems().join("")),
    );
    write(d, "out.pem", "in the way");
    // bundle onto an existing file.
    let o = chainfix(
        d,
        &["bundle", "all.pem", "-o", "out.pem", "--offline", "--json"],
    );
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["error"]["kind"], "output-exists");
    assert_eq!(v["error"]["file"], "out.pem");
    assert!(
        v["error"]["fix"].as_str().unwrap().contains("--force"),
        "{v}"
    );
    // probe on a port where nothing listens.
    let port = util::free_port();
    let target = format!("127.0.0.1:{port}");
    let o = chainfix(d, &["probe", &target, "--timeout", "3", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["error"]["kind"], "refused", "{v}");
    assert_eq!(v["error"]["file"], target.as_str());
    // A usage error.
    let o = chainfix(d, &["bundle", "all.pem", "--no-such-flag", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["error"]["kind"], "usage");
    let s = schema::load("error-schema.json");
    assert!(schema::errors(&s, &v).is_empty());
}

#[test]
fn dash_o_dash_writes_to_stdout_and_no_file_named_dash() {
    let dir = util::tempdir();
    let d = dir.path();
    let p = Pki::client(1, false);
    let all = format!(
        "{}{}{}",
        p.leaf.key_pem(),
        p.chain_pems().join(""),
        p.root.pem()
    );
    write(d, "all.pem", all);
    let o = chainfix(d, &["bundle", "all.pem", "-o", "-", "--offline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("-----BEGIN PRIVATE KEY-----"), "{out}");
    assert_eq!(out.matches("BEGIN CERTIFICATE").count(), 2);
    assert!(!d.join("-").exists());
    assert!(
        stderr(&o).starts_with("wrote standard output:"),
        "{}",
        stderr(&o)
    );
    // With --json, both would want stdout: refused.
    let o = chainfix(d, &["bundle", "all.pem", "-o", "-", "--offline", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!d.join("-").exists());
    // keystore: the JKS bytes on stdout in a pipe, refused on a terminal.
    write(d, "pw.txt", "changeit\n");
    let ks = [
        "keystore",
        "all.pem",
        "--for",
        "generic",
        "--out-password-file",
        "pw.txt",
        "--offline",
        "-o",
        "-",
    ];
    let o = chainfix(d, &ks);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(&[0xfe, 0xed, 0xfe, 0xed]));
    assert!(
        stderr(&o).starts_with("wrote standard output"),
        "{}",
        stderr(&o)
    );
    let t = crate::term::run_tty(d, &ks, 80, &[], std::time::Duration::from_secs(30));
    assert_eq!(t.code, Some(2), "{}", t.screen);
    assert!(t.screen.contains("stdout is a terminal"), "{}", t.screen);
    assert!(!d.join("-").exists());
    let o = chainfix(
        d,
        &["csr", "--key", "all.pem", "--subject", "CN=x", "-o", "-"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert!(!d.join("-").exists());
}
