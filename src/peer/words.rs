//! The peer's own words for a refusal: OpenSSL's verify error number and
//! string (include/openssl/x509_vfy.h, crypto/x509/x509_txt.c), the text of
//! the exception JSSE throws (sun/security/provider/certpath/*,
//! sun/security/validator/*). `diagnose` matches pasted errors against
//! these; verdicts quote them.

use serde::Serialize;

use super::Peer;
use crate::chain::policies::PolicyFailure;
use crate::chain::validate::Problem;

/// What the peer itself would print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeerWords {
    /// OpenSSL's X509_V_ERR_* number; `None` for Java and webpki.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    pub text: &'static str,
}

/// The peer's words for `problem`, when it has its own.
pub fn words(peer: Peer, problem: &Problem) -> Option<PeerWords> {
    match peer {
        Peer::OpenSsl => openssl(problem).map(|(code, text)| PeerWords {
            code: Some(code),
            text,
        }),
        Peer::Java | Peer::Salesforce => java(problem).map(|text| PeerWords { code: None, text }),
        Peer::Webpki => webpki(problem).map(|text| PeerWords { code: None, text }),
    }
}

fn openssl(p: &Problem) -> Option<(u32, &'static str)> {
    Some(match p {
        Problem::NotYetValid { .. } => (9, "certificate is not yet valid"),
        Problem::Expired { .. } => (10, "certificate has expired"),
        Problem::RootNotTrusted => (19, "self-signed certificate in certificate chain"),
        Problem::UnknownIssuer => (20, "unable to get local issuer certificate"),
        Problem::TooDeep { .. } => (22, "certificate chain too long"),
        Problem::NotCa => (79, "invalid CA certificate"),
        Problem::PathLenExceeded { .. } => (25, "path length constraint exceeded"),
        Problem::WrongEku { .. } | Problem::LeafKeyUsage => (26, "unsupported certificate purpose"),
        Problem::NoKeyCertSign => (32, "key usage does not include certificate signing"),
        Problem::UnknownCriticalExtension { .. } => (34, "unhandled critical extension"),
        Problem::Malformed { .. } => (41, "invalid or inconsistent certificate extension"),
        Problem::NameConstraint { .. } => (47, "permitted subtree violation"),
        Problem::Loop => (55, "path loop"),
        Problem::NameMismatch { .. } => (62, "hostname mismatch"),
        Problem::WeakKey { leaf: true, .. } => (66, "EE certificate key too weak"),
        Problem::WeakKey { leaf: false, .. } => (67, "CA certificate key too weak"),
        Problem::WeakSignature { .. } => (68, "CA signature digest algorithm too weak"),
        Problem::BadSignature { .. } => (7, "certificate signature failure"),
        // crypto/x509/x509_txt.c X509_V_ERR_CERT_REVOKED.
        Problem::Revoked { .. } => (23, "certificate revoked"),
        Problem::RevocationUnchecked { .. } => (3, "unable to get certificate CRL"),
        // X509_V_ERR_NO_EXPLICIT_POLICY / X509_V_ERR_INVALID_POLICY_EXTENSION
        // (x509_vfy.c `check_policy`, under -policy_check only).
        Problem::Policy {
            failure: PolicyFailure::NoExplicitPolicy,
            ..
        } => (43, "no explicit policy"),
        Problem::Policy { .. } => (42, "invalid or inconsistent certificate policy extension"),
        Problem::Profile { .. } | Problem::BudgetExhausted => return None,
    })
}

fn java(p: &Problem) -> Option<&'static str> {
    Some(match p {
        Problem::UnknownIssuer | Problem::RootNotTrusted => {
            "PKIX path building failed: unable to find valid certification path to requested target"
        }
        Problem::Expired { .. } | Problem::NotYetValid { .. } => "validity check failed",
        Problem::WeakKey { .. } => "Algorithm constraints check failed on keysize limits",
        Problem::WeakSignature { .. } => {
            "Algorithm constraints check failed on signature algorithm"
        }
        Problem::WrongEku { .. } => "Extended key usage does not permit use for TLS authentication",
        Problem::LeafKeyUsage => "KeyUsage does not allow digital signatures",
        Problem::NotCa => "basic constraints check failed: this is not a CA certificate",
        Problem::PathLenExceeded { .. } => {
            "basic constraints check failed: pathLenConstraint violated"
        }
        Problem::NoKeyCertSign => "CA key usage check failed: keyCertSign bit is not set",
        Problem::UnknownCriticalExtension { .. } => "Unrecognized critical extension(s)",
        Problem::NameConstraint { .. } => "name constraints check failed",
        Problem::NameMismatch { .. } => "No subject alternative DNS name matching found",
        Problem::BadSignature { .. } => "Signature does not match",
        // CertPathValidatorException.BasicReason.REVOKED (RevocationChecker).
        Problem::Revoked { .. } => "Certificate has been revoked",
        // BasicReason.UNDETERMINED_REVOCATION_STATUS.
        Problem::RevocationUnchecked { .. } => "Could not determine revocation status",
        // sun/security/provider/certpath/PolicyChecker.java, each thrown
        // with PKIXReason.INVALID_POLICY.
        Problem::Policy { failure, .. } => match failure {
            PolicyFailure::NoExplicitPolicy => {
                "non-null policy tree required and policy tree is null"
            }
            PolicyFailure::IssuerDomainAnyPolicy => {
                "encountered an issuerDomainPolicy of ANY_POLICY"
            }
            PolicyFailure::SubjectDomainAnyPolicy => {
                "encountered a subjectDomainPolicy of ANY_POLICY"
            }
            PolicyFailure::CriticalQualifiers => {
                "critical policy qualifiers present in certificate"
            }
        },
        _ => return None,
    })
}

fn webpki(p: &Problem) -> Option<&'static str> {
    Some(match p {
        Problem::UnknownIssuer | Problem::RootNotTrusted => "UnknownIssuer",
        Problem::Expired { .. } => "CertExpired",
        Problem::NotYetValid { .. } => "CertNotValidYet",
        Problem::NotCa => "CaUsedAsEndEntity",
        Problem::PathLenExceeded { .. } => "PathLenConstraintViolated",
        Problem::WrongEku { .. } => "RequiredEkuNotFound",
        Problem::NameConstraint { .. } => "NameConstraintViolation",
        Problem::NameMismatch { .. } => "CertNotValidForName",
        Problem::UnknownCriticalExtension { .. } => "UnsupportedCriticalExtension",
        Problem::BadSignature { .. } => "InvalidSignatureForPublicKey",
        Problem::TooDeep { .. } => "MaximumPathDepthExceeded",
        Problem::Revoked { .. } => "CertRevoked",
        _ => return None,
    })
}
