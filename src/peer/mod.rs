//! Peers: the software on the other end of the connection, and what it
//! accepts. A [`Profile`] is data — switches and limits, one per peer, each
//! field naming its source — and the one path builder
//! ([`crate::chain::build`]) reads it through
//! [`crate::chain::Policy::for_peer`]. Adding a peer is adding a table here
//! and a row set in `docs/peers.md`, not editing the builder.
//!
//! [`words`] gives the peer's own words for a refusal (the OpenSSL error
//! number and string, the JSSE exception text), so that a verdict reads as
//! the peer would say it and `diagnose` can match what a user pasted.

pub mod after_path;
pub mod verdict;
mod words;

pub use after_path::{AfterPath, accepted_path, after_path};
pub use verdict::{Choice, Verdict, judge};
pub use words::{PeerWords, words};

use serde::Serialize;

/// A TLS peer chainfix can judge for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Peer {
    /// OpenSSL 3 / libssl in a handshake: curl, nginx, Apache, Python, Node.
    #[value(name = "openssl")]
    OpenSsl,
    /// Java 17+ JSSE: the PKIX validator with the TLS end-entity checks.
    Java,
    /// Salesforce (runs on Java; its own trust store; CRLs checked).
    Salesforce,
    /// rustls / rustls-webpki and the CA/Browser Forum profile: the strictest.
    Webpki,
}

impl Peer {
    pub const ALL: [Peer; 4] = [Peer::OpenSsl, Peer::Java, Peer::Salesforce, Peer::Webpki];

    /// The `--peer` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Peer::OpenSsl => "openssl",
            Peer::Java => "java",
            Peer::Salesforce => "salesforce",
            Peer::Webpki => "webpki",
        }
    }

    /// How a verdict names it: "OpenSSL (curl) refuses: …".
    pub fn display_name(self) -> &'static str {
        match self {
            Peer::OpenSsl => "OpenSSL (curl)",
            Peer::Java => "Java (JSSE)",
            Peer::Salesforce => "Salesforce",
            Peer::Webpki => "rustls (webpki)",
        }
    }

    /// The peer's profile at its default configuration.
    pub fn profile(self) -> Profile {
        match self {
            Peer::OpenSsl => OPENSSL,
            Peer::Java => JAVA,
            Peer::Salesforce => SALESFORCE,
            Peer::Webpki => WEBPKI,
        }
    }
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Peer {
    type Err = String;
    fn from_str(s: &str) -> Result<Peer, String> {
        Peer::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown peer {s:?} (openssl, java, salesforce or webpki)"))
    }
}

/// What the peer does about revocation by default. The checks themselves
/// are a separate stage (`src/revocation/`); the profile only says what
/// the peer would do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Revocation {
    /// No revocation check unless configured.
    Off,
    /// CRLs fetched and checked; a CRL that cannot be had fails the chain.
    CrlHardFail,
    /// CRLs fetched and checked; a revoked certificate fails the chain, a
    /// status that cannot be had (no distribution point, CRL unreachable or
    /// stale) passes with a warning naming the risk.
    CrlSoftFail,
}

impl Revocation {
    /// The revocation stage's mode and failure for this default.
    pub fn stage(self) -> (crate::revocation::Mode, crate::revocation::Failure) {
        use crate::revocation::{Failure, Mode};
        match self {
            Revocation::Off => (Mode::Off, Failure::Hard),
            Revocation::CrlHardFail => (Mode::Crl, Failure::Hard),
            Revocation::CrlSoftFail => (Mode::Crl, Failure::Soft),
        }
    }
}

/// Certificate policy processing (RFC 5280 §6.1) by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificatePolicies {
    /// None: no path is refused for what its policy extensions say.
    Off,
    /// None, and the policy extensions are not read at all: a critical one
    /// is an unsupported critical extension. rustls-webpki: src/cert.rs
    /// `remember_cert_extension` ("We don't do anything with certificate
    /// policies … We assume that the policy-related extensions are not
    /// marked critical") → `UnsupportedCriticalExtension`.
    Unsupported,
    /// The valid policy tree on every path, with Java's inputs
    /// ([`crate::chain::policies::PolicyInputs::jdk`]): any policy
    /// acceptable, none required, nothing inhibited, critical policy
    /// qualifiers refused.
    Jdk,
}

impl CertificatePolicies {
    /// The initial inputs policy processing runs with, `None` when off.
    pub fn inputs(self) -> Option<crate::chain::policies::PolicyInputs> {
        match self {
            CertificatePolicies::Off | CertificatePolicies::Unsupported => None,
            CertificatePolicies::Jdk => Some(crate::chain::policies::PolicyInputs::jdk()),
        }
    }
}

