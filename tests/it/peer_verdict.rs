//! One verdict, every command: chains made with the real openssl (a SHA-1
//! intermediate, an RSA-1024 root, a non-critical basicConstraints, a leaf
//! whose issuer is UTF8String where the CA's subject is PrintableString,
//! names that differ in letter case, a leaf without EKU) judged by verify,
//! diagnose, lint, bundle and keystore for each peer: all five must give
//! the same accept/refuse, the one this table expects, and for OpenSSL the
//! one the real `openssl verify -auth_level 2 -purpose sslclient` gives.

use std::path::{Path, PathBuf};

use crate::util::{chainfix, openssl, stderr, stdout, tempdir, write};

const PEERS: [&str; 4] = ["openssl", "java", "salesforce", "webpki"];

#[derive(Clone, Copy, Default)]
struct Spec {
    root_rsa_bits: u32,
    inter_sha1: bool,
    inter_bc_noncritical: bool,
    /// The leaf is signed through a copy of the intermediate whose subject
    /// is UTF8String; the chain carries the PrintableString one.
    utf8_issuer: bool,
    /// The same, with the copy's subject in capitals.
    upper_issuer: bool,
    leaf_no_eku: bool,
    /// A server certificate for localhost instead of a client one.
    server: bool,
    /// The intermediate requires an explicit policy (critical
    /// policyConstraints requireExplicitPolicy:0) and nothing has one.
    inter_requires_policy: bool,
}

const INT_NAME: &str = "Peer Test Int";

/// Writes root.pem, chain.pem (leaf + intermediate) and leaf.key in `dir`.
fn make(dir: &Path, s: Spec) {
    std::fs::create_dir_all(dir).unwrap();
    let bits = format!(
        "rsa:{}",
        if s.root_rsa_bits == 0 {
            2048
        } else {
            s.root_rsa_bits
        }
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            &bits,
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/CN=Peer Test Root",
            "-days",
            "3650",
            "-sha256",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    crate::util::openssl_ec_key(dir, "int.key");
    // PrintableString subject (string_mask = default picks it for ASCII).
    write(
        dir,
        "printable.cnf",
        format!(
            "[req]\ndistinguished_name=dn\nstring_mask=default\nprompt=no\n[dn]\nCN={INT_NAME}\n"
        ),
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "int.key",
            "-config",
            "printable.cnf",
            "-out",
            "int.csr",
        ],
    );
    let bc = if s.inter_bc_noncritical {
        ""
    } else {
        "critical,"
    };
    let pc = if s.inter_requires_policy {
        "policyConstraints=critical,requireExplicitPolicy:0\n"
    } else {
        ""
    };
    write(
        dir,
        "int.ext",
        format!(
            "basicConstraints={bc}CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n{pc}"
        ),
    );
    let md = if s.inter_sha1 { "-sha1" } else { "-sha256" };
    let sign_int = |csr: &str, out: &str| {
        issue(
            dir,
            csr,
            ("root.pem", "root.key"),
            out,
            "365",
            "int.ext",
            &[md],
        );
    };
    sign_int("int.csr", "int.pem");
    // The certificate the leaf is signed through: the same key, the name
    // encoded (UTF8String, utf8only) or cased differently.
    let signer = if s.utf8_issuer || s.upper_issuer {
        let cn = if s.upper_issuer {
            INT_NAME.to_uppercase()
        } else {
            INT_NAME.to_string()
        };
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                "int.key",
                "-subj",
                &format!("/CN={cn}"),
                "-utf8",
                "-out",
                "sig.csr",
            ],
        );
        sign_int("sig.csr", "signer.pem");
        "signer.pem"
    } else {
        "int.pem"
    };
    crate::util::openssl_ec_key(dir, "leaf.key");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=client.peer.test",
            "-out",
            "leaf.csr",
        ],
    );
    let eku = if s.server {
        "extendedKeyUsage=serverAuth\n"
    } else if s.leaf_no_eku {
        ""
    } else {
        "extendedKeyUsage=clientAuth\n"
    };
    let host = if s.server {
        "localhost"
    } else {
        "client.peer.test"
    };
    write(
        dir,
        "leaf.ext",
        format!(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n{eku}subjectAltName=DNS:{host}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        ),
    );
    issue(
        dir,
        "leaf.csr",
        (signer, "int.key"),
        "leaf.pem",
        "200",
        "leaf.ext",
        &["-sha256"],
    );
    let chain = std::fs::read_to_string(dir.join("leaf.pem")).unwrap()
        + &std::fs::read_to_string(dir.join("int.pem")).unwrap();
    write(dir, "chain.pem", chain);
    write(dir, "pw", "peer-test-password\n");
}

