//! The causes a peer's message can stand for, each with the way to tell it
//! apart from the others, and which of them the files themselves show
//! (from a validation [`Outcome`](crate::chain::Outcome)'s findings and
//! problems). Ids are stable (`--json`, docs/verify.md).

use serde::Serialize;

use crate::chain::explain::{Class, Finding};
use crate::chain::validate::Problem;

/// One possible cause of a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    IntermediateMissing,
    RootNotTrusted,
    SelfSigned,
    WrongIntermediate,
    Expired,
    NotYetValid,
    ClockWrong,
    WrongEku,
    KeyUsage,
    NotCa,
    PathLength,
    TooDeep,
    NameMismatch,
    NameConstraints,
    CriticalExtension,
    Malformed,
    StrictProfile,
    BadSignature,
    WeakAlgorithm,
    Revoked,
    RevocationUnknown,
    PolicyRequired,
    NoClientCertSent,
    OtherFileSent,
    ServerAsksOtherCas,
    ProxyIntercepts,
    HandshakeParameters,
    KeyMismatch,
    AccessRule,
    WrongPort,
    NotPkcs12,
    KeystoreWithoutKey,
    FileFormat,
    EmptyTrustStore,
}

impl Cause {
    /// The cause, as one clause a sentence can carry.
    pub fn text(self) -> &'static str {
        use Cause::*;
        match self {
            IntermediateMissing => {
                "an intermediate certificate is missing from the chain sent (only the leaf, or not every issuer up to the root)"
            }
            RootNotTrusted => {
                "the chain ends at a root the verifier does not trust (a private or self-made CA, or one missing from its store)"
            }
            SelfSigned => {
                "the certificate is self-signed and the verifier does not hold it as trusted"
            }
            WrongIntermediate => {
                "an intermediate sent is not the one that signed the certificate below it (same name, other key: an old or renewed CA), or the chain is out of order"
            }
            Expired => "a certificate on the path has expired",
            NotYetValid => "a certificate on the path is not valid yet",
            ClockWrong => "the verifier's clock is wrong",
            WrongEku => {
                "the leaf's extended key usage does not allow this role (clientAuth for a client, serverAuth for a server), or an intermediate restricts it"
            }
            KeyUsage => {
                "a key usage bit is missing (keyCertSign on a CA, digitalSignature on the leaf)"
            }
            NotCa => {
                "a certificate used as an issuer is not a CA (basicConstraints CA:FALSE or absent)"
            }
            PathLength => {
                "a CA's pathLenConstraint allows fewer intermediates below it than the chain has"
            }
            TooDeep => "the chain is longer than the verifier allows",
            NameMismatch => "the certificate is not valid for the host name or address called",
            NameConstraints => "a CA's name constraints forbid a name in the leaf",
            CriticalExtension => {
                "a certificate has a critical extension the verifier does not understand"
            }
            Malformed => "a certificate is malformed (bad encoding, dates or extensions)",
            StrictProfile => {
                "a certificate breaks a rule of RFC 5280 that strict verifiers enforce (Python 3.13's VERIFY_X509_STRICT, OpenSSL -x509_strict): basicConstraints of a CA not critical, authority or subject key identifier missing"
            }
            BadSignature => {
                "a signature on the chain does not verify (corrupted certificate, or issuer with another key)"
            }
            WeakAlgorithm => {
                "a signature algorithm (SHA-1, MD5) or key size (RSA under 2048 bits) is below the verifier's minimum"
            }
            Revoked => "a certificate on the path is revoked",
            RevocationUnknown => {
                "the verifier could not get a CRL or OCSP answer for a certificate (Salesforce checks CRLs; the CRL URL must be reachable from the internet)"
            }
            PolicyRequired => "the verifier requires a certificate policy the chain does not carry",
            NoClientCertSent => {
                "the client sent no certificate (none configured, or the key is missing)"
            }
            OtherFileSent => {
                "the failing side presents other certificates than the files checked here (the client's curl -E file or keystore, the server's configured chain)"
            }
            ServerAsksOtherCas => {
                "the server's list of acceptable CA names does not name your issuer, so the client withholds its certificate (Java and Salesforce do)"
            }
            ProxyIntercepts => {
                "a TLS-intercepting proxy sits between the two, and the chain the verifier sees is the proxy's"
            }
            HandshakeParameters => {
                "the two sides share no TLS version, cipher suite or signature scheme"
            }
            KeyMismatch => "the private key does not match the certificate sent",
            AccessRule => {
                "the certificate was verified, but an access rule refuses this subject or issuer"
            }
            WrongPort => {
                "a user with \"Enforce SSL/TLS Mutual Authentication\" called the API on port 443 instead of the mutual-TLS port 8443"
            }
            NotPkcs12 => {
                "PEM or DER was given where base64 PKCS#12 is expected (Apex setClientCertificate)"
            }
            KeystoreWithoutKey => {
                "the keystore holds only trusted certificates, no PrivateKey entry (or is a PKCS#12 renamed .jks)"
            }
            FileFormat => {
                "the file is not what the tool reads: DER, PKCS#7 or PKCS#12 given for PEM, or junk around the PEM blocks"
            }
            EmptyTrustStore => "the verifier's trust store is empty or was not found",
        }
    }

    /// The command or step that confirms or rules it out.
    pub fn check(self) -> &'static str {
        use Cause::*;
        match self {
            IntermediateMissing | WrongIntermediate => {
                "chainfix verify FILE --role ROLE (names the missing issuer); chainfix bundle FILE CA-FILES… writes leaf + intermediates in order"
            }
            RootNotTrusted => {
                "chainfix roots --trust STORE shows what the verifier trusts; for Salesforce, save the org's cacerts.jsp and run chainfix verify FILE --trust cacerts.jsp"
            }
            SelfSigned => {
                "chainfix inspect FILE (subject = issuer); have it signed by a CA, or import it into the verifier's trust store"
            }
            Expired | NotYetValid => {
                "chainfix verify FILE --at DATE names the certificate and its dates"
            }
            ClockWrong => "compare `date -u` on both machines",
            WrongEku | KeyUsage | NotCa | PathLength | CriticalExtension | Malformed
            | StrictProfile => "chainfix lint FILE names the certificate and the extension",
            TooDeep => "chainfix verify FILE shows the path and its length",
            NameMismatch => "chainfix verify FILE --role server --host HOST (or --ip ADDRESS)",
            NameConstraints => {
                "chainfix verify FILE --host HOST names the CA whose constraints refuse it"
            }
            BadSignature => {
                "chainfix verify FILE says which link fails; get the CA's current intermediate"
            }
            WeakAlgorithm => "chainfix inspect FILE shows each signature algorithm and key size",
            Revoked | RevocationUnknown => {
                "openssl verify -crl_check -crl_download -CAfile ROOT -untrusted CHAIN LEAF fetches the CRLs the certificates name"
            }
            PolicyRequired => "openssl x509 -in FILE -noout -ext certificatePolicies",
            NoClientCertSent | OtherFileSent => {
                "chainfix probe HOST:PORT --cert FILE shows the chain the server sends, the CA names it asks for, and whether this client file gets in; compare with the files client and server are configured with"
            }
            ServerAsksOtherCas => "chainfix probe HOST:PORT lists the CA names the server asks for",
            ProxyIntercepts => {
                "chainfix probe HOST:PORT shows the chain actually served; an issuer that is your company's proxy CA means interception"
            }
            HandshakeParameters => {
                "chainfix probe HOST:PORT reports the protocol and cipher, or what is not shared"
            }
            KeyMismatch => "chainfix inspect FILE KEY says whether the key matches the certificate",
            AccessRule => "ask the server's owner which subjects or issuers it allows",
            WrongPort => "call https://MyDomain.my.salesforce.com:8443/… with the certificate",
            NotPkcs12 => {
                "chainfix keystore FILE --key KEY --format p12 -o client.p12 writes PKCS#12; give its base64"
            }
            KeystoreWithoutKey => {
                "chainfix keystore FILE --key KEY --format jks -o client.jks writes a JKS with the key and chain"
            }
            FileFormat => {
                "chainfix inspect FILE reads PEM, DER, PKCS#7, PKCS#12 and JKS and says what is inside"
            }
            EmptyTrustStore => {
                "keytool -list -keystore TRUSTSTORE (Java), or check the CA file path the client is given"
            }
        }
    }

    /// True for causes outside the certificate files, which only a look at
    /// the live connection or the peer's configuration can confirm.
    pub fn outside_files(self) -> bool {
        use Cause::*;
        matches!(
            self,
            ClockWrong
                | Revoked
                | RevocationUnknown
                | NoClientCertSent
                | OtherFileSent
                | ServerAsksOtherCas
                | ProxyIntercepts
                | HandshakeParameters
                | AccessRule
                | WrongPort
                | EmptyTrustStore
        )
    }
}

