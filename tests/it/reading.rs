//! The corpus test: files made here by the real tools — `openssl` (every
//! key and signature algorithm, awkward names, negative and long serials,
//! dates past 2049, PKCS#12 with a password, an empty one, OpenSSL's null
//! one and `-legacy`), `keytool` (JKS, JCEKS and PKCS#12 with RSA, EC and
//! DSA keys, a trust store) and Python's `cryptography` when it is
//! installed (BMPString, TeletexString and UniversalString names) — read
//! by one `chainfix inspect --json` over the directory, and each reading
//! compared with the tool's own: subject, issuer, serial, validity, SHA-256
//! and key with `openssl x509`; certificates and private-key entries of
//! each keystore with `keytool -list -v` and `openssl pkcs12`.
//!
//! Display-only differences are normalised (OpenSSL's `-serial` has no
//! colons, its dates a space for the `T`); any difference in meaning fails
//! the test, listing every one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{self, openssl, stdout, write};

const PW: &str = "changeit";

/// OpenSSL's reading of one field set, formatted like chainfix's JSON.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    key: String,
}

/// Certificates made by `openssl req -x509`: (file, key options, digest
/// and other flags, subject).
fn openssl_specs() -> Vec<(&'static str, Vec<&'static str>, &'static str)> {
    let rsa = vec!["-newkey", "rsa:2048"];
    let ec = |c: &'static str| -> Vec<&'static str> { vec!["-newkey", "ec", "-pkeyopt", c] };
    vec![
        (
            "rsa.pem",
            [rsa.clone(), vec!["-sha256"]].concat(),
            "/C=US/O=Cisco Systems, Inc./CN=rsa root",
        ),
        (
            "rsa-pss.pem",
            [
                rsa.clone(),
                vec![
                    "-sha384",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:20",
                ],
            ]
            .concat(),
            "/CN=pss/O=semi;colon/OU=quote\"s <and> angle",
        ),
        (
            "pss-key.pem",
            vec!["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"],
            "/CN=RSA-PSS key",
        ),
        (
            "p256.pem",
            [ec("ec_paramgen_curve:P-256"), vec!["-sha256"]].concat(),
            "/DC=com/DC=example/emailAddress=ops@example.com/CN=#hash start",
        ),
        (
            "p384.pem",
            [ec("ec_paramgen_curve:P-384"), vec!["-sha384"]].concat(),
            "/CN=Grüße aus Köln/O=Ünïcödé GmbH",
        ),
        (
            "p521.pem",
            [ec("ec_paramgen_curve:P-521"), vec!["-sha512"]].concat(),
            "/CN=p521/serialNumber=1234/title=Dr.",
        ),
        ("ed25519.pem", vec!["-newkey", "ed25519"], "/CN=ed25519"),
        ("ed448.pem", vec!["-newkey", "ed448"], "/CN=ed448"),
        (
            "dsa.pem",
            vec!["-newkey", "dsa:dsa.param", "-sha256"],
            "/CN=dsa",
        ),
        (
            "negative.pem",
            [
                ec("ec_paramgen_curve:P-256"),
                vec!["-set_serial", "-0x04316693ED"],
            ]
            .concat(),
            "/CN=negative serial",
        ),
        (
            "multi.pem",
            [ec("ec_paramgen_curve:P-256"), vec!["-multivalue-rdn"]].concat(),
            "/O=Multi/CN=a+UID=b",
        ),
        (
            "y2081.pem",
            [ec("ec_paramgen_curve:P-256"), vec!["-days", "20000"]].concat(),
            "/CN=GeneralizedTime",
        ),
    ]
}

fn make_openssl_certs(dir: &Path) -> Vec<String> {
    openssl(dir, &["dsaparam", "-out", "dsa.param", "2048"]);
    let mut files = Vec::new();
    for (file, opts, subj) in openssl_specs() {
        let key = format!("{file}.key");
        let mut args = vec![
            "req", "-x509", "-utf8", "-noenc", "-keyout", &key, "-out", file, "-subj", subj,
        ];
        if !opts.contains(&"-days") {
            args.extend(["-days", "30"]);
        }
        args.extend(opts.iter());
        openssl(dir, &args);
        files.push(file.to_string());
    }
    // A leaf issued by the RSA root, and its DER form.
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-noenc",
            "-keyout",
            "leaf.key",
            "-subj",
            "/CN=leaf.example.com",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "rsa.pem",
            "-CAkey",
            "rsa.pem.key",
            "-days",
            "10",
            "-out",
            "leaf.pem",
        ],
    );
    openssl(
        dir,
        &[
            "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der",
        ],
    );
    files.push("leaf.pem".into());
    files.push("leaf.der".into());
    files
}

