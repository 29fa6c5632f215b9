//! The reader against files made the way people get them: rcgen PKIs
//! written scrambled with junk, CRLF, BOM, mail quoting, duplicates, a CSR
//! and an unrelated certificate; PKCS#7 and PKCS#12 made by the real
//! `openssl`; keys converted by the real `openssl` into every form. Each
//! test checks exactly which certificates and keys came out. A last test
//! feeds truncations and bit flips of every fixture and asserts no panic.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chainfix::parse::{FixedPassword, Inventory, NoPasswords, Passwords, parse_source};
use chainfix::{CertId, DropReason, Error, KeyAlgorithm, KeyFormat};
use zeroize::Zeroizing;

use crate::pki::{Alg, Node, Pki, Spec};
use crate::util::openssl;
use crate::util::{self, write};

const PW: &str = "s3cret pass";

fn read_files(dir: &Path, names: &[&str], pw: &dyn Passwords) -> Inventory {
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    chainfix::input::read_inventory(&paths, &mut std::io::empty(), pw)
}

fn read_one(dir: &Path, name: &str, pw: Option<&str>) -> Inventory {
    match pw {
        Some(p) => read_files(dir, &[name], &FixedPassword(Zeroizing::new(p.into()))),
        None => read_files(dir, &[name], &NoPasswords),
    }
}

fn ids(inv: &Inventory) -> BTreeSet<CertId> {
    inv.certs.iter().map(|c| c.id()).collect()
}

fn id(n: &Node) -> CertId {
    CertId::of(&n.der())
}

fn chain_ids(pki: &Pki) -> BTreeSet<CertId> {
    let mut s: BTreeSet<CertId> = pki.intermediates.iter().map(id).collect();
    s.insert(id(&pki.leaf));
    s
}

fn assert_clean(inv: &Inventory) {
    let p: Vec<String> = inv.problems.iter().map(ToString::to_string).collect();
    assert!(p.is_empty(), "unexpected problems: {p:?}");
}

fn stranger() -> Node {
    crate::pki::root(&Spec::ca("Unrelated CA", Alg::EcdsaP256))
}

fn csr_pem() -> String {
    let k = crate::pki::key(Alg::EcdsaP256);
    let mut params = Spec::client("csr", Alg::EcdsaP256).params();
    // rcgen refuses an AKI in a request.
    params.use_authority_key_identifier_extension = false;
    params.serialize_request(&k).unwrap().pem().unwrap()
}

fn quote(pem: &str) -> String {
    pem.lines().map(|l| format!("> {l}\n")).collect()
}

fn indent(pem: &str) -> String {
    pem.lines().map(|l| format!("    {l}\n")).collect()
}

/// A mail-pasted pile: BOM, junk text, a quoted block, an indented block,
/// CRLF, a CSR, an unrelated certificate, a duplicate, an `X509
/// CERTIFICATE` label, the key in the middle.
fn scrambled_pile(pki: &Pki, other: &Node) -> String {
    let mut s = String::from("\u{feff}Hi, as requested here are the certificates:\n\n");
    s += &quote(&pki.intermediates[1].pem());
    s += "\nthe root:\n";
    s += &indent(&pki.root.pem());
    s += &csr_pem();
    s += "-- \nSent from my phone\n";
    s += &pki.leaf.key_pem().replace('\n', "\r\n");
    s += &other.pem();
    s += &pki.leaf.pem().replace("CERTIFICATE", "X509 CERTIFICATE");
    s += &pki.intermediates[0].pem().replace('\n', "\r\n");
    s += "random trailing text ----- not a boundary\n";
    s += &quote(&pki.intermediates[1].pem()); // duplicate
    s
}

fn scrambled(rsa: bool) {
    let d = util::tempdir();
    let pki = Pki::client(2, rsa);
    let other = stranger();
    write(d.path(), "pile.txt", scrambled_pile(&pki, &other));
    let inv = read_one(d.path(), "pile.txt", None);
    assert_clean(&inv);
    let mut want = chain_ids(&pki);
    want.insert(id(&pki.root));
    want.insert(id(&other));
    assert_eq!(ids(&inv), want);
    assert_eq!(inv.certs.len(), 5);
    assert_eq!(inv.keys.len(), 1);
    let leaf = inv.certs.iter().find(|c| c.id() == id(&pki.leaf)).unwrap();
    assert!(inv.keys[0].matches(leaf));
    assert_eq!(inv.keys[0].pkcs8_der(), pki.leaf.key.serialize_der());
    let reasons: Vec<(String, DropReason)> = inv
        .dropped
        .iter()
        .map(|d| (d.origin.to_string(), d.reason.clone()))
        .collect();
    let pile = d.path().join("pile.txt").display().to_string();
    assert_eq!(
        reasons,
        vec![
            (format!("{pile}:3"), DropReason::CertificateRequest),
            (
                format!("{pile}:8"),
                DropReason::Duplicate {
                    first: format!("{pile}:1")
                }
            ),
        ]
    );
}

#[test]
fn parse_scrambled_rsa_pile_reads_every_block_exactly() {
    scrambled(true);
}

