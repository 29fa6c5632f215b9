//! From a PKCS#8 PrivateKeyInfo to a [`PrivateKey`]: the public key is
//! derived from the private key itself (never taken from a certificate), so
//! "does this key match the leaf" stays a real question. RSA goes through
//! the `rsa` crate because ring refuses keys under 2048 bits, and a 1024-bit
//! key must still be read to be reported; EC and Ed25519 go through rcgen.

use zeroize::Zeroizing;

use crate::model::{KeyFormat, Origin, PrivateKey, key_algorithm_of};

const RSA_OID: &str = "1.2.840.113549.1.1.1";

/// Reads an unencrypted PKCS#8 PrivateKeyInfo. The error is a detail for
/// an `Error::Malformed` sentence.
pub fn from_pkcs8(der: &[u8], format: KeyFormat, origin: Origin) -> Result<PrivateKey, String> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der)
        .map_err(|e| format!("not a PKCS#8 private key ({e})"))?;
    let spki = if info.algorithm.oid.to_string() == RSA_OID {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        let k = rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map_err(|e| format!("not a valid RSA private key ({e})"))?;
        k.to_public_key()
            .to_public_key_der()
            .map_err(|e| format!("cannot encode the RSA public key ({e})"))?
            .as_bytes()
            .to_vec()
    } else {
        let kp = rcgen::KeyPair::try_from(der)
            .map_err(|e| format!("unsupported or invalid private key ({e})"))?;
        rcgen::PublicKeyData::subject_public_key_info(&kp)
    };
    let (_, parsed) = <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<
        '_,
        x509_parser::error::X509Error,
    >>::from_der(&spki)
    .map_err(|e| format!("cannot read the derived public key ({e})"))?;
    let algorithm = key_algorithm_of(&parsed);
    Ok(PrivateKey::new(
        Zeroizing::new(der.to_vec()),
        algorithm,
        spki,
        format,
        origin,
    ))
}

/// Reads an RSA PKCS#1 `RSAPrivateKey` (PEM `RSA PRIVATE KEY`) and holds it
/// as PKCS#8, which is what keystores need (Salesforce: "The key must be in
/// PKCS#8 format.").
pub fn from_pkcs1(der: &[u8], origin: Origin) -> Result<PrivateKey, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::EncodePrivateKey;
    let k = rsa::RsaPrivateKey::from_pkcs1_der(der)
        .map_err(|e| format!("not a valid RSA private key ({e})"))?;
    let p8 = k
        .to_pkcs8_der()
        .map_err(|e| format!("cannot convert the key to PKCS#8 ({e})"))?;
    from_pkcs8(p8.as_bytes(), KeyFormat::Pkcs1, origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeyAlgorithm;

    fn pem_key(path: &str) -> Vec<u8> {
        let text = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        pem::parse(text).unwrap().into_contents()
    }

    #[test]
    fn rsa_1024_is_read_so_it_can_be_refused() {
        let k = from_pkcs8(
            &pem_key("testdata/keys/rsa1024-1.pem"),
            KeyFormat::Pkcs8,
            Origin::file("k"),
        )
        .unwrap();
        assert_eq!(k.algorithm(), &KeyAlgorithm::Rsa { bits: 1024 });
    }

    #[test]
    fn ec_key_public_part_is_derived() {
        let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let k = from_pkcs8(&kp.serialize_der(), KeyFormat::Pkcs8, Origin::file("k")).unwrap();
        assert_eq!(
            k.spki_der(),
            rcgen::PublicKeyData::subject_public_key_info(&kp)
        );
        assert!(matches!(k.algorithm(), KeyAlgorithm::Ec { .. }));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(from_pkcs8(b"\x30\x03\x02\x01\x00", KeyFormat::Pkcs8, Origin::file("k")).is_err());
    }
}
