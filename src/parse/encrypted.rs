//! Password-protected keys: encrypted PKCS#8 (PBES2: PBKDF2 with AES-CBC
//! or 3DES, via the `pkcs8` crate) and OpenSSL's legacy PEM encryption
//! (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`, key from `EVP_BytesToKey` with
//! MD5 and one iteration). A decryption either yields the plaintext, says
//! the password was wrong, or says the scheme is not supported.

use aes::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// The outcome of one decryption attempt.
pub enum Decrypted {
    Plain(Zeroizing<Vec<u8>>),
    /// Padding or structure wrong: the password (or the file) is wrong.
    WrongPassword,
    /// A scheme chainfix cannot decrypt, with a sentence naming it.
    Unsupported(String),
    /// The container itself is damaged.
    Malformed(String),
}

/// The cipher named in a `DEK-Info` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyCipher {
    DesEde3Cbc,
    DesCbc,
    Aes128Cbc,
    Aes192Cbc,
    Aes256Cbc,
}

impl LegacyCipher {
    fn key_len(self) -> usize {
        match self {
            LegacyCipher::DesEde3Cbc => 24,
            LegacyCipher::DesCbc => 8,
            LegacyCipher::Aes128Cbc => 16,
            LegacyCipher::Aes192Cbc => 24,
            LegacyCipher::Aes256Cbc => 32,
        }
    }
    fn iv_len(self) -> usize {
        match self {
            LegacyCipher::DesEde3Cbc | LegacyCipher::DesCbc => 8,
            _ => 16,
        }
    }
}

/// Parses `DEK-Info: CIPHER,IVHEX`.
pub fn parse_dek_info(value: &str) -> Result<(LegacyCipher, Vec<u8>), String> {
    let (name, iv_hex) = value
        .split_once(',')
        .ok_or_else(|| format!("the DEK-Info header {value:?} has no IV"))?;
    let cipher = match name.trim().to_ascii_uppercase().as_str() {
        "DES-EDE3-CBC" => LegacyCipher::DesEde3Cbc,
        "DES-CBC" => LegacyCipher::DesCbc,
        "AES-128-CBC" => LegacyCipher::Aes128Cbc,
        "AES-192-CBC" => LegacyCipher::Aes192Cbc,
        "AES-256-CBC" => LegacyCipher::Aes256Cbc,
        other => {
            return Err(format!(
                "the legacy PEM cipher {other} is not supported (DES-EDE3-CBC and AES-128/192/256-CBC are); convert the key with `openssl pkey -in KEY -out key.pem`"
            ));
        }
    };
    let iv = hex::decode(iv_hex.trim()).map_err(|_| "the DEK-Info IV is not hex".to_string())?;
    if iv.len() != cipher.iv_len() {
        return Err("the DEK-Info IV has the wrong length".into());
    }
    Ok((cipher, iv))
}

/// OpenSSL's EVP_BytesToKey with MD5, one iteration, salt = first 8 IV bytes.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut prev: Vec<u8> = Vec::new();
    while out.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(password);
        h.update(salt);
        prev = h.finalize().to_vec();
        out.extend_from_slice(&prev);
    }
    out.truncate(len);
    out
}

/// Decrypts a legacy encrypted PEM body.
pub fn decrypt_legacy(cipher: LegacyCipher, iv: &[u8], body: &[u8], password: &[u8]) -> Decrypted {
    let key = bytes_to_key(password, &iv[..8], cipher.key_len());
    fn run<C: BlockModeDecrypt + KeyIvInit>(key: &[u8], iv: &[u8], body: &[u8]) -> Decrypted {
        match C::new_from_slices(key, iv) {
            Ok(c) => match c.decrypt_padded_vec::<Pkcs7>(body) {
                Ok(p) => Decrypted::Plain(Zeroizing::new(p)),
                Err(_) => Decrypted::WrongPassword,
            },
            Err(_) => Decrypted::Unsupported("bad key or IV length".into()),
        }
    }
    match cipher {
        LegacyCipher::DesEde3Cbc => run::<cbc::Decryptor<des::TdesEde3>>(&key, iv, body),
        LegacyCipher::DesCbc => run::<cbc::Decryptor<des::Des>>(&key, iv, body),
        LegacyCipher::Aes128Cbc => run::<cbc::Decryptor<aes::Aes128>>(&key, iv, body),
        LegacyCipher::Aes192Cbc => run::<cbc::Decryptor<aes::Aes192>>(&key, iv, body),
        LegacyCipher::Aes256Cbc => run::<cbc::Decryptor<aes::Aes256>>(&key, iv, body),
    }
}

/// Most PBKDF2 iterations accepted (OpenSSL writes 2,048; OWASP asks
/// 600,000): a damaged or hostile count must not hang the tool.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// Most scrypt memory accepted (128·r·N bytes; OpenSSL writes 16 MiB).
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