#[test]
fn parse_scrambled_ecdsa_pile_reads_every_block_exactly() {
    scrambled(false);
}

#[test]
fn parse_broken_base64_block_is_reported_with_block_and_others_still_read() {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    let broken = pki.intermediates[0].pem().replacen("MII", "M*I", 1);
    let text = [pki.root.pem(), broken, pki.leaf.pem()].concat();
    write(d.path(), "three.pem", text);
    let inv = read_one(d.path(), "three.pem", None);
    assert_eq!(ids(&inv), BTreeSet::from([id(&pki.root), id(&pki.leaf)]));
    assert_eq!(inv.problems.len(), 1);
    let msg = inv.problems[0].to_string();
    assert!(msg.contains("three.pem:2"), "{msg}");
    assert!(msg.contains("base64"), "{msg}");
}

#[test]
fn parse_trusted_certificate_aux_data_is_stripped() {
    let d = util::tempdir();
    let pki = Pki::client(0, true);
    write(d.path(), "root.pem", pki.root.pem());
    openssl(
        d.path(),
        &[
            "x509",
            "-in",
            "root.pem",
            "-addtrust",
            "clientAuth",
            "-trustout",
            "-out",
            "trusted.pem",
        ],
    );
    let text = std::fs::read_to_string(d.path().join("trusted.pem")).unwrap();
    assert!(text.contains("BEGIN TRUSTED CERTIFICATE"), "{text}");
    let inv = read_one(d.path(), "trusted.pem", None);
    assert_clean(&inv);
    assert_eq!(ids(&inv), BTreeSet::from([id(&pki.root)]));
}

#[test]
fn parse_der_certificate_and_bare_base64() {
    let d = util::tempdir();
    let pki = Pki::client(0, false);
    write(d.path(), "leaf.cer", pki.leaf.der());
    let body: String = pki
        .leaf
        .pem()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(d.path(), "body.b64", body);
    for f in ["leaf.cer", "body.b64"] {
        let inv = read_one(d.path(), f, None);
        assert_clean(&inv);
        assert_eq!(ids(&inv), BTreeSet::from([id(&pki.leaf)]), "{f}");
    }
}

/// chain.pem with leaf, intermediates and root, for PKCS#7 and PKCS#12.
fn write_chain(dir: &Path, pki: &Pki) -> BTreeSet<CertId> {
    let mut pems = pki.chain_pems();
    pems.push(pki.root.pem());
    write(dir, "chain.pem", pems.concat());
    write(dir, "leaf.pem", pki.leaf.pem());
    write(dir, "cas.pem", pems[1..].concat());
    write(dir, "leaf.key", pki.leaf.key_pem());
    let mut all = chain_ids(pki);
    all.insert(id(&pki.root));
    all
}

#[test]
fn parse_pkcs7_made_by_openssl_pem_and_der() {
    let d = util::tempdir();
    let pki = Pki::client(2, true);
    let want = write_chain(d.path(), &pki);
    openssl(
        d.path(),
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "chain.pem",
            "-out",
            "chain.p7b",
        ],
    );
    openssl(
        d.path(),
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "chain.pem",
            "-outform",
            "DER",
            "-out",
            "chain.p7c",
        ],
    );
    assert!(
        std::fs::read_to_string(d.path().join("chain.p7b"))
            .unwrap()
            .contains("BEGIN PKCS7")
    );
    for f in ["chain.p7b", "chain.p7c"] {
        let inv = read_one(d.path(), f, None);
        assert_clean(&inv);
        assert_eq!(ids(&inv), want, "{f}");
        assert_eq!(inv.certs.len(), 4);
    }
    // The DER form numbers the certificates in stored order.
    let inv = read_one(d.path(), "chain.p7c", None);
    assert_eq!(inv.certs[0].id(), id(&pki.leaf));
    assert_eq!(inv.certs[0].first_origin().block, Some(1));
    assert_eq!(inv.certs[3].first_origin().block, Some(4));
}

/// A BER encoding with indefinite lengths, as Windows and Java tools
/// write: every constructed layer of the ContentInfo uses 0x80 … 00 00.
fn ber_signed_data(certs: &[Vec<u8>]) -> Vec<u8> {
    let ind = |tag: u8, parts: &[&[u8]]| {
        let mut v = vec![tag, 0x80];
        for p in parts {
            v.extend_from_slice(p);
        }
        v.extend([0, 0]);
        v
    };
    let signed_data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let version = [0x02, 0x01, 0x01];
    let digest_algs = ind(0x31, &[]);
    let encap = ind(0x30, &[&data_oid]);
    let cert_refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let cert_set = ind(0xa0, &cert_refs);
    let signer_infos = ind(0x31, &[]);
    let sd = ind(
        0x30,
        &[&version, &digest_algs, &encap, &cert_set, &signer_infos],
    );
    ind(0x30, &[&signed_data_oid, &ind(0xa0, &[&sd])])
}