/// Python's `cryptography`, when installed: names in the string types
/// OpenSSL's command line cannot write. Returns the files, or none.
fn make_python_certs(dir: &Path) -> Vec<String> {
    const SCRIPT: &str = r#"
import datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
k = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([
    x509.NameAttribute(NameOID.COUNTRY_NAME, "DE", x509.name._ASN1Type.PrintableString),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Télé Ltd", x509.name._ASN1Type.T61String),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Unïversal", x509.name._ASN1Type.UniversalString),
    x509.NameAttribute(NameOID.COMMON_NAME, " BMP ✓ name ", x509.name._ASN1Type.BMPString),
])
now = datetime.datetime(2026, 1, 1)
c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
     .public_key(k.public_key()).serial_number(0x00ff00ff00ff)
     .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
     .sign(k, hashes.SHA256()))
open("py.pem", "wb").write(c.public_bytes(serialization.Encoding.PEM))
open("py-none.p12", "wb").write(pkcs12.serialize_key_and_certificates(
    b"a", k, c, None, serialization.NoEncryption()))
open("py-pw.p12", "wb").write(pkcs12.serialize_key_and_certificates(
    b"a", k, c, None, serialization.BestAvailableEncryption(b"changeit")))
"#;
    write(dir, "mk.py", SCRIPT);
    let ok = Command::new("python3")
        .arg("mk.py")
        .current_dir(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        vec!["py.pem".into()]
    } else {
        eprintln!("corpus: Python's cryptography is not installed; its part is skipped");
        vec![]
    }
}

/// `PKCS12_create(NULL, …)` through libcrypto: OpenSSL's null password,
/// which its command line never writes. `nid` 0 = PBES2 (OpenSSL 3's
/// default), 146 = PBE-SHA1-3DES, -1 = no encryption.
const NULL_P12: &str = r#"
import ctypes, ctypes.util, sys
lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
P = ctypes.c_void_p
lib.BIO_new_file.restype = P; lib.BIO_new_file.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
lib.PEM_read_bio_PrivateKey.restype = P; lib.PEM_read_bio_PrivateKey.argtypes = [P, P, P, P]
lib.PEM_read_bio_X509.restype = P; lib.PEM_read_bio_X509.argtypes = [P, P, P, P]
lib.PKCS12_create.restype = P
lib.PKCS12_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p, P, P, P] + [ctypes.c_int] * 5
lib.i2d_PKCS12_bio.argtypes = [P, P]
lib.BIO_free.argtypes = [P]
key_file, cert_file, out_file, nid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = lib.PEM_read_bio_PrivateKey(lib.BIO_new_file(key_file.encode(), b"r"), None, None, None)
cert = lib.PEM_read_bio_X509(lib.BIO_new_file(cert_file.encode(), b"r"), None, None, None)
p12 = lib.PKCS12_create(None, b"a", key, cert, None, nid, nid, 0, 0, 0)
assert p12, "PKCS12_create failed"
out = lib.BIO_new_file(out_file.encode(), b"wb")
assert lib.i2d_PKCS12_bio(out, p12) == 1
lib.BIO_free(out)
"#;

/// PKCS#12 files by `openssl pkcs12`: (file, password, extra flags).
fn make_openssl_p12(dir: &Path) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (file, pass, extra) in [
        ("ossl-aes.p12", PW, &[][..]),
        ("ossl-legacy.p12", PW, &["-legacy"][..]),
        ("ossl-empty.p12", "", &[][..]),
        (
            "ossl-dsa.p12",
            PW,
            &["-inkey", "dsa.pem.key", "-in", "dsa.pem"][..],
        ),
    ] {
        let passout = format!("pass:{pass}");
        let mut args = vec!["pkcs12", "-export", "-passout", &passout, "-out", file];
        if extra.contains(&"-in") {
            args.extend(extra.iter());
        } else {
            args.extend([
                "-in",
                "leaf.pem",
                "-inkey",
                "leaf.key",
                "-certfile",
                "rsa.pem",
            ]);
            args.extend(extra.iter());
        }
        openssl(dir, &args);
        out.push((file.to_string(), pass));
    }
    write(dir, "null_p12.py", NULL_P12);
    for (file, nid) in [
        ("null-aes.p12", "0"),
        ("null-3des.p12", "146"),
        ("null-none.p12", "-1"),
    ] {
        let ok = Command::new("python3")
            .args(["null_p12.py", "p256.pem.key", "p256.pem", file, nid])
            .current_dir(dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "python3 with libcrypto could not write {file}");
        // The ordinary reader (RFC 7292's empty password) cannot open it:
        // this file tests the null-password path.
        let bytes = std::fs::read(dir.join(file)).unwrap();
        assert!(chainfix::parse::pkcs12::open(&bytes, "").is_err(), "{file}");
        out.push((file.to_string(), ""));
    }
    out
}