/// Issues the request `csr` with the CA (certificate, key) into `out`,
/// valid `days`, with the extensions in `ext` and any `extra` flags.
fn issue(
    dir: &Path,
    csr: &str,
    ca: (&str, &str),
    out: &str,
    days: &str,
    ext: &str,
    extra: &[&str],
) {
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca.0,
        "-CAkey",
        ca.1,
        "-CAcreateserial",
        "-out",
        out,
        "-days",
        days,
        "-extfile",
        ext,
    ];
    args.extend_from_slice(extra);
    openssl(dir, &args);
}

/// Tomorrow, so that certificates made a moment ago are valid.
fn at() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .date()
        .to_string()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let o = chainfix(dir, args);
    serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}\n{}", stdout(&o), stderr(&o)))
}

/// The verdict each command gives for `peer`: (command, accepted, headline,
/// exit code).
fn verdicts(dir: &Path, peer: &str) -> Vec<(&'static str, bool, String, i32)> {
    let at = at();
    let common = [
        "--trust",
        "root.pem",
        "--peer",
        peer,
        "--at",
        at.as_str(),
        "--json",
    ];
    let run = |cmd: &'static str, head: &[&str], path: &[&str]| {
        let args: Vec<&str> = head.iter().chain(common.iter()).copied().collect();
        let o = chainfix(dir, &args);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o))
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}\n{}", stdout(&o), stderr(&o)));
        let mut v = &doc;
        for p in path {
            v = &v[*p];
        }
        (
            cmd,
            v["accepted"]
                .as_bool()
                .unwrap_or_else(|| panic!("{cmd}: no verdict in {doc:#}")),
            v["headline"].as_str().unwrap_or_default().to_string(),
            o.status.code().unwrap_or(-1),
        )
    };
    vec![
        run(
            "verify",
            &["verify", "chain.pem", "--role", "client"],
            &["verdict"],
        ),
        run(
            "diagnose",
            &["diagnose", "chain.pem", "--role", "client"],
            &["verdict"],
        ),
        run(
            "lint",
            &["lint", "chain.pem", "--profile", "client"],
            &["verdict"],
        ),
        run(
            "bundle",
            &[
                "bundle",
                "chain.pem",
                "--no-key",
                "-o",
                "out.pem",
                "--force",
            ],
            &["verdict"],
        ),
        run(
            "keystore",
            &[
                "keystore",
                "chain.pem",
                "leaf.key",
                "--format",
                "p12",
                "-o",
                "ks.p12",
                "--force",
                "--out-password-file",
                "pw",
            ],
            &["verdict"],
        ),
    ]
}