#[test]
fn parse_pkcs7_ber_indefinite_length_written_by_hand() {
    let d = util::tempdir();
    let pki = Pki::client(2, false);
    let certs: Vec<Vec<u8>> = [&pki.leaf, &pki.intermediates[1], &pki.intermediates[0]]
        .iter()
        .map(|n| n.der())
        .collect();
    let ber = ber_signed_data(&certs);
    write(d.path(), "windows.p7b", &ber);
    let inv = read_one(d.path(), "windows.p7b", None);
    assert_clean(&inv);
    assert_eq!(ids(&inv), chain_ids(&pki));
    // openssl agrees the hand-made BER is a valid PKCS#7.
    openssl(
        d.path(),
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            "windows.p7b",
            "-print_certs",
            "-out",
            "certs.pem",
        ],
    );
    let inv2 = read_one(d.path(), "certs.pem", None);
    assert_eq!(ids(&inv2), chain_ids(&pki));
}

fn pkcs12(rsa: bool, extra: &[&str], name: &str) {
    let d = util::tempdir();
    let pki = Pki::client(1, rsa);
    let want = write_chain(d.path(), &pki);
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        "leaf.pem",
        "-inkey",
        "leaf.key",
        "-certfile",
        "cas.pem",
        "-passout",
    ];
    let pass = format!("pass:{PW}");
    args.push(&pass);
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-out", name]);
    openssl(d.path(), &args);

    let inv = read_one(d.path(), name, Some(PW));
    assert_clean(&inv);
    assert_eq!(ids(&inv), want);
    assert_eq!(inv.keys.len(), 1);
    assert_eq!(inv.keys[0].format, KeyFormat::Pkcs12);
    let leaf = inv.certs.iter().find(|c| c.id() == id(&pki.leaf)).unwrap();
    assert!(inv.keys[0].matches(leaf));

    let inv = read_one(d.path(), name, Some("wrong"));
    assert!(inv.certs.is_empty() && inv.keys.is_empty());
    assert!(
        matches!(&inv.problems[..], [Error::WrongPassword { path, .. }] if path.ends_with(name)),
        "{:?}",
        inv.problems
    );
    let inv = read_one(d.path(), name, None);
    assert!(
        matches!(&inv.problems[..], [Error::PasswordNeeded { path, .. }] if path.ends_with(name)),
        "{:?}",
        inv.problems
    );
}

#[test]
fn parse_pkcs12_openssl_default_aes_pbkdf2_rsa() {
    pkcs12(true, &[], "client.pfx");
}

#[test]
fn parse_pkcs12_openssl_default_aes_pbkdf2_ecdsa() {
    pkcs12(false, &[], "client.p12");
}

#[test]
fn parse_pkcs12_openssl_legacy_flag_rc2_3des_sha1() {
    pkcs12(true, &["-legacy"], "legacy.pfx");
}

#[test]
fn parse_pkcs12_openssl_3des_sha1_mac() {
    pkcs12(
        false,
        &[
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
        "3des.p12",
    );
}

#[test]
fn parse_pkcs12_with_empty_password_needs_none() {
    let d = util::tempdir();
    let pki = Pki::client(0, false);
    write_chain(d.path(), &pki);
    openssl(
        d.path(),
        &[
            "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-passout", "pass:",
            "-out", "e.p12",
        ],
    );
    let inv = read_one(d.path(), "e.p12", None);
    assert_clean(&inv);
    assert_eq!(ids(&inv), BTreeSet::from([id(&pki.leaf)]));
    assert_eq!(inv.keys.len(), 1);
}

/// Every key form openssl writes, for a key: (file, openssl args, format,
/// needs the password).
/// Arguments that write a legacy encrypted PEM key (`Proc-Type`/`DEK-Info`).
fn legacy(ec: bool, cipher: &'static str, pass: &'static str) -> Vec<&'static str> {
    if ec {
        vec!["ec", "-in", "leaf.key", cipher, "-passout", pass]
    } else {
        vec![
            "rsa",
            "-in",
            "leaf.key",
            cipher,
            "-traditional",
            "-passout",
            pass,
        ]
    }
}

