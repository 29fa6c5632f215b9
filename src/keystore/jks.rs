//! Java KeyStore (JKS, magic `FEEDFEED`, version 2): our own writer and
//! reader, following OpenJDK's `JavaKeyStore.java` / `KeyProtector.java`
//! (layout in `shared/design/keystores.md`). No crate writes it correctly.
//!
//! Writing: one PrivateKeyEntry, the key as PKCS#8 under the Sun key
//! protector with a 20-byte salt from the OS random source, the chain leaf
//! first, the SHA-1 trailer over `pw16 ‖ "Mighty Aphrodite" ‖ bytes`. The
//! key password is the store password (Salesforce requires it).
//!
//! Reading: the trailer is verified before anything else is believed, and
//! every length is bounds-checked: a truncated or hostile file is an error,
//! never a panic.

use ring::rand::SecureRandom;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Cert, KeyFormat, Origin, PrivateKey};

pub const MAGIC: [u8; 4] = [0xFE, 0xED, 0xFE, 0xED];
pub const JCEKS_MAGIC: [u8; 4] = [0xCE, 0xCE, 0xCE, 0xCE];
const VERSION: u32 = 2;
const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;
const WHITENER: &[u8] = b"Mighty Aphrodite";
/// DER of OID 1.3.6.1.4.1.42.2.17.1.1 (Sun's proprietary key protector).
const KEY_PROTECTOR_OID: &[u8] = &[
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01,
];
const SALT_LEN: usize = 20;
const DIGEST_LEN: usize = 20;
/// keytool refuses to create a keystore with a shorter password.
pub const MIN_PASSWORD_CHARS: usize = 6;

/// True when `bytes` start like a JKS file.
pub fn is_jks(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// True when `bytes` start like a JCEKS file (read here too, with the
/// key protector of [`super::jceks`]).
pub fn is_jceks(bytes: &[u8]) -> bool {
    bytes.starts_with(&JCEKS_MAGIC)
}

/// The password as Java's `char[]` sees it: UTF-16BE code units.
fn pw16(password: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        password
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect(),
    )
}

/// SHA1(pw16 ‖ "Mighty Aphrodite" ‖ data): the integrity trailer.
fn trailer(password: &str, data: &[u8]) -> [u8; DIGEST_LEN] {
    let mut h = Sha1::new();
    h.update(pw16(password).as_slice());
    h.update(WHITENER);
    h.update(data);
    h.finalize().into()
}

/// The keystream of the Sun key protector, XORed into `data` in place.
fn xor_keystream(pw: &[u8], salt: &[u8], data: &mut [u8]) {
    let mut d: Vec<u8> = salt.to_vec();
    for chunk in data.chunks_mut(DIGEST_LEN) {
        let mut h = Sha1::new();
        h.update(pw);
        h.update(&d);
        d = h.finalize().to_vec();
        for (b, k) in chunk.iter_mut().zip(&d) {
            *b ^= k;
        }
    }
}

/// Sun key protector: `salt ‖ (P XOR keystream) ‖ SHA1(pw16 ‖ P)`.
fn protect_with_salt(password: &str, salt: &[u8; SALT_LEN], pkcs8: &[u8]) -> Vec<u8> {
    let pw = pw16(password);
    let mut enc = pkcs8.to_vec();
    xor_keystream(&pw, salt, &mut enc);
    let mut h = Sha1::new();
    h.update(pw.as_slice());
    h.update(pkcs8);
    let check = h.finalize();
    let mut r = Vec::with_capacity(SALT_LEN + enc.len() + DIGEST_LEN);
    r.extend_from_slice(salt);
    r.extend_from_slice(&enc);
    r.extend_from_slice(&check);
    r
}