/// What anyExtendedKeyUsage in a leaf's EKU does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnyEku {
    /// It stands for the role's EKU. Java: sun/security/validator/
    /// EndEntityChecker.java `checkTLSClient/Server` accept `OID_EKU_ANY_USAGE`.
    Satisfies,
    /// It does not count, nor harm: the role's EKU must be there. OpenSSL:
    /// crypto/x509/v3_purp.c `xku_reject` tests the role's XKU bit only.
    Ignored,
    /// Its presence refuses the leaf (chainfix's strict profile, as
    /// x509-limbo's webpki::eku::ee-anyeku expects).
    Refused,
}

/// Which subject CNs count as names under a CA's name constraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CnConstraints {
    /// The leaf's host-name-like CNs, when it has no SAN at all (chainfix's
    /// strict profile, as rustls-webpki's limbo expectations).
    LeafWithoutSan,
    /// The leaf's host-name-like CNs, when its SAN has no DNS name. OpenSSL:
    /// crypto/x509/x509_vfy.c `check_name_constraints` (`!has_san_id(x,
    /// GEN_DNS)`) → v3_ncons.c `NAME_CONSTRAINTS_check_CN`.
    LeafWithoutDnsSan,
    /// The most specific CN of every certificate below the CA, as an IP
    /// address when it is one and the SAN has no IP, else as a DNS name when
    /// the SAN has no DNS name. Java: sun/security/x509/
    /// NameConstraintsExtension.java `verify(X509Certificate)`.
    MostSpecific,
}

/// When a SHA-1 signature on a certificate is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sha1 {
    Accepted,
    Refused,
    /// Java: refused only on a server chain that ends at a root of the
    /// JDK's own cacerts (`SHA1 jdkCA & usage TLSServer`).
    RefusedJdkCaServer,
}

