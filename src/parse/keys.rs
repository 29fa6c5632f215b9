//! Private keys in every unencrypted form (PKCS#8, PKCS#1 RSA, SEC1 EC,
//! Ed25519 in PKCS#8) → [`PrivateKey`]: unencrypted PKCS#8 DER, the
//! matching SubjectPublicKeyInfo and the algorithm. An EC key stored
//! without its public point gets it derived (P-256, P-384). Errors never
//! quote key bytes.

use zeroize::Zeroizing;

use super::der::{self, INTEGER, OCTET_STRING, OID, SEQUENCE, Tlv};
use crate::model::{KeyAlgorithm, KeyFormat, Origin, PrivateKey};

// OID content octets.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

const EXPLICIT_CURVE: &str = "the EC key spells out its curve parameters instead of naming the curve; convert it with `openssl ec -in KEY -param_enc named_curve -out key.pem`";

fn curve_name(oid: &[u8]) -> String {
    match oid {
        P256 => "P-256".into(),
        P384 => "P-384".into(),
        P521 => "P-521".into(),
        other => der::oid_string(other),
    }
}

/// Why a key could not be read. Neither variant ever quotes key bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    Malformed(String),
    Unsupported(String),
}

impl From<String> for KeyError {
    fn from(s: String) -> KeyError {
        KeyError::Malformed(s)
    }
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Malformed(s) | KeyError::Unsupported(s) => f.write_str(s),
        }
    }
}

/// What kind of unencrypted key DER this is, judged by its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Pkcs8,
    Pkcs1,
    Sec1,
}

/// Guesses the key structure from the DER, for files without a PEM label.
pub fn shape(der_bytes: &[u8]) -> Option<Shape> {
    let (outer, _) = der::expect(der_bytes, SEQUENCE).ok()?;
    let kids = der::children(outer.content).ok()?;
    let first = kids.first()?;
    if first.tag != INTEGER {
        return None;
    }
    match (kids.get(1).map(|t| t.tag), kids.get(2).map(|t| t.tag)) {
        (Some(SEQUENCE), Some(OCTET_STRING)) => Some(Shape::Pkcs8),
        (Some(OCTET_STRING), _) if first.content == [1] => Some(Shape::Sec1),
        (Some(INTEGER), Some(INTEGER)) if kids.len() >= 9 && first.content == [0] => {
            Some(Shape::Pkcs1)
        }
        _ => None,
    }
}

/// Reads a key of the given shape. `format` is what the report will say it
/// was stored as (it differs from the shape for decrypted keys).
pub fn read(
    der_bytes: &[u8],
    shape: Shape,
    format: KeyFormat,
    origin: Origin,
) -> Result<PrivateKey, KeyError> {
    match shape {
        Shape::Pkcs8 => from_pkcs8(der_bytes, format, origin),
        Shape::Pkcs1 => from_pkcs1(der_bytes, format, origin),
        Shape::Sec1 => from_sec1(der_bytes, None, format, origin),
    }
}

fn alg_id(oid: &[u8], params: &[u8]) -> Vec<u8> {
    der::seq(&[&der::tlv(OID, oid), params])
}

fn rsa_alg_id() -> Vec<u8> {
    alg_id(RSA_ENCRYPTION, &der::tlv(der::NULL, &[]))
}