/// Undoes [`protect_with_salt`]; `None` when the check digest disagrees
/// (the key password is not `password`).
fn recover(password: &str, r: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if r.len() < SALT_LEN + DIGEST_LEN {
        return None;
    }
    let (salt, rest) = r.split_at(SALT_LEN);
    let (enc, check) = rest.split_at(rest.len() - DIGEST_LEN);
    let pw = pw16(password);
    let mut plain = Zeroizing::new(enc.to_vec());
    xor_keystream(&pw, salt, &mut plain);
    let mut h = Sha1::new();
    h.update(pw.as_slice());
    h.update(plain.as_slice());
    (h.finalize().as_slice() == check).then_some(plain)
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// `EncryptedPrivateKeyInfo { AlgorithmIdentifier { sun-oid, NULL }, OCTET STRING R }`.
fn encrypted_key_info(r: &[u8]) -> Vec<u8> {
    let mut alg = KEY_PROTECTOR_OID.to_vec();
    alg.extend_from_slice(&[0x05, 0x00]);
    let mut body = der_tlv(0x30, &alg);
    body.extend(der_tlv(0x04, r));
    der_tlv(0x30, &body)
}

/// Java's modified UTF-8 (DataOutputStream.writeUTF), without the length.
fn modified_utf8(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for u in s.encode_utf16() {
        match u {
            0x0001..=0x007F => out.push(u as u8),
            0x0000 | 0x0080..=0x07FF => {
                out.push(0xC0 | ((u >> 6) as u8 & 0x1F));
                out.push(0x80 | (u as u8 & 0x3F));
            }
            _ => {
                out.push(0xE0 | ((u >> 12) as u8 & 0x0F));
                out.push(0x80 | ((u >> 6) as u8 & 0x3F));
                out.push(0x80 | (u as u8 & 0x3F));
            }
        }
    }
    out
}

fn from_modified_utf8(b: &[u8]) -> Option<String> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as u16;
        if c < 0x80 {
            units.push(c);
            i += 1;
        } else if c & 0xE0 == 0xC0 && i + 1 < b.len() {
            units.push(((c & 0x1F) << 6) | (b[i + 1] as u16 & 0x3F));
            i += 2;
        } else if c & 0xF0 == 0xE0 && i + 2 < b.len() {
            units.push(
                ((c & 0x0F) << 12) | ((b[i + 1] as u16 & 0x3F) << 6) | (b[i + 2] as u16 & 0x3F),
            );
            i += 3;
        } else {
            return None;
        }
    }
    String::from_utf16(&units).ok()
}

/// What goes into a JKS PrivateKeyEntry.
pub struct KeyEntry<'a> {
    /// Already lowercase (see `salesforce::check_alias`).
    pub alias: &'a str,
    pub key: &'a PrivateKey,
    /// Leaf first, each followed by its issuer.
    pub chain: &'a [&'a Cert],
    /// Creation date, milliseconds since the epoch.
    pub timestamp_ms: i64,
}

/// Writes a JKS holding one PrivateKeyEntry, its key protected with
/// `password` (store password = key password).
pub fn write(entry: &KeyEntry<'_>, password: &str, rng: &dyn SecureRandom) -> Result<Vec<u8>> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill(&mut salt).map_err(|_| Error::Random)?;
    write_with_salt(entry, password, &salt)
}

fn write_with_salt(entry: &KeyEntry<'_>, password: &str, salt: &[u8; SALT_LEN]) -> Result<Vec<u8>> {
    encode(entry, password, password, salt)
}

/// The whole file; `key_password` differs from `password` only in tests
/// (Salesforce refuses such a keystore, so chainfix never writes one).
fn encode(
    entry: &KeyEntry<'_>,
    password: &str,
    key_password: &str,
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>> {
    let too_long = |what: &str| Error::Usage(format!("{what} is too long for a JKS keystore"));
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&TAG_PRIVATE_KEY.to_be_bytes());
    let alias = modified_utf8(entry.alias);
    let alias_len = u16::try_from(alias.len()).map_err(|_| too_long("the alias"))?;
    out.extend_from_slice(&alias_len.to_be_bytes());
    out.extend_from_slice(&alias);
    out.extend_from_slice(&entry.timestamp_ms.to_be_bytes());
    let protected = encrypted_key_info(&protect_with_salt(
        key_password,
        salt,
        entry.key.pkcs8_der(),
    ));
    out.extend_from_slice(&(protected.len() as u32).to_be_bytes());
    out.extend_from_slice(&protected);
    out.extend_from_slice(&(entry.chain.len() as u32).to_be_bytes());
    for c in entry.chain {
        put_cert(&mut out, c.der()).map_err(|_| too_long("a certificate"))?;
    }
    let t = trailer(password, &out);
    out.extend_from_slice(&t);
    Ok(out)
}

