//! A corpus of certificates for the per-certificate rules, made at test
//! time with openssl (and, for what openssl will not write, by re-encoding
//! an openssl certificate's algorithm identifiers): at least one
//! certificate per rule of `check::certificate::RULES`, plus clean ones.
//! Each entry names the chainfix ids it must raise under `--profile server
//! --certificate-only`.

use std::path::{Path, PathBuf};

use crate::util::{openssl, write};

const REQ: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Corpus
[non_ia5]
dns = IMPLICIT:2,UTF8String:www.bücher.example.com
";

/// `key = value` lines of an openssl extensions section.
type Lines = &'static [(&'static str, &'static str)];

/// The extensions of a clean root, intermediate and TLS server leaf; each
/// variant below changes a few of them.
const ROOT: Lines = &[
    ("basicConstraints", "critical,CA:TRUE"),
    ("keyUsage", "critical,keyCertSign,cRLSign"),
    ("subjectKeyIdentifier", "hash"),
];
const INTER: Lines = &[
    ("basicConstraints", "critical,CA:TRUE,pathlen:0"),
    ("keyUsage", "critical,digitalSignature,keyCertSign,cRLSign"),
    ("extendedKeyUsage", "serverAuth"),
    ("subjectKeyIdentifier", "hash"),
    ("authorityKeyIdentifier", "keyid"),
    ("certificatePolicies", "2.23.140.1.2.1"),
    (
        "authorityInfoAccess",
        "caIssuers;URI:http://ca.example.com/root.crt",
    ),
    (
        "crlDistributionPoints",
        "URI:http://crl.example.com/root.crl",
    ),
];
const LEAF: Lines = &[
    ("basicConstraints", "critical,CA:FALSE"),
    ("keyUsage", "critical,digitalSignature,keyEncipherment"),
    ("extendedKeyUsage", "serverAuth"),
    ("authorityKeyIdentifier", "keyid"),
    ("subjectAltName", "DNS:www.example.com"),
    ("certificatePolicies", "2.23.140.1.2.1"),
    (
        "authorityInfoAccess",
        "caIssuers;URI:http://ca.example.com/ca.crt, OCSP;URI:http://ocsp.example.com",
    ),
    ("crlDistributionPoints", "URI:http://crl.example.com/ca.crl"),
];

/// Sections: (name, base, changes). A change sets a key (added when new);
/// an empty value removes it.
#[rustfmt::skip]
const SECTIONS: &[(&str, Lines, Lines)] = &[
    ("root", ROOT, &[]),
    ("root_eku", ROOT, &[("extendedKeyUsage", "serverAuth")]),
    ("root_bc_noncrit", ROOT, &[("basicConstraints", "CA:TRUE")]),
    ("root_noski", ROOT, &[("subjectKeyIdentifier", "none")]),
    ("inter", INTER, &[]),
    ("inter_nc_nokcs", INTER, &[("keyUsage", "critical,digitalSignature"), ("nameConstraints", "critical,permitted;DNS:example.com")]),
    ("inter_bare", INTER, &[("certificatePolicies", ""), ("authorityInfoAccess", ""), ("crlDistributionPoints", "")]),
    ("leaf", LEAF, &[]),
    ("leaf_ec", LEAF, &[("keyUsage", "critical,digitalSignature")]),
    ("leaf_bad_dns", LEAF, &[("subjectAltName", "DNS:www.example.com, DNS:www..example.com")]),
    ("leaf_critical_unknown", LEAF, &[("2.16.840.1.113730.1.13", "critical,ASN1:IA5STRING:a critical comment")]),
    ("leaf_non_ia5", LEAF, &[("subjectAltName", ""), ("2.5.29.17", "ASN1:SEQUENCE:non_ia5")]),
    ("leaf_bc_noncrit", LEAF, &[("basicConstraints", "CA:FALSE")]),
    ("leaf_ku_zero_bits", LEAF, &[("keyUsage", ""), ("2.5.29.15", "critical,DER:03:02:00:80")]),
    ("leaf_no_policy", LEAF, &[("certificatePolicies", "")]),
    ("leaf_no_san", LEAF, &[("subjectAltName", "")]),
    ("leaf_client_eku", LEAF, &[("extendedKeyUsage", "clientAuth")]),
    ("leaf_no_aia", LEAF, &[("authorityInfoAccess", "")]),
    ("leaf_no_crl_no_ocsp", LEAF, &[("authorityInfoAccess", "caIssuers;URI:http://ca.example.com/ca.crt"), ("crlDistributionPoints", "")]),
    ("leaf_no_aki", LEAF, &[("authorityKeyIdentifier", "none")]),
    ("leaf_aki_critical", LEAF, &[("authorityKeyIdentifier", "critical,keyid")]),
    ("selfsigned_leaf", LEAF, &[("authorityKeyIdentifier", ""), ("certificatePolicies", ""), ("authorityInfoAccess", ""), ("crlDistributionPoints", "")]),
];

