//! The message catalogue: every chain-verification error the common TLS
//! peers print, grouped in families of one meaning. Each family says who
//! prints it (and in which words), which side raised it (the verifier, or
//! the side told by an alert) and the causes it can stand for.
//!
//! Sources, read from the peers themselves (texts only; cited per entry):
//! - OpenSSL 3.x `X509_verify_cert_error_string`, crypto/x509/x509_txt.c;
//!   `X509_V_ERR_*` names in include/openssl/x509_vfy.h.in; alert reason
//!   strings in ssl/ssl_err.c (see [`super::alert::ALERTS`]).
//! - curl: lib/vtls/openssl.c ("SSL certificate problem: %s", the
//!   subject-name messages); Python: Modules/_ssl.c (`SSLCertVerificationError`,
//!   "certificate verify failed: %s", "Hostname mismatch, certificate is not
//!   valid for '%s'."); Node: src/crypto/crypto_common.cc `X509ErrorCode`
//!   and lib/tls.js `ERR_TLS_CERT_ALTNAME_INVALID`.
//! - Java 17 (openjdk/jdk17u, src/java.base/share/classes/): sun/security/
//!   validator/{PKIXValidator,EndEntityChecker,SimpleValidator}.java,
//!   sun/security/provider/certpath/{PKIXCertPathValidator,BasicChecker,
//!   ConstraintsChecker,KeyChecker,AlgorithmChecker,RevocationChecker,
//!   PKIXMasterCertPathValidator,SunCertPathBuilder}.java,
//!   sun/security/util/HostnameChecker.java, sun/security/ssl/{Alert,
//!   CertificateMessage}.java.
//! - Go: src/crypto/x509/verify.go (`CertificateInvalidError`,
//!   `HostnameError`, `UnknownAuthorityError`), x509.go
//!   (`InsecureAlgorithmError`, `UnhandledCriticalExtension`),
//!   src/crypto/tls/{alert.go,handshake_client.go,handshake_server.go}.
//! - .NET: dotnet/runtime System.Net.Security Strings.resx
//!   (net_ssl_io_cert_validation, net_ssl_io_cert_chain_validation) with
//!   `X509ChainStatusFlags` names; SChannel's SEC_E_* texts (winerror.h).
//! - rustls 0.23 src/error.rs (`Error`, `CertificateError` Display).
//! - Salesforce: help and knowledge articles summarised in the design
//!   notes' salesforce-trust/README.md and docs/troubleshooting.md.

use std::sync::OnceLock;

use serde::Serialize;

use super::alert::Alert;
use super::cause::Cause;
use crate::chain::validate::Role;
use crate::peer::Peer;

/// The software that prints a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Speaker {
    /// OpenSSL/libssl and what prints its texts as they are: curl, nginx,
    /// `openssl s_client`/`s_server`/`verify`.
    #[serde(rename = "openssl")]
    OpenSsl,
    /// Python's `ssl` (and requests, urllib3) over OpenSSL.
    Python,
    /// Node.js `tls` over OpenSSL, with its own error codes.
    Node,
    /// Java's JSSE and PKIX validator.
    Java,
    /// Go's crypto/x509 and crypto/tls.
    Go,
    /// .NET SslStream (SChannel on Windows).
    #[serde(rename = "dotnet")]
    DotNet,
    /// rustls and rustls-webpki.
    Rustls,
    /// Salesforce (the org's mutual-TLS port, callouts, Setup pages).
    Salesforce,
}

impl Speaker {
    pub const ALL: [Speaker; 8] = [
        Speaker::OpenSsl,
        Speaker::Python,
        Speaker::Node,
        Speaker::Java,
        Speaker::Go,
        Speaker::DotNet,
        Speaker::Rustls,
        Speaker::Salesforce,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Speaker::OpenSsl => "OpenSSL/curl",
            Speaker::Python => "Python",
            Speaker::Node => "Node.js",
            Speaker::Java => "Java",
            Speaker::Go => "Go",
            Speaker::DotNet => ".NET",
            Speaker::Rustls => "rustls",
            Speaker::Salesforce => "Salesforce",
        }
    }

    /// The peer profile that judges a chain the way this speaker does,
    /// when chainfix has one (Python and Node verify with OpenSSL).
    pub fn profile(self) -> Option<Peer> {
        match self {
            Speaker::OpenSsl | Speaker::Python | Speaker::Node => Some(Peer::OpenSsl),
            Speaker::Java => Some(Peer::Java),
            Speaker::Salesforce => Some(Peer::Salesforce),
            Speaker::Rustls => Some(Peer::Webpki),
            Speaker::Go | Speaker::DotNet => None,
        }
    }
}

/// Which side raised the message, relative to the one printing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Raised {
    /// The printer verified the other side's chain and refused it.
    Verifier,
    /// The printer was told by the other side's alert that its own chain
    /// (or handshake) was refused.
    Alerted,
    /// The printer refused a local file or setting; no handshake judged it.
    Local,
}

/// One way a speaker words a message.
#[derive(Clone, Debug, Serialize)]
pub struct Says {
    pub who: Speaker,
    /// The text as printed (placeholders as `…`).
    pub text: String,
    /// Other spellings that mean the same: older versions, error-code
    /// names, prefixes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    /// The printer's role when the text alone fixes it ("Client
    /// certificate error" is printed by a server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printer: Option<Role>,
    /// Where the text comes from.
    pub source: &'static str,
}

/// One message family: one meaning, many wordings.
#[derive(Clone, Debug, Serialize)]
pub struct Family {
    /// Stable id (`--json`, docs/troubleshooting.md).
    pub id: &'static str,
    /// What the message says happened, in one clause.
    pub meaning: &'static str,
    pub raised: Raised,
    /// Causes, most frequent first.
    pub causes: &'static [Cause],
    pub says: Vec<Says>,
    /// True for messages that name no reason ("certificate verify
    /// failed"): a more specific family found in the same text wins.
    pub generic: bool,
}

impl Family {
    /// The speakers that print it, in [`Speaker::ALL`] order.
    pub fn speakers(&self) -> Vec<Speaker> {
        Speaker::ALL
            .into_iter()
            .filter(|s| self.says.iter().any(|x| x.who == *s))
            .collect()
    }
}

