//! Signature checks with ring: does this issuer's key sign this child?
//! Covers RSA PKCS#1 v1.5 (SHA-1/256/384/512), RSA-PSS (SHA-256/384/512,
//! MGF1 with the same hash, salt = hash length), ECDSA P-256/P-384 and
//! Ed25519. RSA keys from 1024 bits are accepted here so that weak chains
//! can still be ordered; judging key size is a lint's job.

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
    EcdsaSha256,
    EcdsaSha384,
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

/// Verifies that `issuer`'s public key made `child`'s signature.
pub fn verify_issued_by(child: &Cert, issuer: &Cert) -> Result<SigAlg, SigError> {
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
    let (ring_alg, which) = choose(spki, alg)?;
    spend()?;
    let key = sig::UnparsedPublicKey::new(ring_alg, &spki.subject_public_key.data);
    key.verify(message, signature)
        .map(|()| which)
        .map_err(|_| SigError::Invalid)
}

type RingAlg = &'static dyn sig::VerificationAlgorithm;

fn choose(
    spki: &SubjectPublicKeyInfo<'_>,
    alg: &AlgorithmIdentifier<'_>,
) -> Result<(RingAlg, SigAlg), SigError> {
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let sig_oid = alg.algorithm.to_id_string();
    let unsupported = |detail: String| Err(SigError::Unsupported { detail });
    let parsed = SignatureAlgorithm::try_from(alg).map_err(|e| SigError::Unsupported {
        detail: format!("algorithm {sig_oid}: {e}"),
    })?;
    match parsed {
        SignatureAlgorithm::RSA => {
            if key_oid != RSA_ENCRYPTION {
                return Err(SigError::WrongKeyType);
            }
            Ok(match sig_oid.as_str() {
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
                other => return unsupported(format!("RSA signature algorithm {other}")),
            })
        }
        SignatureAlgorithm::RSASSA_PSS(params) => {
            if key_oid != RSA_ENCRYPTION && key_oid != "1.2.840.113549.1.1.10" {
                return Err(SigError::WrongKeyType);
            }
            let hash = params.hash_algorithm_oid().to_id_string();
            let (ring_alg, which, len): (RingAlg, SigAlg, u32) = match hash.as_str() {
                "2.16.840.1.101.3.4.2.1" => {
                    (&sig::RSA_PSS_2048_8192_SHA256, SigAlg::RsaPssSha256, 32)
                }
                "2.16.840.1.101.3.4.2.2" => {
                    (&sig::RSA_PSS_2048_8192_SHA384, SigAlg::RsaPssSha384, 48)
                }
                "2.16.840.1.101.3.4.2.3" => {
                    (&sig::RSA_PSS_2048_8192_SHA512, SigAlg::RsaPssSha512, 64)
                }
                other => return unsupported(format!("RSA-PSS with hash {other}")),
            };
            if params.salt_length() != len {
                return unsupported(format!(
                    "RSA-PSS salt length {} (only the hash length, {len}, is supported)",
                    params.salt_length()
                ));
            }
            match params.mask_gen_algorithm() {
                Ok(mgf) if mgf.hash.to_id_string() == hash => Ok((ring_alg, which)),
                _ => unsupported("RSA-PSS whose MGF1 hash differs from the signature hash".into()),
            }
        }
        SignatureAlgorithm::ECDSA => {
            if key_oid != EC_PUBLIC_KEY {
                return Err(SigError::WrongKeyType);
            }
            let curve = crate::model::named_curve_oid(spki);
            Ok(match (curve.as_str(), sig_oid.as_str()) {
                (P256, "1.2.840.10045.4.3.2") => {
                    (&sig::ECDSA_P256_SHA256_ASN1, SigAlg::EcdsaSha256)
                }
                (P256, "1.2.840.10045.4.3.3") => {
                    (&sig::ECDSA_P256_SHA384_ASN1, SigAlg::EcdsaSha384)
                }
                (P384, "1.2.840.10045.4.3.2") => {
                    (&sig::ECDSA_P384_SHA256_ASN1, SigAlg::EcdsaSha256)
                }
                (P384, "1.2.840.10045.4.3.3") => {
                    (&sig::ECDSA_P384_SHA384_ASN1, SigAlg::EcdsaSha384)
                }
                (c, s) => return unsupported(format!("ECDSA on curve {c} with {s}")),
            })
        }
        SignatureAlgorithm::ED25519 => {
            if key_oid != ED25519 {
                return Err(SigError::WrongKeyType);
            }
            Ok((&sig::ED25519, SigAlg::Ed25519))
        }
        SignatureAlgorithm::DSA | SignatureAlgorithm::RSAAES_OAEP(_) => {
            unsupported(format!("signature algorithm {sig_oid}"))
        }
    }
}