fn key_forms(ec: bool) -> Vec<(&'static str, Vec<&'static str>, KeyFormat, bool)> {
    let pass: &'static str = Box::leak(format!("pass:{PW}").into_boxed_str());
    let mut v = vec![
        (
            "pkcs8.pem",
            vec!["pkey", "-in", "leaf.key"],
            KeyFormat::Pkcs8,
            false,
        ),
        (
            "pkcs8.der",
            vec![
                "pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-outform", "DER",
            ],
            KeyFormat::Pkcs8,
            false,
        ),
        // `pkey -outform DER` writes the traditional form (PKCS#1 / SEC1).
        (
            "traditional.der",
            vec!["pkey", "-in", "leaf.key", "-outform", "DER"],
            if ec {
                KeyFormat::Sec1
            } else {
                KeyFormat::Pkcs1
            },
            false,
        ),
        (
            "enc-aes.pem",
            vec![
                "pkcs8",
                "-topk8",
                "-in",
                "leaf.key",
                "-v2",
                "aes-256-cbc",
                "-passout",
                pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "enc-aes128.der",
            vec![
                "pkcs8",
                "-topk8",
                "-in",
                "leaf.key",
                "-v2",
                "aes-128-cbc",
                "-outform",
                "DER",
                "-passout",
                pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "enc-3des.pem",
            vec![
                "pkcs8", "-topk8", "-in", "leaf.key", "-v2", "des3", "-passout", pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "enc-sha1prf.pem",
            vec![
                "pkcs8",
                "-topk8",
                "-in",
                "leaf.key",
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA1",
                "-passout",
                pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "enc-scrypt.pem",
            vec![
                "pkcs8", "-topk8", "-in", "leaf.key", "-scrypt", "-passout", pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        // What `openssl pkcs8 -topk8` wrote by default before OpenSSL 1.1.
        (
            "enc-pbe-sha1-3des.pem",
            vec![
                "pkcs8",
                "-topk8",
                "-in",
                "leaf.key",
                "-v1",
                "PBE-SHA1-3DES",
                "-passout",
                pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "enc-pbe-sha1-2des.der",
            vec![
                "pkcs8",
                "-topk8",
                "-in",
                "leaf.key",
                "-v1",
                "PBE-SHA1-2DES",
                "-outform",
                "DER",
                "-passout",
                pass,
            ],
            KeyFormat::EncryptedPkcs8,
            true,
        ),
        (
            "legacy-aes256.pem",
            legacy(ec, "-aes256", pass),
            KeyFormat::LegacyEncryptedPem,
            true,
        ),
        (
            "legacy-aes128.pem",
            legacy(ec, "-aes128", pass),
            KeyFormat::LegacyEncryptedPem,
            true,
        ),
        (
            "legacy-des3.pem",
            legacy(ec, "-des3", pass),
            KeyFormat::LegacyEncryptedPem,
            true,
        ),
    ];
    if ec {
        v.push((
            "sec1.pem",
            vec!["ec", "-in", "leaf.key"],
            KeyFormat::Sec1,
            false,
        ));
        v.push((
            "sec1.der",
            vec!["ec", "-in", "leaf.key", "-outform", "DER"],
            KeyFormat::Sec1,
            false,
        ));
        v.push((
            "sec1-nopub.pem",
            vec!["ec", "-in", "leaf.key", "-no_public"],
            KeyFormat::Sec1,
            false,
        ));
        v.push((
            "sec1-params.pem",
            vec!["ecparam", "-name", "prime256v1", "-genkey"],
            KeyFormat::Sec1,
            false,
        ));
    } else {
        v.push((
            "pkcs1.pem",
            vec!["rsa", "-in", "leaf.key", "-traditional"],
            KeyFormat::Pkcs1,
            false,
        ));
        v.push((
            "pkcs1.der",
            vec!["rsa", "-in", "leaf.key", "-traditional", "-outform", "DER"],
            KeyFormat::Pkcs1,
            false,
        ));
    }
    v
}

fn keys_from_openssl(ec: bool) {
    let d = util::tempdir();
    let pki = Pki::client(0, !ec);
    write_chain(d.path(), &pki);
    let leaf = chainfix::Cert::from_der(pki.leaf.der(), chainfix::Origin::file("leaf")).unwrap();
    for (file, args, format, encrypted) in key_forms(ec) {
        let mut a = args.clone();
        a.extend(["-out", file]);
        openssl(d.path(), &a);
        let inv = read_one(d.path(), file, encrypted.then_some(PW));
        assert_clean(&inv);
        assert_eq!(inv.keys.len(), 1, "{file}");
        let k = &inv.keys[0];
        assert_eq!(k.format, format, "{file}");
        if file == "sec1-params.pem" {
            // A fresh key generated with its EC PARAMETERS block in front.
            assert_eq!(
                k.algorithm(),
                &KeyAlgorithm::Ec {
                    curve: "P-256".into()
                }
            );
            assert!(matches!(
                &inv.dropped[..],
                [d] if d.reason == DropReason::UnknownLabel { label: "EC PARAMETERS".into() }
            ));
            continue;
        }
        assert!(k.matches(&leaf), "{file}: key does not match the leaf");
        let want_alg = if ec {
            KeyAlgorithm::Ec {
                curve: "P-256".into(),
            }
        } else {
            KeyAlgorithm::Rsa { bits: 2048 }
        };
        assert_eq!(k.algorithm(), &want_alg, "{file}");
        // The PKCS#8 held is one openssl reads back to the same public key.
        write(d.path(), "back.der", k.pkcs8_der());
        openssl(
            d.path(),
            &[
                "pkey", "-inform", "DER", "-in", "back.der", "-pubout", "-outform", "DER", "-out",
                "back.pub",
            ],
        );
        let spki = std::fs::read(d.path().join("back.pub")).unwrap();
        assert!(
            chainfix::model::spki_equal(&spki, leaf.spki_raw()),
            "{file}"
        );

        if encrypted {
            let inv = read_one(d.path(), file, None);
            assert!(inv.keys.is_empty());
            let msg = inv.problems[0].to_string();
            assert!(
                matches!(inv.problems[0], Error::PasswordNeeded { .. }) && msg.contains(file),
                "{file}: {msg}"
            );
            let inv = read_one(d.path(), file, Some("not it"));
            assert!(inv.keys.is_empty());
            let msg = inv.problems[0].to_string();
            assert!(
                matches!(inv.problems[0], Error::WrongPassword { .. }) && msg.contains(file),
                "{file}: {msg}"
            );
            assert!(!msg.contains(PW), "password in message: {msg}");
        }
    }
}

#[test]
fn parse_rsa_keys_in_every_form_openssl_writes() {
    keys_from_openssl(false);
}

#[test]
fn parse_ec_keys_in_every_form_openssl_writes() {
    keys_from_openssl(true);
}

#[test]
fn parse_ed25519_key_from_openssl() {
    let d = util::tempdir();
    openssl(
        d.path(),
        &["genpkey", "-algorithm", "ed25519", "-out", "ed.key"],
    );
    openssl(
        d.path(),
        &[
            "pkey", "-in", "ed.key", "-pubout", "-outform", "DER", "-out", "ed.pub",
        ],
    );
    let inv = read_one(d.path(), "ed.key", None);
    assert_clean(&inv);
    assert_eq!(inv.keys[0].algorithm(), &KeyAlgorithm::Ed25519);
    assert_eq!(
        inv.keys[0].spki_der(),
        std::fs::read(d.path().join("ed.pub")).unwrap()
    );
}

#[test]
fn parse_key_material_never_appears_in_messages() {
    let d = util::tempdir();
    let pki = Pki::client(0, true);
    // A damaged PKCS#1 key: the message must not quote it.
    let der = pki.leaf.key.serialize_der();
    let mut broken = der.clone();
    let n = broken.len();
    broken.truncate(n - 40);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&broken);
    write(
        d.path(),
        "bad.key",
        format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
    );
    let inv = read_one(d.path(), "bad.key", None);
    assert_eq!(inv.problems.len(), 1);
    let msg = inv.problems[0].to_string();
    assert!(msg.contains("bad.key:1"), "{msg}");
    // No run of the key, in base64 or in hex (either case), anywhere in what
    // the library says or what the CLI prints; the first 40 bytes are the
    // PKCS#8 header and the start of the modulus, past them is secret.
    let hex_key = hex::encode(&der);
    let secret_runs: Vec<String> = (40..b64.len() - 16)
        .step_by(8)
        .map(|i| b64[i..i + 16].to_string())
        .chain((80..hex_key.len() - 16).step_by(8).flat_map(|i| {
            [
                hex_key[i..i + 16].to_string(),
                hex_key[i..i + 16].to_uppercase(),
            ]
        }))
        .collect();
    let leaks = |text: &str| {
        secret_runs
            .iter()
            .find(|r| text.contains(r.as_str()))
            .cloned()
    };
    assert_eq!(leaks(&msg), None, "{msg}");
    write(d.path(), "pw", format!("{PW}\n"));
    for cmd in ["inspect", "bundle"] {
        let o = util::chainfix(d.path(), &[cmd, "bad.key", "--password-file", "pw"]);
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), util::stderr(&o));
        assert_eq!(o.status.code(), Some(2), "{cmd}: {all}");
        assert!(all.contains("bad.key:1"), "{cmd}: {all}");
        assert_eq!(leaks(&all), None, "{cmd}: {all}");
        assert!(!all.contains(PW), "{cmd} printed the password: {all}");
    }
    // A wrong password is named as wrong, and not repeated.
    write(d.path(), "good.key", pki.leaf.key.serialize_pem());
    openssl(
        d.path(),
        &[
            "pkey",
            "-in",
            "good.key",
            "-aes256",
            "-passout",
            "pass:other",
            "-out",
            "enc.key",
        ],
    );
    let o = util::chainfix(d.path(), &["inspect", "enc.key", "--password-file", "pw"]);
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), util::stderr(&o));
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("enc.key") && all.contains("wrong"), "{all}");
    assert!(!all.contains(PW), "the password was printed: {all}");
}

#[test]
fn parse_bad_inputs_each_give_one_problem_naming_the_file() {
    let d = util::tempdir();
    let pki = Pki::client(0, false);
    let der = pki.leaf.der();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.pem", vec![]),
        ("blank.pem", b"  \n\r\n\t\n".to_vec()),
        (
            "garbage.bin",
            (0..512u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("truncated.der", der[..der.len() / 2].to_vec()),
        ("padded.der", [der.clone(), vec![0, 0, 0]].concat()),
        (
            "broken.pem",
            pki.leaf.pem().replacen("MII", "M*I", 1).into_bytes(),
        ),
        (
            "noend.pem",
            pki.leaf
                .pem()
                .replace("-----END CERTIFICATE-----", "")
                .into_bytes(),
        ),
        ("not.jks", b"\xfe\xed\xfe\xed\x00\x00\x00\x02".to_vec()),
    ];
    for (name, bytes) in &cases {
        write(d.path(), name, bytes);
        let inv = read_one(d.path(), name, None);
        assert!(inv.certs.is_empty(), "{name}");
        assert_eq!(inv.problems.len(), 1, "{name}: {:?}", inv.problems);
        let msg = inv.problems[0].to_string();
        assert!(msg.contains(name), "{name}: {msg}");
        if *name == "truncated.der" {
            let want = format!(
                "truncated.der: the certificate is malformed (it is cut short: {} of its {} bytes are there); get a fresh copy of the file",
                der.len() / 2,
                der.len()
            );
            assert!(msg.ends_with(&want), "{msg}");
        }
    }
}

/// Every fixture format, made the real way, for the robustness test.
fn fixtures(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let pki = Pki::client(2, false);
    write_chain(dir, &pki);
    let pass = format!("pass:{PW}");
    openssl(
        dir,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "chain.pem",
            "-outform",
            "DER",
            "-out",
            "c.p7b",
        ],
    );
    openssl(
        dir,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "chain.pem",
            "-out",
            "c.p7b.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-passout", &pass,
            "-iter", "1", "-out", "c.p12",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "leaf.key",
            "-v2",
            "aes-128-cbc",
            "-iter",
            "1",
            "-passout",
            &pass,
            "-out",
            "enc.pem",
        ],
    );
    openssl(
        dir,
        &[
            "ec",
            "-in",
            "leaf.key",
            "-aes128",
            "-passout",
            &pass,
            "-out",
            "legacy.pem",
        ],
    );
    openssl(
        dir,
        &[
            "ec", "-in", "leaf.key", "-outform", "DER", "-out", "sec1.der",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "leaf.key",
            "-v1",
            "PBE-SHA1-3DES",
            "-iter",
            "1",
            "-outform",
            "DER",
            "-passout",
            &pass,
            "-out",
            "v1.der",
        ],
    );
    write(dir, "leaf.der", pki.leaf.der());
    write(dir, "pile.pem", scrambled_pile(&pki, &stranger()));
    write(
        dir,
        "ber.p7b",
        ber_signed_data(&[pki.leaf.der(), pki.intermediates[0].der()]),
    );
    [
        "chain.pem",
        "leaf.key",
        "c.p7b",
        "c.p7b.pem",
        "c.p12",
        "enc.pem",
        "legacy.pem",
        "v1.der",
        "sec1.der",
        "leaf.der",
        "pile.pem",
        "ber.p7b",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
    .collect()
}

#[test]
fn parse_truncations_and_bit_flips_of_every_fixture_never_panic() {
    let d = util::tempdir();
    let pw = FixedPassword(Zeroizing::new(PW.into()));
    let mut runs = 0;
    for (name, bytes) in fixtures(d.path()) {
        // The untouched fixture reads cleanly.
        let mut inv = Inventory::default();
        parse_source(&bytes, &name, None, &pw, &mut inv);
        assert_clean(&inv);
        assert!(!inv.certs.is_empty() || !inv.keys.is_empty(), "{name}");

        let n = bytes.len();
        let step = (n / 97).max(1);
        for cut in (0..n).step_by(step) {
            let mut inv = Inventory::default();
            parse_source(&bytes[..cut], &name, None, &pw, &mut inv);
            runs += 1;
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ n as u64;
        for _ in 0..150 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut m = bytes.clone();
            let pos = (seed as usize) % n;
            m[pos] ^= 1 << ((seed >> 32) % 8);
            if seed.is_multiple_of(3) {
                // A second flip in the header region, where structure lives.
                let p2 = ((seed >> 16) as usize) % n.min(64);
                m[p2] ^= 0x80;
            }
            let mut inv = Inventory::default();
            parse_source(&m, &name, None, &pw, &mut inv);
            runs += 1;
        }
    }
    assert!(runs > 2000, "{runs}");
}

#[test]
fn parse_utf16_pem_from_powershell_redirect() {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    let text = [pki.leaf.pem(), pki.intermediates[0].pem()]
        .concat()
        .replace('\n', "\r\n");
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    write(d.path(), "le.pem", le);
    write(d.path(), "be.pem", be);
    for f in ["le.pem", "be.pem"] {
        let inv = read_one(d.path(), f, None);
        assert_clean(&inv);
        assert_eq!(ids(&inv), chain_ids(&pki), "{f}");
    }
}

#[test]
fn parse_pkcs7_under_a_certificate_label() {
    let d = util::tempdir();
    let pki = Pki::client(1, true);
    write_chain(d.path(), &pki);
    openssl(
        d.path(),
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "chain.pem",
            "-out",
            "chain.p7b",
        ],
    );
    let text = std::fs::read_to_string(d.path().join("chain.p7b"))
        .unwrap()
        .replace("PKCS7", "CERTIFICATE");
    write(d.path(), "from-ca.crt", text);
    let inv = read_one(d.path(), "from-ca.crt", None);
    assert_clean(&inv);
    let mut want = chain_ids(&pki);
    want.insert(id(&pki.root));
    assert_eq!(ids(&inv), want);
}