fn put_cert(out: &mut Vec<u8>, der: &[u8]) -> Result<(), ()> {
    out.extend_from_slice(&5u16.to_be_bytes());
    out.extend_from_slice(b"X.509");
    let len = u32::try_from(der.len()).map_err(|_| ())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(der);
    Ok(())
}

/// One entry as stored, before its contents are interpreted.
#[derive(Clone, PartialEq, Eq)]
pub enum RawEntry {
    PrivateKey {
        alias: String,
        timestamp_ms: i64,
        /// Unprotected PKCS#8 PrivateKeyInfo.
        pkcs8: Zeroizing<Vec<u8>>,
        /// Certificate DER, in stored order (leaf first).
        chain: Vec<Vec<u8>>,
    },
    TrustedCert {
        alias: String,
        timestamp_ms: i64,
        der: Vec<u8>,
    },
}

impl std::fmt::Debug for RawEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawEntry::PrivateKey { alias, chain, .. } => f
                .debug_struct("PrivateKey")
                .field("alias", alias)
                .field("chain_len", &chain.len())
                .finish(),
            RawEntry::TrustedCert { alias, .. } => {
                f.debug_struct("TrustedCert").field("alias", alias).finish()
            }
        }
    }
}

/// A bounds-checked cursor: every read says what it was reading when the
/// data ran out.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.b.len() => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            _ => Err(format!(
                "it ends early: {what} needs {n} byte(s) at offset {} but only {} remain (truncated)",
                self.pos,
                self.b.len().saturating_sub(self.pos)
            )),
        }
    }
    fn u16(&mut self, what: &str) -> Result<u16, String> {
        Ok(u16::from_be_bytes(
            self.take(2, what)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_be_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    fn i64(&mut self, what: &str) -> Result<i64, String> {
        Ok(i64::from_be_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }
    fn cert(&mut self) -> Result<Vec<u8>, String> {
        let tlen = self.u16("the certificate type")? as usize;
        let ty = self.take(tlen, "the certificate type")?;
        if ty != b"X.509" {
            return Err(format!(
                "a certificate of type {:?} (only X.509 is supported)",
                String::from_utf8_lossy(ty)
            ));
        }
        let len = self.u32("the certificate length")? as usize;
        Ok(self.take(len, "a certificate")?.to_vec())
    }
}

/// Minimal DER walk of the protected key: returns R from
/// `SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING R }` after checking the OID.
fn protected_key_bytes(der: &[u8]) -> Result<&[u8], String> {
    fn tlv(b: &[u8], tag: u8) -> Result<(&[u8], &[u8]), String> {
        let bad = || "the protected key is not valid DER".to_string();
        if b.len() < 2 || b[0] != tag {
            return Err(bad());
        }
        let (len, hdr) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let n = (b[1] & 0x7F) as usize;
            if n == 0 || n > 4 || b.len() < 2 + n {
                return Err(bad());
            }
            (
                b[2..2 + n]
                    .iter()
                    .fold(0usize, |a, &x| (a << 8) | x as usize),
                2 + n,
            )
        };
        let end = hdr
            .checked_add(len)
            .filter(|&e| e <= b.len())
            .ok_or_else(bad)?;
        Ok((&b[hdr..end], &b[end..]))
    }
    let (outer, _) = tlv(der, 0x30)?;
    let (alg, rest) = tlv(outer, 0x30)?;
    if !alg.starts_with(KEY_PROTECTOR_OID) {
        return Err(
            "the key is protected with an algorithm other than Sun's JKS key protector".into(),
        );
    }
    let (r, _) = tlv(rest, 0x04)?;
    Ok(r)
}

/// Reads every entry of a JKS, after verifying the integrity trailer with
/// `password`. `name` is used in messages.
pub fn decode(bytes: &[u8], name: &str, password: &str) -> Result<Vec<RawEntry>> {
    let malformed = |detail: String| Error::Malformed {
        origin: name.to_string(),
        what: "the JKS keystore".into(),
        detail,
    };
    if !is_jks(bytes) && !is_jceks(bytes) {
        return Err(malformed(
            "it does not start with the JKS magic FEEDFEED".into(),
        ));
    }
    if bytes.len() < 12 + DIGEST_LEN {
        return Err(malformed(format!(
            "it is only {} bytes long (truncated)",
            bytes.len()
        )));
    }
    let (body, stored) = bytes.split_at(bytes.len() - DIGEST_LEN);
    if trailer(password, body).as_slice() != stored {
        // Before blaming the password: a file whose own lengths run past
        // its end was cut short. The scan only measures, it trusts nothing.
        if let Err(detail) = scan_structure(bytes) {
            return Err(malformed(detail));
        }
        return Err(Error::KeystoreIntegrity {
            path: name.to_string(),
        });
    }
    let mut r = Reader { b: body, pos: 4 };
    let version = r.u32("the version").map_err(malformed)?;
    if version != 1 && version != VERSION {
        return Err(malformed(format!("unknown JKS version {version}")));
    }
    let count = r.u32("the entry count").map_err(malformed)?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let e = read_entry(&mut r, name, password, version, is_jceks(bytes))?;
        entries.push(e);
    }
    if r.pos != body.len() {
        return Err(malformed(format!(
            "{} unexpected byte(s) after the last entry",
            body.len() - r.pos
        )));
    }
    Ok(entries)
}

/// Walks the entries of a whole file (trailer included) by their lengths
/// alone, without recovering keys: `Err` when the declared structure does
/// not fit, i.e. the file is truncated or its lengths are corrupt.
fn scan_structure(bytes: &[u8]) -> Result<(), String> {
    let mut r = Reader { b: bytes, pos: 4 };
    let version = r.u32("the version")?;
    let count = r.u32("the entry count")?;
    let cert = |r: &mut Reader<'_>| -> Result<(), String> {
        if version == VERSION {
            let t = r.u16("the certificate type")? as usize;
            r.take(t, "the certificate type")?;
        }
        let n = r.u32("the certificate length")? as usize;
        r.take(n, "a certificate").map(|_| ())
    };
    for _ in 0..count {
        let tag = r.u32("an entry tag")?;
        let a = r.u16("an alias length")? as usize;
        r.take(a, "an alias")?;
        r.i64("a timestamp")?;
        match tag {
            TAG_PRIVATE_KEY => {
                let k = r.u32("the protected key length")? as usize;
                r.take(k, "the protected key")?;
                for _ in 0..r.u32("the chain length")? {
                    cert(&mut r)?;
                }
            }
            TAG_TRUSTED_CERT => cert(&mut r)?,
            _ => return Ok(()), // unknown layout: let the trailer verdict stand
        }
    }
    r.take(DIGEST_LEN, "the integrity check").map(|_| ())
}

