//! JCEKS, the SunJCE keystore (`keytool -storetype JCEKS`): the JKS layout
//! (read by [`super::jks`]) with magic `CECECECE`, private keys protected
//! with Sun's PBEWithMD5AndTripleDES (OID 1.3.6.1.4.1.42.2.19.1) instead
//! of the JKS XOR protector, and secret-key entries (tag 3, serialised Java
//! objects) that chainfix does not read.
//!
//! The key derivation is SunJCE's `PBES1Core` for DESede: the 8-byte salt
//! is split in halves (the first half reversed if both are equal); each
//! half is hashed `iterations` times as MD5(previous ‖ password), giving
//! 2 × 16 bytes: a 24-byte 3DES key, then an 8-byte CBC IV.

use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

use crate::parse::der;

/// Content octets of the PBEWithMD5AndTripleDES OID.
pub const KEY_PROTECTOR_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13, 0x01];

/// Most iterations accepted (keytool writes 200,000 at most today).
const MAX_ITERATIONS: u32 = 10_000_000;

/// Why a protected key could not be recovered.
#[derive(Debug, PartialEq, Eq)]
pub enum Recover {
    /// Padding failed or the result is no PKCS#8: the key password is wrong.
    WrongPassword,
    /// The structure is not what SunJCE writes.
    Malformed(String),
}

/// The PKCS#8 key inside an EncryptedPrivateKeyInfo protected with
/// PBEWithMD5AndTripleDES, decrypted with `password`.
pub fn recover(epki: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, Recover> {
    let bad = |d: &str| Recover::Malformed(format!("the protected key {d}"));
    let (outer, _) = der::expect(epki, der::SEQUENCE).map_err(|_| bad("is not DER"))?;
    let (alg, rest) =
        der::expect(outer.content, der::SEQUENCE).map_err(|_| bad("has no algorithm"))?;
    let (data, _) = der::expect(rest, der::OCTET_STRING).map_err(|_| bad("has no data"))?;
    let (oid, params) = der::expect(alg.content, der::OID).map_err(|_| bad("has no OID"))?;
    if oid.content != KEY_PROTECTOR_OID {
        return Err(Recover::Malformed(format!(
            "the key is protected with {}, not SunJCE's PBEWithMD5AndTripleDES",
            der::oid_string(oid.content)
        )));
    }
    let (params, _) = der::expect(params, der::SEQUENCE).map_err(|_| bad("has no parameters"))?;
    let (salt, rest) =
        der::expect(params.content, der::OCTET_STRING).map_err(|_| bad("has no salt"))?;
    let (iter, _) = der::expect(rest, der::INTEGER).map_err(|_| bad("has no iteration count"))?;
    let iterations = der::strip_leading_zeros(iter.content)
        .iter()
        .try_fold(0u32, |a, &b| a.checked_mul(256).map(|a| a + b as u32))
        .filter(|&n| (1..=MAX_ITERATIONS).contains(&n))
        .ok_or_else(|| bad("has an iteration count out of range"))?;
    if salt.content.len() != 8 {
        return Err(bad("has a salt that is not 8 bytes"));
    }
    // SunJCE's PBEKey: the password's characters as bytes.
    if !password.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(Recover::WrongPassword);
    }
    let derived = derive(password.as_bytes(), salt.content, iterations);
    let c = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&derived[..24], &derived[24..])
        .map_err(|_| bad("could not be set up"))?;
    let plain = c
        .decrypt_padded_vec::<Pkcs7>(data.content)
        .map_err(|_| Recover::WrongPassword)?;
    let plain = Zeroizing::new(plain);
    if pkcs8::PrivateKeyInfoRef::try_from(plain.as_slice()).is_err() {
        return Err(Recover::WrongPassword);
    }
    Ok(plain)
}

fn derive(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; 32]> {
    let mut salt: [u8; 8] = salt.try_into().expect("8 bytes, checked");
    if salt[..4] == salt[4..] {
        salt[..4].reverse();
    }
    let mut out = Zeroizing::new([0u8; 32]);
    for (i, half) in salt.chunks(4).enumerate() {
        let mut h: Vec<u8> = half.to_vec();
        for _ in 0..iterations {
            h = Md5::new()
                .chain_update(&h)
                .chain_update(password)
                .finalize()
                .to_vec();
        }
        out[i * 16..i * 16 + 16].copy_from_slice(&h);
    }
    out
}