#[test]
fn parse_directory_and_stdin() {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, "leaf.cer", pki.leaf.der());
    write(&dir, "ca.pem", pki.intermediates[0].pem());
    write(&dir, ".hidden", b"not read");
    let only_csr = d.path().join("requests");
    std::fs::create_dir(&only_csr).unwrap();
    write(&only_csr, "req.csr", csr_pem());
    let paths = vec![dir.clone(), only_csr.clone(), PathBuf::from("-")];
    let mut stdin = std::io::Cursor::new(pki.root.pem().into_bytes());
    let inv = chainfix::input::read_inventory(&paths, &mut stdin, &NoPasswords);
    let mut want = chain_ids(&pki);
    want.insert(id(&pki.root));
    assert_eq!(ids(&inv), want);
    assert_eq!(inv.problems.len(), 1, "{:?}", inv.problems);
    assert!(
        matches!(&inv.problems[0], Error::NoCertificates { path } if path.ends_with("requests"))
    );
    let root = inv.certs.iter().find(|c| c.id() == id(&pki.root)).unwrap();
    assert_eq!(root.first_origin().to_string(), "<stdin>:1");
}

#[test]
fn parse_ec_key_with_explicit_curve_parameters_is_unsupported_with_the_fix() {
    let d = util::tempdir();
    openssl(
        d.path(),
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-param_enc",
            "explicit",
            "-out",
            "sec1.pem",
        ],
    );
    openssl(d.path(), &["pkey", "-in", "sec1.pem", "-out", "pkcs8.pem"]);
    for f in ["sec1.pem", "pkcs8.pem"] {
        let inv = read_one(d.path(), f, None);
        assert!(inv.keys.is_empty());
        assert!(
            matches!(&inv.problems[..], [Error::Unsupported { path, detail }]
                if path.ends_with(&format!("{f}:1")) && detail.contains("named_curve")),
            "{f}: {:?}",
            inv.problems
        );
    }
}