fn read_entry(
    r: &mut Reader<'_>,
    name: &str,
    password: &str,
    version: u32,
    jceks: bool,
) -> Result<RawEntry> {
    let malformed = |detail: String| Error::Malformed {
        origin: name.to_string(),
        what: "the JKS keystore".into(),
        detail,
    };
    let tag = r.u32("an entry tag").map_err(malformed)?;
    let alen = r.u16("an alias length").map_err(malformed)? as usize;
    let alias = r.take(alen, "an alias").map_err(malformed)?;
    let alias = from_modified_utf8(alias)
        .ok_or_else(|| malformed("an alias is not valid modified UTF-8".into()))?;
    let timestamp_ms = r.i64("a timestamp").map_err(malformed)?;
    let cert_v2 = |r: &mut Reader<'_>| -> Result<Vec<u8>, String> {
        if version == VERSION {
            r.cert()
        } else {
            let len = r.u32("the certificate length")? as usize;
            Ok(r.take(len, "a certificate")?.to_vec())
        }
    };
    match tag {
        TAG_PRIVATE_KEY => {
            let klen = r.u32("the protected key length").map_err(malformed)? as usize;
            let protected = r.take(klen, "the protected key").map_err(malformed)?;
            let n = r.u32("the chain length").map_err(malformed)?;
            let mut chain = Vec::new();
            for _ in 0..n {
                chain.push(cert_v2(r).map_err(malformed)?);
            }
            let differs = || Error::KeyPasswordDiffers {
                path: name.to_string(),
                alias: alias.clone(),
            };
            let pkcs8 = if jceks {
                match super::jceks::recover(protected, password) {
                    Ok(k) => k,
                    Err(super::jceks::Recover::WrongPassword) => return Err(differs()),
                    Err(super::jceks::Recover::Malformed(d)) => return Err(malformed(d)),
                }
            } else {
                let rb = protected_key_bytes(protected).map_err(malformed)?;
                recover(password, rb).ok_or_else(differs)?
            };
            Ok(RawEntry::PrivateKey {
                alias,
                timestamp_ms,
                pkcs8,
                chain,
            })
        }
        TAG_TRUSTED_CERT => {
            let der = cert_v2(r).map_err(malformed)?;
            Ok(RawEntry::TrustedCert {
                alias,
                timestamp_ms,
                der,
            })
        }
        3 => Err(Error::Unsupported {
            path: name.to_string(),
            detail: format!(
                "entry {alias:?} is a secret key (a serialised Java object chainfix cannot read past); copy the certificates and private keys out with `keytool -importkeystore -srckeystore {name} -srcstoretype JCEKS -destkeystore out.p12 -deststoretype PKCS12` (secret keys are not copied) and give out.p12"
            ),
        }),
        other => Err(malformed(format!(
            "unknown entry tag {other} for {alias:?}"
        ))),
    }
}

