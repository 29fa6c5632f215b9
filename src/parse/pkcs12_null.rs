//! PKCS#12 files protected with OpenSSL's *null* password: what
//! `PKCS12_create(NULL, …)` writes (Python's `cryptography` with older
//! OpenSSL, many tools that "export without a password"). RFC 7292
//! appendix B.1 encodes an empty password as the BMPString terminator
//! `00 00`; OpenSSL's null password is zero bytes instead, so the MAC key
//! and the PBES1 keys differ and the `p12-keystore` crate (which takes the
//! password as text) cannot open them. OpenSSL tries both when given an
//! empty password (`apps/pkcs12.c`, "If we enter empty password try no
//! password first"); so does chainfix.
//!
//! Only a file whose MAC verifies with the null password is read here:
//! then every bag is decrypted with it (PBES1 3DES/2DES/RC2 by the PKCS#12
//! key derivation over zero bytes, PBES2 with an empty password) or taken
//! as it is (unencrypted key and certificate bags).

use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit, block_padding::Pkcs7};
use hmac::{KeyInit, Mac};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use zeroize::Zeroizing;

use super::der::{self, INTEGER, OCTET_STRING, OID, SEQUENCE};
use super::encrypted::{self, Decrypted};
use super::pkcs12::Contents;

const PKCS1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01];
const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
];
const SHROUDED_KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const CERT_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
];
const X509_CERT: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
/// pbeWithSHAAnd… (RFC 7292 appendix C): the last arc names the cipher.
const PBE_PREFIX: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];
const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA2_PREFIX: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];

/// Most iterations accepted, as for every other password-based scheme.
const MAX_ITERATIONS: u32 = 10_000_000;

/// The contents, when the file's MAC verifies with the null password;
/// `None` otherwise (including any structure this reader does not expect:
/// the ordinary reader then has its say).
pub fn open(bytes: &[u8]) -> Option<Contents> {
    let (pfx, _) = der::expect(bytes, SEQUENCE).ok()?;
    let kids = der::children(pfx.content).ok()?;
    let [version, auth_safe, mac_data] = kids.as_slice() else {
        return None;
    };
    if version.tag != INTEGER || version.content != [3] {
        return None;
    }
    let data = data_content(auth_safe)?;
    if !mac_verifies(mac_data, data) {
        return None;
    }
    let mut out = Contents {
        keys: Vec::new(),
        certs: Vec::new(),
    };
    for ci in der::children(der::expect(data, SEQUENCE).ok()?.0.content).ok()? {
        let (oid, rest) = der::expect(ci.content, OID).ok()?;
        let safe_contents: Zeroizing<Vec<u8>> = if oid.content == DATA {
            Zeroizing::new(data_content(&ci)?.to_vec())
        } else if oid.content == ENCRYPTED_DATA {
            // [0] { EncryptedData { version, EncryptedContentInfo { type, alg, [0] data } } }
            let (wrapper, _) = der::read(rest).ok()?;
            let (ed, _) = der::expect(wrapper.content, SEQUENCE).ok()?;
            let f = der::children(ed.content).ok()?;
            let eci = der::children(f.get(1)?.content).ok()?;
            let (alg, enc) = (eci.get(1)?, eci.get(2)?);
            let ciphertext = if enc.constructed {
                // [0] constructed: OCTET STRING pieces.
                der::children(enc.content)
                    .ok()?
                    .iter()
                    .flat_map(|t| t.content.iter().copied())
                    .collect()
            } else {
                enc.content.to_vec()
            };
            decrypt(alg.raw, &ciphertext)?
        } else {
            return None;
        };
        read_bags(&safe_contents, &mut out)?;
    }
    Some(out)
}

/// The OCTET STRING inside a `data` ContentInfo's `[0]`.
fn data_content<'a>(ci: &der::Tlv<'a>) -> Option<&'a [u8]> {
    let (oid, rest) = der::expect(ci.content, OID).ok()?;
    if oid.content != DATA {
        return None;
    }
    let (explicit, _) = der::read(rest).ok()?;
    let (octets, _) = der::expect(explicit.content, OCTET_STRING).ok()?;
    Some(octets.content)
}