/// Why the key-derivation parameters are refused, if they are.
fn too_costly(scheme: &pkcs8::pkcs5::EncryptionScheme) -> Option<String> {
    use pkcs8::pkcs5::pbes2::Kdf;
    match &scheme.pbes2()?.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Some(format!(
            "the key asks for {} PBKDF2 iterations, more than the {MAX_PBKDF2_ITERATIONS} chainfix accepts; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
            p.iteration_count
        )),
        Kdf::Scrypt(p) => {
            let memory = 128u64
                .saturating_mul(p.block_size as u64)
                .saturating_mul(p.cost_parameter);
            (memory > MAX_SCRYPT_MEMORY || p.parallelization > 16).then(|| {
                "the key's scrypt parameters ask for more memory or work than chainfix accepts (1 GiB); re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`".to_string()
            })
        }
        _ => None,
    }
}

/// Decrypts an EncryptedPrivateKeyInfo to PrivateKeyInfo DER.
pub fn decrypt_pkcs8(der_bytes: &[u8], password: &[u8]) -> Decrypted {
    let info = match pkcs8::EncryptedPrivateKeyInfoRef::try_from(der_bytes) {
        Ok(i) => i,
        Err(e) => {
            return Decrypted::Unsupported(format!(
                "not a valid encrypted PKCS#8 key ({e}); it may use a scheme chainfix does not read (PBES2 with PBKDF2 and AES-CBC or 3DES is read)"
            ));
        }
    };
    if let Some(why) = too_costly(&info.encryption_algorithm) {
        return Decrypted::Unsupported(why);
    }
    match info.decrypt(password) {
        Ok(doc) => Decrypted::Plain(Zeroizing::new(doc.as_bytes().to_vec())),
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed)) => {
            Decrypted::WrongPassword
        }
        Err(pkcs8::Error::EncryptedPrivateKey(e)) => Decrypted::Unsupported(format!(
            "the key's encryption scheme is not supported ({e}); re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
        )),
        // The plaintext did not parse: the usual sign of a wrong password.
        Err(_) => Decrypted::WrongPassword,
    }
}

/// The name of a PBES1 / PKCS#12 password-based scheme when the
/// EncryptedPrivateKeyInfo uses one (`openssl pkcs8 -topk8 -v1 …`).
pub fn pbes1_scheme(der_bytes: &[u8]) -> Option<String> {
    use super::der;
    let (outer, _) = der::expect(der_bytes, der::SEQUENCE).ok()?;
    let (alg, _) = der::expect(outer.content, der::SEQUENCE).ok()?;
    let (oid, _) = der::expect(alg.content, der::OID).ok()?;
    let dotted = der::oid_string(oid.content);
    let name = match dotted.as_str() {
        "1.2.840.113549.1.5.3" => "pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.10" => "pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.5.6" => "pbeWithMD5AndRC2-CBC",
        "1.2.840.113549.1.5.11" => "pbeWithSHA1AndRC2-CBC",
        "1.2.840.113549.1.12.1.3" => "PBE-SHA1-3DES",
        "1.2.840.113549.1.12.1.4" => "PBE-SHA1-2DES",
        "1.2.840.113549.1.12.1.5" => "PBE-SHA1-RC2-128",
        "1.2.840.113549.1.12.1.6" => "PBE-SHA1-RC2-40",
        "1.2.840.113549.1.12.1.1" => "PBE-SHA1-RC4-128",
        "1.2.840.113549.1.12.1.2" => "PBE-SHA1-RC4-40",
        _ => return None,
    };
    Some(name.to_string())
}