/// The causes the files show, from the validation's findings, the leaf's
/// problems and the problems of every refused issuer candidate.
pub fn shown_by_files<'a>(
    findings: &[Finding],
    problems: impl IntoIterator<Item = &'a Problem>,
) -> Vec<Cause> {
    let mut v = Vec::new();
    for f in findings {
        v.push(match f.class {
            Class::IntermediateMissing | Class::IntermediateOnlyLocal => Cause::IntermediateMissing,
            Class::RootNotInStore => Cause::RootNotTrusted,
            Class::WrongOrder => Cause::WrongIntermediate,
            Class::ExpiredCrossSign => Cause::Expired,
            Class::WrongEku => Cause::WrongEku,
            Class::SelfSignedLeaf => Cause::SelfSigned,
            Class::Revoked => Cause::Revoked,
            Class::RevocationUnchecked => Cause::RevocationUnknown,
            Class::NoValidPolicy => Cause::PolicyRequired,
            Class::Invalid => continue,
        });
    }
    for p in problems {
        v.push(match p {
            Problem::Expired { .. } => Cause::Expired,
            Problem::Revoked { .. } => Cause::Revoked,
            Problem::RevocationUnchecked { .. } => Cause::RevocationUnknown,
            Problem::NotYetValid { .. } => Cause::NotYetValid,
            Problem::Malformed { .. } => Cause::Malformed,
            Problem::UnknownCriticalExtension { .. } => Cause::CriticalExtension,
            Problem::NotCa => Cause::NotCa,
            Problem::NoKeyCertSign | Problem::LeafKeyUsage => Cause::KeyUsage,
            Problem::PathLenExceeded { .. } => Cause::PathLength,
            Problem::WrongEku { .. } => Cause::WrongEku,
            Problem::NameConstraint { .. } => Cause::NameConstraints,
            Problem::NameMismatch { .. } => Cause::NameMismatch,
            Problem::TooDeep { .. } => Cause::TooDeep,
            Problem::BadSignature { .. } => Cause::WrongIntermediate,
            Problem::RootNotTrusted => Cause::RootNotTrusted,
            Problem::UnknownIssuer => Cause::IntermediateMissing,
            Problem::WeakKey { .. } | Problem::WeakSignature { .. } => Cause::WeakAlgorithm,
            Problem::Profile { .. } => Cause::StrictProfile,
            Problem::Policy { .. } => Cause::PolicyRequired,
            Problem::Loop | Problem::BudgetExhausted => continue,
        });
    }
    let mut seen = std::collections::HashSet::new();
    v.retain(|c| seen.insert(*c));
    v
}

