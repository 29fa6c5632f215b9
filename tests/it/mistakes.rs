//! The common mistakes of a person at a terminal, each with files made by
//! the real `openssl`: the CSR instead of the certificate, a key alone, a
//! wrong password. Each must get one sentence that names the file given and
//! says what to do, with exit 2.

use std::path::Path;

use crate::util::{chainfix, openssl, openssl_ec_key, stderr, tempdir};

/// A P-256 key `leaf.key` and its CSR `leaf.csr`, made by openssl.
fn key_and_csr(d: &Path) {
    openssl_ec_key(d, "leaf.key");
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=client.example.com",
        ],
    );
}

/// Every command that reads certificates names the file when it was given
/// a key alone or a CSR alone: lint and roots said "no certificate was
/// found in the inputs", naming nothing, where verify named the file.
#[test]
fn a_key_or_a_csr_alone_is_named_by_every_command() {
    let dir = tempdir();
    let d = dir.path();
    key_and_csr(d);
    let commands: [&[&str]; 4] = [
        &["lint", "--profile", "salesforce-mtls"],
        &["roots"],
        &["verify"],
        &["inspect"],
    ];
    for cmd in commands {
        for (file, says) in [
            (
                "leaf.csr",
                "leaf.csr:1 is a certificate signing request (CSR), not a certificate",
            ),
            (
                "leaf.key",
                "leaf.key:1 holds a private key, but no certificate was given",
            ),
        ] {
            if cmd[0] == "inspect" && file == "leaf.key" {
                continue; // inspect shows a key alone: that is its job
            }
            let mut args = cmd.to_vec();
            args.push(file);
            let o = chainfix(d, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
            // Said once: no "dropped leaf.csr:1" line before the error.
            assert_eq!(
                err.matches(&format!("{file}:1")).count(),
                1,
                "{args:?}: {err}"
            );
        }
    }
}

/// The CSR given where the certificate belongs, beside the CA's bundle and
/// the key: bundle said "the private key matches none of the certificates
/// given" (exit 1) and keystore, given the CSR alone, "leaf.csr holds no
/// private key". Both now name the CSR for what it is (exit 2).
#[test]
fn the_csr_given_instead_of_the_certificate_is_named() {
    let dir = tempdir();
    let d = dir.path();
    key_and_csr(d);
    crate::util::openssl_self_signed(d, "ca.key", "ca-bundle.pem", "/CN=Some CA", &[]);
    std::fs::write(d.join("pw.txt"), "secret\n").unwrap();
    let runs: [&[&str]; 4] = [
        &[
            "bundle",
            "leaf.csr",
            "ca-bundle.pem",
            "--key",
            "leaf.key",
            "--offline",
        ],
        &[
            "bundle",
            "leaf.csr",
            "ca-bundle.pem",
            "leaf.key",
            "--offline",
        ],
        &[
            "keystore",
            "leaf.csr",
            "--format",
            "p12",
            "-o",
            "c.p12",
            "--password-file",
            "pw.txt",
        ],
        &[
            "keystore",
            "leaf.csr",
            "ca-bundle.pem",
            "--key",
            "leaf.key",
            "--format",
            "jks",
            "--alias",
            "a",
            "-o",
            "c.jks",
            "--password-file",
            "pw.txt",
            "--offline",
        ],
    ];
    for args in runs {
        let o = chainfix(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("leaf.csr:1 is a certificate signing request (CSR), not a certificate"),
            "{args:?}: {err}"
        );
        for out in ["fullcert.pem", "c.p12", "c.jks"] {
            assert!(!d.join(out).exists(), "{args:?} wrote {out}");
        }
    }
}

/// A .pfx with a wrong `--password-file`, at a terminal: chainfix asks
/// again, and the prompt says why (it said "Password for leaf.pfx: ", as
/// if no password had been given); the right password typed there works.
#[test]
fn a_wrong_password_file_at_a_terminal_is_said_before_the_prompt() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "leaf.key", "leaf.pem", "/CN=client.example.com", &[]);
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-in",
            "leaf.pem",
            "-inkey",
            "leaf.key",
            "-out",
            "leaf.pfx",
            "-passout",
            "pass:secret",
        ],
    );
    std::fs::write(d.join("wrong.txt"), "not-it\n").unwrap();
    let line = format!(
        "exec '{}' bundle leaf.pfx --password-file wrong.txt --offline",
        env!("CARGO_BIN_EXE_chainfix")
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(d)
        .env_remove("CHAINFIX_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) is installed");
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = String::new();
    let start = Instant::now();
    while !screen.contains(": ") || !screen.contains("leaf.pfx") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no prompt: {screen}"
        );
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(100)) {
            screen.push_str(&String::from_utf8_lossy(&b));
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"secret\n").unwrap();
    while let Ok(b) = rx.recv_timeout(Duration::from_secs(30)) {
        screen.push_str(&String::from_utf8_lossy(&b));
    }
    let status = child.wait().unwrap();
    assert!(
        screen.contains("The password from wrong.txt does not open leaf.pfx"),
        "{screen}"
    );
    assert_eq!(status.code(), Some(0), "{screen}");
    let written = std::fs::read_to_string(d.join("fullcert.pem")).unwrap();
    assert!(written.contains("PRIVATE KEY"), "{written}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(d.join("fullcert.pem"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

/// A leaf (made by openssl) whose issuer is only reachable by its AIA URL
/// on a server on 127.0.0.1, with its key: `leaf.pem`, `leaf.key`.
fn leaf_with_aia(d: &Path, url: &str) {
    crate::util::openssl_self_signed(d, "ca.key", "ca.pem", "/CN=Far CA", &[]);
    key_and_csr(d);
    std::fs::write(
        d.join("leaf.ext"),
        format!("extendedKeyUsage=clientAuth\nauthorityInfoAccess=caIssuers;URI:{url}\n"),
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-out",
            "leaf.pem", "-days", "3", "-extfile", "leaf.ext",
        ],
    );
}