const X509_TXT: &str = "openssl crypto/x509/x509_txt.c X509_verify_cert_error_string";
const NODE_CODES: &str = "node src/crypto/crypto_common.cc X509ErrorCode";
const PY_SSL: &str = "cpython Modules/_ssl.c fill_and_set_sslerror (SSLCertVerificationError)";
const JAVA_PKIX: &str = "jdk17u sun/security/validator/PKIXValidator.java";
const GO_VERIFY: &str = "go src/crypto/x509/verify.go";
const DOTNET: &str = "dotnet/runtime System.Net.Security Strings.resx net_ssl_io_cert_chain_validation + X509ChainStatusFlags";
const RUSTLS: &str = "rustls 0.23 src/error.rs CertificateError";
const SF: &str = "Salesforce help: Set Up a Mutual Authentication Certificate; design notes salesforce-trust/README.md";

fn says(who: Speaker, text: &str, variants: &[&str], source: &'static str) -> Says {
    Says {
        who,
        text: text.to_string(),
        variants: variants.iter().map(|v| v.to_string()).collect(),
        printer: None,
        source,
    }
}

fn by(role: Role, mut s: Says) -> Says {
    s.printer = Some(role);
    s
}

/// One OpenSSL verification error: its text (and older spellings), as
/// OpenSSL, Python and (when Node names it) Node print it.
fn ossl(name: &str, text: &str, old: &[&str], node: bool) -> Vec<Says> {
    let mut variants = vec![format!("X509_V_ERR_{name}")];
    variants.extend(old.iter().map(|s| s.to_string()));
    let mut v = vec![Says {
        who: Speaker::OpenSsl,
        text: text.to_string(),
        variants,
        printer: None,
        source: X509_TXT,
    }];
    v.push(says(
        Speaker::Python,
        &format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {text}"),
        &[],
        PY_SSL,
    ));
    if node {
        v.push(says(Speaker::Node, name, &[], NODE_CODES));
    }
    v
}

fn fam(
    id: &'static str,
    meaning: &'static str,
    raised: Raised,
    causes: &'static [Cause],
    says: Vec<Vec<Says>>,
) -> Family {
    Family {
        id,
        meaning,
        raised,
        causes,
        says: says.into_iter().flatten().collect(),
        generic: false,
    }
}

fn one(s: Says) -> Vec<Says> {
    vec![s]
}

/// The whole catalogue, built once.
pub fn catalogue() -> &'static [Family] {
    static C: OnceLock<Vec<Family>> = OnceLock::new();
    C.get_or_init(build)
}

/// The family with this id.
pub fn family(id: &str) -> Option<&'static Family> {
    catalogue().iter().find(|f| f.id == id)
}