/// How a cause stands once the files have been judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// The message can mean it and the files show it.
    ShownByFiles,
    /// The message can mean it; the files cannot show it either way.
    Possible,
    /// The files show it, but the message does not point at it.
    AlsoInFiles,
}

/// One cause, ranked for one message and one set of files.
#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    pub cause: Cause,
    pub standing: Standing,
    pub text: &'static str,
    pub check: &'static str,
}

/// Ranks the causes of a message (`of_message`, most frequent first)
/// against what the files show: first those both point at, then those
/// only a look outside the files can settle, then other faults the files
/// have. Causes the files could show but do not are left out, except an
/// untrusted root (the peer's real store may differ from the one used)
/// and another file being sent. When the files pass (`valid`), what is
/// left is always listed (for a message about a chain, `about_chain`,
/// another file sent and an intercepting proxy too): a failure in hand is
/// never "nothing wrong".
pub fn rank(of_message: &[Cause], shown: &[Cause], valid: bool, about_chain: bool) -> Vec<Ranked> {
    let make = |cause: Cause, standing| Ranked {
        cause,
        standing,
        text: cause.text(),
        check: cause.check(),
    };
    let mut v: Vec<Ranked> = of_message
        .iter()
        .filter(|c| shown.contains(c))
        .map(|c| make(*c, Standing::ShownByFiles))
        .collect();
    let mut possible: Vec<Cause> = of_message
        .iter()
        .copied()
        .filter(|c| !shown.contains(c))
        .filter(|c| {
            // A local message's causes are not about the chain verify judges.
            !about_chain
                || c.outside_files()
                || matches!(c, Cause::RootNotTrusted | Cause::OtherFileSent)
        })
        .collect();
    if valid && about_chain {
        for c in [Cause::OtherFileSent, Cause::ProxyIntercepts] {
            if !possible.contains(&c) {
                possible.push(c);
            }
        }
    }
    v.extend(possible.into_iter().map(|c| make(c, Standing::Possible)));
    v.extend(
        shown
            .iter()
            .filter(|c| !of_message.contains(c))
            .map(|c| make(*c, Standing::AlsoInFiles)),
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[Ranked]) -> Vec<(Cause, Standing)> {
        v.iter().map(|r| (r.cause, r.standing)).collect()
    }

    #[test]
    fn causes_both_point_at_come_first_and_unseen_file_faults_are_dropped() {
        let of = [
            Cause::IntermediateMissing,
            Cause::Expired,
            Cause::RootNotTrusted,
        ];
        let got = rank(
            &of,
            &[Cause::IntermediateMissing, Cause::WrongEku],
            false,
            true,
        );
        assert_eq!(
            ids(&got),
            [
                (Cause::IntermediateMissing, Standing::ShownByFiles),
                (Cause::RootNotTrusted, Standing::Possible),
                (Cause::WrongEku, Standing::AlsoInFiles),
            ]
        );
    }

    #[test]
    fn files_that_pass_still_leave_something_to_check() {
        let got = rank(&[Cause::Expired], &[], true, true);
        assert!(got.iter().any(|r| r.cause == Cause::OtherFileSent));
        assert!(got.iter().any(|r| r.cause == Cause::ProxyIntercepts));
        // A local message (a keystore without a key) is not about a chain
        // sent: its own causes stay, nothing about the handshake is added.
        assert_eq!(
            ids(&rank(&[Cause::KeystoreWithoutKey], &[], true, false)),
            [(Cause::KeystoreWithoutKey, Standing::Possible)]
        );
    }
}