/// PrivateKeyInfo → key. Keeps the original DER unless it has to be
/// completed (an EC key without its public point).
pub fn from_pkcs8(
    der_bytes: &[u8],
    format: KeyFormat,
    origin: Origin,
) -> Result<PrivateKey, KeyError> {
    let bad = |what: &str| KeyError::Malformed(format!("not a valid PKCS#8 private key ({what})"));
    let (outer, rest) = der::expect(der_bytes, SEQUENCE).map_err(|e| bad(&e))?;
    if !rest.is_empty() {
        return Err(bad("unexpected data after the key"));
    }
    let kids = der::children(outer.content).map_err(|e| bad(&e))?;
    let [version, alg, key, ..] = kids.as_slice() else {
        return Err(bad("too few fields"));
    };
    if version.tag != INTEGER || alg.tag != SEQUENCE || key.tag != OCTET_STRING {
        return Err(bad("unexpected field types"));
    }
    let alg_kids = der::children(alg.content).map_err(|e| bad(&e))?;
    let oid = alg_kids
        .first()
        .filter(|t| t.tag == OID)
        .ok_or_else(|| bad("no algorithm"))?;
    match oid.content {
        RSA_ENCRYPTION => {
            let (algorithm, spki) = rsa_public(key.content)?;
            Ok(PrivateKey::new(
                Zeroizing::new(der_bytes.to_vec()),
                algorithm,
                spki,
                format,
                origin,
            ))
        }
        EC_PUBLIC_KEY => {
            let curve = match alg_kids.get(1) {
                Some(t) if t.tag == OID => t,
                Some(t) if t.tag == SEQUENCE => {
                    return Err(KeyError::Unsupported(EXPLICIT_CURVE.into()));
                }
                _ => return Err(bad("EC key without a named curve")),
            };
            let mut k = from_sec1(key.content, Some(curve.content), format, origin)?;
            // Keep the bytes as given when they were complete already.
            if sec1_has_public(key.content) {
                k = PrivateKey::new(
                    Zeroizing::new(der_bytes.to_vec()),
                    k.algorithm().clone(),
                    k.spki_der().to_vec(),
                    format,
                    k.first_origin().clone(),
                );
            }
            Ok(k)
        }
        ED25519 => {
            let (seed, _) = der::expect(key.content, OCTET_STRING).map_err(|e| bad(&e))?;
            if seed.content.len() != 32 {
                return Err(bad("Ed25519 seed is not 32 bytes"));
            }
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.content)
                .map_err(|_| bad("Ed25519 seed rejected"))?;
            use ring::signature::KeyPair;
            let spki = der::seq(&[
                &der::seq(&[&der::tlv(OID, ED25519)]),
                &der::bit_string(pair.public_key().as_ref()),
            ]);
            Ok(PrivateKey::new(
                Zeroizing::new(der_bytes.to_vec()),
                KeyAlgorithm::Ed25519,
                spki,
                format,
                origin,
            ))
        }
        other => {
            let oid = der::oid_string(other);
            let name = match oid.as_str() {
                "1.2.840.10040.4.1" => "DSA",
                "1.3.101.113" => "Ed448",
                "1.3.101.110" => "X25519",
                "1.3.101.111" => "X448",
                "1.2.840.113549.1.3.1" => "Diffie-Hellman",
                "1.2.840.113549.1.1.10" => "RSA-PSS (a key restricted to PSS signatures)",
                _ => oid.as_str(),
            };
            Err(KeyError::Unsupported(format!(
                "the key algorithm {name} is not supported; use an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 key, e.g. a new one from `chainfix csr`"
            )))
        }
    }
}

/// RSAPrivateKey content → (algorithm, SPKI).
fn rsa_public(pkcs1: &[u8]) -> Result<(KeyAlgorithm, Vec<u8>), KeyError> {
    let bad = |what: &str| KeyError::Malformed(format!("not a valid RSA private key ({what})"));
    let (outer, rest) = der::expect(pkcs1, SEQUENCE).map_err(|e| bad(&e))?;
    if !rest.is_empty() {
        return Err(bad("unexpected data after the key"));
    }
    let kids = der::children(outer.content).map_err(|e| bad(&e))?;
    if kids.len() < 9 || kids.iter().take(9).any(|t| t.tag != INTEGER) {
        return Err(bad("expected nine integers"));
    }
    let (n, e) = (&kids[1], &kids[2]);
    let bits = der::uint_bits(n.content);
    if bits < 256 {
        return Err(bad("modulus too small"));
    }
    let public = der::seq(&[n.raw, e.raw]);
    let spki = der::seq(&[&rsa_alg_id(), &der::bit_string(&public)]);
    Ok((KeyAlgorithm::Rsa { bits }, spki))
}

/// PKCS#1 RSAPrivateKey → key, wrapped in PKCS#8.
pub fn from_pkcs1(
    der_bytes: &[u8],
    format: KeyFormat,
    origin: Origin,
) -> Result<PrivateKey, KeyError> {
    let (algorithm, spki) = rsa_public(der_bytes)?;
    let pkcs8 = Zeroizing::new(der::seq(&[
        &der::tlv(INTEGER, &[0]),
        &rsa_alg_id(),
        &der::tlv(OCTET_STRING, der_bytes),
    ]));
    Ok(PrivateKey::new(pkcs8, algorithm, spki, format, origin))
}