/// What a peer accepts: switches and limits. Each field names where the
/// rule comes from; `docs/peers.md` lists the same rules per peer with
/// their sources, and a test holds the two together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub peer: Peer,
    /// OpenSSL security level (auth_level) the key and digest limits come
    /// from; `None` for peers without one. Source: ssl/ssl_cert.c
    /// `ssl_security_default_callback` and crypto/x509/x509_vfy.c
    /// `check_auth_level` / `minbits_table` {80, 112, 128, 192, 256}.
    pub security_level: Option<u8>,
    /// Smallest RSA (and DSA) key accepted, leaf and CAs, in bits.
    /// OpenSSL: the level's bits (level 2 = 112 bits = RSA 2048);
    /// Java: java.security `jdk.certpath.disabledAlgorithms` `RSA keySize < 1024`;
    /// webpki: rustls-webpki accepts RSA from 2048 bits.
    pub min_rsa_bits: u32,
    /// Smallest EC key accepted, in bits. OpenSSL: twice the level's bits;
    /// Java: `EC keySize < 224`; webpki: P-256 and up.
    pub min_ec_bits: u32,
    /// Smallest signature strength accepted on a certificate (not on the
    /// trust anchor's own self-signature), in OpenSSL security bits:
    /// MD5 = 39, SHA-1 = 63, SHA-256 = 128 (crypto/x509/x509_set.c
    /// `x509_sig_info_init`). Java refuses MD2/MD5 (`disabledAlgorithms`).
    pub min_sig_bits: u32,
    /// SHA-1 signatures. OpenSSL: by `min_sig_bits` (63 < 80 from level 1);
    /// Java: `SHA1 jdkCA & usage TLSServer`; webpki: no SHA-1 algorithm.
    pub sha1: Sha1,
    /// The RFC 5280 / CA/Browser Forum encoding profile (basicConstraints
    /// critical on CAs, AKI/SKI present, serial ≤ 20 bytes, RSA multiple of
    /// 8, only P-256/384/521, no DSA, non-empty subject …) is enforced.
    /// webpki / limbo's strict cases only; OpenSSL enforces it under
    /// `-x509_strict`, which libssl does not set; Java never.
    pub web_pki_profile: bool,
    /// A host name is matched against the subject CN when the leaf has no
    /// DNS SAN. OpenSSL: crypto/x509/v3_utl.c `do_x509_check`
    /// (`X509_CHECK_FLAG_NEVER_CHECK_SUBJECT` is off by default); Java:
    /// sun/security/util/HostnameChecker.java `matchDNS`.
    pub cn_as_host: bool,
    /// Which subject CNs a CA's DNS / IP name constraints apply to.
    pub cn_name_constraints: CnConstraints,
    /// A CA's EKU must allow the role (EKU nesting). OpenSSL:
    /// crypto/x509/v3_purp.c `check_purpose_ssl_client/server` run on every
    /// CA (`xku_reject`); Java: no such check (sun/security/validator/
    /// EndEntityChecker.java checks the end entity only); webpki: yes.
    pub eku_nesting: bool,
    /// What anyExtendedKeyUsage in a leaf's EKU does.
    pub any_eku_leaf: AnyEku,
    /// keyUsage bits (0 = digitalSignature, 2 = keyEncipherment, 4 =
    /// keyAgreement) of which a client leaf's keyUsage, when present, must
    /// have one. OpenSSL: v3_purp.c `check_purpose_ssl_client`
    /// (`KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT`); Java: EndEntityChecker
    /// `checkTLSClient` (digitalSignature); 0 = not checked.
    pub client_key_usage: u16,
    /// The same for a server leaf. OpenSSL: `check_purpose_ssl_server`
    /// (`KU_TLS` = digitalSignature | keyEncipherment | keyAgreement); Java:
    /// EndEntityChecker `checkTLSServer` (by key exchange: the same three).
    pub server_key_usage: u16,
    /// Most intermediates between leaf and anchor. OpenSSL: verify depth
    /// 100 (X509_VERIFY_PARAM default); Java: `jdk.tls.maxCertificateChainLength`
    /// 10 (sun/security/ssl/CertificateMessage.java); webpki: 6
    /// (verify_cert.rs MAX_SUB_CA_COUNT), chainfix allows 8.
    pub max_intermediates: usize,
    /// An intermediate in the trust store is an anchor in its own right.
    /// OpenSSL: only with X509_V_FLAG_PARTIAL_CHAIN (off by default);
    /// Java: yes (PKIXParameters trust anchors are any certificate);
    /// Salesforce: no, the chain must reach a root ("Certificate and Key
    /// Management": upload the full chain).
    pub intermediate_anchors: bool,
    /// The trust anchor is only a name and a key (RFC 5280 §6.1.1 d): its
    /// validity, critical extensions and name constraints are not checked.
    /// Java: sun/security/provider/certpath/PKIXCertPathValidator.java
    /// builds `TrustAnchor(cert, null)` (no name constraints) and checks
    /// from the first certificate below it. OpenSSL and webpki check it.
    pub anchor_is_name_and_key: bool,
    /// A certificate is expired at its notAfter second itself. OpenSSL:
    /// crypto/x509/x509_vfy.c `ossl_x509_check_cert_time` (`X509_cmp_time`
    /// ≤ 0 is expired); Java: `X509CertImpl.checkValidity` (after notAfter).
    pub expired_at_not_after: bool,
    /// A certificate without basicConstraints whose keyUsage allows
    /// keyCertSign (or a v1 self-signed root) is a CA. OpenSSL:
    /// crypto/x509/v3_purp.c `check_ca` (returns 4 and 3).
    pub ca_by_key_usage: bool,
    /// Java's name-constraint check adds the leaf's CN to the certificate's
    /// cached SAN list (NameConstraintsExtension.verify `altNames.add`), so
    /// below a CA with name constraints, HostnameChecker then matches an IP
    /// or host name that only the CN carries.
    pub nc_cn_joins_san: bool,
    /// Revocation by default. OpenSSL: off (no X509_V_FLAG_CRL_CHECK);
    /// Java: off (`com.sun.net.ssl.checkRevocation` false); Salesforce:
    /// CRLs checked (team design notes, journey 1: port 8443 checks
    /// "signatures, dates, CRLs"); what Salesforce does with a CRL it
    /// cannot get is not documented, so soft fail with a warning naming the
    /// risk (docs/peers.md, row `revocation`).
    pub revocation: Revocation,
    /// Certificate policy processing (requireExplicitPolicy, policy
    /// mappings, inhibitAnyPolicy) on every path. Java:
    /// sun/security/provider/certpath/PKIXCertPathValidator.java adds a
    /// PolicyChecker with the PKIXParameters defaults, which
    /// sun/security/validator/PKIXValidator.java keeps (the builder,
    /// SunCertPathBuilder, runs it too and backtracks); OpenSSL: only under
    /// X509_V_FLAG_POLICY_CHECK (crypto/x509/x509_vfy.c `verify_chain`),
    /// which neither libssl nor `openssl verify` sets unless asked
    /// (`-policy_check`, `-policy`, `-explicit_policy`, …); rustls-webpki:
    /// none, and a critical policy extension is unsupported.
    pub certificate_policies: CertificatePolicies,
    /// Delta CRLs (RFC 5280 §5.2.4, §6.3.3 (c)) are applied over the
    /// complete CRL when revocation is checked. OpenSSL: only under
    /// X509_V_FLAG_USE_DELTAS (crypto/x509/x509_vfy.c `get_crl_delta`,
    /// `get_delta_sk`), which libssl and curl never set and `openssl
    /// verify` sets only with `-use_deltas`; Java: sun/security/provider/
    /// certpath/DistributionPointFetcher.java `verifyCRL` removes only
    /// issuingDistributionPoint from a CRL's critical extensions, so a delta
    /// (its deltaCRLIndicator is critical) is never approved, and
    /// freshestCRL is never read; rustls-webpki: src/crl/types.rs refuses
    /// a CRL with deltaCRLIndicator (`UnsupportedDeltaCrl`).
    pub delta_crls: bool,
    /// A CRL may be signed by a certificate that is not on the path (another
    /// key of the issuer's name, or an indirect CRL issuer), whose own path
    /// is then validated. OpenSSL: only under
    /// X509_V_FLAG_EXTENDED_CRL_SUPPORT (crypto/x509/x509_vfy.c
    /// `crl_akid_check`: "Anything else needs extended CRL support"), which
    /// libssl and curl never set and `openssl verify` sets only with
    /// `-extended_crl`; Java: yes (sun/security/provider/certpath/
    /// RevocationChecker.java `verifyWithSeparateSigningKey`,
    /// DistributionPointFetcher.java builds the indirect CRL issuer's path);
    /// rustls-webpki: no (src/verify_cert.rs checks a CRL's signature with
    /// the issuer's key only).
    pub crl_signer_off_path: bool,
    /// A delta CRL is scored as a complete CRL and, when its lastUpdate is
    /// later than its base's (or the base is stale, or absent), used alone
    /// in the base's place: what it does not re-list is good. OpenSSL:
    /// crypto/x509/x509_vfy.c `get_crl_score` rejects a delta
    /// (`crl->base_crl_number`) only in the `else if` chain under
    /// X509_V_FLAG_EXTENDED_CRL_SUPPORT, crypto/x509/x_crl.c `crl_cb` counts
    /// a critical deltaCRLIndicator as handled (no EXFLAG_CRITICAL), and
    /// `get_crl_sk` takes the later lastUpdate of equal scores (the first
    /// given on a tie), with `-use_deltas` or without; Java and
    /// rustls-webpki never read a delta (see `delta_crls`).
    pub delta_as_complete_crl: bool,
}