fn keytool(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("keytool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("keytool is installed");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "keytool {args:?}: {text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    text
}

/// Keystores by `keytool`: (file, store type).
fn make_keytool_stores(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for (file, store, alg, extra) in [
        ("kt-rsa.jks", "JKS", "RSA", &["-keysize", "2048"][..]),
        (
            "kt-ec.jceks",
            "JCEKS",
            "EC",
            &["-groupname", "secp384r1"][..],
        ),
        ("kt-dsa.p12", "PKCS12", "DSA", &["-keysize", "2048"][..]),
        (
            "kt-ec.p12",
            "PKCS12",
            "EC",
            &["-groupname", "secp256r1"][..],
        ),
    ] {
        let mut args = vec![
            "-genkeypair",
            "-keystore",
            file,
            "-storetype",
            store,
            "-storepass",
            PW,
            "-keypass",
            PW,
            "-alias",
            "k",
            "-keyalg",
            alg,
            "-dname",
            "CN=keytool, O=Example\\, Inc., C=US",
            "-validity",
            "30",
        ];
        args.extend(extra.iter());
        keytool(dir, &args);
        files.push(file.to_string());
    }
    // A trust store with one trusted certificate besides the key entry.
    keytool(
        dir,
        &[
            "-importcert",
            "-noprompt",
            "-keystore",
            "kt-ec.jceks",
            "-storetype",
            "JCEKS",
            "-storepass",
            PW,
            "-alias",
            "trusted",
            "-file",
            "p384.pem",
        ],
    );
    files
}

/// OpenSSL's reading of a certificate file (PEM or DER).
fn openssl_reading(dir: &Path, file: &str) -> (String, Reading) {
    let form = if file.ends_with(".der") { "DER" } else { "PEM" };
    let o = stdout(&openssl(
        dir,
        &[
            "x509",
            "-inform",
            form,
            "-in",
            file,
            "-noout",
            "-subject",
            "-issuer",
            "-serial",
            "-startdate",
            "-enddate",
            "-fingerprint",
            "-sha256",
            "-nameopt",
            "esc_2253,utf8,sep_comma_plus_space,sname,-esc_msb",
            "-dateopt",
            "iso_8601",
            "-text",
        ],
    ));
    let field = |name: &str| -> String {
        o.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("openssl printed no {name} for {file}"))
            // Not trimmed: an escaped trailing space (`\ `) is meaning.
            .to_string()
    };
    let date = |s: String| s.replacen(' ', "T", 1);
    let sha = field("sha256 Fingerprint=").replace(':', "").to_lowercase();
    let key_alg = o
        .lines()
        .find_map(|l| l.trim().strip_prefix("Public Key Algorithm: "))
        .unwrap_or_default()
        .to_string();
    let bits = o
        .lines()
        .find_map(|l| l.split_once("Public-Key: (").map(|(_, r)| r))
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default()
        .to_string();
    let curve = o
        .lines()
        .find_map(|l| l.trim().strip_prefix("NIST CURVE: "))
        .unwrap_or_default()
        .to_string();
    let key = match key_alg.as_str() {
        "rsaEncryption" | "rsassaPss" => format!("rsa {bits}"),
        "id-ecPublicKey" => format!("ec {curve}"),
        "ED25519" => "ed25519".into(),
        "ED448" => "oid 1.3.101.113".into(),
        "dsaEncryption" => "oid 1.2.840.10040.4.1".into(),
        other => format!("openssl says {other}"),
    };
    (
        sha,
        Reading {
            subject: field("subject="),
            issuer: field("issuer="),
            serial: normal_serial(&field("serial=")),
            not_before: date(field("notBefore=")),
            not_after: date(field("notAfter=")),
            key,
        },
    )
}

/// Hex without colons, upper case, no leading zero bytes: how OpenSSL's
/// `-serial` and keytool print a serial (a negative one keeps its sign).
fn normal_serial(s: &str) -> String {
    let (sign, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s),
    };
    let hex = digits.replace(':', "").to_uppercase();
    let trimmed = hex.trim_start_matches('0');
    format!("{sign}{}", if trimmed.is_empty() { "0" } else { trimmed })
}

fn chainfix_reading(c: &Value) -> Reading {
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    let k = &c["key"];
    let key = match k["type"].as_str().unwrap_or_default() {
        "rsa" => format!("rsa {}", k["bits"]),
        "ec" => format!("ec {}", k["curve"].as_str().unwrap_or_default()),
        "ed25519" => "ed25519".into(),
        _ => format!("oid {}", k["oid"].as_str().unwrap_or_default()),
    };
    Reading {
        subject: s("subject"),
        issuer: s("issuer"),
        serial: normal_serial(&s("serial")),
        not_before: s("not_before"),
        not_after: s("not_after"),
        key,
    }
}