/// An output in the way (an existing file without --force, a directory, a
/// missing directory) is refused before any work: bundle and keystore read
/// everything and downloaded the missing issuer first, so the person
/// waited through the downloads (and the network was used) for a refusal
/// known from the start.
#[test]
fn an_output_in_the_way_is_refused_before_anything_is_downloaded() {
    let mut srv = crate::httpd::Server::start();
    let dir = tempdir();
    let d = dir.path();
    leaf_with_aia(d, &srv.url("/ca.der"));
    openssl(
        d,
        &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
    );
    srv.set(
        "/ca.der",
        crate::httpd::Route::Body(
            "application/pkix-cert",
            std::fs::read(d.join("ca.der")).unwrap(),
        ),
    );
    std::fs::write(d.join("taken.pem"), "mine\n").unwrap();
    std::fs::write(d.join("pw.txt"), "secret\n").unwrap();
    std::fs::create_dir(d.join("adir")).unwrap();
    let cache = d.join("cache");
    let cache = cache.to_str().unwrap();
    for (out, says) in [
        ("taken.pem", "taken.pem already exists; pass --force"),
        ("adir", "adir is a directory"),
        ("nodir/x.pem", "the directory nodir does not exist"),
    ] {
        let runs: [Vec<&str>; 2] = [
            vec![
                "bundle",
                "leaf.pem",
                "leaf.key",
                "-o",
                out,
                "--cache-dir",
                cache,
            ],
            vec![
                "keystore",
                "leaf.pem",
                "leaf.key",
                "--format",
                "p12",
                "-o",
                out,
                "--password-file",
                "pw.txt",
                "--cache-dir",
                cache,
            ],
        ];
        for args in runs {
            let o = chainfix(d, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
            assert!(
                srv.hits().is_empty(),
                "{args:?} downloaded: {:?}",
                srv.hits()
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(d.join("taken.pem")).unwrap(),
        "mine\n"
    );
    // The same run with a free output does download, and writes.
    let o = chainfix(
        d,
        &[
            "bundle",
            "leaf.pem",
            "leaf.key",
            "-o",
            "free.pem",
            "--cache-dir",
            cache,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(srv.hits().len(), 1, "{:?}", srv.hits());
    srv.stop();
}

/// A mistyped path: the sentence is words, not "No such file or directory
/// (os error 2)" mid-sentence, for an input, a --password-file and a
/// --trust file alike.
#[test]
fn a_missing_file_is_said_in_words() {
    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "leaf.key", "leaf.pem", "/CN=client.example.com", &[]);
    let runs: [(&[&str], &str); 3] = [
        (&["verify", "lefa.pem"], "lefa.pem"),
        (
            &[
                "bundle",
                "leaf.pem",
                "leaf.key",
                "--password-file",
                "pw.txt",
            ],
            "pw.txt",
        ),
        (&["verify", "leaf.pem", "--trust", "roots.pem"], "roots.pem"),
    ];
    for (args, file) in runs {
        let o = chainfix(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.trim_end(),
            format!(
                "chainfix: cannot read {file}: no such file or directory; check the path and its permissions"
            ),
            "{args:?}"
        );
    }
}

/// The CA's files given without the leaf (a root alone, or the CA bundle
/// with its intermediate and root): bundle took the lowest CA for the leaf
/// and wrote it as the person's chain (exit 0). It now says the leaf is
/// missing (exit 2) and writes nothing; --leaf still bundles from a CA
/// certificate on purpose.
#[test]
fn a_root_or_a_ca_bundle_without_the_leaf_is_not_bundled() {
    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "root.key", "root.pem", "/CN=UX Root", &[]);
    openssl_ec_key(d, "int.key");
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "int.key",
            "-out",
            "int.csr",
            "-subj",
            "/CN=UX Int",
        ],
    );
    std::fs::write(
        d.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-out",
            "int.pem", "-days", "3", "-extfile", "ca.ext",
        ],
    );
    let bundle = [
        std::fs::read_to_string(d.join("int.pem")).unwrap(),
        std::fs::read_to_string(d.join("root.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(d.join("ca-bundle.pem"), bundle).unwrap();
    for (file, origin, subject) in [
        ("root.pem", "root.pem:1", "CN=UX Root"),
        ("ca-bundle.pem", "ca-bundle.pem:1", "CN=UX Int"),
    ] {
        for extra in [&["--no-key"][..], &[]] {
            let mut args = vec!["bundle", file, "--offline", "-o", "out.pem"];
            args.extend(extra);
            let o = chainfix(d, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains(&format!(
                    "{origin} is a CA certificate (\"{subject}\"), and the inputs hold no leaf below it"
                )),
                "{args:?}: {err}"
            );
            assert!(!d.join("out.pem").exists(), "{args:?} wrote out.pem");
        }
    }
    let o = chainfix(
        d,
        &[
            "bundle",
            "ca-bundle.pem",
            "--offline",
            "--no-key",
            "--leaf",
            "UX Int",
            "-o",
            "out.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("out.pem").exists());
}

/// The key and the certificate given the other way round (`--key
/// leaf.pem` with the key among the FILEs): said as such, not "leaf.pem
/// holds no private key" (which sent people looking for a key in it).
#[test]
fn the_certificate_given_as_the_key_is_said_so() {
    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "leaf.key", "leaf.pem", "/CN=client.example.com", &[]);
    std::fs::write(d.join("pw.txt"), "secret\n").unwrap();
    let runs: [&[&str]; 2] = [
        &["bundle", "leaf.key", "--key", "leaf.pem", "--offline"],
        &[
            "keystore",
            "leaf.key",
            "--key",
            "leaf.pem",
            "--format",
            "p12",
            "-o",
            "c.p12",
            "--password-file",
            "pw.txt",
            "--offline",
        ],
    ];
    for args in runs {
        let o = chainfix(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.trim_end(),
            "chainfix: leaf.pem holds a certificate, not a private key; give the key file with --key, and leaf.pem among the FILEs",
            "{args:?}"
        );
    }
}

/// `--help` names each flag's value in words a person reads, not the
/// Rust field's name in capitals (`--revocation-failure
/// <REVOCATION_FAILURE>`, `--key-type <KEY_TYPE>`).
#[test]
fn help_names_values_in_words() {
    let dir = tempdir();
    let d = dir.path();
    for (cmd, want) in [
        ("verify", "--revocation <MODE>"),
        ("verify", "--revocation-failure <HOW>"),
        ("bundle", "--revocation-failure <HOW>"),
        ("csr", "--key-type <TYPE>"),
    ] {
        let o = chainfix(d, &[cmd, "--help"]);
        let out = crate::util::stdout(&o);
        assert!(out.contains(want), "{cmd} --help: {out}");
    }
    for cmd in [
        "inspect", "bundle", "verify", "diagnose", "lint", "keystore", "csr", "probe", "roots",
        "serve",
    ] {
        let o = chainfix(d, &[cmd, "--help"]);
        let out = crate::util::stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{cmd}");
        // A value name with an underscore is a field name leaking out.
        assert!(
            !out.split(['<', '>'])
                .skip(1)
                .step_by(2)
                .any(|v| v.contains('_')),
            "{cmd} --help: {out}"
        );
    }
}

/// Runs chainfix under script(1), stdout and stderr a terminal, stdin not
/// (no prompt): the exit code and the screen.
fn on_terminal(d: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut line = format!("exec '{}'", env!("CARGO_BIN_EXE_chainfix"));
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    line.push_str(" </dev/null");
    let o = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(d)
        .env_remove("CHAINFIX_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) is installed");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// `bundle -o -` at a terminal printed the private key on the screen.
/// Key material is never printed: it is refused there (a pipe still gets
/// it), and the chain alone (--no-key) is still shown.
#[test]
fn bundle_to_a_terminal_never_shows_the_key() {
    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "leaf.key", "leaf.pem", "/CN=client.example.com", &[]);
    let (code, screen) = on_terminal(
        d,
        &["bundle", "leaf.pem", "leaf.key", "--offline", "-o", "-"],
    );
    assert_eq!(code, Some(2), "{screen}");
    assert!(!screen.contains("PRIVATE KEY"), "{screen}");
    assert!(
        screen.contains("-o - would print the private key on the terminal; redirect it"),
        "{screen}"
    );
    let (code, screen) = on_terminal(
        d,
        &[
            "bundle",
            "leaf.pem",
            "leaf.key",
            "--offline",
            "--no-key",
            "-o",
            "-",
        ],
    );
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("BEGIN CERTIFICATE") && !screen.contains("PRIVATE KEY"),
        "{screen}"
    );
    // In a pipe, -o - is the way to hand the key to another program.
    let o = chainfix(
        d,
        &["bundle", "leaf.pem", "leaf.key", "--offline", "-o", "-"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(crate::util::stdout(&o).contains("PRIVATE KEY"));
}

/// The CA's root pasted under the leaf, the intermediate left out, no
/// network: the root was listed as "unrelated: not an issuer of the leaf",
/// which reads as if the wrong root had been pasted. It is now "not linked
/// to the leaf ... maybe the one above the missing" intermediate, beside
/// the error naming that intermediate (exit 1).
#[test]
fn a_pasted_root_with_the_intermediate_missing_is_not_called_unrelated() {
    let dir = tempdir();
    let d = dir.path();
    crate::util::openssl_self_signed(d, "root.key", "root.pem", "/CN=UX Root", &[]);
    std::fs::write(
        d.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    for (name, cn, signer, ext) in [
        ("int", "/CN=UX Int", "root", Some("ca.ext")),
        ("leaf", "/CN=client.example.com", "int", None),
    ] {
        openssl_ec_key(d, &format!("{name}.key"));
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        openssl(d, &["req", "-new", "-key", &key, "-out", &csr, "-subj", cn]);
        let (ca, cakey) = (format!("{signer}.pem"), format!("{signer}.key"));
        let mut args = vec![
            "x509", "-req", "-in", &csr, "-CA", &ca, "-CAkey", &cakey, "-out", &pem, "-days", "3",
        ];
        if let Some(e) = ext {
            args.extend(["-extfile", e]);
        }
        openssl(d, &args);
    }
    let pasted = [
        std::fs::read_to_string(d.join("leaf.pem")).unwrap(),
        std::fs::read_to_string(d.join("root.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(d.join("pasted.pem"), pasted).unwrap();
    let o = chainfix(d, &["bundle", "pasted.pem", "leaf.key", "--offline"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "dropped pasted.pem:2: not linked to the leaf: a CA certificate, maybe the one above the missing \"CN=UX Int\""
        ),
        "{err}"
    );
    assert!(!err.contains("unrelated"), "{err}");
    assert!(err.contains("the issuer \"CN=UX Int\" is missing"), "{err}");

    // Among a pile of unrelated CAs the guess would be noise: each is then
    // "unrelated", as before the guess was added.
    let mut pile = std::fs::read_to_string(d.join("pasted.pem")).unwrap();
    for n in 0..4 {
        let (key, pem) = (format!("s{n}.key"), format!("s{n}.pem"));
        crate::util::openssl_self_signed(d, &key, &pem, &format!("/CN=Stranger {n}"), &[]);
        pile.push_str(&std::fs::read_to_string(d.join(&pem)).unwrap());
    }
    std::fs::write(d.join("pile.pem"), pile).unwrap();
    let o = chainfix(
        d,
        &["bundle", "pile.pem", "leaf.key", "--offline", "--force"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("maybe the one above"), "{err}");
    assert_eq!(
        err.matches("unrelated: not an issuer of the leaf").count(),
        5,
        "{err}"
    );
}
