//! A chain inside a big PEM file: past 4 MiB chainfix parses the file
//! while reading it, and `bundle` and `verify` keep the pool's DER on disk,
//! reading back only what a path can use. Whatever is kept where, both say
//! exactly what they say for the same blocks in a small file (the dropped
//! certificates listed with their subjects included), the path agrees with
//! `openssl verify`, and a pool on standard input still works.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::pki::{Alg, Pki};
use crate::util::{chainfix, stdout, succeeds, tempdir, write};

/// Self-signed CAs with names of their own, none on the path.
fn strangers(n: usize) -> Vec<String> {
    let key = crate::pki::key(Alg::EcdsaP256);
    (0..n)
        .map(|i| {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name
                .push(rcgen::DnType::CommonName, format!("Stranger {i}"));
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            p.self_signed(&key).unwrap().pem()
        })
        .collect()
}

/// The blocks of a pool with a scrambled chain and its key; `pad` puts
/// comment lines between the strangers and the chain (text between
/// blocks is skipped), enough to pass the 4 MiB at which reading streams.
fn pool(pki: &Pki, strangers: &[String], pad: bool) -> String {
    let mut s = strangers[..3].concat();
    if pad {
        s.push_str(&"# padding between the blocks of a big pool\n".repeat(110_000));
    }
    s.push_str(&pki.intermediates[0].pem());
    s.push_str(&pki.leaf.key_pem());
    s.push_str(&pki.root.pem());
    s.push_str(&strangers[3..].concat());
    s.push_str(&pki.leaf.pem());
    s.push_str(&pki.intermediates[1].pem());
    s
}

fn run_in(dir: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let o = chainfix(dir, args);
    (stdout(&o), crate::util::stderr(&o), o.status.code())
}

fn piped(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_big_pool_answers_as_a_small_one_does() {
    let pki = Pki::client(2, false);
    let strangers = strangers(6);
    let (small, big) = (tempdir(), tempdir());
    for (dir, pad) in [(small.path(), false), (big.path(), true)] {
        write(dir, "pool.pem", pool(&pki, &strangers, pad));
        write(dir, "leaf.pem", pki.leaf.pem());
        write(dir, "root.pem", pki.root.pem());
        write(
            dir,
            "untrusted.pem",
            format!("{}{}", pool(&pki, &strangers, pad), pki.leaf.pem()),
        );
    }
    let len = std::fs::metadata(big.path().join("pool.pem"))
        .unwrap()
        .len();
    assert!(len > 4 << 20, "the big pool must stream: {len} bytes");

    let runs: [&[&str]; 4] = [
        &[
            "bundle",
            "pool.pem",
            "--offline",
            "--no-cache",
            "-o",
            "out.pem",
            "--json",
        ],
        &[
            "bundle",
            "pool.pem",
            "--offline",
            "--no-cache",
            "-o",
            "out2.pem",
            "--verbose",
        ],
        &[
            "verify",
            "leaf.pem",
            "untrusted.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
        &[
            "verify",
            "leaf.pem",
            "pool.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    ];
    let mut results = Vec::new();
    for args in runs {
        let want = run_in(small.path(), args);
        let got = run_in(big.path(), args);
        assert_eq!(got, want, "{args:?}");
        results.push(got);
    }
    // Every dropped stranger is listed with its subject, read back from disk.
    let (json, _, code) = &results[0];
    assert_eq!(code, &Some(0), "{json}");
    for i in 0..6 {
        assert!(json.contains(&format!("\"CN=Stranger {i}\"")), "{json}");
    }
    for out in ["out.pem", "out2.pem"] {
        assert_eq!(
            std::fs::read(small.path().join(out)).unwrap(),
            std::fs::read(big.path().join(out)).unwrap()
        );
    }
    // openssl finds the same path in the big pool.
    assert!(succeeds(
        Command::new("openssl")
            .current_dir(big.path())
            .args(["verify", "-attime", "1780272000", "-CAfile", "root.pem"])
            .args(["-untrusted", "untrusted.pem", "leaf.pem"]),
        "openssl verify of the big pool"
    ));

    // The same big pool on standard input (kept in memory) and from the file.
    let args = [
        "verify",
        "leaf.pem",
        "-",
        "--trust",
        "root.pem",
        "--at",
        "2026-06-01",
    ];
    let stdin_big = piped(big.path(), &args, pool(&pki, &strangers, true).as_bytes());
    let stdin_small = piped(
        small.path(),
        &args,
        pool(&pki, &strangers, false).as_bytes(),
    );
    assert_eq!(
        stdin_big.status.code(),
        Some(0),
        "{}",
        crate::util::stderr(&stdin_big)
    );
    assert_eq!(stdout(&stdin_big), stdout(&stdin_small));
    assert_eq!(stdin_big.stderr, stdin_small.stderr);
}

/// The pool changes after `bundle` read it and read back what the path
/// needs, but before `--json` lists every stranger (read back for its
/// subject): exit 2 with the one sentence naming the file, and with
/// `--json` the error object on stdout, as for any other failure; never a
/// report about bytes that are no longer there.
#[test]
fn a_pool_changed_while_bundle_runs_is_an_error_in_json_too() {
    let pki = Pki::client(2, false);
    let strangers = strangers(6);
    let dir = tempdir();
    let d = dir.path();
    let text = pool(&pki, &strangers, true);
    write(d, "pool.pem", &text);
    for json in [true, false] {
        let hold = d.join("held");
        let _ = std::fs::remove_file(&hold);
        let mut args = vec![
            "bundle",
            "pool.pem",
            "--offline",
            "--no-cache",
            "-o",
            "out.pem",
        ];
        args.push("--force");
        if json {
            args.push("--json");
        } else {
            args.push("--verbose");
        }
        let child = Command::new(env!("CARGO_BIN_EXE_chainfix"))
            .args(&args)
            .current_dir(d)
            .env("NO_COLOR", "1")
            .env("CHAINFIX_TEST_HOLD_AFTER_LOAD", &hold)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while !hold.exists() {
            assert!(
                start.elapsed().as_secs() < 60,
                "bundle never reached the hold"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // The same length, other bytes: the first stranger's body changed.
        let changed = text.replacen("MII", "MIJ", 1);
        assert_eq!(changed.len(), text.len());
        std::fs::OpenOptions::new()
            .write(true)
            .open(d.join("pool.pem"))
            .unwrap()
            .write_all(changed.as_bytes())
            .unwrap();
        std::fs::remove_file(&hold).unwrap();
        let o = child.wait_with_output().unwrap();
        let err = crate::util::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("pool.pem"), "{err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("chainfix:")).count(),
            1,
            "{err}"
        );
        if json {
            let doc: serde_json::Value =
                serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
            assert_eq!(doc["version"], 1, "{doc:#}");
            assert!(
                doc["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("pool.pem")),
                "{doc:#}"
            );
        }
        // Restore the pool for the next round.
        write(d, "pool.pem", &text);
    }
}