/// OpenSSL's minimum security bits per level (x509_vfy.c `minbits_table`).
const MINBITS: [u32; 5] = [80, 112, 128, 192, 256];

/// RSA bits for a security strength (SP 800-57, as OpenSSL's
/// `ossl_ifc_ffc_compute_security_bits`).
const fn rsa_bits_for(security: u32) -> u32 {
    match security {
        0..=80 => 1024,
        81..=112 => 2048,
        113..=128 => 3072,
        129..=192 => 7680,
        _ => 15360,
    }
}

/// The OpenSSL security strength of an RSA/DSA key of `bits`
/// (crypto/rsa/rsa_lib.c `ossl_ifc_ffc_compute_security_bits` steps).
pub fn rsa_security_bits(bits: u32) -> u32 {
    match bits {
        15360.. => 256,
        7680.. => 192,
        3072.. => 128,
        2048.. => 112,
        1024.. => 80,
        _ => 0,
    }
}

/// Default OpenSSL level in a handshake: Debian 12 and Ubuntu build with
/// `-DOPENSSL_TLS_SECURITY_LEVEL=2` (debian/rules of the openssl package).
pub const OPENSSL_DEFAULT_LEVEL: u8 = 2;

const OPENSSL: Profile = Profile::openssl(OPENSSL_DEFAULT_LEVEL);

const JAVA: Profile = Profile {
    peer: Peer::Java,
    security_level: None,
    min_rsa_bits: 1024,
    min_ec_bits: 224,
    // MD2 and MD5 refused, SHA-1 (63) accepted.
    min_sig_bits: 63,
    sha1: Sha1::RefusedJdkCaServer,
    web_pki_profile: false,
    cn_as_host: true,
    cn_name_constraints: CnConstraints::MostSpecific,
    eku_nesting: false,
    any_eku_leaf: AnyEku::Satisfies,
    client_key_usage: 0b1,
    server_key_usage: 0b10101,
    max_intermediates: 10,
    intermediate_anchors: true,
    anchor_is_name_and_key: true,
    expired_at_not_after: false,
    ca_by_key_usage: false,
    nc_cn_joins_san: true,
    revocation: Revocation::Off,
    certificate_policies: CertificatePolicies::Jdk,
    delta_crls: false,
    crl_signer_off_path: true,
    delta_as_complete_crl: false,
};