/// What the real OpenSSL says, as libssl checks a client certificate.
fn real_openssl(dir: &Path) -> bool {
    std::process::Command::new("openssl")
        .args([
            "verify",
            "-auth_level",
            "2",
            "-purpose",
            "sslclient",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "int.pem",
            "leaf.pem",
        ])
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn every_command_gives_the_peers_verdict() {
    let d = tempdir();
    // name, spec, accepted by [openssl, java, salesforce, webpki]
    let cases: [(&str, Spec, [bool; 4]); 8] = [
        ("plain", Spec::default(), [true, true, true, true]),
        (
            "sha1-intermediate",
            Spec {
                inter_sha1: true,
                ..Spec::default()
            },
            // Java refuses SHA-1 only under a JDK cacerts root (jdkCA).
            [false, true, true, false],
        ),
        (
            "rsa1024-root",
            Spec {
                root_rsa_bits: 1024,
                ..Spec::default()
            },
            [false, true, true, false],
        ),
        (
            "noncritical-bc",
            Spec {
                inter_bc_noncritical: true,
                ..Spec::default()
            },
            [true, true, true, false],
        ),
        (
            "utf8-issuer",
            Spec {
                utf8_issuer: true,
                ..Spec::default()
            },
            [true; 4],
        ),
        (
            "case-issuer",
            Spec {
                upper_issuer: true,
                ..Spec::default()
            },
            [true; 4],
        ),
        (
            "no-eku-leaf",
            Spec {
                leaf_no_eku: true,
                ..Spec::default()
            },
            [true; 4],
        ),
        (
            // Java's PolicyChecker refuses; OpenSSL processes no policy
            // unless asked; rustls-webpki knows no policy extension.
            "explicit-policy-required",
            Spec {
                inter_requires_policy: true,
                ..Spec::default()
            },
            [true, false, false, false],
        ),
    ];
    let mut wrong = Vec::new();
    for (name, spec, want) in cases {
        let dir: PathBuf = d.path().join(name);
        make(&dir, spec);
        let real = real_openssl(&dir);
        if real != want[0] {
            wrong.push(format!(
                "{name}: the real openssl says {real}, the table {}",
                want[0]
            ));
        }
        for (peer, &expect) in PEERS.iter().zip(want.iter()) {
            for (cmd, accepted, headline, code) in verdicts(&dir, peer) {
                if accepted != expect {
                    wrong.push(format!(
                        "{name} / {peer} / {cmd}: accepted={accepted}: {headline}"
                    ));
                }
                // The peer was named (--peer, --trust), so its refusal is
                // binding in every command: exit 1, the file or not. (lint
                // may also exit 1 for hygiene no peer checks.)
                if code != i32::from(!accepted) && !(cmd == "lint" && accepted && code == 1) {
                    wrong.push(format!(
                        "{name} / {peer} / {cmd}: accepted={accepted} but exit {code}"
                    ));
                }
                if !accepted && headline.contains("malformed") {
                    wrong.push(format!(
                        "{name} / {peer} / {cmd}: a policy refusal called malformed: {headline}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_verdict_names_the_peer_and_its_error() {
    let d = tempdir();
    make(
        d.path(),
        Spec {
            inter_sha1: true,
            ..Spec::default()
        },
    );
    let at = at();
    // verify chain.pem --trust root.pem --at AT, and `more`.
    let verify = |more: &[&str]| {
        let mut args = vec!["verify", "chain.pem", "--trust", "root.pem", "--at", &at];
        args.extend_from_slice(more);
        chainfix(d.path(), &args)
    };
    let o = verify(&["--role", "client", "--peer", "openssl"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("OpenSSL (curl) refuses: the intermediate \"CN=Peer Test Int\": signed with sha1WithRSAEncryption")
            && out.contains("(OpenSSL error 68, CA signature digest algorithm too weak)"),
        "{out}"
    );
    assert!(
        out.contains("peer: OpenSSL (curl) at security level 2\n"),
        "{out}"
    );
    // Level 0 takes SHA-1, as `openssl verify` without -auth_level does.
    let o = verify(&["--role", "client", "--peer", "openssl", "--seclevel", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Without --peer, the default is said.
    let o = verify(&["--role", "server"]);
    assert!(
        stdout(&o).contains("(the default; --peer openssl|java|salesforce|webpki"),
        "{}",
        stdout(&o)
    );
    // --seclevel is OpenSSL's.
    let o = verify(&["--peer", "java", "--seclevel", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--seclevel is OpenSSL's security level"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn intermediates_are_a_pool_never_the_leaf_and_may_be_empty() {
    let d = tempdir();
    make(d.path(), Spec::default());
    make(&d.path().join("other"), Spec::default());
    // The pool holds the intermediate and someone else's end-entity certificate.
    let pool = std::fs::read_to_string(d.path().join("int.pem")).unwrap()
        + &std::fs::read_to_string(d.path().join("other/leaf.pem")).unwrap();
    write(d.path(), "pool.pem", pool);
    write(d.path(), "empty.pem", "");
    let at = at();
    for pool in ["pool.pem", "empty.pem"] {
        let o = chainfix(
            d.path(),
            &[
                "verify",
                "leaf.pem",
                "chain.pem",
                "--role",
                "client",
                "--trust",
                "root.pem",
                "--at",
                &at,
                "--peer",
                "openssl",
                "--intermediates",
                pool,
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{pool}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--role",
            "client",
            "--trust",
            "root.pem",
            "--at",
            &at,
            "--peer",
            "openssl",
            "--intermediates",
            "pool.pem",
        ],
    );
    // The path is found through the pool, and the leaf stays leaf.pem; but
    // the peer never sees pool.pem, so the chain as given is refused (exit
    // 1, said as an error with the bundle command that fixes it).
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("\"CN=client.peer.test\""), "{text}");
    assert!(
        text.contains("error: the intermediate") && text.contains("only in pool.pem"),
        "{text}"
    );
}

/// Roots are roots: when the missing issuer's AIA URL serves a self-signed
/// root the store lacks, the finding says the peer does not trust that
/// root, and does not send the user to `chainfix bundle` (which cannot help).
#[test]
fn a_root_fetched_by_aia_is_an_untrusted_root_not_a_missing_issuer() {
    let d = tempdir();
    let dir = d.path();
    let server = crate::httpd::Server::start();
    let url = server.url("/root.cer");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/CN=Untrusted Test Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        dir,
        &[
            "x509", "-in", "root.pem", "-outform", "DER", "-out", "root.cer",
        ],
    );
    crate::util::openssl_ec_key(dir, "leaf.key");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=aia.peer.test",
            "-out",
            "leaf.csr",
        ],
    );
    write(
        dir,
        "leaf.ext",
        format!(
            "extendedKeyUsage=clientAuth\nauthorityInfoAccess=caIssuers;URI:{url}\nauthorityKeyIdentifier=keyid\n"
        ),
    );
    issue(
        dir,
        "leaf.csr",
        ("root.pem", "root.key"),
        "leaf.pem",
        "100",
        "leaf.ext",
        &[],
    );
    server.set(
        "/root.cer",
        crate::httpd::Route::Body(
            "application/pkix-cert",
            std::fs::read(dir.join("root.cer")).unwrap(),
        ),
    );
    let at = at();
    let doc = json(
        dir,
        &[
            "verify",
            "leaf.pem",
            "--role",
            "client",
            "--trust",
            "mozilla",
            "--at",
            &at,
            "--no-cache",
            "--json",
        ],
    );
    let f = &doc["findings"][0];
    assert_eq!(f["class"], "root-not-in-store", "{doc:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the root \"CN=Untrusted Test Root\""),
        "{f}"
    );
    assert!(
        !f["fix"].as_str().unwrap().contains("chainfix bundle"),
        "{f}"
    );
    assert_eq!(server.hits().len(), 1);
}

/// A CA certificate: self-signed (no `issuer`) or issued by `issuer`.
fn ca(dir: &Path, name: &str, key: &str, issuer: Option<&str>, days: &str) {
    let cn = format!("/CN={name}");
    match issuer {
        None => {
            openssl(
                dir,
                &[
                    "req",
                    "-x509",
                    "-key",
                    key,
                    "-out",
                    &format!("{name}.pem"),
                    "-subj",
                    &cn,
                    "-days",
                    days,
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            );
        }
        Some(i) => {
            openssl(
                dir,
                &["req", "-new", "-key", key, "-subj", &cn, "-out", "x.csr"],
            );
            write(
                dir,
                "ca.ext",
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
            );
            issue(
                dir,
                "x.csr",
                (&format!("{i}.pem"), &format!("{i}.key")),
                &format!("{name}.pem"),
                days,
                "ca.ext",
                &[],
            );
        }
    }
}

/// The ISRG X1 / DST X3 pattern: bundle writes the path toward the peer's
/// root — with the cross-sign when the peer trusts only the old root,
/// without it when it trusts the new one — and says why each input is left out.
#[test]
fn bundle_follows_the_path_to_the_peers_root_and_says_why_it_drops() {
    let d = tempdir();
    let dir = d.path();
    for k in ["old", "new", "int", "leaf"] {
        crate::util::openssl_ec_key(dir, &format!("{k}.key"));
    }
    ca(dir, "Old Root", "old.key", None, "3650");
    std::fs::copy(dir.join("new.key"), dir.join("New Root.key")).unwrap();
    std::fs::copy(dir.join("old.key"), dir.join("Old Root.key")).unwrap();
    ca(dir, "New Root", "new.key", None, "3650");
    std::fs::rename(dir.join("New Root.pem"), dir.join("new-self.pem")).unwrap();
    ca(dir, "New Root", "new.key", Some("Old Root"), "3650");
    std::fs::rename(dir.join("New Root.pem"), dir.join("new-cross.pem")).unwrap();
    std::fs::copy(dir.join("new-self.pem"), dir.join("New Root.pem")).unwrap();
    std::fs::copy(dir.join("int.key"), dir.join("Int.key")).unwrap();
    ca(dir, "Int", "int.key", Some("New Root"), "3650");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=x.peer.test",
            "-out",
            "leaf.csr",
        ],
    );
    write(
        dir,
        "leaf.ext",
        "extendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid\n",
    );
    issue(
        dir,
        "leaf.csr",
        ("Int.pem", "Int.key"),
        "leaf.pem",
        "100",
        "leaf.ext",
        &[],
    );
    let at = at();
    let bundle = |trust: &str| {
        let doc = json(
            dir,
            &[
                "bundle",
                "leaf.pem",
                "Int.pem",
                "new-cross.pem",
                "Old Root.pem",
                "--no-key",
                "-o",
                "out.pem",
                "--force",
                "--trust",
                trust,
                "--peer",
                "java",
                "--at",
                &at,
                "--json",
            ],
        );
        let written = std::fs::read_to_string(dir.join("out.pem")).unwrap();
        (doc, written.matches("BEGIN CERTIFICATE").count())
    };
    // The peer trusts only the old root: the cross-sign is needed.
    let (doc, n) = bundle("Old Root.pem");
    assert!(doc["verdict"]["accepted"].as_bool().unwrap(), "{doc:#}");
    assert_eq!(n, 3, "leaf, Int, the cross-signed New Root: {doc:#}");
    // It trusts the new root: the cross-sign is left out, with the reason.
    let (doc, n) = bundle("New Root.pem");
    assert!(doc["verdict"]["accepted"].as_bool().unwrap(), "{doc:#}");
    assert_eq!(n, 2, "leaf and Int: {doc:#}");
    let reasons: Vec<String> = doc["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["subject"], d["reason"]))
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("CN=New Root")
            && r.contains("a cross-sign the peer does not need")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("CN=Old Root") && r.contains("unrelated")),
        "{reasons:?}"
    );
}

/// probe gives the same verdict on what a real server (openssl s_server,
/// its own security level lowered so that it will serve the chain) sends.
#[test]
fn probe_judges_the_servers_chain_for_the_peer() {
    let d = tempdir();
    make(
        d.path(),
        Spec {
            inter_sha1: true,
            server: true,
            ..Spec::default()
        },
    );
    let dir = d.path();
    let (_server, port) = crate::util::openssl_mtls_server_opts(
        dir,
        &dir.join("leaf.pem"),
        Some(&dir.join("int.pem")),
        &dir.join("leaf.key"),
        &dir.join("root.pem"),
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let target = format!("127.0.0.1:{port}");
    let at = at();
    for (peer, accepted) in [("openssl", false), ("java", true), ("webpki", false)] {
        let doc = json(
            dir,
            &[
                "probe",
                &target,
                "--servername",
                "localhost",
                "--trust",
                "root.pem",
                "--at",
                &at,
                "--timeout",
                "10",
                "--peer",
                peer,
                "--json",
            ],
        );
        let v = &doc["server"]["verdict"];
        assert_eq!(v["accepted"], accepted, "{peer}: {doc:#}");
        if peer == "openssl" {
            assert_eq!(v["reason"]["peer_words"]["code"], 68, "{v:#}");
        }
    }
}

/// Java's `SHA1 jdkCA & usage TLSServer`: SHA-1 is refused on a server
/// chain under the public roots (the JDK's cacerts; chainfix's `mozilla`
/// store stands in), accepted under a private root.
#[test]
fn java_refuses_sha1_only_under_public_roots_for_a_server() {
    use chainfix::chain::{Policy, Role};
    use chainfix::peer::Peer;
    let d = tempdir();
    make(
        d.path(),
        Spec {
            inter_sha1: true,
            server: true,
            ..Spec::default()
        },
    );
    let load = |f: &str| {
        let p = pem::parse(std::fs::read(d.path().join(f)).unwrap()).unwrap();
        chainfix::model::Cert::from_der(p.contents().to_vec(), chainfix::model::Origin::file(f))
            .unwrap()
    };
    let (leaf, pool, anchors) = (
        load("leaf.pem"),
        vec![load("int.pem")],
        vec![load("root.pem")],
    );
    let at = leaf.not_before() + 3600;
    let judge = |role, store: &str| {
        let p = Policy::for_peer(at, role, Peer::Java).trusting(store);
        chainfix::peer::judge(&leaf, &pool, &anchors, &p).1.accepted
    };
    assert!(!judge(Role::Server, "mozilla"));
    assert!(judge(Role::Server, "root.pem"));
}

/// A CA that requires an explicit policy above a leaf with none: Java (and
/// Salesforce) refuse in PolicyChecker's words, verify says what to fix,
/// and diagnose reads Java's message as that cause; OpenSSL accepts, as the
/// real `openssl verify` does without -policy_check.
#[test]
fn a_policy_a_ca_requires_is_refused_in_javas_words() {
    let d = tempdir();
    let dir = d.path();
    make(
        dir,
        Spec {
            inter_requires_policy: true,
            ..Spec::default()
        },
    );
    let at = at();
    // COMMAND chain.pem … --peer PEER --json, and `more`.
    let args = |cmd: &'static str, peer: &'static str, more: &[&'static str]| {
        let mut a = vec![
            cmd,
            "chain.pem",
            "--trust",
            "root.pem",
            "--at",
            &at,
            "--role",
            "client",
            "--peer",
            peer,
            "--json",
        ];
        a.extend_from_slice(more);
        a
    };
    let java_words = "non-null policy tree required and policy tree is null";
    for peer in ["java", "salesforce"] {
        let v = json(dir, &args("verify", peer, &[]));
        let r = &v["verdict"]["reason"];
        assert_eq!(v["verdict"]["accepted"], false, "{v:#}");
        assert_eq!(r["problem"]["problem"], "policy", "{r:#}");
        assert_eq!(r["problem"]["failure"], "no-explicit-policy", "{r:#}");
        assert_eq!(r["position"], "the certificate", "{r:#}");
        assert_eq!(r["peer_words"]["text"], java_words, "{r:#}");
        assert!(
            r["problem"]["detail"]
                .as_str()
                .unwrap()
                .contains("\"CN=Peer Test Int\" requires one"),
            "{r:#}"
        );
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["class"] == "no-valid-policy")
            .unwrap_or_else(|| panic!("no no-valid-policy finding: {v:#}"));
        assert!(
            f["fix"]
                .as_str()
                .unwrap()
                .contains("requires an explicit certificate policy"),
            "{f:#}"
        );
    }
    assert!(real_openssl(dir));
    assert_eq!(
        json(dir, &args("verify", "openssl", &[]))["verdict"]["accepted"],
        true
    );
    // Java's message, pasted, is read as a policy the chain does not meet.
    let err = "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: non-null policy tree required and policy tree is null";
    assert!(err.ends_with(java_words));
    let v = json(dir, &args("diagnose", "java", &["--error", err]));
    assert_eq!(v["message"]["reading"]["families"][0], "policy", "{v:#}");
}

/// The root pasted into the input, but the named peer trusts another: the
/// chain is complete, so bundle and keystore write it, and, as the peer was
/// named, they exit 1 with an `error:` line, as verify does and as the real
/// `openssl verify -CAfile OTHER` fails. Trusting the right root: exit 0
/// everywhere, as openssl says OK.
#[test]
fn a_named_peers_refusal_fails_bundle_and_keystore_as_it_fails_verify() {
    let d = tempdir();
    let dir = d.path();
    make(dir, Spec::default());
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-out",
            "other.pem",
            "-subj",
            "/CN=Another Root",
            "-days",
            "30",
        ],
    );
    let pasted = [
        std::fs::read_to_string(dir.join("chain.pem")).unwrap(),
        std::fs::read_to_string(dir.join("root.pem")).unwrap(),
    ]
    .concat();
    write(dir, "pasted.pem", &pasted);
    let at = at();
    for (trust, want) in [("other.pem", 1), ("root.pem", 0)] {
        let real = std::process::Command::new("openssl")
            .args([
                "verify",
                "-CAfile",
                trust,
                "-untrusted",
                "pasted.pem",
                "leaf.pem",
            ])
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(
            real.status.success(),
            want == 0,
            "openssl verify -CAfile {trust}"
        );
        let common = ["--peer", "openssl", "--trust", trust, "--at", at.as_str()];
        let runs: [(&str, Vec<&str>, &str); 3] = [
            (
                "verify",
                vec!["verify", "pasted.pem", "--role", "client"],
                "",
            ),
            (
                "bundle",
                vec![
                    "bundle",
                    "pasted.pem",
                    "leaf.key",
                    "-o",
                    "full.pem",
                    "--force",
                ],
                "full.pem",
            ),
            (
                "keystore",
                vec![
                    "keystore",
                    "pasted.pem",
                    "leaf.key",
                    "--format",
                    "p12",
                    "-o",
                    "ks.p12",
                    "--force",
                    "--out-password-file",
                    "pw",
                ],
                "ks.p12",
            ),
        ];
        for (cmd, head, out) in runs {
            let _ = std::fs::remove_file(dir.join("full.pem"));
            let _ = std::fs::remove_file(dir.join("ks.p12"));
            let args: Vec<&str> = head.iter().chain(common.iter()).copied().collect();
            let o = chainfix(dir, &args);
            let err = format!("{}{}", stdout(&o), stderr(&o));
            assert_eq!(o.status.code(), Some(want), "{cmd} --trust {trust}: {err}");
            assert_eq!(
                err.contains("error:"),
                want == 1,
                "{cmd} --trust {trust}: {err}"
            );
            if !out.is_empty() {
                assert!(dir.join(out).exists(), "{cmd} wrote no {out}: {err}");
            }
            if want == 1 && cmd != "verify" {
                assert!(
                    err.contains(&format!(
                        "error: {out} was written, but OpenSSL (curl) refuses this chain"
                    )),
                    "{cmd}: {err}"
                );
            }
        }
    }
}