/// SHA-256 fingerprints and private-key entries, as `keytool -list -v` says.
fn keytool_listing(dir: &Path, file: &str) -> (BTreeSet<String>, usize) {
    let text = keytool(dir, &["-list", "-v", "-keystore", file, "-storepass", PW]);
    let shas = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("SHA256: "))
        .map(|s| s.replace(':', "").to_lowercase())
        .collect();
    let keys = text.matches("Entry type: PrivateKeyEntry").count();
    (shas, keys)
}

/// The same for a PKCS#12 file, as `openssl pkcs12` says.
fn openssl_p12_listing(dir: &Path, file: &str, pass: &str) -> (BTreeSet<String>, usize) {
    let passin = format!("pass:{pass}");
    // RC2 lives in OpenSSL 3's legacy provider.
    let legacy: &[&str] = if file.contains("legacy") {
        &["-legacy"]
    } else {
        &[]
    };
    let mut args = vec!["pkcs12", "-in", file, "-passin", &passin, "-nokeys"];
    args.extend(legacy);
    let certs = stdout(&openssl(dir, &args));
    let mut shas = BTreeSet::new();
    for block in pem::parse_many(&certs).unwrap() {
        let mut child = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(pem::encode(&block).as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        let line = String::from_utf8_lossy(&o.stdout).into_owned();
        shas.insert(
            line.split('=')
                .nth(1)
                .unwrap()
                .trim()
                .replace(':', "")
                .to_lowercase(),
        );
    }
    let mut args = vec![
        "pkcs12", "-in", file, "-passin", &passin, "-nocerts", "-noenc",
    ];
    args.extend(legacy);
    let keys = stdout(&openssl(dir, &args))
        .matches("-----BEGIN PRIVATE KEY-----")
        .count();
    (shas, keys)
}

#[test]
fn corpus_reading_agrees_with_openssl_and_keytool() {
    let d = util::tempdir();
    let dir = d.path();
    let mut cert_files = make_openssl_certs(dir);
    cert_files.extend(make_python_certs(dir));
    let mut stores: Vec<(String, Option<&str>)> = make_openssl_p12(dir)
        .into_iter()
        .map(|(f, p)| (f, Some(p)))
        .collect();
    stores.extend(make_keytool_stores(dir).into_iter().map(|f| (f, None)));
    if dir.join("py-pw.p12").exists() {
        stores.push(("py-none.p12".into(), Some("")));
        stores.push(("py-pw.p12".into(), Some(PW)));
    }

    // One chainfix run over every file.
    let mut args = vec!["inspect".to_string(), "--json".to_string()];
    args.extend(cert_files.iter().cloned());
    args.extend(stores.iter().map(|(f, _)| f.clone()));
    let o = Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(&args)
        .current_dir(dir)
        .env("CHAINFIX_PASSWORD", PW)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&o.stderr));
    });
    assert_eq!(j["problems"], Value::Array(vec![]), "{}", j["problems"]);
    assert_eq!(o.status.code(), Some(0));
    let by_sha: BTreeMap<String, &Value> = j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sha256"].as_str().unwrap().to_string(), c))
        .collect();
    let from = |c: &Value, file: &str| {
        c["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().split(':').next() == Some(file))
    };

    let mut disagreements = Vec::new();
    let mut fields = 0;
    for file in &cert_files {
        let (sha, want) = openssl_reading(dir, file);
        let Some(c) = by_sha.get(&sha) else {
            disagreements.push(format!("{file}: chainfix did not read SHA-256 {sha}"));
            continue;
        };
        let got = chainfix_reading(c);
        fields += 7;
        if got != want {
            disagreements.push(format!("{file}:\n  openssl  {want:?}\n  chainfix {got:?}"));
        }
    }
    let mut store_certs = 0;
    for (file, pass) in &stores {
        let (want_shas, want_keys) = match pass {
            Some(p) => openssl_p12_listing(dir, file, p),
            None => keytool_listing(dir, file),
        };
        let got_shas: BTreeSet<String> = by_sha
            .iter()
            .filter(|(_, c)| from(c, file))
            .map(|(s, _)| s.clone())
            .collect();
        let got_keys = j["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| {
                k["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s.as_str().unwrap().starts_with(file.as_str()))
            })
            .count()
            + j["dropped"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["origin"]["source"] == file.as_str()
                        && d["reason"].get("unsupported-key").is_some()
                })
                .count();
        store_certs += want_shas.len();
        fields += want_shas.len() + 1;
        if got_shas != want_shas || got_keys != want_keys {
            disagreements.push(format!(
                "{file}: the tool lists {want_shas:?} and {want_keys} key(s); chainfix read {got_shas:?} and {got_keys}"
            ));
        }
    }
    eprintln!(
        "corpus: {} certificate files and {} keystores ({} stored certificates); {} fields compared; {} disagreements",
        cert_files.len(),
        stores.len(),
        store_certs,
        fields,
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