/// What one entry of a keystore held, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    pub alias: String,
    pub private_key: bool,
    pub chain_len: usize,
}

/// Reads a JKS as chainfix input: every certificate (chains and trusted
/// entries) and every private key, plus what each entry was.
pub fn read(
    bytes: &[u8],
    name: &str,
    password: &str,
) -> Result<(Vec<Cert>, Vec<PrivateKey>, Vec<EntryInfo>)> {
    let entries = decode(bytes, name, password)?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    let mut info = Vec::new();
    let mut block = 0;
    let mut cert_of = |der: &[u8], alias: &str, certs: &mut Vec<Cert>| -> Result<()> {
        block += 1;
        let origin = Origin::block(name, block);
        let c = Cert::from_der(der.to_vec(), origin).map_err(|detail| Error::Malformed {
            origin: format!("{name} (alias {alias})"),
            what: "a certificate".into(),
            detail,
        })?;
        certs.push(c);
        Ok(())
    };
    for e in &entries {
        match e {
            RawEntry::PrivateKey {
                alias,
                pkcs8,
                chain,
                ..
            } => {
                let k = crate::parse::keys::from_pkcs8(
                    pkcs8,
                    KeyFormat::Jks,
                    Origin::file(format!("{name} (alias {alias})")),
                )
                .map_err(|e| e.to_string())
                .map_err(|detail| Error::Malformed {
                    origin: format!("{name} (alias {alias})"),
                    what: "the private key".into(),
                    detail: if pkcs8.first() == Some(&0x30)
                        && pkcs8::PrivateKeyInfoRef::try_from(pkcs8.as_slice()).is_err()
                    {
                        "it is stored as PKCS#1, not PKCS#8; Java cannot recover it either".into()
                    } else {
                        detail
                    },
                })?;
                keys.push(k);
                for der in chain {
                    cert_of(der, alias, &mut certs)?;
                }
                info.push(EntryInfo {
                    alias: alias.clone(),
                    private_key: true,
                    chain_len: chain.len(),
                });
            }
            RawEntry::TrustedCert { alias, der, .. } => {
                cert_of(der, alias, &mut certs)?;
                info.push(EntryInfo {
                    alias: alias.clone(),
                    private_key: false,
                    chain_len: 1,
                });
            }
        }
    }
    Ok((certs, keys, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_empty_keystore_changeit() {
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        let t = trailer("changeit", &out);
        out.extend_from_slice(&t);
        assert_eq!(
            hex::encode(&out),
            "feedfeed0000000200000000e2686e45fb43dfa4d992dd41ceb6b21c6330d792"
        );
        assert!(decode(&out, "empty.jks", "changeit").unwrap().is_empty());
        assert!(matches!(
            decode(&out, "empty.jks", "changeiT"),
            Err(Error::KeystoreIntegrity { .. })
        ));
    }

    #[test]
    fn vector_key_protector_changeit() {
        let salt: [u8; 20] = core::array::from_fn(|i| i as u8);
        let p: Vec<u8> = (0u8..30).collect();
        let r = protect_with_salt("changeit", &salt, &p);
        assert_eq!(&r[..20], &salt);
        assert_eq!(
            hex::encode(&r[20..50]),
            "00bb47e36875a1c29bb5ae018aca62984f6cb0810f696d7a7567f228cc49"
        );
        assert_eq!(
            hex::encode(&r[50..]),
            "d6c21837dfa7b8a2d4592b83fbe453140a7c5ad7"
        );
        assert_eq!(recover("changeit", &r).unwrap().as_slice(), p.as_slice());
        assert!(recover("changeme", &r).is_none());
    }

    #[test]
    fn modified_utf8_round_trips() {
        for s in ["client_cert", "é€", "a\u{0}b", "𝄞"] {
            assert_eq!(from_modified_utf8(&modified_utf8(s)).as_deref(), Some(s));
        }
        assert_eq!(modified_utf8("\u{0}"), vec![0xC0, 0x80]);
    }

    #[test]
    fn non_ascii_password_is_utf16be() {
        assert_eq!(pw16("é").as_slice(), &[0x00, 0xE9]);
    }

    fn sample(password: &str) -> (Vec<u8>, Cert, PrivateKey) {
        let (cert, key) = crate::keystore::sample_cert_and_key();
        let bytes = write(
            &KeyEntry {
                alias: "client_cert",
                key: &key,
                chain: &[&cert],
                timestamp_ms: 1_700_000_000_000,
            },
            password,
            &ring::rand::SystemRandom::new(),
        )
        .unwrap();
        (bytes, cert, key)
    }

    #[test]
    fn write_then_read_gives_the_same_key_and_chain() {
        let (bytes, cert, key) = sample("pässword");
        assert!(bytes.starts_with(&MAGIC));
        let (certs, keys, info) = read(&bytes, "t.jks", "pässword").unwrap();
        assert_eq!(certs, vec![cert]);
        assert_eq!(keys[0].pkcs8_der(), key.pkcs8_der());
        assert_eq!(
            info,
            vec![EntryInfo {
                alias: "client_cert".into(),
                private_key: true,
                chain_len: 1
            }]
        );
    }

    #[test]
    fn every_truncation_and_flipped_byte_is_an_error_not_a_panic() {
        let (bytes, ..) = sample("changeit");
        for n in 0..bytes.len() {
            assert!(
                decode(&bytes[..n], "t.jks", "changeit").is_err(),
                "prefix {n}"
            );
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            assert!(decode(&b, "t.jks", "changeit").is_err(), "flip {i}");
        }
    }

    #[test]
    fn corrupt_bodies_with_a_recomputed_trailer_never_panic() {
        // Past the trailer check the parser still trusts nothing: mutate a
        // real keystore, re-sign it, and read it, thousands of times.
        let (bytes, ..) = sample("changeit");
        let body = &bytes[..bytes.len() - DIGEST_LEN];
        let rng = ring::rand::SystemRandom::new();
        let mut r = [0u8; 8];
        for _ in 0..3000 {
            let mut b = body.to_vec();
            rng.fill(&mut r).unwrap();
            let n = 1 + (r[0] % 4) as usize;
            for k in 0..n {
                let pos = (u16::from_be_bytes([r[1 + k], r[2 + k]]) as usize) % b.len();
                b[pos] = r[5 + (k % 3)];
            }
            if r[7] % 5 == 0 {
                b.truncate(b.len() - (r[6] as usize % 64).min(b.len() - 12));
            }
            let t = trailer("changeit", &b);
            b.extend_from_slice(&t);
            let _ = read(&b, "fuzz.jks", "changeit");
        }
    }

    #[test]
    fn hostile_lengths_with_a_valid_trailer_are_errors() {
        // A body claiming a huge entry, with a correct trailer: the parser
        // must check lengths, not trust them.
        let mut body = Vec::new();
        body.extend_from_slice(&MAGIC);
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&1u16.to_be_bytes());
        body.push(b'a');
        body.extend_from_slice(&0i64.to_be_bytes());
        body.extend_from_slice(&u32::MAX.to_be_bytes());
        let t = trailer("changeit", &body);
        body.extend_from_slice(&t);
        let e = decode(&body, "h.jks", "changeit").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn key_password_other_than_store_password_is_named_with_salesforce_words() {
        let (_, cert, key) = sample("changeit");
        let entry = KeyEntry {
            alias: "other",
            key: &key,
            chain: &[&cert],
            timestamp_ms: 0,
        };
        let bytes = encode(&entry, "changeit", "different", &[7; SALT_LEN]).unwrap();
        let e = read(&bytes, "o.jks", "changeit").unwrap_err();
        assert!(matches!(e, Error::KeyPasswordDiffers { .. }), "{e}");
        assert!(e.to_string().contains("per key password"), "{e}");
    }

    #[test]
    fn pkcs1_key_inside_is_reported_as_pkcs1() {
        let (_, cert, key) = sample("changeit");
        // An RSA PKCS#1 RSAPrivateKey where PKCS#8 belongs.
        let pkcs1 = {
            let text = std::fs::read(format!(
                "{}/testdata/keys/rsa2048-1.pem",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let p8 = pem::parse(text).unwrap().into_contents();
            use rsa::pkcs1::EncodeRsaPrivateKey;
            use rsa::pkcs8::DecodePrivateKey;
            rsa::RsaPrivateKey::from_pkcs8_der(&p8)
                .unwrap()
                .to_pkcs1_der()
                .unwrap()
                .as_bytes()
                .to_vec()
        };
        let bad = PrivateKey::new(
            Zeroizing::new(pkcs1),
            key.algorithm().clone(),
            key.spki_der().to_vec(),
            KeyFormat::Pkcs1,
            Origin::file("k"),
        );
        let entry = KeyEntry {
            alias: "p1",
            key: &bad,
            chain: &[&cert],
            timestamp_ms: 0,
        };
        let bytes = write_with_salt(&entry, "changeit", &[1; SALT_LEN]).unwrap();
        let e = read(&bytes, "p1.jks", "changeit").unwrap_err();
        assert!(e.to_string().contains("PKCS#1, not PKCS#8"), "{e}");
    }

    #[test]
    fn jceks_is_read_with_the_same_trailer() {
        let mut out = Vec::new();
        out.extend_from_slice(&JCEKS_MAGIC);
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        let t = trailer("changeit", &out);
        out.extend_from_slice(&t);
        assert!(decode(&out, "x.jceks", "changeit").unwrap().is_empty());
        assert!(matches!(
            decode(&out, "x.jceks", "wrong!"),
            Err(Error::KeystoreIntegrity { .. })
        ));
    }
}