fn sec1_has_public(sec1: &[u8]) -> bool {
    der::expect(sec1, SEQUENCE)
        .and_then(|(o, _)| der::children(o.content))
        .map(|k| k.iter().any(|t| t.tag == 0xa1))
        .unwrap_or(false)
}

/// SEC1 ECPrivateKey → key, wrapped in PKCS#8 with its public point
/// (derived when absent). `curve` comes from the PKCS#8 wrapper, if any.
pub fn from_sec1(
    der_bytes: &[u8],
    curve: Option<&[u8]>,
    format: KeyFormat,
    origin: Origin,
) -> Result<PrivateKey, KeyError> {
    let bad = |what: &str| KeyError::Malformed(format!("not a valid EC private key ({what})"));
    let (outer, _) = der::expect(der_bytes, SEQUENCE).map_err(|e| bad(&e))?;
    let kids = der::children(outer.content).map_err(|e| bad(&e))?;
    let [version, scalar, tail @ ..] = kids.as_slice() else {
        return Err(bad("too few fields"));
    };
    if version.tag != INTEGER || version.content != [1] || scalar.tag != OCTET_STRING {
        return Err(bad("unexpected field types"));
    }
    let tagged = |tag: u8| -> Option<Tlv<'_>> {
        tail.iter()
            .find(|t| t.tag == tag)
            .and_then(|t| der::read(t.content).ok().map(|(inner, _)| inner))
    };
    if tagged(0xa0).is_some_and(|t| t.tag == SEQUENCE) {
        return Err(KeyError::Unsupported(EXPLICIT_CURVE.into()));
    }
    let inner_curve = tagged(0xa0).filter(|t| t.tag == OID).map(|t| t.content);
    let curve = match (curve, inner_curve) {
        (Some(a), Some(b)) if a != b => return Err(bad("two different curves named")),
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(bad("no named curve")),
    };
    let point = match tagged(0xa1).filter(|t| t.tag == der::BIT_STRING) {
        Some(bits) => {
            let p = bits.content.get(1..).unwrap_or_default();
            if p.is_empty() {
                return Err(bad("empty public key"));
            }
            p.to_vec()
        }
        None => derive_point(curve, scalar.content)?,
    };
    let expected_len = match curve {
        P256 => Some((32, 65)),
        P384 => Some((48, 97)),
        P521 => Some((66, 133)),
        _ => None,
    };
    if let Some((s, p)) = expected_len
        && (scalar.content.len() != s || point.len() != p)
    {
        return Err(bad("key length does not fit the curve"));
    }
    let curve_params = der::tlv(OID, curve);
    let spki = der::seq(&[
        &alg_id(EC_PUBLIC_KEY, &curve_params),
        &der::bit_string(&point),
    ]);
    let inner = Zeroizing::new(der::seq(&[
        &der::tlv(INTEGER, &[1]),
        scalar.raw,
        &der::tlv(0xa1, &der::bit_string(&point)),
    ]));
    let pkcs8 = Zeroizing::new(der::seq(&[
        &der::tlv(INTEGER, &[0]),
        &alg_id(EC_PUBLIC_KEY, &curve_params),
        &der::tlv(OCTET_STRING, &inner),
    ]));
    Ok(PrivateKey::new(
        pkcs8,
        KeyAlgorithm::Ec {
            curve: curve_name(curve),
        },
        spki,
        format,
        origin,
    ))
}