/// MacData { DigestInfo { alg, digest }, salt, iterations } checked with
/// the null password.
fn mac_verifies(mac_data: &der::Tlv<'_>, data: &[u8]) -> bool {
    (|| {
        let f = der::children(mac_data.content).ok()?;
        let digest_info = der::children(f.first()?.content).ok()?;
        let (alg_oid, _) = der::expect(digest_info.first()?.content, OID).ok()?;
        let digest = digest_info.get(1)?.content;
        let salt = f.get(1)?.content;
        let iterations = f.get(2).map_or(Some(1), |t| uint(t.content))?;
        let h = alg_oid.content;
        macro_rules! check {
            ($d:ty) => {{
                let key = derive_key::<$d>(
                    b"",
                    salt,
                    Pkcs12KeyType::Mac,
                    iterations as i32,
                    <$d as sha2::Digest>::output_size(),
                );
                let mut m = hmac::Hmac::<$d>::new_from_slice(&key).ok()?;
                m.update(data);
                Some(m.verify_slice(digest).is_ok())
            }};
        }
        if h == SHA1 {
            check!(sha1::Sha1)
        } else if h.starts_with(SHA2_PREFIX) {
            match h.last()? {
                1 => check!(sha2::Sha256),
                2 => check!(sha2::Sha384),
                3 => check!(sha2::Sha512),
                _ => None,
            }
        } else {
            None
        }
    })()
    .unwrap_or(false)
}

fn uint(content: &[u8]) -> Option<u32> {
    der::strip_leading_zeros(content)
        .iter()
        .try_fold(0u32, |a, &b| a.checked_mul(256).map(|a| a + b as u32))
        .filter(|&n| (1..=MAX_ITERATIONS).contains(&n))
}

/// Decrypts with the null password: PBES1 by the PKCS#12 derivation over
/// zero bytes, PBES2 (whose password is raw bytes) with an empty one.
fn decrypt(alg_raw: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (alg, _) = der::expect(alg_raw, SEQUENCE).ok()?;
    let (oid, params) = der::expect(alg.content, OID).ok()?;
    if !oid.content.starts_with(PBE_PREFIX) || oid.content.len() != PBE_PREFIX.len() + 1 {
        if !oid.content.starts_with(PKCS1) {
            return None;
        }
        // PBES2 and friends: as an EncryptedPrivateKeyInfo, empty password.
        let epki = der::seq(&[alg_raw, &der::tlv(OCTET_STRING, ciphertext)]);
        return match encrypted::decrypt_pkcs8(&epki, b"") {
            Decrypted::Plain(p) => Some(p),
            _ => None,
        };
    }
    let (params, _) = der::expect(params, SEQUENCE).ok()?;
    let (salt, rest) = der::expect(params.content, OCTET_STRING).ok()?;
    let (iter, _) = der::expect(rest, INTEGER).ok()?;
    let rounds = uint(iter.content)? as i32;
    let kdf = |id, n| Zeroizing::new(derive_key::<sha1::Sha1>(b"", salt.content, id, rounds, n));
    let iv = kdf(Pkcs12KeyType::Iv, 8);
    let plain = match oid.content.last()? {
        // pbeWithSHAAnd3-KeyTripleDES-CBC, …2-KeyTripleDES-CBC
        3 | 4 => {
            let k = kdf(Pkcs12KeyType::EncryptionKey, 24);
            let key: Zeroizing<Vec<u8>> = if oid.content.last() == Some(&4) {
                Zeroizing::new([&k[..16], &k[..8]].concat())
            } else {
                k
            };
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .ok()?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .ok()?
        }
        // pbeWithSHAAnd128BitRC2-CBC, pbeWithSHAAnd40BitRC2-CBC
        5 | 6 => {
            let bits = if oid.content.last() == Some(&5) {
                128
            } else {
                40
            };
            let key = kdf(Pkcs12KeyType::EncryptionKey, bits / 8);
            let cipher = rc2::Rc2::new_with_eff_key_len(&key, bits);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                .ok()?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .ok()?
        }
        _ => return None,
    };
    Some(Zeroizing::new(plain))
}

/// SafeContents: key bags, shrouded key bags and X.509 certificate bags.
/// Other bags (CRLs, secrets) are passed over, as `p12-keystore` does.
fn read_bags(safe_contents: &[u8], out: &mut Contents) -> Option<()> {
    let (seq, _) = der::expect(safe_contents, SEQUENCE).ok()?;
    for bag in der::children(seq.content).ok()? {
        let (id, rest) = der::expect(bag.content, OID).ok()?;
        let (value, _) = der::read(rest).ok()?;
        let (inner, _) = der::read(value.content).ok()?;
        if id.content == KEY_BAG {
            out.keys.push(inner.raw.to_vec());
        } else if id.content == SHROUDED_KEY_BAG {
            let f = der::children(inner.content).ok()?;
            let (alg, data) = (f.first()?, f.get(1)?);
            out.keys.push(decrypt(alg.raw, data.content)?.to_vec());
        } else if id.content == CERT_BAG {
            let f = der::children(inner.content).ok()?;
            let (kind, _) = der::expect(f.first()?.raw, OID).ok()?;
            if kind.content == X509_CERT {
                let (octets, _) = der::expect(f.get(1)?.content, OCTET_STRING).ok()?;
                out.certs.push(octets.content.to_vec());
            }
        }
    }
    Some(())
}