/// OID content of pbeWithSHAAnd3-KeyTripleDES-CBC and …2-KeyTripleDES-CBC
/// (RFC 7292 appendix C), what `openssl pkcs8 -topk8` wrote by default
/// before OpenSSL 1.1.
const PBE_SHA1_3DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
const PBE_SHA1_2DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x04];

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1.
fn pkcs12_kdf(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    id: u8,
    n: usize,
) -> Zeroizing<Vec<u8>> {
    use sha1::{Digest as _, Sha1};
    const V: usize = 64;
    // The password as a NUL-terminated BMPString.
    let text = String::from_utf8_lossy(password);
    let mut bmp: Zeroizing<Vec<u8>> =
        Zeroizing::new(text.encode_utf16().flat_map(u16::to_be_bytes).collect());
    bmp.extend([0, 0]);
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = V * src.len().div_ceil(V);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = Zeroizing::new([fill(salt), fill(&bmp)].concat());
    let d = [id; V];
    let mut out = Zeroizing::new(Vec::with_capacity(n + 20));
    while out.len() < n {
        let mut a = Sha1::new()
            .chain_update(d)
            .chain_update(&i_buf[..])
            .finalize()
            .to_vec();
        for _ in 1..iterations {
            a = Sha1::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for block in i_buf.chunks_mut(V) {
            // block = (block + b + 1) mod 2^(8V)
            let mut carry = 1u16;
            for k in (0..V).rev() {
                let sum = block[k] as u16 + b[k] as u16 + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

/// True when an EncryptedPrivateKeyInfo names PBE-SHA1-3DES or -2DES.
pub fn uses_pkcs12_pbe(der_bytes: &[u8]) -> bool {
    use super::der;
    (|| {
        let (outer, _) = der::expect(der_bytes, der::SEQUENCE).ok()?;
        let (alg, _) = der::expect(outer.content, der::SEQUENCE).ok()?;
        let (oid, _) = der::expect(alg.content, der::OID).ok()?;
        Some(oid.content == PBE_SHA1_3DES || oid.content == PBE_SHA1_2DES)
    })()
    .unwrap_or(false)
}

/// Decrypts an EncryptedPrivateKeyInfo that uses PBE-SHA1-3DES or
/// PBE-SHA1-2DES; `None` when it uses another scheme.
pub fn decrypt_pkcs12_pbe(der_bytes: &[u8], password: &[u8]) -> Option<Decrypted> {
    use super::der;
    let parsed = (|| {
        let (outer, _) = der::expect(der_bytes, der::SEQUENCE).ok()?;
        let (alg, rest) = der::expect(outer.content, der::SEQUENCE).ok()?;
        let (data, _) = der::expect(rest, der::OCTET_STRING).ok()?;
        let (oid, params) = der::expect(alg.content, der::OID).ok()?;
        let (params, _) = der::expect(params, der::SEQUENCE).ok()?;
        let (salt, rest) = der::expect(params.content, der::OCTET_STRING).ok()?;
        let (iter, _) = der::expect(rest, der::INTEGER).ok()?;
        let iterations = der::strip_leading_zeros(iter.content)
            .iter()
            .try_fold(0u32, |acc, &b| acc.checked_mul(256).map(|a| a + b as u32))?;
        Some((oid.content, salt.content, iterations, data.content))
    })();
    let (oid, salt, iterations, data) = parsed?;
    if oid != PBE_SHA1_3DES && oid != PBE_SHA1_2DES {
        return None;
    }
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Some(Decrypted::Malformed(
            "the PBE iteration count is out of range".into(),
        ));
    }
    let key = if oid == PBE_SHA1_3DES {
        pkcs12_kdf(password, salt, iterations, 1, 24)
    } else {
        let k = pkcs12_kdf(password, salt, iterations, 1, 16);
        Zeroizing::new([&k[..], &k[..8]].concat())
    };
    let iv = pkcs12_kdf(password, salt, iterations, 2, 8);
    let c = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv).ok()?;
    Some(match c.decrypt_padded_vec::<Pkcs7>(data) {
        Ok(p) => Decrypted::Plain(Zeroizing::new(p)),
        Err(_) => Decrypted::WrongPassword,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // openssl enc -aes-256-cbc -P -md md5 -S 0001020304050607 -pass pass:secret
        let key = bytes_to_key(b"secret", &[0, 1, 2, 3, 4, 5, 6, 7], 32);
        assert_eq!(
            hex::encode_upper(&key[..]),
            "035FB8145B73CF111570DC936112BE9C375A5D3D8B915BC213BDBEF9DBFB7851"
        );
    }

    #[test]
    fn hostile_pbkdf2_iteration_count_is_refused_not_run() {
        use crate::parse::der::{OCTET_STRING, OID, seq, tlv};
        let oid = |b: &[u8]| tlv(OID, b);
        let pbes2 = oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d]);
        let pbkdf2 = oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c]);
        let hmac256 = seq(&[
            &oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09]),
            &tlv(0x05, &[]),
        ]);
        let aes256 = oid(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a]);
        let kdf_params = seq(&[
            &tlv(OCTET_STRING, &[7; 8]),
            &tlv(0x02, &[0x7f, 0xff, 0xff, 0xff]),
            &hmac256,
        ]);
        let params = seq(&[
            &seq(&[&pbkdf2, &kdf_params]),
            &seq(&[&aes256, &tlv(OCTET_STRING, &[1; 16])]),
        ]);
        let info = seq(&[&seq(&[&pbes2, &params]), &tlv(OCTET_STRING, &[9; 32])]);
        match decrypt_pkcs8(&info, b"pw") {
            Decrypted::Unsupported(why) => assert!(why.contains("2147483647"), "{why}"),
            _ => panic!("a 2^31 iteration count must be refused"),
        }
    }

    #[test]
    fn dek_info() {
        let (c, iv) = parse_dek_info("AES-256-CBC,000102030405060708090A0B0C0D0E0F").unwrap();
        assert_eq!(c, LegacyCipher::Aes256Cbc);
        assert_eq!(iv.len(), 16);
        assert!(parse_dek_info("DES-EDE3-CBC,0001").is_err());
        assert!(parse_dek_info("BF-CBC,0001020304050607").is_err());
    }
}