/// The openssl configuration: [req] and every extensions section.
fn cnf() -> String {
    let mut out = REQ.to_string();
    for (name, base, changes) in SECTIONS {
        let mut lines: Vec<(&str, &str)> = base.to_vec();
        for &(k, v) in *changes {
            match lines.iter().position(|l| l.0 == k) {
                Some(i) => lines[i].1 = v,
                None => lines.push((k, v)),
            }
        }
        out.push_str(&format!("[{name}]\n"));
        for (k, v) in lines.iter().filter(|l| !l.1.is_empty()) {
            out.push_str(&format!("{k} = {v}\n"));
        }
    }
    out
}

/// One certificate of the corpus.
pub struct Entry {
    pub name: &'static str,
    pub path: PathBuf,
    /// The chainfix ids it must raise (`--profile server --certificate-only`).
    pub expect: &'static [&'static str],
}

/// How an entry is made.
enum Make {
    /// Signed by the corpus root: (extensions section, subject, key, extra args).
    Leaf(
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    ),
    /// Self-signed: (extensions section, subject, key, extra args).
    SelfSigned(
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    ),
    /// An earlier entry with its algorithm identifiers rewritten.
    Rewrite(&'static str, Rewrite),
}

#[derive(Clone, Copy)]
enum Rewrite {
    /// Both signature fields: sha1WithRSASignature by its OIW number.
    OiwSha1,
    /// Both signature fields: sha256WithRSAEncryption without NULL.
    NoNull,
    /// The outer field only: sha384WithRSAEncryption.
    Mismatch,
    /// The subjectAltName extension twice (openssl replaces a repeat).
    DuplicateSan,
    /// notBefore as a GeneralizedTime (its year is before 2050).
    GeneralizedNotBefore,
    /// notBefore and notAfter swapped.
    ReversedValidity,
}

const LEAF_CN: &str = "/CN=www.example.com";
/// The key the first entry (root-good, rsa:2048) is made with.
const ROOT_KEY: &str = "root-good.key";

/// The corpus, one row per certificate: (name, how it is made, the ids it
/// must raise). A table, so kept one row a line.
#[rustfmt::skip]
fn plan() -> Vec<(&'static str, Make, &'static [&'static str])> {
    use self::Rewrite as R;
    use Make::*;
    const RSA: &str = "rsa:2048";
    const P256: &str = "ec -pkeyopt ec_paramgen_curve:P-256";
    vec![
        ("root-good", SelfSigned("root", "/C=US/O=Corpus Test/CN=Corpus Root CA", "rsa:2048/ca", &[]), &[]),
        ("leaf-good", Leaf("leaf", LEAF_CN, RSA, &[]), &[]),
        ("leaf-ec-good", Leaf("leaf_ec", LEAF_CN, P256, &[]), &[]),
        ("inter-good", Leaf("inter", "/C=US/O=Corpus Test/CN=Corpus Issuing CA", RSA, &[]), &[]),
        ("leaf-critical-nscomment", Leaf("leaf_critical_unknown", LEAF_CN, RSA, &[]), &["unknown-critical-extension"]),
        ("leaf-negative-serial", Leaf("leaf", LEAF_CN, RSA, &["-set_serial", "-5"]), &["negative-serial"]),
        ("leaf-san-not-ia5", Leaf("leaf_non_ia5", LEAF_CN, RSA, &[]), &["malformed-san"]),
        // Its self-signature (ECDSA P-521) is one chainfix cannot check: a root by its key ids.
        ("root-p521", SelfSigned("root", "/C=US/O=Corpus Test/CN=P-521 Root", "ec -pkeyopt ec_paramgen_curve:P-521", &[]), &[]),
        ("root-with-eku", SelfSigned("root_eku", "/C=US/O=Corpus Test/CN=EKU Root", RSA, &[]), &["root-eku"]),
        ("root-bc-not-critical", SelfSigned("root_bc_noncrit", "/C=US/O=Corpus Test/CN=BC Root", RSA, &[]), &["basic-constraints-not-critical"]),
        ("root-no-ski", SelfSigned("root_noski", "/C=US/O=Corpus Test/CN=No SKI Root", RSA, &[]), &["ca-missing-ski"]),
        ("selfsigned-sha1-leaf", SelfSigned("selfsigned_leaf", LEAF_CN, RSA, &["-sha1"]), &["sha1-signature", "certificate-policies", "aia-missing", "crl-missing"]),
        ("leaf-md5", Leaf("leaf", LEAF_CN, RSA, &["-md5"]), &["sha1-signature"]),
        ("inter-nc-no-keycertsign", Leaf("inter_nc_nokcs", "/C=US/O=Corpus Test/CN=Constrained CA", RSA, &[]), &["ca-key-usage"]),
        ("inter-no-policy-aia-crl", Leaf("inter_bare", "/C=US/O=Corpus Test/CN=Bare CA", RSA, &[]), &["certificate-policies", "aia-missing", "crl-missing"]),
        ("leaf-bc-not-critical", Leaf("leaf_bc_noncrit", LEAF_CN, RSA, &[]), &["basic-constraints-not-critical"]),
        ("leaf-ku-trailing-zero", Leaf("leaf_ku_zero_bits", LEAF_CN, RSA, &[]), &["key-usage-encoding"]),
        ("leaf-ec-key-encipherment", Leaf("leaf", LEAF_CN, P256, &[]), &["key-usage-for-key"]),
        ("leaf-cn-not-in-san", Leaf("leaf", "/CN=other.example.com", RSA, &[]), &["cn-not-in-san"]),
        ("leaf-no-san", Leaf("leaf_no_san", LEAF_CN, RSA, &[]), &["san-missing"]),
        ("leaf-client-eku", Leaf("leaf_client_eku", LEAF_CN, RSA, &[]), &["eku-missing"]),
        ("leaf-no-policy", Leaf("leaf_no_policy", LEAF_CN, RSA, &[]), &["certificate-policies"]),
        ("leaf-no-aia", Leaf("leaf_no_aia", LEAF_CN, RSA, &[]), &["aia-missing"]),
        ("leaf-no-crl-no-ocsp", Leaf("leaf_no_crl_no_ocsp", LEAF_CN, RSA, &[]), &["crl-missing"]),
        ("leaf-no-aki", Leaf("leaf_no_aki", LEAF_CN, RSA, &[]), &["missing-aki"]),
        ("leaf-san-bad-dns", Leaf("leaf_bad_dns", LEAF_CN, RSA, &[]), &["rfc5280-profile"]),
        ("leaf-aki-critical", Leaf("leaf_aki_critical", LEAF_CN, RSA, &[]), &["rfc5280-profile"]),
        ("leaf-rsa1024", Leaf("leaf", LEAF_CN, "RSA1024", &[]), &["weak-key"]),
        ("leaf-secp256k1", Leaf("leaf", LEAF_CN, "ec -pkeyopt ec_paramgen_curve:secp256k1", &[]), &["unusual-key"]),
        ("leaf-oiw-sha1", Rewrite("leaf-good", R::OiwSha1), &["sha1-signature"]),
        ("leaf-rsa-no-null", Rewrite("leaf-good", R::NoNull), &["algorithm-parameters"]),
        ("leaf-duplicate-san", Rewrite("leaf-good", R::DuplicateSan), &["duplicate-extension"]),
        ("leaf-generalized-time", Rewrite("leaf-good", R::GeneralizedNotBefore), &["validity-field"]),
        ("leaf-reversed-validity", Rewrite("leaf-good", R::ReversedValidity), &["validity-field"]),
        ("leaf-sigalg-mismatch", Rewrite("leaf-good", R::Mismatch), &["signature-algorithm-mismatch"]),
    ]
}

/// The corpus, made once per test run (key generation and forty openssl
/// runs are most of its cost) in a directory that lives as long as the run.
pub fn shared() -> &'static [Entry] {
    static CORPUS: std::sync::OnceLock<(tempfile::TempDir, Vec<Entry>)> =
        std::sync::OnceLock::new();
    let (_, entries) = CORPUS.get_or_init(|| {
        let d = crate::util::tempdir();
        let e = make(d.path());
        (d, e)
    });
    entries
}

/// The certificate of the entry `name`.
pub fn cert(name: &str) -> chainfix::model::Cert {
    let e = shared()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no corpus entry {name}"));
    let p = pem::parse(std::fs::read(&e.path).unwrap()).unwrap();
    chainfix::model::Cert::from_der(p.contents().to_vec(), chainfix::model::Origin::file(e.name))
        .unwrap()
}

/// Makes the corpus in `dir`: `NAME.pem` for each entry.
pub fn make(dir: &Path) -> Vec<Entry> {
    write(dir, "corpus.cnf", cnf());
    let rsa1024 = format!("{}/testdata/keys/rsa1024-1.pem", env!("CARGO_MANIFEST_DIR"));
    let run = |args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl(dir, &a);
    };
    // One key per algorithm, made once: key generation is most of the time.
    let mut keys: Vec<(&str, String)> = vec![("RSA1024", rsa1024)];
    let key_args = |name: &str, key: &'static str, keys: &mut Vec<(&str, String)>| -> Vec<String> {
        let file = match keys.iter().find(|k| k.0 == key) {
            Some(k) => k.1.clone(),
            None => {
                let file = format!("{name}.key");
                let mut a: Vec<String> = vec!["genpkey".into(), "-algorithm".into()];
                let mut w = key.split_whitespace();
                // "rsa:2048/ca": a second RSA key, for the CAs.
                let algo = w.next().unwrap().split('/').next().unwrap();
                a.push(if algo.starts_with("rsa") {
                    "RSA".into()
                } else {
                    "EC".into()
                });
                if let Some(bits) = algo.strip_prefix("rsa:") {
                    a.extend(["-pkeyopt".into(), format!("rsa_keygen_bits:{bits}")]);
                }
                a.extend(w.map(String::from));
                a.extend(["-out".into(), file.clone()]);
                run(a);
                keys.push((key, file.clone()));
                file
            }
        };
        vec!["-key".into(), file]
    };
    let mut out = Vec::new();
    for (name, make, expect) in plan() {
        let path = dir.join(format!("{name}.pem"));
        match make {
            Make::SelfSigned(ext, subj, key, extra) => {
                let mut a: Vec<String> = [
                    "req",
                    "-x509",
                    "-config",
                    "corpus.cnf",
                    "-extensions",
                    ext,
                    "-subj",
                    subj,
                    "-days",
                    "3650",
                    "-set_serial",
                    "4096",
                ]
                .map(String::from)
                .to_vec();
                a.extend(key_args(name, key, &mut keys));
                a.extend(extra.iter().map(|s| s.to_string()));
                a.extend(["-out".into(), format!("{name}.pem")]);
                run(a);
            }
            Make::Leaf(ext, subj, key, extra) => {
                let mut a: Vec<String> = [
                    "req",
                    "-new",
                    "-config",
                    "corpus.cnf",
                    "-subj",
                    subj,
                    "-out",
                    &format!("{name}.csr"),
                ]
                .map(String::from)
                .to_vec();
                a.extend(key_args(name, key, &mut keys));
                run(a);
                let mut a: Vec<String> = [
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "root-good.pem",
                    "-CAkey",
                    ROOT_KEY,
                    "-extfile",
                    "corpus.cnf",
                    "-extensions",
                    ext,
                    "-days",
                    "90",
                    "-out",
                    &format!("{name}.pem"),
                ]
                .map(String::from)
                .to_vec();
                if !extra.contains(&"-set_serial") {
                    a.extend(["-set_serial".into(), "0x5a17c0ffee5a17c0ffee".into()]);
                }
                a.extend(extra.iter().map(|s| s.to_string()));
                run(a);
            }
            Make::Rewrite(from, how) => {
                let p =
                    pem::parse(std::fs::read(dir.join(format!("{from}.pem"))).unwrap()).unwrap();
                let der = rewrite(p.contents(), how);
                std::fs::write(&path, pem::encode(&pem::Pem::new("CERTIFICATE", der))).unwrap();
            }
        }
        out.push(Entry { name, path, expect });
    }
    out
}

