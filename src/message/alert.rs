//! TLS alerts: how each peer prints one it received (the table both
//! `probe` and the message catalogue use), and what an alert from the
//! server means for someone presenting a client certificate. The names are
//! the RFC 8446 §6 names (`unknown_ca`), as Java and server logs print them.

use serde::Serialize;

/// An alert mapped to a cause and a fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertMeaning {
    /// The alert's RFC name, e.g. `unknown_ca`.
    pub alert: String,
    /// Why servers send it, in the client-certificate setting.
    pub cause: String,
    /// The concrete action.
    pub fix: String,
}

/// One TLS alert as each peer prints it on *receiving* it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The number on the wire (OpenSSL prints "SSL alert number N").
    pub code: u8,
    /// RFC 8446 §6 / RFC 5246 §7.2 name, as Java prints it
    /// ("Received fatal alert: unknown_ca", sun/security/ssl/Alert.java).
    pub name: &'static str,
    /// OpenSSL's reason string for it (ssl/ssl_err.c, SSL_R_SSLV3_ALERT_*,
    /// SSL_R_TLSV1_ALERT_*, SSL_R_TLSV13_ALERT_*), which curl, Python,
    /// Node and nginx print.
    pub openssl: &'static str,
    /// Go's text (crypto/tls/alert.go `alertText`), printed as
    /// "remote error: tls: TEXT".
    pub go: &'static str,
    /// rustls's `AlertDescription` variant, printed as
    /// "received fatal alert: VARIANT" (rustls/src/error.rs).
    pub rustls: &'static str,
}

/// Every alert a peer may send when it refuses a certificate or the
/// handshake around it, and a few it sends for other reasons.
#[rustfmt::skip]
pub const ALERTS: &[Alert] = &[
    a(10, "unexpected_message", "sslv3 alert unexpected message", "unexpected message", "UnexpectedMessage"),
    a(20, "bad_record_mac", "sslv3 alert bad record mac", "bad record MAC", "BadRecordMac"),
    a(22, "record_overflow", "tlsv1 alert record overflow", "record overflow", "RecordOverflow"),
    a(40, "handshake_failure", "sslv3 alert handshake failure", "handshake failure", "HandshakeFailure"),
    a(42, "bad_certificate", "sslv3 alert bad certificate", "bad certificate", "BadCertificate"),
    a(43, "unsupported_certificate", "sslv3 alert unsupported certificate", "unsupported certificate", "UnsupportedCertificate"),
    a(44, "certificate_revoked", "sslv3 alert certificate revoked", "revoked certificate", "CertificateRevoked"),
    a(45, "certificate_expired", "sslv3 alert certificate expired", "expired certificate", "CertificateExpired"),
    a(46, "certificate_unknown", "sslv3 alert certificate unknown", "unknown certificate", "CertificateUnknown"),
    a(47, "illegal_parameter", "sslv3 alert illegal parameter", "illegal parameter", "IllegalParameter"),
    a(48, "unknown_ca", "tlsv1 alert unknown ca", "unknown certificate authority", "UnknownCA"),
    a(49, "access_denied", "tlsv1 alert access denied", "access denied", "AccessDenied"),
    a(50, "decode_error", "tlsv1 alert decode error", "error decoding message", "DecodeError"),
    a(51, "decrypt_error", "tlsv1 alert decrypt error", "error decrypting message", "DecryptError"),
    a(70, "protocol_version", "tlsv1 alert protocol version", "protocol version not supported", "ProtocolVersion"),
    a(71, "insufficient_security", "tlsv1 alert insufficient security", "insufficient security level", "InsufficientSecurity"),
    a(80, "internal_error", "tlsv1 alert internal error", "internal error", "InternalError"),
    a(86, "inappropriate_fallback", "tlsv1 alert inappropriate fallback", "inappropriate fallback", "InappropriateFallback"),
    a(90, "user_canceled", "tlsv1 alert user cancelled", "user canceled", "UserCanceled"),
    a(109, "missing_extension", "tlsv13 alert missing extension", "missing extension", "MissingExtension"),
    a(110, "unsupported_extension", "tlsv1 alert unsupported extension", "unsupported extension", "UnsupportedExtension"),
    a(112, "unrecognized_name", "tlsv1 unrecognized name", "unrecognized name", "UnrecognisedName"),
    a(113, "bad_certificate_status_response", "tlsv1 bad certificate status response", "bad certificate status response", "BadCertificateStatusResponse"),
    a(115, "unknown_psk_identity", "tlsv1 alert unknown psk identity", "unknown PSK identity", "UnknownPSKIdentity"),
    a(116, "certificate_required", "tlsv13 alert certificate required", "certificate required", "CertificateRequired"),
    a(120, "no_application_protocol", "tlsv1 alert no application protocol", "no application protocol", "NoApplicationProtocol"),
];