/// The uncompressed public point for a private scalar.
fn derive_point(curve: &[u8], scalar: &[u8]) -> Result<Vec<u8>, KeyError> {
    let bad = || {
        KeyError::Malformed(
            "not a valid EC private key (the private scalar is out of range)".to_string(),
        )
    };
    match curve {
        P256 => {
            let sk = p256::SecretKey::from_slice(scalar).map_err(|_| bad())?;
            Ok(sk.public_key().to_sec1_bytes().to_vec())
        }
        P384 => {
            let sk = p384::SecretKey::from_slice(scalar).map_err(|_| bad())?;
            Ok(sk.public_key().to_sec1_bytes().to_vec())
        }
        other => Err(KeyError::Unsupported(format!(
            "the EC key on curve {} carries no public key and chainfix cannot derive it; convert it with `openssl ec -in KEY -out KEY.pem`",
            curve_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::file("t")
    }

    #[test]
    fn ring_ec_pkcs8_kept_byte_for_byte_and_sec1_without_point_derived() {
        let rng = ring::rand::SystemRandom::new();
        for alg in [
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        ] {
            let doc = ring::signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
            let pair = ring::signature::EcdsaKeyPair::from_pkcs8(alg, doc.as_ref(), &rng).unwrap();
            let k = from_pkcs8(doc.as_ref(), KeyFormat::Pkcs8, origin()).unwrap();
            assert_eq!(k.pkcs8_der(), doc.as_ref());
            use ring::signature::KeyPair;
            let (spki, _) = der::read(k.spki_der()).unwrap();
            let kids = der::children(spki.content).unwrap();
            assert_eq!(&kids[1].content[1..], pair.public_key().as_ref());

            // Strip the public key from the inner SEC1 and read it standalone.
            let (outer, _) = der::read(doc.as_ref()).unwrap();
            let okids = der::children(outer.content).unwrap();
            let curve = der::children(okids[1].content).unwrap()[1].content.to_vec();
            let (sec1, _) = der::read(okids[2].content).unwrap();
            let sk = der::children(sec1.content).unwrap();
            let bare = der::seq(&[
                sk[0].raw,
                sk[1].raw,
                &der::tlv(0xa0, &der::tlv(OID, &curve)),
            ]);
            assert_eq!(shape(&bare), Some(Shape::Sec1));
            let k2 = from_sec1(&bare, None, KeyFormat::Sec1, origin()).unwrap();
            assert_eq!(k2.spki_der(), k.spki_der());
            // The rebuilt PKCS#8 is one ring accepts.
            ring::signature::EcdsaKeyPair::from_pkcs8(alg, k2.pkcs8_der(), &rng).unwrap();
        }
    }

    #[test]
    fn ed25519() {
        let rng = ring::rand::SystemRandom::new();
        let doc = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        // ring writes v2 with the public key; build a v1 (seed only) like openssl.
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap();
        let (outer, _) = der::read(doc.as_ref()).unwrap();
        let kids = der::children(outer.content).unwrap();
        let v1 = der::seq(&[&der::tlv(INTEGER, &[0]), kids[1].raw, kids[2].raw]);
        assert_eq!(shape(&v1), Some(Shape::Pkcs8));
        let k = from_pkcs8(&v1, KeyFormat::Pkcs8, origin()).unwrap();
        assert_eq!(k.algorithm(), &KeyAlgorithm::Ed25519);
        use ring::signature::KeyPair;
        assert!(k.spki_der().ends_with(pair.public_key().as_ref()));
    }

    #[test]
    fn rsa_pkcs1_and_pkcs8_agree() {
        let pem_text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/keys/rsa2048-1.pem"
        ))
        .unwrap();
        let blocks = crate::parse::pem::scan(pem_text.as_bytes());
        let der8 = blocks[0].body.as_ref().unwrap();
        let shape8 = shape(der8).unwrap();
        let k = read(der8, shape8, KeyFormat::Pkcs8, origin()).unwrap();
        assert_eq!(k.algorithm(), &KeyAlgorithm::Rsa { bits: 2048 });
        // Unwrap to PKCS#1 and read again.
        let (outer, _) = der::read(der8).unwrap();
        let kids = der::children(outer.content).unwrap();
        let pkcs1 = kids[2].content;
        assert_eq!(shape(pkcs1), Some(Shape::Pkcs1));
        let k1 = from_pkcs1(pkcs1, KeyFormat::Pkcs1, origin()).unwrap();
        assert_eq!(k1.spki_der(), k.spki_der());
        ring::signature::RsaKeyPair::from_pkcs8(k1.pkcs8_der()).unwrap();
    }

    #[test]
    fn garbage_is_an_error_without_key_bytes() {
        let e =
            from_pkcs8(&[0x30, 0x03, 0x02, 0x01, 0x00], KeyFormat::Pkcs8, origin()).unwrap_err();
        assert!(e.to_string().contains("PKCS#8"));
        assert!(from_pkcs1(&[0x30, 0x00], KeyFormat::Pkcs1, origin()).is_err());
        assert!(from_sec1(&[0x30, 0x00], None, KeyFormat::Sec1, origin()).is_err());
    }
}
