//! Signature checks: does this issuer's key sign this child?
//! Covers RSA PKCS#1 v1.5 (SHA-1/256/384/512), RSA-PSS (SHA-256/384/512,
//! MGF1 with the same hash, any salt length), ECDSA on P-256, P-384 and
//! P-521 with SHA-224/256/384/512, and Ed25519. RSA keys from 1024 bits
//! are accepted here so that weak chains can still be ordered; judging key
//! size is a lint's job.
//!
//! ring does the common cases (it is fast and what rustls uses); ring has
//! no P-521, no ECDSA with SHA-512 and only PSS whose salt is the hash
//! length, so those go to the RustCrypto crates (`p521`/`p384`/`p256`,
//! `rsa`), which OpenSSL and Java accept as well. Ed448 and DSA remain
//! unsupported and are named as such.

use ring::signature as sig;
use serde::Serialize;
use x509_parser::prelude::*;
use x509_parser::signature_algorithm::SignatureAlgorithm;

use crate::model::Cert;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ED25519: &str = "1.3.101.112";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const P521: &str = "1.3.132.0.35";

/// The algorithm a verified signature used, for policy checks after the
/// fact (SHA-1 is dead; a weak RSA key is a finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SigAlg {
    RsaPkcs1Sha1,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,
    RsaPssSha256,
    RsaPssSha384,
    RsaPssSha512,
    EcdsaSha224,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    Ed25519,
}

impl SigAlg {
    /// True for algorithms that rest on SHA-1.
    pub fn uses_sha1(self) -> bool {
        matches!(self, SigAlg::RsaPkcs1Sha1)
    }
}

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SigError {
    /// The algorithm (or its parameters, or the key's type) is one chainfix
    /// cannot check.
    Unsupported { detail: String },
    /// The issuer's key type does not fit the signature algorithm.
    WrongKeyType,
    /// The signature is well-formed for the algorithm but does not verify.
    Invalid,
}

impl std::fmt::Display for SigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigError::Unsupported { detail } => write!(f, "unsupported signature: {detail}"),
            SigError::WrongKeyType => {
                f.write_str("the issuer's key type does not match the signature algorithm")
            }
            SigError::Invalid => f.write_str("the signature does not verify with the issuer's key"),
        }
    }
}

/// Signature checks one run may make once [`with_budget`] set a budget
/// (the CLI does, for the whole command). A pile of certificates sharing
/// one name costs a check per pair, and every stage (leaf choice,
/// ordering, path building, lint) checks again: one budget bounds them all,
/// as rustls-webpki's bounds one path build.
pub const RUN_BUDGET: u64 = 100_000;

/// The environment variable the CLI reads to change [`RUN_BUDGET`].
pub const BUDGET_ENV: &str = "CHAINFIX_SIGNATURE_BUDGET";