const SALESFORCE: Profile = Profile {
    peer: Peer::Salesforce,
    intermediate_anchors: false,
    revocation: Revocation::CrlSoftFail,
    ..JAVA
};

const WEBPKI: Profile = Profile {
    peer: Peer::Webpki,
    security_level: None,
    min_rsa_bits: 2048,
    min_ec_bits: 256,
    min_sig_bits: 112,
    sha1: Sha1::Refused,
    web_pki_profile: true,
    cn_as_host: false,
    cn_name_constraints: CnConstraints::LeafWithoutSan,
    eku_nesting: true,
    any_eku_leaf: AnyEku::Refused,
    client_key_usage: 0,
    server_key_usage: 0,
    max_intermediates: crate::chain::validate::DEFAULT_MAX_INTERMEDIATES,
    intermediate_anchors: true,
    anchor_is_name_and_key: false,
    expired_at_not_after: false,
    ca_by_key_usage: false,
    nc_cn_joins_san: false,
    revocation: Revocation::Off,
    certificate_policies: CertificatePolicies::Unsupported,
    delta_crls: false,
    crl_signer_off_path: false,
    delta_as_complete_crl: false,
};

impl Profile {
    /// OpenSSL at security level `level` (0 = no limits, 1–5).
    pub const fn openssl(level: u8) -> Profile {
        let (rsa, ec, sig) = if level == 0 {
            (0, 0, 0)
        } else {
            let i = if level > 5 { 4 } else { level as usize - 1 };
            let bits = MINBITS[i];
            (rsa_bits_for(bits), bits * 2, bits)
        };
        Profile {
            peer: Peer::OpenSsl,
            security_level: Some(level),
            min_rsa_bits: rsa,
            min_ec_bits: ec,
            min_sig_bits: sig,
            sha1: if sig > 63 {
                Sha1::Refused
            } else {
                Sha1::Accepted
            },
            web_pki_profile: false,
            cn_as_host: true,
            cn_name_constraints: CnConstraints::LeafWithoutDnsSan,
            eku_nesting: true,
            any_eku_leaf: AnyEku::Ignored,
            client_key_usage: 0b10001,
            server_key_usage: 0b10101,
            max_intermediates: 100,
            intermediate_anchors: false,
            anchor_is_name_and_key: false,
            expired_at_not_after: true,
            ca_by_key_usage: true,
            nc_cn_joins_san: false,
            revocation: Revocation::Off,
            certificate_policies: CertificatePolicies::Off,
            delta_crls: false,
            crl_signer_off_path: false,
            delta_as_complete_crl: true,
        }
    }

    /// This profile with OpenSSL security level `level` (`--seclevel`);
    /// other peers are returned unchanged.
    pub fn with_seclevel(self, level: u8) -> Profile {
        match self.peer {
            Peer::OpenSsl => Profile::openssl(level),
            _ => self,
        }
    }

    /// Whether a signature of `bits` OpenSSL security bits is accepted.
    pub fn sig_ok(&self, bits: u32) -> bool {
        bits >= self.min_sig_bits
    }

    /// The RSA size matching an OpenSSL level's bits (for messages).
    pub fn rsa_for_level(level: u8) -> u32 {
        if level == 0 {
            return 0;
        }
        rsa_bits_for(MINBITS[(level.min(5) - 1) as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Peer::ALL {
            assert_eq!(p.as_str().parse::<Peer>().unwrap(), p);
            assert_eq!(p.profile().peer, p);
        }
        assert!("curl".parse::<Peer>().is_err());
    }

    #[test]
    fn openssl_levels() {
        let l2 = Peer::OpenSsl.profile();
        assert_eq!(l2.security_level, Some(2));
        assert_eq!(l2.min_rsa_bits, 2048);
        assert_eq!(l2.sha1, Sha1::Refused);
        let l0 = l2.with_seclevel(0);
        assert_eq!(l0.min_rsa_bits, 0);
        assert_eq!(l0.sha1, Sha1::Accepted);
        // OpenSSL 3 rates SHA-1 at 63 bits: refused from level 1.
        assert_eq!(l2.with_seclevel(1).sha1, Sha1::Refused);
        assert_eq!(l2.with_seclevel(1).min_rsa_bits, 1024);
        assert_eq!(Profile::rsa_for_level(3), 3072);
    }
}