#[rustfmt::skip]
fn build() -> Vec<Family> {
    use Cause::*;
    use Raised::*;
    use Speaker::*;
    let mut v = vec![
        fam(
            "issuer-unknown",
            "the verifier could not find the issuer of a certificate in the chain among the certificates sent and its trusted roots",
            Verifier,
            &[
                IntermediateMissing,
                RootNotTrusted,
                WrongIntermediate,
                OtherFileSent,
                ProxyIntercepts,
            ],
            vec![
                ossl("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate", &[], true),
                ossl("UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate", &[], true),
                ossl("STORE_LOOKUP", "issuer certificate lookup error", &[], false),
                one(says(Java, "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target", &["unable to find valid certification path to requested target", "PKIX path building failed"], JAVA_PKIX)),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: Path does not chain with any of the trust anchors", &["Path does not chain with any of the trust anchors"], "jdk17u sun/security/provider/certpath/PKIXCertPathValidator.java")),
                one(says(Java, "No trusted certificate found", &[], "jdk17u sun/security/validator/SimpleValidator.java")),
                one(says(Go, "x509: certificate signed by unknown authority", &[], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: PartialChain", &["PartialChain"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: UnknownIssuer", &[], RUSTLS)),
                one(by(Role::Server, says(Salesforce, "Client certificate error: unable to get local issuer certificate", &[], SF))),
            ],
        ),
        fam(
            "first-certificate-unverifiable",
            "the verifier got a leaf whose issuer it does not have: the chain sent stops at the leaf",
            Verifier,
            &[IntermediateMissing, OtherFileSent, RootNotTrusted],
            vec![ossl(
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "unable to verify the first certificate",
                &[],
                true,
            )],
        ),
        fam(
            "self-signed-leaf",
            "the certificate sent is self-signed and not among the verifier's trusted certificates",
            Verifier,
            &[SelfSigned, ProxyIntercepts, OtherFileSent],
            vec![ossl(
                "DEPTH_ZERO_SELF_SIGNED_CERT",
                "self-signed certificate",
                &["self signed certificate"],
                true,
            )],
        ),
        fam(
            "self-signed-in-chain",
            "the chain reaches a self-signed root the verifier does not trust",
            Verifier,
            &[RootNotTrusted, ProxyIntercepts],
            vec![
                ossl("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain", &["self signed certificate in certificate chain"], true),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", &["UntrustedRoot", "The certificate chain was issued by an authority that is not trusted"], DOTNET)),
            ],
        ),
        fam(
            "untrusted",
            "the root is in the verifier's store but marked as not trusted (or rejected) for this purpose",
            Verifier,
            &[RootNotTrusted, WrongEku],
            vec![
                ossl("CERT_UNTRUSTED", "certificate not trusted", &[], true),
                ossl("CERT_REJECTED", "certificate rejected", &[], true),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: NotTrusted", &["ExplicitDistrust"], DOTNET)),
            ],
        ),
        fam(
            "expired",
            "a certificate on the path has expired by the verifier's clock",
            Verifier,
            &[Expired, ClockWrong, WrongIntermediate],
            vec![
                ossl("CERT_HAS_EXPIRED", "certificate has expired", &[], true),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed", &["validity check failed", "timestamp check failed", "CertificateExpiredException"], "jdk17u sun/security/provider/certpath/BasicChecker.java")),
                one(says(Go, "x509: certificate has expired or is not yet valid: current time … is after …", &["certificate has expired or is not yet valid"], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: NotTimeValid", &["NotTimeValid", "The received certificate has expired"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: certificate expired: verification time … (UNIX), but certificate is not valid after …", &["invalid peer certificate: Expired"], RUSTLS)),
            ],
        ),
        fam(
            "not-yet-valid",
            "a certificate on the path is not valid yet by the verifier's clock",
            Verifier,
            &[NotYetValid, ClockWrong],
            vec![
                ossl("CERT_NOT_YET_VALID", "certificate is not yet valid", &[], true),
                one(says(Java, "java.security.cert.CertificateNotYetValidException: NotBefore: …", &["CertificateNotYetValidException"], "jdk17u sun/security/x509/CertificateValidity.java")),
                one(says(Rustls, "invalid peer certificate: certificate not valid yet: verification time … (UNIX), but certificate is not valid before …", &["invalid peer certificate: NotValidYet"], RUSTLS)),
            ],
        ),
        fam(
            "purpose",
            "the leaf's extended key usage does not allow the role it was used in",
            Verifier,
            &[WrongEku, OtherFileSent],
            vec![
                ossl("INVALID_PURPOSE", "unsuitable certificate purpose", &["unsupported certificate purpose"], true),
                one(says(Java, "sun.security.validator.ValidatorException: Extended key usage does not permit use for TLS client authentication", &["Extended key usage does not permit use for TLS server authentication", "Netscape cert type does not permit use for SSL client", "Netscape cert type does not permit use for SSL server"], "jdk17u sun/security/validator/EndEntityChecker.java")),
                one(says(Go, "x509: certificate specifies an incompatible key usage", &["a root or intermediate certificate is not authorized for an extended key usage"], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: NotValidForUsage", &["NotValidForUsage"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: certificate does not allow extended key usage for …", &["invalid peer certificate: InvalidPurpose"], RUSTLS)),
            ],
        ),
        fam(
            "key-usage",
            "a key usage bit the verifier needs is missing (keyCertSign on a CA, digitalSignature or keyEncipherment on the leaf)",
            Verifier,
            &[KeyUsage],
            vec![
                ossl("KEYUSAGE_NO_CERTSIGN", "key usage does not include certificate signing", &[], false),
                ossl("KEYUSAGE_NO_DIGITAL_SIGNATURE", "key usage does not include digital signature", &[], false),
                one(says(Java, "CA key usage check failed: keyCertSign bit is not set", &["KeyUsage does not allow digital signatures", "KeyUsage does not allow key encipherment"], "jdk17u sun/security/provider/certpath/KeyChecker.java; sun/security/validator/EndEntityChecker.java")),
            ],
        ),
        fam(
            "not-a-ca",
            "a certificate used as an issuer is not a CA, or a leaf carries CA markings",
            Verifier,
            &[NotCa, WrongIntermediate],
            vec![
                ossl("INVALID_CA", "invalid CA certificate", &[], true),
                ossl("INVALID_NON_CA", "invalid non-CA certificate (has CA markings)", &[], false),
                one(says(Java, "basic constraints check failed: this is not a CA certificate", &[], "jdk17u sun/security/provider/certpath/ConstraintsChecker.java")),
                one(says(Go, "x509: certificate is not authorized to sign other certificates", &[], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: InvalidBasicConstraints", &["InvalidBasicConstraints"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))", &["CaUsedAsEndEntity", "EndEntityUsedAsCa"], "rustls-webpki 0.103 src/error.rs")),
            ],
        ),
        fam(
            "path-length",
            "a CA's pathLenConstraint allows fewer intermediates below it than the chain has",
            Verifier,
            &[PathLength],
            vec![
                ossl("PATH_LENGTH_EXCEEDED", "path length constraint exceeded", &[], true),
                ossl("PROXY_PATH_LENGTH_EXCEEDED", "proxy path length constraint exceeded", &[], false),
                one(says(Java, "basic constraints check failed: pathLenConstraint violated - this cert must be the last cert in the certification path", &["pathLenConstraint violated"], "jdk17u sun/security/provider/certpath/ConstraintsChecker.java")),
                one(says(Go, "x509: too many intermediates for path length constraint", &[], GO_VERIFY)),
            ],
        ),
        fam(
            "chain-too-long",
            "the chain is longer than the verifier's depth limit",
            Verifier,
            &[TooDeep],
            vec![
                ossl("CERT_CHAIN_TOO_LONG", "certificate chain too long", &[], true),
                one(says(Rustls, "invalid peer certificate: Other(OtherError(MaximumPathDepthExceeded))", &["MaximumPathDepthExceeded", "MaximumPathBuildCallsExceeded"], "rustls-webpki 0.103 src/error.rs")),
            ],
        ),
        fam(
            "signature",
            "a signature on the chain does not verify with the issuer's key",
            Verifier,
            &[WrongIntermediate, BadSignature],
            vec![
                ossl("CERT_SIGNATURE_FAILURE", "certificate signature failure", &[], true),
                ossl("UNABLE_TO_DECRYPT_CERT_SIGNATURE", "unable to decrypt certificate's signature", &[], true),
                ossl("UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "unable to decode issuer public key", &[], true),
                ossl("NO_ISSUER_PUBLIC_KEY", "issuer certificate doesn't have a public key", &[], false),
                ossl("SIGNATURE_ALGORITHM_MISMATCH", "subject signature algorithm and issuer public key algorithm mismatch", &[], false),
                one(says(Java, "java.security.cert.CertPathValidatorException: signature check failed", &["Signature does not match"], "jdk17u sun/security/provider/certpath/BasicChecker.java")),
                one(says(Go, "x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate …)", &["while trying to verify candidate authority certificate"], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: NotSignatureValid", &["NotSignatureValid"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: BadSignature", &[], RUSTLS)),
            ],
        ),
        fam(
            "issuer-mismatch",
            "a certificate's issuer name or authority key identifier does not match the certificate tried as its issuer",
            Verifier,
            &[WrongIntermediate],
            vec![
                ossl("SUBJECT_ISSUER_MISMATCH", "subject issuer mismatch", &[], false),
                ossl("AKID_SKID_MISMATCH", "authority and subject key identifier mismatch", &[], false),
                ossl("AKID_ISSUER_SERIAL_MISMATCH", "authority and issuer serial number mismatch", &[], false),
                one(says(Java, "subject/issuer name chaining check failed", &[], "jdk17u sun/security/provider/certpath/BasicChecker.java")),
                one(says(Go, "x509: issuer name does not match subject from issuing certificate", &[], GO_VERIFY)),
            ],
        ),
        fam(
            "weak-algorithm",
            "a signature algorithm or key size on the chain is below the verifier's minimum",
            Verifier,
            &[WeakAlgorithm],
            vec![
                ossl("CA_MD_TOO_WEAK", "CA signature digest algorithm too weak", &[], false),
                ossl("EE_KEY_TOO_SMALL", "EE certificate key too weak", &[], false),
                ossl("CA_KEY_TOO_SMALL", "CA certificate key too weak", &[], false),
                ossl("UNSUPPORTED_SIGNATURE_ALGORITHM", "Cannot find certificate signature algorithm", &[], false),
                ossl("SUITE_B_INVALID_ALGORITHM", "Suite B: invalid public key algorithm", &["Suite B: invalid ECC curve", "Suite B: invalid signature algorithm", "Suite B: curve not allowed for this LOS", "Suite B: cannot sign P-384 with P-256", "Suite B: certificate version invalid"], false),
                one(says(Java, "java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm: SHA1withRSA", &["Algorithm constraints check failed"], "jdk17u sun/security/provider/certpath/AlgorithmChecker.java")),
                one(says(Go, "x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)", &["cannot verify signature: insecure algorithm"], "go src/crypto/x509/x509.go InsecureAlgorithmError")),
                one(says(Rustls, "invalid peer certificate: UnsupportedSignatureAlgorithm", &["UnsupportedSignatureAlgorithmContext"], RUSTLS)),
            ],
        ),
        fam(
            "revoked",
            "a certificate on the path is revoked",
            Verifier,
            &[Revoked],
            vec![
                ossl("CERT_REVOKED", "certificate revoked", &[], true),
                one(says(Java, "java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: …", &["Certificate has been revoked"], "jdk17u sun/security/provider/certpath/RevocationChecker.java")),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: Revoked", &[], DOTNET)),
                one(says(Rustls, "invalid peer certificate: Revoked", &[], RUSTLS)),
            ],
        ),
        fam(
            "revocation-unknown",
            "the verifier could not establish revocation status (CRL or OCSP missing, unreachable, expired or invalid)",
            Verifier,
            &[RevocationUnknown, ClockWrong],
            vec![
                ossl("UNABLE_TO_GET_CRL", "unable to get certificate CRL", &[], true),
                ossl("UNABLE_TO_GET_CRL_ISSUER", "unable to get CRL issuer certificate", &[], false),
                ossl("CRL_HAS_EXPIRED", "CRL has expired", &[], true),
                ossl("CRL_NOT_YET_VALID", "CRL is not yet valid", &[], true),
                ossl("CRL_SIGNATURE_FAILURE", "CRL signature failure", &[], true),
                ossl("UNABLE_TO_DECRYPT_CRL_SIGNATURE", "unable to decrypt CRL's signature", &[], true),
                ossl("ERROR_IN_CRL_LAST_UPDATE_FIELD", "format error in CRL's lastUpdate field", &["format error in CRL's nextUpdate field"], true),
                ossl("KEYUSAGE_NO_CRL_SIGN", "key usage does not include CRL signing", &[], false),
                ossl("UNHANDLED_CRITICAL_CRL_EXTENSION", "unhandled critical CRL extension", &[], false),
                ossl("DIFFERENT_CRL_SCOPE", "different CRL scope", &[], false),
                ossl("CRL_PATH_VALIDATION_ERROR", "CRL path validation error", &[], false),
                ossl("OCSP_VERIFY_FAILED", "OCSP verification failed", &["OCSP verification needed", "OCSP unknown cert", "OCSP response(s) invalid", "OCSP response signature verification failure", "OCSP response not yet valid", "OCSP response has expired", "no OCSP response available for certificate"], false),
                one(says(Java, "java.security.cert.CertPathValidatorException: Could not determine revocation status", &["Unable to determine revocation status due to network error"], "jdk17u sun/security/provider/certpath/RevocationChecker.java")),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: RevocationStatusUnknown", &["RevocationStatusUnknown", "OfflineRevocation", "The revocation function was unable to check revocation for the certificate"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: UnknownRevocationStatus", &["ExpiredRevocationList", "certificate revocation list expired"], RUSTLS)),
            ],
        ),
        fam(
            "name-mismatch",
            "the server's certificate is not valid for the host name or address the client called",
            Verifier,
            &[NameMismatch, ProxyIntercepts, OtherFileSent],
            vec![
                ossl("HOSTNAME_MISMATCH", "hostname mismatch", &[], true),
                ossl("IP_ADDRESS_MISMATCH", "IP address mismatch", &[], false),
                ossl("EMAIL_MISMATCH", "email address mismatch", &[], false),
                one(by(Role::Client, says(OpenSsl, "SSL: no alternative certificate subject name matches target host name '…'", &["does not match target host name"], "curl lib/vtls/openssl.c verifyhost"))),
                one(by(Role::Client, says(Python, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '…'.", &["certificate is not valid for", "IP address mismatch, certificate is not valid for"], PY_SSL))),
                one(by(Role::Client, says(Node, "ERR_TLS_CERT_ALTNAME_INVALID", &["Hostname/IP does not match certificate's altnames"], "node lib/tls.js checkServerIdentity"))),
                one(by(Role::Client, says(Java, "java.security.cert.CertificateException: No subject alternative DNS name matching … found.", &["No subject alternative DNS name matching", "No subject alternative names matching IP address", "No subject alternative names present", "No name matching"], "jdk17u sun/security/util/HostnameChecker.java"))),
                one(by(Role::Client, says(Go, "x509: certificate is valid for …, not …", &["certificate is not valid for any names, but wanted to match", "because it doesn't contain any IP SANs", "certificate relies on legacy Common Name field, use SANs instead"], GO_VERIFY))),
                one(by(Role::Client, says(DotNet, "The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch", &["RemoteCertificateNameMismatch", "The target principal name is incorrect"], "dotnet/runtime Strings.resx net_ssl_io_cert_validation; SslPolicyErrors"))),
                one(by(Role::Client, says(Rustls, "invalid peer certificate: certificate not valid for name \"…\"; certificate is only valid for …", &["invalid peer certificate: NotValidForName"], RUSTLS))),
            ],
        ),
        fam(
            "name-constraints",
            "a CA's name constraints forbid a name in the certificate below it",
            Verifier,
            &[NameConstraints],
            vec![
                ossl("PERMITTED_VIOLATION", "permitted subtree violation", &[], false),
                ossl("EXCLUDED_VIOLATION", "excluded subtree violation", &[], false),
                ossl("SUBTREE_MINMAX", "name constraints minimum and maximum not supported", &[], false),
                ossl("UNSUPPORTED_CONSTRAINT_TYPE", "unsupported name constraint type", &[], false),
                ossl("UNSUPPORTED_CONSTRAINT_SYNTAX", "unsupported or invalid name constraint syntax", &[], false),
                ossl("UNSUPPORTED_NAME_SYNTAX", "unsupported or invalid name syntax", &[], false),
                ossl("PROXY_SUBJECT_NAME_VIOLATION", "proxy subject name violation", &[], false),
                one(says(Java, "java.security.cert.CertPathValidatorException: name constraints check failed", &[], "jdk17u sun/security/provider/certpath/ConstraintsChecker.java")),
                one(says(Go, "x509: a root or intermediate certificate is not authorized to sign for this name: …", &["issuer has name constraints but leaf contains unknown or unconstrained name", "x509: too many constraints"], GO_VERIFY)),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: HasExcludedNameConstraint", &["HasExcludedNameConstraint", "HasNotPermittedNameConstraint", "HasNotSupportedNameConstraint", "InvalidNameConstraints"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: Other(OtherError(NameConstraintViolation))", &["NameConstraintViolation"], "rustls-webpki 0.103 src/error.rs")),
            ],
        ),
        fam(
            "critical-extension",
            "a certificate carries a critical extension the verifier does not handle",
            Verifier,
            &[CriticalExtension],
            vec![
                ossl("UNHANDLED_CRITICAL_EXTENSION", "unhandled critical extension", &[], false),
                one(says(Java, "java.security.cert.CertPathValidatorException: Unrecognized critical extension(s)", &[], "jdk17u sun/security/provider/certpath/PKIXMasterCertPathValidator.java")),
                one(says(Go, "x509: unhandled critical extension", &[], "go src/crypto/x509/x509.go UnhandledCriticalExtension")),
                one(says(DotNet, "The remote certificate is invalid because of errors in the certificate chain: HasNotSupportedCriticalExtension", &["HasNotSupportedCriticalExtension"], DOTNET)),
                one(says(Rustls, "invalid peer certificate: UnhandledCriticalExtension", &[], RUSTLS)),
            ],
        ),
        fam(
            "malformed",
            "a certificate on the chain is malformed or uses a feature the verifier refuses",
            Verifier,
            &[Malformed],
            vec![
                ossl("ERROR_IN_CERT_NOT_BEFORE_FIELD", "format error in certificate's notBefore field", &[], true),
                ossl("ERROR_IN_CERT_NOT_AFTER_FIELD", "format error in certificate's notAfter field", &[], true),
                ossl("INVALID_EXTENSION", "invalid or inconsistent certificate extension", &[], false),
                ossl("UNSUPPORTED_EXTENSION_FEATURE", "unsupported extension feature", &[], false),
                ossl("SIGNATURE_ALGORITHM_INCONSISTENCY", "cert info signature and signature algorithm mismatch", &[], false),
                ossl("UNNESTED_RESOURCE", "RFC 3779 resource not subset of parent's resources", &[], false),
                ossl("PROXY_CERTIFICATES_NOT_ALLOWED", "proxy certificates not allowed, please set the appropriate flag", &[], false),
                one(says(Go, "x509: malformed certificate", &["tls: failed to parse certificate from server"], "go src/crypto/x509/parser.go")),
                one(says(Rustls, "invalid peer certificate: BadEncoding", &[], RUSTLS)),
                one(says(Java, "java.security.cert.CertificateParsingException: …", &["CertificateParsingException"], "jdk17u sun/security/x509/X509CertImpl.java")),
            ],
        ),
        fam(
            "strict-profile",
            "a certificate breaks an RFC 5280 rule that strict verification enforces (OpenSSL X509_V_FLAG_X509_STRICT, Python 3.13's default VERIFY_X509_STRICT)",
            Verifier,
            &[StrictProfile],
            vec![
                ossl("CA_BCONS_NOT_CRITICAL", "Basic Constraints of CA cert not marked critical", &[], false),
                ossl("MISSING_AUTHORITY_KEY_IDENTIFIER", "Missing Authority Key Identifier", &[], false),
                ossl("MISSING_SUBJECT_KEY_IDENTIFIER", "Missing Subject Key Identifier", &[], false),
                ossl("CA_CERT_MISSING_KEY_USAGE", "CA cert does not include key usage extension", &[], false),
                ossl("PATHLEN_INVALID_FOR_NON_CA", "Path length invalid for non-CA cert", &[], false),
                ossl("PATHLEN_WITHOUT_KU_KEY_CERT_SIGN", "Path length given without key usage keyCertSign", &[], false),
                ossl("KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA", "Key usage keyCertSign invalid for non-CA cert", &[], false),
                ossl("ISSUER_NAME_EMPTY", "Issuer name empty", &[], false),
                ossl("SUBJECT_NAME_EMPTY", "Subject name empty", &[], false),
                ossl("EMPTY_SUBJECT_ALT_NAME", "Empty Subject Alternative Name extension", &[], false),
                ossl("EMPTY_SUBJECT_SAN_NOT_CRITICAL", "Subject empty and Subject Alt Name extension not critical", &[], false),
                ossl("AUTHORITY_KEY_IDENTIFIER_CRITICAL", "Authority Key Identifier marked critical", &[], false),
                ossl("SUBJECT_KEY_IDENTIFIER_CRITICAL", "Subject Key Identifier marked critical", &[], false),
                ossl("EXTENSIONS_REQUIRE_VERSION_3", "Using cert extension requires at least X509v3", &[], false),
                ossl("EC_KEY_EXPLICIT_PARAMS", "Certificate public key has explicit ECC parameters", &[], false),
            ],
        ),
        fam(
            "policy",
            "the chain does not meet a policy the verifier requires (certificate policies, Certificate Transparency, DANE)",
            Verifier,
            &[PolicyRequired],
            vec![
                ossl("INVALID_POLICY_EXTENSION", "invalid or inconsistent certificate policy extension", &[], false),
                ossl("NO_EXPLICIT_POLICY", "no explicit policy", &[], false),
                ossl("NO_VALID_SCTS", "Certificate Transparency required, but no valid SCTs found", &[], false),
                ossl("DANE_NO_MATCH", "no matching DANE TLSA records", &[], false),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: non-null policy tree required and policy tree is null", &["non-null policy tree required and policy tree is null"], "jdk17u sun/security/provider/certpath/PolicyChecker.java (PKIXReason.INVALID_POLICY)")),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: encountered an issuerDomainPolicy of ANY_POLICY", &["encountered an issuerDomainPolicy of ANY_POLICY"], "jdk17u sun/security/provider/certpath/PolicyChecker.java (PKIXReason.INVALID_POLICY)")),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: encountered a subjectDomainPolicy of ANY_POLICY", &["encountered a subjectDomainPolicy of ANY_POLICY"], "jdk17u sun/security/provider/certpath/PolicyChecker.java (PKIXReason.INVALID_POLICY)")),
                one(says(Java, "PKIX path validation failed: java.security.cert.CertPathValidatorException: critical policy qualifiers present in certificate", &["critical policy qualifiers present in certificate"], "jdk17u sun/security/provider/certpath/PolicyChecker.java (PKIXReason.INVALID_POLICY)")),
            ],
        ),
        fam(
            "path-loop",
            "path building met the same certificate twice",
            Verifier,
            &[WrongIntermediate],
            vec![ossl("PATH_LOOP", "path loop", &[], false)],
        ),
        Family {
            generic: true,
            ..fam(
                "verify-failed",
                "the verifier refused the chain without saying why in this line",
                Verifier,
                &[
                    IntermediateMissing,
                    RootNotTrusted,
                    Expired,
                    WrongEku,
                    NameMismatch,
                    ProxyIntercepts,
                ],
                vec![
                    one(says(OpenSsl, "SSL routines::certificate verify failed", &["certificate verify failed", "ssl3_get_server_certificate:certificate verify failed", "unspecified certificate verification error", "unknown certificate verification error", "application verification failure", "X509_V_ERR_UNSPECIFIED"], "openssl ssl/ssl_err.c SSL_R_CERTIFICATE_VERIFY_FAILED")),
                    one(says(Python, "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", &["CERTIFICATE_VERIFY_FAILED"], PY_SSL)),
                    one(says(Node, "code: 'UNSPECIFIED'", &[], NODE_CODES)),
                    one(says(Java, "javax.net.ssl.SSLHandshakeException: PKIX path validation failed", &["PKIX path validation failed", "General SSLEngine problem"], JAVA_PKIX)),
                    one(says(Go, "tls: failed to verify certificate: …", &["tls: failed to verify certificate"], "go src/crypto/tls/handshake_client.go")),
                    one(by(Role::Server, says(Go, "tls: failed to verify client certificate: …", &["tls: failed to verify client certificate"], "go src/crypto/tls/handshake_server.go"))),
                    one(says(DotNet, "The remote certificate is invalid according to the validation procedure: RemoteCertificateChainErrors", &["The remote certificate is invalid according to the validation procedure", "The remote certificate is invalid because of errors in the certificate chain", "RemoteCertificateChainErrors", "The remote certificate was rejected by the provided RemoteCertificateValidationCallback"], "dotnet/runtime Strings.resx net_ssl_io_cert_validation")),
                    one(says(Rustls, "invalid peer certificate: ApplicationVerificationFailure", &["invalid peer certificate"], RUSTLS)),
                    one(by(Role::Server, says(OpenSsl, "nginx: client SSL certificate verify error: (…)", &["client SSL certificate verify error", "400 The SSL certificate error"], "nginx src/http/ngx_http_request.c ngx_http_ssl_handshake_handler"))),
                ],
            )
        },
        fam(
            "no-client-certificate",
            "the server required a client certificate and received none",
            Verifier,
            &[
                NoClientCertSent,
                ServerAsksOtherCas,
                OtherFileSent,
                ProxyIntercepts,
            ],
            vec![
                one(by(Role::Server, says(Salesforce, "Client certificate error: No client certificate provided.", &["No client certificate provided"], SF))),
                one(by(Role::Server, says(OpenSsl, "peer did not return a certificate", &["PEER_DID_NOT_RETURN_A_CERTIFICATE", "No required SSL certificate was sent"], "openssl ssl/ssl_err.c SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE; nginx 400 page"))),
                one(by(Role::Server, says(Java, "javax.net.ssl.SSLHandshakeException: Empty client certificate chain", &["Empty client certificate chain", "null cert chain"], "jdk17u sun/security/ssl/CertificateMessage.java"))),
                one(by(Role::Server, says(Go, "tls: client didn't provide a certificate", &[], "go src/crypto/tls/handshake_server.go"))),
                one(by(Role::Server, says(Salesforce, "Request did not provide the required two-way TLS certificate", &[], SF))),
            ],
        ),
        fam(
            "salesforce-wrong-port",
            "a user who must authenticate with a certificate called the API on port 443",
            Local,
            &[WrongPort],
            vec![one(by(
                Role::Server,
                says(
                    Salesforce,
                    "MUTUAL_AUTHENTICATION_FAILED: This session could not be mutually authenticated for use with the API",
                    &["MUTUAL_AUTHENTICATION_FAILED"],
                    SF,
                ),
            ))],
        ),
        fam(
            "salesforce-not-pkcs12",
            "Apex was given PEM or DER where it expects base64 PKCS#12",
            Local,
            &[NotPkcs12],
            vec![one(says(
                Salesforce,
                "IO Exception: DER input, Integer tag error",
                &["DER input, Integer tag error"],
                SF,
            ))],
        ),
        fam(
            "keystore-without-key",
            "Salesforce's \"Import from Keystore\" found no private key entry in the file",
            Local,
            &[KeystoreWithoutKey],
            vec![one(says(
                Salesforce,
                "No certificate was imported because the keystore file doesn't contain a PrivateKey entry.",
                &["doesn't contain a PrivateKey entry"],
                SF,
            ))],
        ),
        fam(
            "key-file-refused",
            "curl could not use the client certificate file with its key",
            Local,
            &[KeyMismatch, FileFormat],
            vec![one(by(
                Role::Client,
                says(
                    OpenSsl,
                    "curl: (58) unable to set private key file: '…' type PEM",
                    &[
                        "unable to set private key file",
                        "unable to use client certificate",
                        "could not load PEM client certificate",
                        "key values mismatch",
                    ],
                    "curl lib/vtls/openssl.c cert_stuff",
                ),
            ))],
        ),
        fam(
            "unreadable-file",
            "the tool could not read a certificate from the file",
            Local,
            &[FileFormat],
            vec![one(says(
                OpenSsl,
                "unable to load certificate",
                &[
                    "Expecting: TRUSTED CERTIFICATE",
                    "Could not read certificate",
                    "Could not find certificate from",
                    "no start line",
                    "Expecting: CERTIFICATE",
                ],
                "openssl apps/lib/apps.c load_cert; crypto/pem/pem_lib.c PEM_R_NO_START_LINE",
            ))],
        ),
        fam(
            "empty-trust-store",
            "the verifier has no trusted roots at all",
            Local,
            &[EmptyTrustStore],
            vec![
                one(says(Java, "java.security.InvalidAlgorithmParameterException: the trustAnchors parameter must be non-empty", &["the trustAnchors parameter must be non-empty"], "jdk17u java/security/cert/PKIXParameters.java")),
                one(says(Go, "x509: failed to load system roots and no roots provided", &[], GO_VERIFY)),
                one(says(OpenSsl, "curl: (77) error setting certificate verify locations", &["error setting certificate verify locations", "error setting certificate file"], "curl lib/vtls/openssl.c")),
            ],
        ),
    ];
    v.extend(alert_families());
    v
}