thread_local! {
    /// (checks left, budget) on this thread; `None`: no budget set.
    static BUDGET: std::cell::Cell<Option<(u64, u64)>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with at most `checks` signature checks on this thread; past
/// them a check fails as unsupported, with a sentence saying why.
pub fn with_budget<T>(checks: u64, f: impl FnOnce() -> T) -> T {
    let before = BUDGET.replace(Some((checks, checks)));
    let out = f();
    BUDGET.set(before);
    out
}

fn spend() -> Result<(), SigError> {
    match BUDGET.get() {
        None => Ok(()),
        Some((0, total)) => Err(SigError::Unsupported {
            detail: format!(
                "not checked: this run's budget of {total} signature checks is spent (so many certificates share names); give fewer certificates, or raise it with {BUDGET_ENV}=N"
            ),
        }),
        Some((left, total)) => {
            BUDGET.set(Some((left - 1, total)));
            Ok(())
        }
    }
}

/// Per child: each issuer checked and its answer.
type Checked = crate::model::IdMap<Vec<(crate::model::CertId, Result<SigAlg, SigError>)>>;

thread_local! {
    /// Results of [`verify_issued_by`] on this thread, by (child, issuer).
    /// Leaf choice, ordering, path building, the report and lint each ask
    /// about the same pairs; a signature check is the one costly step of a
    /// small run (a P-256 check is ~0.1 ms), so each pair is checked once.
    /// A result that only says the budget was spent is not kept.
    static CHECKED: std::cell::RefCell<Checked> = std::cell::RefCell::new(Default::default());
}

/// Pairs kept in [`CHECKED`] before it starts over: bounds its memory on a
/// huge pool (the budget bounds the checks themselves).
const CHECKED_MAX: usize = 1 << 16;

/// Verifies that `issuer`'s public key made `child`'s signature. Each pair
/// is checked once per thread; asking again gives the first answer.
pub fn verify_issued_by(child: &Cert, issuer: &Cert) -> Result<SigAlg, SigError> {
    let (cid, iid) = (child.id(), issuer.id());
    let known = CHECKED.with_borrow(|m| {
        m.get(&cid)
            .and_then(|v| v.iter().find(|(i, _)| *i == iid).map(|(_, r)| r.clone()))
    });
    if let Some(r) = known {
        return r;
    }
    let r = check_issued_by(child, issuer);
    let spent = matches!(&r, Err(SigError::Unsupported { detail }) if detail.contains(BUDGET_ENV));
    if !spent {
        CHECKED.with_borrow_mut(|m| {
            if m.len() >= CHECKED_MAX {
                m.clear();
            }
            m.entry(cid).or_default().push((iid, r.clone()));
        });
    }
    r
}

fn check_issued_by(child: &Cert, issuer: &Cert) -> Result<SigAlg, SigError> {
    let c = child.parsed();
    let i = issuer.parsed();
    verify_signed(
        i.public_key(),
        &c.signature_algorithm,
        c.tbs_certificate.as_ref(),
        &c.signature_value.data,
    )
}

/// Verifies `signature` over `message` with the key in `spki` and the
/// algorithm `alg`. Exposed for CSRs, OCSP and other signed data.
pub fn verify_signed(
    spki: &SubjectPublicKeyInfo<'_>,
    alg: &AlgorithmIdentifier<'_>,
    message: &[u8],
    signature: &[u8],
) -> Result<SigAlg, SigError> {
    let (how, which) = choose(spki, alg)?;
    spend()?;
    let key = &spki.subject_public_key.data;
    let ok = match how {
        How::Ring(ring_alg) => sig::UnparsedPublicKey::new(ring_alg, key)
            .verify(message, signature)
            .is_ok(),
        How::Ecdsa { curve, hash } => {
            rustcrypto::ecdsa(curve, key, &hash.digest(message), signature)?
        }
        How::RsaPss { hash, salt } => rustcrypto::rsa_pss(spki, hash, salt, message, signature)?,
    };
    if ok {
        Ok(which)
    } else {
        Err(SigError::Invalid)
    }
}

type RingAlg = &'static dyn sig::VerificationAlgorithm;

/// Which implementation checks a signature.
enum How {
    Ring(RingAlg),
    Ecdsa { curve: Curve, hash: Hash },
    RsaPss { hash: Hash, salt: usize },
}

#[derive(Clone, Copy)]
enum Curve {
    P256,
    P384,
    P521,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, m: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Hash::Sha224 => sha2::Sha224::digest(m).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(m).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(m).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(m).to_vec(),
        }
    }
    fn len(self) -> usize {
        match self {
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// The RustCrypto side: what ring cannot check.
mod rustcrypto {
    use super::{Curve, Hash, SigError};
    use ecdsa::signature::hazmat::PrehashVerifier;
    use x509_parser::prelude::*;

    fn bad_key(what: &str) -> SigError {
        SigError::Unsupported {
            detail: format!("the issuer's {what} public key could not be read"),
        }
    }

    /// Ok(false) when the signature does not verify (or is not DER).
    pub(super) fn ecdsa(
        curve: Curve,
        key: &[u8],
        prehash: &[u8],
        sig: &[u8],
    ) -> Result<bool, SigError> {
        macro_rules! check {
            ($c:ident, $name:literal) => {{
                let vk =
                    $c::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(|_| bad_key($name))?;
                Ok(match $c::ecdsa::DerSignature::from_bytes(sig) {
                    Ok(s) => vk.verify_prehash(prehash, &s).is_ok(),
                    Err(_) => false,
                })
            }};
        }
        match curve {
            Curve::P256 => check!(p256, "P-256"),
            Curve::P384 => check!(p384, "P-384"),
            Curve::P521 => check!(p521, "P-521"),
        }
    }

    /// RSASSA-PSS with MGF1 over the same hash and exactly `salt` bytes of
    /// salt (RFC 8017 §9.1.2; the parameters name the salt length).
    pub(super) fn rsa_pss(
        spki: &SubjectPublicKeyInfo<'_>,
        hash: Hash,
        salt: usize,
        message: &[u8],
        sig: &[u8],
    ) -> Result<bool, SigError> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        use rsa::sha2;
        let key = rsa::RsaPublicKey::from_pkcs1_der(&spki.subject_public_key.data)
            .map_err(|_| bad_key("RSA"))?;
        let hashed = hash.digest(message);
        let scheme = match hash {
            Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
            Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
            Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
            Hash::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt),
        };
        Ok(key.verify(scheme, &hashed, sig).is_ok())
    }
}