// ---- a little DER, enough to swap algorithm identifiers ----

/// (tag, header length, total length) of the TLV at the start of `b`.
fn tlv(b: &[u8]) -> (u8, usize, usize) {
    let (hl, len) = match b[1] {
        l if l < 0x80 => (2, l as usize),
        0x81 => (3, b[2] as usize),
        0x82 => (4, (b[2] as usize) << 8 | b[3] as usize),
        l => panic!("length form {l:#x} not expected in a test certificate"),
    };
    (b[0], hl, hl + len)
}

fn children(mut b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (_, _, n) = tlv(b);
        out.push(&b[..n]);
        b = &b[n..];
    }
    out
}

fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend([0x81, n as u8]);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

fn alg(oid: &[u8], null: bool) -> Vec<u8> {
    let mut c = wrap(0x06, oid);
    if null {
        c.extend([0x05, 0x00]);
    }
    wrap(0x30, &c)
}

const SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OIW_SHA1_RSA: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1d];

/// The certificate with its signature algorithm fields replaced (the
/// signature is then wrong, which per-certificate rules do not check).
fn rewrite(der: &[u8], how: Rewrite) -> Vec<u8> {
    let (_, hl, _) = tlv(der);
    let top = children(&der[hl..]);
    let (tbs, sig) = (top[0], top[2]);
    let (_, thl, _) = tlv(tbs);
    let mut fields: Vec<Vec<u8>> = children(&tbs[thl..]).iter().map(|c| c.to_vec()).collect();
    let (inner, outer) = match how {
        Rewrite::OiwSha1 => (alg(OIW_SHA1_RSA, true), alg(OIW_SHA1_RSA, true)),
        Rewrite::NoNull => (alg(SHA256_RSA, false), alg(SHA256_RSA, false)),
        Rewrite::Mismatch => (alg(SHA256_RSA, true), alg(SHA384_RSA, true)),
        Rewrite::DuplicateSan => {
            // The last field: [3] { SEQUENCE OF Extension }.
            let exts = fields.last_mut().unwrap();
            let (_, hl3, _) = tlv(exts);
            let (_, hls, _) = tlv(&exts[hl3..]);
            let mut list: Vec<Vec<u8>> = children(&exts[hl3 + hls..])
                .iter()
                .map(|c| c.to_vec())
                .collect();
            let san = list
                .iter()
                .find(|e| e[tlv(e).1..].starts_with(&[0x06, 0x03, 0x55, 0x1d, 0x11]))
                .expect("the certificate has a subjectAltName")
                .clone();
            list.push(san);
            *exts = wrap(0xa3, &wrap(0x30, &list.concat()));
            (fields[2].clone(), top[1].to_vec())
        }
        Rewrite::GeneralizedNotBefore | Rewrite::ReversedValidity => {
            // validity: the fifth field, SEQUENCE { notBefore, notAfter }.
            let (_, vhl, _) = tlv(&fields[4]);
            let mut times: Vec<Vec<u8>> = children(&fields[4][vhl..])
                .iter()
                .map(|c| c.to_vec())
                .collect();
            if matches!(how, Rewrite::ReversedValidity) {
                times.swap(0, 1);
            } else {
                let (tag, thl, _) = tlv(&times[0]);
                assert_eq!(tag, 0x17, "openssl writes a UTCTime before 2050");
                let utc = times[0][thl..].to_vec();
                times[0] = wrap(0x18, &[b"20".as_slice(), &utc].concat());
            }
            fields[4] = wrap(0x30, &times.concat());
            (fields[2].clone(), top[1].to_vec())
        }
    };
    // [0] version, serial, signature, …
    fields[2] = inner;
    let tbs = wrap(0x30, &fields.concat());
    wrap(0x30, &[tbs, outer, sig.to_vec()].concat())
}