#[test]
fn parse_through_the_cli_pfx_with_password_file_and_encrypted_key_without_one() {
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    write_chain(d.path(), &pki);
    let pass = format!("pass:{PW}");
    openssl(
        d.path(),
        &[
            "pkcs12",
            "-export",
            "-in",
            "leaf.pem",
            "-inkey",
            "leaf.key",
            "-certfile",
            "cas.pem",
            "-passout",
            &pass,
            "-out",
            "c.pfx",
        ],
    );
    openssl(
        d.path(),
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "leaf.key",
            "-v2",
            "aes-256-cbc",
            "-passout",
            &pass,
            "-out",
            "enc.key",
        ],
    );
    write(d.path(), "pw.txt", format!("{PW}\n"));
    let o = util::chainfix(
        d.path(),
        &["inspect", "--json", "c.pfx", "--password-file", "pw.txt"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", util::stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&util::stdout(&o)).unwrap();
    let shas: BTreeSet<String> = json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha256"].as_str().unwrap().to_string())
        .collect();
    let mut want: BTreeSet<String> = chain_ids(&pki).iter().map(|i| i.hex()).collect();
    want.insert(id(&pki.root).hex());
    assert_eq!(shas, want);
    assert_eq!(json["keys"].as_array().unwrap().len(), 1);
    assert!(!util::stdout(&o).contains("PRIVATE KEY"));

    // No password, no terminal: one sentence naming the file, exit 2.
    let o = util::chainfix(d.path(), &["inspect", "enc.key"]);
    let err = util::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("enc.key:1") && err.contains("--password-file"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn parse_pkcs12_in_ber_is_named_with_the_conversion_not_called_malformed() {
    let d = util::tempdir();
    let pki = Pki::client(0, false);
    write_chain(d.path(), &pki);
    let pass = format!("pass:{PW}");
    openssl(
        d.path(),
        &[
            "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-passout", &pass,
            "-out", "der.p12",
        ],
    );
    // Re-encode the outer SEQUENCE with an indefinite length, as Bouncy
    // Castle does; openssl still reads it.
    let der = std::fs::read(d.path().join("der.p12")).unwrap();
    let header = match der[1] {
        l if l < 0x80 => 2,
        l => 2 + (l & 0x7f) as usize,
    };
    let ber = [&[0x30, 0x80][..], &der[header..], &[0, 0]].concat();
    write(d.path(), "ber.p12", &ber);
    openssl(
        d.path(),
        &[
            "pkcs12",
            "-in",
            "ber.p12",
            "-passin",
            &pass,
            "-nokeys",
            "-out",
            "certs.pem",
        ],
    );
    let inv = read_one(d.path(), "ber.p12", Some(PW));
    assert!(
        matches!(&inv.problems[..], [Error::Unsupported { path, detail }]
            if path.ends_with("ber.p12") && detail.contains("openssl pkcs12")),
        "{:?}",
        inv.problems
    );
}

#[test]
fn parse_unsupported_key_algorithm_is_named_with_what_to_use() {
    let d = util::tempdir();
    openssl(
        d.path(),
        &["genpkey", "-algorithm", "ED448", "-out", "ed448.pem"],
    );
    let inv = read_one(d.path(), "ed448.pem", None);
    assert_eq!(inv.problems.len(), 1, "{:?}", inv.problems);
    let msg = inv.problems[0].to_string();
    assert_eq!(
        msg.strip_prefix(&format!("{}/", d.path().display()))
            .unwrap_or(&msg),
        "ed448.pem:1: the key algorithm Ed448 is not supported; use an RSA (2048 bits or more), \
         EC P-256/P-384 or Ed25519 key, e.g. a new one from `chainfix csr`"
    );
}

#[test]
fn inspect_of_only_unreadable_inputs_prints_no_table_and_each_problem_once_in_order() {
    let d = util::tempdir();
    let junk = d.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    write(
        &junk,
        "a.bin",
        (0..300u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    write(&junk, "b.txt", "hello world\n");
    write(d.path(), "empty.pem", "");
    let o = util::chainfix(d.path(), &["inspect", "empty.pem", "junk"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "", "no empty table");
    // Files in a directory that are not certificate data are notes; a
    // file named on the command line is still an error.
    let not_ours = "skipped, not certificate data (neither PEM text nor DER data)";
    let want = [
        format!("dropped junk/a.bin: {not_ours}"),
        format!("dropped junk/b.txt: {not_ours}"),
        "chainfix: empty.pem is empty; give the file that holds the certificate or key".to_string(),
        "chainfix: junk holds no certificate; give the files that hold your certificate and its issuers"
            .to_string(),
    ];
    assert_eq!(util::stderr(&o).lines().collect::<Vec<_>>(), want);
}

#[cfg(unix)]
#[test]
fn parse_directory_of_symbolic_links_like_certbot_live() {
    // certbot's /etc/letsencrypt/live/NAME/ holds only links into ../../archive.
    let d = util::tempdir();
    let pki = Pki::client(1, false);
    let archive = d.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    write(&archive, "cert1.pem", pki.leaf.pem());
    write(&archive, "chain1.pem", pki.intermediates[0].pem());
    write(&archive, "privkey1.pem", pki.leaf.key_pem());
    let live = d.path().join("live");
    std::fs::create_dir(&live).unwrap();
    for (link, target) in [
        ("cert.pem", "cert1.pem"),
        ("chain.pem", "chain1.pem"),
        ("privkey.pem", "privkey1.pem"),
        ("dangling.pem", "missing.pem"),
    ] {
        std::os::unix::fs::symlink(format!("../archive/{target}"), live.join(link)).unwrap();
    }
    let mut stdin = std::io::empty();
    let inv = chainfix::input::read_inventory(&[live], &mut stdin, &NoPasswords);
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    let want: BTreeSet<CertId> = [id(&pki.leaf), id(&pki.intermediates[0])].into();
    assert_eq!(ids(&inv), want);
    assert_eq!(inv.keys.len(), 1);
    assert_eq!(
        inv.keys[0].first_origin().to_string(),
        format!("{}/live/privkey.pem:1", d.path().display())
    );
}

#[test]
fn stdin_at_a_terminal_says_it_is_waiting_and_a_pipe_does_not() {
    let pki = Pki::client(0, false);
    for tty in [true, false] {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut stdin = std::io::Cursor::new(pki.leaf.pem().into_bytes());
        let mut io = chainfix::cli::Io {
            out: &mut out,
            err: &mut err,
            stdin: &mut stdin,
            stdin_tty: tty,
            stderr_tty: false,
            verbose: false,
        };
        let code = chainfix::cli::run(
            ["chainfix", "inspect", "--json", "-"].map(Into::into),
            &mut io,
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        let err = String::from_utf8(err).unwrap();
        let hint = "chainfix: reading from standard input; paste the PEM text, then press Ctrl-D\n";
        assert_eq!(err, if tty { hint } else { "" });
        let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(j["certificates"][0]["sha256"], id(&pki.leaf).hex());
    }
}

/// A PEM file big enough to be read in pieces (`STREAM_MIN_BYTES`), with
/// mail piles, a damaged block and a block cut at the end among plain
/// blocks, reads through the CLI exactly as the same bytes on standard
/// input, which is always read whole: every block number, duplicate and
/// message.
#[test]
fn parse_big_pem_file_read_in_pieces_reads_as_read_whole() {
    let d = util::tempdir();
    let pki = Pki::client(2, false);
    let other = stranger();
    let plain: String = [&pki.root, &pki.intermediates[0], &pki.intermediates[1]]
        .iter()
        .map(|n| n.pem())
        .collect::<String>()
        .repeat(60);
    let broken = "-----BEGIN CERTIFICATE-----\nM*IB\n-----END CERTIFICATE-----\n";
    let mut text = String::new();
    let mut n = 0;
    while (text.len() as u64) < chainfix::input::STREAM_MIN_BYTES + (3 << 19) {
        text += &plain;
        n += 1;
        if n % 7 == 0 {
            text += &scrambled_pile(&pki, &other);
            text += broken;
        }
    }
    text += &pki.leaf.pem()[..300];
    let big = write(d.path(), "big.pem", &text);
    let args = ["inspect", "--json"];
    let piecewise = util::chainfix(d.path(), &[&args[..], &["big.pem"]].concat());
    let whole = std::process::Command::new(env!("CARGO_BIN_EXE_chainfix"))
        .args(args)
        .arg("-")
        .stdin(std::fs::File::open(&big).unwrap())
        .output()
        .unwrap();
    assert_eq!(piecewise.status.code(), whole.status.code());
    let named = |o: &std::process::Output| util::stdout(o).replace("big.pem", "<stdin>");
    assert!(
        named(&piecewise).contains("<stdin>:14"),
        "{}",
        util::stderr(&piecewise)
    );
    assert!(
        named(&piecewise) == util::stdout(&whole),
        "read in pieces, big.pem reads differently"
    );
}