fn choose(
    spki: &SubjectPublicKeyInfo<'_>,
    alg: &AlgorithmIdentifier<'_>,
) -> Result<(How, SigAlg), SigError> {
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let sig_oid = alg.algorithm.to_id_string();
    let unsupported = |detail: String| Err(SigError::Unsupported { detail });
    // x509-parser prints to stderr (debug builds) for OIDs it does not know.
    let known = [
        "1.2.840.113549.1.1.",
        "1.2.840.10045.4.",
        "1.2.840.10040.4.",
    ]
    .iter()
    .any(|p| sig_oid.starts_with(p))
        || sig_oid == ED25519;
    if !known {
        return unsupported(
            algorithm_name(&sig_oid)
                .map(str::to_string)
                .unwrap_or_else(|| format!("signature algorithm {sig_oid}")),
        );
    }
    let parsed = match SignatureAlgorithm::try_from(alg) {
        Ok(p) => p,
        Err(e) => {
            return unsupported(match algorithm_name(&sig_oid) {
                Some(name) => name.to_string(),
                None => format!("algorithm {sig_oid} ({e})"),
            });
        }
    };
    match parsed {
        SignatureAlgorithm::RSA => {
            if key_oid != RSA_ENCRYPTION {
                return Err(SigError::WrongKeyType);
            }
            let ring_alg: (RingAlg, SigAlg) = match sig_oid.as_str() {
                "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => (
                    &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    SigAlg::RsaPkcs1Sha1,
                ),
                "1.2.840.113549.1.1.11" => (
                    &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    SigAlg::RsaPkcs1Sha256,
                ),
                "1.2.840.113549.1.1.12" => {
                    (&sig::RSA_PKCS1_2048_8192_SHA384, SigAlg::RsaPkcs1Sha384)
                }
                "1.2.840.113549.1.1.13" => (
                    &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                    SigAlg::RsaPkcs1Sha512,
                ),
                other => {
                    return unsupported(
                        algorithm_name(other)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("RSA signature algorithm {other}")),
                    );
                }
            };
            Ok((How::Ring(ring_alg.0), ring_alg.1))
        }
        SignatureAlgorithm::RSASSA_PSS(params) => {
            if key_oid != RSA_ENCRYPTION && key_oid != "1.2.840.113549.1.1.10" {
                return Err(SigError::WrongKeyType);
            }
            let hash_oid = params.hash_algorithm_oid().to_id_string();
            let (ring_alg, which, hash): (RingAlg, SigAlg, Hash) = match hash_oid.as_str() {
                "2.16.840.1.101.3.4.2.1" => (
                    &sig::RSA_PSS_2048_8192_SHA256,
                    SigAlg::RsaPssSha256,
                    Hash::Sha256,
                ),
                "2.16.840.1.101.3.4.2.2" => (
                    &sig::RSA_PSS_2048_8192_SHA384,
                    SigAlg::RsaPssSha384,
                    Hash::Sha384,
                ),
                "2.16.840.1.101.3.4.2.3" => (
                    &sig::RSA_PSS_2048_8192_SHA512,
                    SigAlg::RsaPssSha512,
                    Hash::Sha512,
                ),
                "1.3.14.3.2.26" => return unsupported("RSA-PSS with SHA-1".into()),
                other => return unsupported(format!("RSA-PSS with hash {other}")),
            };
            match params.mask_gen_algorithm() {
                Ok(mgf) if mgf.hash.to_id_string() == hash_oid => {}
                _ => {
                    return unsupported(
                        "RSA-PSS whose MGF1 hash differs from the signature hash".into(),
                    );
                }
            }
            let salt = params.salt_length() as usize;
            let key_bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(k)) => k.key_size(),
                _ => 0,
            };
            // ring: salt = hash length and a key of 2048 bits or more.
            if salt == hash.len() && key_bits >= 2048 {
                Ok((How::Ring(ring_alg), which))
            } else {
                Ok((How::RsaPss { hash, salt }, which))
            }
        }
        SignatureAlgorithm::ECDSA => {
            if key_oid != EC_PUBLIC_KEY {
                return Err(SigError::WrongKeyType);
            }
            let curve_oid = crate::model::named_curve_oid(spki);
            let (hash, which) = match sig_oid.as_str() {
                // Left unchecked on purpose: webpki, Java's TLS checks and
                // OpenSSL 3 at its default level refuse SHA-1 in a chain, and
                // x509-limbo's bettertls "deprecated crypto" cases expect it.
                "1.2.840.10045.4.1" => return unsupported("ECDSA with SHA-1".into()),
                "1.2.840.10045.4.3.1" => (Hash::Sha224, SigAlg::EcdsaSha224),
                "1.2.840.10045.4.3.2" => (Hash::Sha256, SigAlg::EcdsaSha256),
                "1.2.840.10045.4.3.3" => (Hash::Sha384, SigAlg::EcdsaSha384),
                "1.2.840.10045.4.3.4" => (Hash::Sha512, SigAlg::EcdsaSha512),
                other => return unsupported(format!("ECDSA signature algorithm {other}")),
            };
            let curve = match curve_oid.as_str() {
                P256 => Curve::P256,
                P384 => Curve::P384,
                P521 => Curve::P521,
                "" => {
                    return unsupported(
                        "ECDSA with explicit curve parameters (no named curve)".into(),
                    );
                }
                c => return unsupported(format!("ECDSA on curve {c}")),
            };
            let ring_alg: Option<RingAlg> = match (curve, hash) {
                (Curve::P256, Hash::Sha256) => Some(&sig::ECDSA_P256_SHA256_ASN1),
                (Curve::P256, Hash::Sha384) => Some(&sig::ECDSA_P256_SHA384_ASN1),
                (Curve::P384, Hash::Sha256) => Some(&sig::ECDSA_P384_SHA256_ASN1),
                (Curve::P384, Hash::Sha384) => Some(&sig::ECDSA_P384_SHA384_ASN1),
                _ => None,
            };
            Ok(match ring_alg {
                Some(r) => (How::Ring(r), which),
                None => (How::Ecdsa { curve, hash }, which),
            })
        }
        SignatureAlgorithm::ED25519 => {
            if key_oid != ED25519 {
                return Err(SigError::WrongKeyType);
            }
            Ok((How::Ring(&sig::ED25519), SigAlg::Ed25519))
        }
        SignatureAlgorithm::DSA | SignatureAlgorithm::RSAAES_OAEP(_) => unsupported(
            algorithm_name(&sig_oid)
                .map(str::to_string)
                .unwrap_or_else(|| format!("signature algorithm {sig_oid}")),
        ),
    }
}

/// Names of signature algorithms chainfix does not check, for messages.
fn algorithm_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.101.113" => "Ed448",
        "1.2.840.10040.4.3" => "DSA with SHA-1",
        "2.16.840.1.101.3.4.3.1" => "DSA with SHA-224",
        "2.16.840.1.101.3.4.3.2" => "DSA with SHA-256",
        "2.16.840.1.101.3.4.3.3" => "DSA with SHA-384",
        "2.16.840.1.101.3.4.3.4" => "DSA with SHA-512",
        "1.2.840.113549.1.1.4" => "RSA with MD5",
        "1.2.840.113549.1.1.2" => "RSA with MD2",
        "1.2.840.113549.1.1.14" => "RSA with SHA-224",
        "1.2.156.10197.1.501" => "SM2 with SM3",
        "1.2.643.7.1.1.3.2" | "1.2.643.7.1.1.3.3" => "GOST R 34.10-2012",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_algorithms_are_named() {
        assert_eq!(algorithm_name("1.3.101.113"), Some("Ed448"));
        assert_eq!(
            algorithm_name("2.16.840.1.101.3.4.3.2"),
            Some("DSA with SHA-256")
        );
    }
}