/// What each chain-related alert means, and its causes. Texts come from
/// the alert table in [`super::alert`], worded per peer.
fn alert_families() -> Vec<Family> {
    use Cause::*;
    let table: [(&str, &'static str, &'static str, &'static [Cause]); 11] = [
        (
            "unknown_ca",
            "alert-unknown-ca",
            "the other side could not build your chain to a CA it trusts",
            &[
                IntermediateMissing,
                RootNotTrusted,
                WrongIntermediate,
                OtherFileSent,
                ServerAsksOtherCas,
            ],
        ),
        (
            "bad_certificate",
            "alert-bad-certificate",
            "the other side refused your certificate (OpenSSL sends it for a certificate not valid yet, and TLS 1.2 servers for a missing one)",
            &[
                NoClientCertSent,
                NotYetValid,
                Malformed,
                NameMismatch,
                KeyMismatch,
                OtherFileSent,
            ],
        ),
        (
            "certificate_unknown",
            "alert-certificate-unknown",
            "the other side refused your certificate for a reason it did not name (Java sends it for every PKIX failure)",
            &[
                IntermediateMissing,
                RootNotTrusted,
                WrongEku,
                Expired,
                OtherFileSent,
                ProxyIntercepts,
            ],
        ),
        (
            "unsupported_certificate",
            "alert-unsupported-certificate",
            "the other side refused your certificate's purpose or type",
            &[WrongEku, KeyUsage, OtherFileSent],
        ),
        (
            "certificate_expired",
            "alert-certificate-expired",
            "the other side found a certificate in your chain expired or not yet valid",
            &[Expired, NotYetValid, ClockWrong],
        ),
        (
            "certificate_revoked",
            "alert-certificate-revoked",
            "the other side found a certificate in your chain revoked",
            &[Revoked],
        ),
        (
            "certificate_required",
            "alert-certificate-required",
            "the server required a client certificate and received none (TLS 1.3)",
            &[NoClientCertSent, ServerAsksOtherCas, OtherFileSent],
        ),
        (
            "handshake_failure",
            "alert-handshake-failure",
            "the other side ended the handshake without a specific reason (OpenSSL servers in TLS 1.2 send it for a missing client certificate)",
            &[
                NoClientCertSent,
                ServerAsksOtherCas,
                HandshakeParameters,
                KeyMismatch,
            ],
        ),
        (
            "access_denied",
            "alert-access-denied",
            "the other side verified your certificate but does not allow it",
            &[AccessRule, OtherFileSent],
        ),
        (
            "decrypt_error",
            "alert-decrypt-error",
            "a signature did not verify on the other side: a certificate's, or the handshake's own",
            &[WrongIntermediate, KeyMismatch, BadSignature],
        ),
        (
            "insufficient_security",
            "alert-insufficient-security",
            "the other side wants stronger parameters or keys",
            &[WeakAlgorithm, HandshakeParameters],
        ),
    ];
    table
        .into_iter()
        .map(|(name, id, meaning, causes)| {
            let a = super::alert::by_name(name).expect("alert in the table");
            Family {
                id,
                meaning,
                raised: Raised::Alerted,
                causes,
                says: alert_says(a),
                generic: false,
            }
        })
        .collect()
}

/// Every peer's wording of one received alert.
fn alert_says(a: &Alert) -> Vec<Says> {
    let upper = a.openssl.to_ascii_uppercase().replace(' ', "_");
    vec![
        says(
            Speaker::OpenSsl,
            &format!("SSL routines::{}", a.openssl),
            &[
                a.openssl,
                &format!("SSL alert number {}", a.code),
                // curl -v: "TLSv1.3 (IN), TLS alert, unknown CA (560)".
                &format!("alert {}", a.name.replace('_', " ")),
            ],
            "openssl ssl/ssl_err.c SSL_R_*_ALERT_* and ssl/record/rec_layer_s3.c (\"SSL alert number %d\")",
        ),
        says(
            Speaker::Python,
            &format!("[SSL: {upper}] {}", a.openssl),
            &[],
            PY_SSL,
        ),
        says(
            Speaker::Node,
            &format!("ERR_SSL_{upper}"),
            &[],
            "node src/crypto/crypto_util.cc (ERR_SSL_ + OpenSSL reason code)",
        ),
        says(
            Speaker::Java,
            &format!(
                "javax.net.ssl.SSLHandshakeException: Received fatal alert: {}",
                a.name
            ),
            &[&format!("Received fatal alert: {}", a.name)],
            "jdk17u sun/security/ssl/Alert.java",
        ),
        says(
            Speaker::Go,
            &format!("remote error: tls: {}", a.go),
            &[],
            "go src/crypto/tls/alert.go alertText",
        ),
        says(
            Speaker::Rustls,
            &format!("received fatal alert: {}", a.rustls),
            &[],
            "rustls 0.23 src/error.rs Error::AlertReceived",
        ),
    ]
}

/// Families per speaker.
pub fn count_by_speaker() -> Vec<(Speaker, usize)> {
    Speaker::ALL
        .into_iter()
        .map(|s| {
            (
                s,
                catalogue()
                    .iter()
                    .filter(|f| f.says.iter().any(|x| x.who == s))
                    .count(),
            )
        })
        .collect()
}

/// The catalogue as the Markdown tables of docs/troubleshooting.md
/// (between its `catalogue` markers; a test keeps the page in step).
pub fn markdown() -> String {
    fn cell(s: &str) -> String {
        s.replace('|', "\\|")
    }
    let mut s = String::from(
        "| family | message, as each peer prints it | printed by | raised by | means | causes (most frequent first) |\n|---|---|---|---|---|---|\n",
    );
    for f in catalogue() {
        let mut texts: Vec<String> = Vec::new();
        for x in &f.says {
            let t = format!("`{}`", cell(&x.text));
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
        let raised = match f.raised {
            Raised::Verifier => "the verifier of the chain",
            Raised::Alerted => "the side told by an alert",
            Raised::Local => "a local check",
        };
        let speakers: Vec<&str> = f.speakers().iter().map(|s| s.label()).collect();
        let causes: Vec<String> = f
            .causes
            .iter()
            .map(|c| format!("[{0}](#{0})", cause_id(*c)))
            .collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {raised} | {} | {} |\n",
            f.id,
            texts.join("<br>"),
            speakers.join(", "),
            cell(f.meaning),
            causes.join(", ")
        ));
    }
    s.push_str("\n### Causes\n\n| cause | what it means | how to tell |\n|---|---|---|\n");
    let mut all: Vec<Cause> = catalogue()
        .iter()
        .flat_map(|f| f.causes.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    for c in all {
        s.push_str(&format!(
            "| <a id=\"{0}\"></a>`{0}` | {1} | {2} |\n",
            cause_id(c),
            cell(c.text()),
            cell(c.check())
        ));
    }
    s.push_str("\n### Families per peer\n\n| peer | families |\n|---|---|\n");
    for (sp, n) in count_by_speaker() {
        s.push_str(&format!("| {} | {n} |\n", sp.label()));
    }
    s
}

fn cause_id(c: Cause) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- catalogue:begin (generated from src/message/catalogue.rs; CHAINFIX_BLESS_DOCS=1 cargo test --lib troubleshooting rewrites it) -->\n";
    const END: &str = "<!-- catalogue:end -->";

    /// docs/troubleshooting.md carries the catalogue as generated: the page
    /// and the code cannot drift.
    #[test]
    fn troubleshooting_page_matches_the_catalogue() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/troubleshooting.md");
        let page = std::fs::read_to_string(&path).unwrap();
        let (Some(b), Some(e)) = (page.find(BEGIN), page.find(END)) else {
            panic!("docs/troubleshooting.md lacks the catalogue markers");
        };
        let want = markdown();
        let have = &page[b + BEGIN.len()..e];
        if have != want {
            if std::env::var_os("CHAINFIX_BLESS_DOCS").is_some() {
                let new = format!("{}{BEGIN}{want}{}", &page[..b], &page[e..]);
                std::fs::write(&path, new).unwrap();
            } else {
                panic!(
                    "docs/troubleshooting.md is out of date with the catalogue; run CHAINFIX_BLESS_DOCS=1 cargo test --lib troubleshooting"
                );
            }
        }
    }

    /// Every message quoted in the hand-written table of the common ones is
    /// one diagnose recognises.
    #[test]
    fn the_common_messages_on_the_troubleshooting_page_are_recognised() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/troubleshooting.md");
        let page = std::fs::read_to_string(path).unwrap();
        let table = &page[page.find("## The common ones").unwrap()..page.find(BEGIN).unwrap()];
        let mut n = 0;
        for row in table.lines().filter(|l| l.starts_with("| `")) {
            let first = row.split(" | ").next().unwrap();
            for quoted in first.split('`').skip(1).step_by(2) {
                let text = quoted.replace('…', "x");
                assert!(
                    super::super::read(&text).is_some(),
                    "not recognised: {quoted}"
                );
                n += 1;
            }
        }
        assert!(n >= 10, "{n}");
    }

    #[test]
    fn ids_are_unique_and_every_family_has_a_source_per_wording() {
        let mut ids: Vec<&str> = catalogue().iter().map(|f| f.id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for f in catalogue() {
            assert!(!f.causes.is_empty(), "{}", f.id);
            assert!(f.says.iter().all(|s| !s.source.is_empty()), "{}", f.id);
        }
    }
}