const fn a(
    code: u8,
    name: &'static str,
    openssl: &'static str,
    go: &'static str,
    rustls: &'static str,
) -> Alert {
    Alert {
        code,
        name,
        openssl,
        go,
        rustls,
    }
}

/// The alert with this RFC name.
pub fn by_name(name: &str) -> Option<&'static Alert> {
    ALERTS.iter().find(|a| a.name == name)
}

/// The RFC name of an alert as rustls reports it (`UnknownCA` → `unknown_ca`).
pub fn alert_name(a: rustls::AlertDescription) -> String {
    let code = u8::from(a);
    match ALERTS.iter().find(|x| x.code == code) {
        Some(x) => x.name.to_string(),
        None if code == 0 => "close_notify".to_string(),
        None => format!("alert_{code}"),
    }
}

/// Cause and fix for an alert the server sent. `sent_certs` is how many
/// certificates the probe presented (0 when none).
pub fn meaning(alert: &str, sent_certs: usize) -> AlertMeaning {
    let (cause, fix): (String, String) = match alert {
        "unknown_ca" => {
            if sent_certs == 1 {
                (
                    "the server could not build your chain: only the leaf certificate was sent, and the server does not have its issuer".into(),
                    "send the intermediates — `chainfix bundle` writes key + leaf + intermediates in order; if it already does, have the server trust your root CA".into(),
                )
            } else {
                (
                    "the server could not build your chain to a CA it trusts: an intermediate is missing, an intermediate sent is not the one that signed the certificate below it (same name, other key), or your root CA is not one the server trusts".into(),
                    "run `chainfix verify` on your --cert file to see where it breaks, then send the intermediates that really issued it (`chainfix bundle`); if it reaches your root, have the server trust that root CA".into(),
                )
            }
        }
        "certificate_required" => (
            "the server requires a client certificate and none was sent".into(),
            "give your certificate and key with --cert fullcert.pem (or --cert CERT --key KEY); if you did, its issuer is not among the CA names the server asked for".into(),
        ),
        "bad_certificate" => {
            if sent_certs == 0 {
                (
                    "the server requires a client certificate and none was sent".into(),
                    "give your certificate and key with --cert fullcert.pem (or --cert CERT --key KEY)".into(),
                )
            } else {
                (
                    "the server could not verify your certificate: it is not valid yet (OpenSSL sends bad_certificate for that), or the server could not parse or check it".into(),
                    "run `chainfix verify` on your --cert file: it names the certificate and the reason; for one not valid yet, check the clocks or wait until its start date".into(),
                )
            }
        }
        "certificate_expired" => (
            "a certificate in your chain has expired, or (some servers say so for this too) is not valid yet, by the server's clock".into(),
            "renew the expired certificate (the leaf or an intermediate; `chainfix verify` names it) and run `chainfix bundle` again; if it says not valid yet, check the clocks".into(),
        ),
        "unsupported_certificate" => (
            "the server refused the certificate's purpose: its Extended Key Usage does not include clientAuth (e.g. serverAuth only)".into(),
            "get a certificate issued with Extended Key Usage clientAuth (TLS Web Client Authentication)".into(),
        ),
        "certificate_revoked" => (
            "a certificate in your chain is revoked".into(),
            "get a new certificate issued".into(),
        ),
        "certificate_unknown" => (
            "the server refused your certificate for a reason it did not name (often an untrusted CA or a failed check)".into(),
            "send the full chain (`chainfix bundle`) and check the server trusts your root CA; the server's log says more".into(),
        ),
        "access_denied" => (
            "your certificate was verified, but the server does not allow it (an access rule on the subject or issuer)".into(),
            "ask the server's owner to allow this certificate".into(),
        ),
        "handshake_failure" => {
            if sent_certs == 0 {
                (
                    "the server requires a client certificate and none was sent (OpenSSL says handshake_failure for that in TLS 1.2), or no cipher suite or signature scheme is shared".into(),
                    "give your certificate and key with --cert fullcert.pem; if the server did not ask for one, compare the TLS versions and key types both sides support".into(),
                )
            } else {
                (
                    "the handshake failed: no shared cipher suite or signature scheme, or the server refused your certificate without saying why".into(),
                    "compare the TLS versions and key types both sides support; the server's log says more".into(),
                )
            }
        }
        "decrypt_error" => (
            if sent_certs == 0 {
                "a handshake signature did not verify".into()
            } else {
                "a certificate in your chain was not signed by the issuer it names: a corrupted certificate, or an intermediate replaced by another with the same name and a new key".into()
            },
            "run `chainfix verify` on your --cert file to see which signature fails, and replace that certificate with the CA's current copy; then `chainfix bundle` again".into(),
        ),
        "insufficient_security" => (
            "the server wants stronger parameters than offered".into(),
            "use a certificate with a stronger key (RSA 2048+ or ECDSA P-256+)".into(),
        ),
        "protocol_version" => (
            "no TLS version in common".into(),
            "the server supports only versions chainfix does not offer (below TLS 1.2), or the reverse".into(),
        ),
        "unrecognized_name" => (
            "the server does not serve the name sent in SNI".into(),
            "pass the right name with --servername".into(),
        ),
        "illegal_parameter" | "decode_error" | "unexpected_message" => (
            "the server objected to the handshake messages themselves".into(),
            "check that the port speaks TLS directly (not STARTTLS) and that the certificate is well formed".into(),
        ),
        "internal_error" => (
            "the server hit an internal error".into(),
            "check the server's log".into(),
        ),
        _ => (
            "the server ended the handshake with this alert".into(),
            "check the server's log for the reason".into(),
        ),
    };
    AlertMeaning {
        alert: alert.to_string(),
        cause,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ca_says_send_the_intermediates() {
        let m = meaning(&alert_name(rustls::AlertDescription::UnknownCA), 1);
        assert_eq!(m.alert, "unknown_ca");
        assert!(m.cause.contains("the server could not build your chain"));
        assert!(m.fix.starts_with("send the intermediates"));
        assert!(m.fix.contains("chainfix bundle"));
    }

    #[test]
    fn names_follow_the_rfc() {
        use rustls::AlertDescription as A;
        assert_eq!(alert_name(A::CertificateRequired), "certificate_required");
        assert_eq!(
            alert_name(A::UnsupportedCertificate),
            "unsupported_certificate"
        );
        assert_eq!(alert_name(A::Unknown(200)), "alert_200");
        assert!(
            meaning("certificate_required", 0)
                .cause
                .contains("none was sent")
        );
    }

    #[test]
    fn decrypt_error_with_a_chain_sent_points_at_a_certificate_signature() {
        let m = meaning("decrypt_error", 2);
        assert!(m.cause.contains("not signed by the issuer it names"));
        assert!(m.fix.contains("chainfix verify"));
        assert!(!m.cause.contains("private key"));
    }

    #[test]
    fn unknown_ca_with_intermediates_sent_does_not_say_send_them() {
        let m = meaning("unknown_ca", 2);
        assert!(m.cause.contains("same name, other key"));
        assert!(m.fix.starts_with("run `chainfix verify`"));
    }
}
