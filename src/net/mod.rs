//! The TLS probe: connect to a live server (with a deadline), shake hands
//! with rustls, and record what the server did rather than trusting it:
//! the chain it sent (in the order sent), whether it asked for a client
//! certificate and which CA names it gave, what we presented, and how it
//! ended (accepted, or the alert the server sent). The server's chain is
//! never judged during the handshake — a verifier records it and lets the
//! handshake go on — so the report can say "handshake completed" and,
//! separately, "chain valid" ([`judge`]). Only the handshake signature is
//! checked for real: a server that cannot prove it holds its key is a
//! failed handshake, not a finding.
//!
//! No clock is read here except the deadline (a `Duration` from the caller).

pub use crate::message::alert;
pub mod judge;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Cert, Origin, PrivateKey};

pub use alert::{AlertMeaning, alert_name, meaning};

/// The port used when `HOST` has none.
pub const DEFAULT_PORT: u16 = 443;

/// Splits `HOST[:PORT]` (IPv6 as `[::1]:8443`).
pub fn parse_target(s: &str) -> Result<(String, u16)> {
    let bad = || {
        Error::Usage(format!(
            "{s} is not HOST or HOST:PORT; write e.g. example.com:8443 or [::1]:8443"
        ))
    };
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => DEFAULT_PORT,
            None => return Err(bad()),
        };
        return Ok((host.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => {
            if h.is_empty() {
                return Err(bad());
            }
            Ok((h.to_string(), p.parse().map_err(|_| bad())?))
        }
        Some(_) => Ok((s.to_string(), DEFAULT_PORT)), // bare IPv6
        None if !s.is_empty() => Ok((s.to_string(), DEFAULT_PORT)),
        None => Err(bad()),
    }
}

/// The client certificate chain (leaf first) and its key.
pub struct ClientIdentity {
    pub chain: Vec<Cert>,
    pub key: PrivateKey,
}

/// What to probe and how.
pub struct ProbeOptions<'a> {
    pub host: String,
    pub port: u16,
    /// The SNI name and the name the server certificate is judged against.
    pub server_name: String,
    pub client: Option<&'a ClientIdentity>,
    /// Present only the leaf of `client` (the classic mistake).
    pub send_only_leaf: bool,
    /// For the whole probe: DNS, connect, handshake and the wait for the
    /// server's verdict on our certificate.
    pub timeout: Duration,
}

/// Whether the server asked for a client certificate, and for which CAs.
#[derive(Clone, Debug, Serialize)]
pub struct ClientAuthRequest {
    /// The acceptable CA names (RFC 4514 strings). Empty means "any CA":
    /// the client may send whatever it has (Salesforce port 8443 does this).
    pub ca_names: Vec<String>,
    #[serde(skip)]
    pub ca_names_der: Vec<Vec<u8>>,
    /// Signature schemes the server accepts for CertificateVerify.
    pub signature_schemes: Vec<String>,
    #[serde(skip)]
    pub schemes: Vec<SignatureScheme>,
}

/// How the probe learnt that the server accepted the handshake (TLS 1.3
/// servers check a client certificate after the client has finished, so the
/// probe sends close_notify and listens for the verdict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Acceptance {
    /// The server answered our close_notify with its own: it processed our
    /// certificate and did not object.
    CloseNotify,
    /// The server sent data or session tickets and closed without an alert.
    Data,
    /// The server closed the connection without an alert (its verdict is
    /// implied, not stated).
    ClosedWithoutAlert,
    /// The server said nothing more before the deadline.
    Silent,
    /// The handshake completed with nothing left for the server to decide:
    /// TLS 1.2 (the server's Finished comes after it checked our
    /// certificate), or no client certificate was asked for.
    Finished,
}

/// How the handshake ended.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The handshake completed and the server raised no objection.
    Accepted { evidence: Acceptance },
    /// The server sent a fatal alert.
    Alert {
        #[serde(flatten)]
        meaning: AlertMeaning,
        /// True when the alert came after the client finished its part of
        /// the handshake (TLS 1.3 client-certificate rejection).
        after_handshake: bool,
    },
    /// The handshake failed on our side or the connection broke.
    Failed { reason: String },
}

/// Everything observed on the wire.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The address connected to.
    pub address: SocketAddr,
    /// The server's certificates in the order sent.
    pub server_chain: Vec<Cert>,
    /// Certificates the server sent that do not parse, with why.
    pub unparsable: Vec<(usize, String)>,
    /// `None` when the server did not ask for a client certificate.
    pub client_auth: Option<ClientAuthRequest>,
    /// How many certificates the probe presented.
    pub sent_certs: usize,
    /// True when a client key was given but the server accepts none of
    /// its signature schemes (so nothing could be sent).
    pub key_scheme_refused: bool,
    pub protocol: Option<String>,
    pub cipher_suite: Option<String>,
    pub handshake_completed: bool,
    pub outcome: Outcome,
    /// The OCSP response the server stapled (empty when none).
    pub stapled_ocsp: Vec<u8>,
}

/// The crypto provider chainfix uses: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Records the chain the server sends and lets the handshake continue;
/// checks the handshake signatures for real.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
    /// The OCSP response the server stapled (empty: none).
    ocsp: Mutex<Vec<u8>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        *self.ocsp.lock().unwrap_or_else(|p| p.into_inner()) = ocsp.to_vec();
        let mut c = self.chain.lock().unwrap_or_else(|p| p.into_inner());
        c.clear();
        c.push(end_entity.to_vec());
        c.extend(intermediates.iter().map(|d| d.to_vec()));
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Records whether the server asked for a client certificate and with
/// which CA names, and presents the given chain regardless of the names
/// (the point is to see what the server does with it).
#[derive(Debug)]
struct ClientCert {
    key: Option<Arc<CertifiedKey>>,
    seen: Mutex<Option<ClientAuthRequest>>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let names = root_hint_subjects
            .iter()
            .map(|n| {
                x509_parser::x509::X509Name::from_der(n)
                    .map(|(_, x)| crate::model::name_to_string(&x))
                    .unwrap_or_else(|_| format!("(unparsable name {})", hex::encode(n)))
            })
            .collect();
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(ClientAuthRequest {
            ca_names: names,
            ca_names_der: root_hint_subjects.iter().map(|n| n.to_vec()).collect(),
            signature_schemes: sigschemes.iter().map(|s| format!("{s:?}")).collect(),
            schemes: sigschemes.to_vec(),
        });
        self.key.clone()
    }
    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

use x509_parser::prelude::FromDer;

fn connect(opts: &ProbeOptions<'_>, deadline: Instant) -> Result<(TcpStream, SocketAddr)> {
    let target = format!("{}:{}", opts.host, opts.port);
    // getaddrinfo has no timeout of its own: resolve on a thread and stop
    // waiting at the deadline (the thread ends when the resolver returns).
    let (tx, rx) = std::sync::mpsc::channel();
    let (host, port) = (opts.host.clone(), opts.port);
    std::thread::spawn(move || {
        let r = (host.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<SocketAddr>>());
        let _ = tx.send(r);
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let addrs: Vec<SocketAddr> = match rx.recv_timeout(left) {
        Ok(r) => r.map_err(|e| Error::Dns {
            host: opts.host.clone(),
            detail: e.to_string(),
        })?,
        Err(_) => {
            return Err(Error::Dns {
                host: opts.host.clone(),
                detail: format!("no answer within {}s", opts.timeout.as_secs_f64()),
            });
        }
    };
    if addrs.is_empty() {
        return Err(Error::Dns {
            host: opts.host.clone(),
            detail: "no address".into(),
        });
    }
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => return Ok((s, addr)),
            Err(e) => last = Some((addr, e)),
        }
    }
    let secs = opts.timeout.as_secs_f64();
    Err(match last {
        Some((addr, e)) if e.kind() == io::ErrorKind::ConnectionRefused => Error::Refused {
            target,
            addr: addr.to_string(),
        },
        Some((_, e))
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            Error::ConnectTimeout { target, secs }
        }
        Some((addr, source)) => Error::Connect {
            target,
            addr: addr.to_string(),
            source,
        },
        None => Error::ConnectTimeout { target, secs },
    })
}

/// Why the handshake stopped, from the error `complete_io` or
/// `process_new_packets` returned.
enum Stop {
    Alert(String),
    Timeout,
    Eof,
    Tls(rustls::Error),
    Io(io::Error),
}

fn classify(e: io::Error) -> Stop {
    if let Some(t) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return classify_tls(t.clone());
    }
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Stop::Timeout,
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Stop::Eof,
        _ => Stop::Io(e),
    }
}

fn classify_tls(e: rustls::Error) -> Stop {
    match e {
        rustls::Error::AlertReceived(a) => Stop::Alert(alert_name(a)),
        other => Stop::Tls(other),
    }
}

fn set_deadline(sock: &TcpStream, deadline: Instant) -> io::Result<bool> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Ok(false);
    }
    sock.set_read_timeout(Some(left))?;
    sock.set_write_timeout(Some(left))?;
    Ok(true)
}

/// Connects, shakes hands, and records what happened. Connection failures
/// (DNS, refused, timeout, a server that never answers, a port that does
/// not speak TLS) are errors; everything the server *says* is an
/// [`Observation`].
pub fn probe(opts: &ProbeOptions<'_>) -> Result<Observation> {
    let start = Instant::now();
    let deadline = start + opts.timeout;
    let target = format!("{}:{}", opts.host, opts.port);
    let secs = opts.timeout.as_secs_f64();
    let provider = provider();

    let (certified, sent_certs) = match opts.client {
        Some(id) => {
            let key = rustls::crypto::ring::sign::any_supported_type(&PrivateKeyDer::Pkcs8(
                PrivatePkcs8KeyDer::from(id.key.pkcs8_der().to_vec()),
            ))
            .map_err(|e| Error::Unsupported {
                path: id.key.first_origin().to_string(),
                detail: format!(
                    "the key cannot sign TLS handshakes ({e}); use an RSA, ECDSA P-256/P-384 or Ed25519 key"
                ),
            })?;
            let chain: Vec<CertificateDer<'static>> = id
                .chain
                .iter()
                .take(if opts.send_only_leaf { 1 } else { usize::MAX })
                .map(|c| CertificateDer::from(c.der().to_vec()))
                .collect();
            let n = chain.len();
            (Some(Arc::new(CertifiedKey::new(chain, key))), n)
        }
        None => (None, 0),
    };
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        ocsp: Mutex::new(Vec::new()),
        provider: provider.clone(),
    });
    let client_cert = Arc::new(ClientCert {
        key: certified.clone(),
        seen: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Usage(format!("TLS configuration: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(client_cert.clone());
    let name = ServerName::try_from(opts.server_name.clone()).map_err(|_| {
        Error::Usage(format!(
            "{} is not a valid server name; pass --servername with a DNS name or an IP address",
            opts.server_name
        ))
    })?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| Error::Usage(format!("TLS configuration: {e}")))?;

    let (mut sock, address) = connect(opts, deadline)?;
    let io_err = |source: io::Error| Error::Connect {
        target: target.clone(),
        addr: address.to_string(),
        source,
    };

    let mut stop = None;
    while conn.is_handshaking() {
        if !set_deadline(&sock, deadline).map_err(io_err)? {
            stop = Some(Stop::Timeout);
            break;
        }
        if let Err(e) = conn.complete_io(&mut sock) {
            stop = Some(classify(e));
            break;
        }
    }
    let handshake_completed = stop.is_none() && !conn.is_handshaking();
    let server_chain_der = recorder
        .chain
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let client_auth = client_cert
        .seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();

    // Nothing at all came back: the port does not speak TLS, or the server
    // never answers. Those are "could not probe", not findings.
    if server_chain_der.is_empty() {
        match &stop {
            Some(Stop::Timeout) => {
                return Err(Error::HandshakeTimeout {
                    target,
                    addr: address.to_string(),
                    secs,
                });
            }
            Some(Stop::Eof) => {
                return Err(Error::ClosedBeforeHandshake {
                    target,
                    addr: address.to_string(),
                });
            }
            Some(Stop::Tls(e)) if is_not_tls(e) => {
                return Err(Error::NotTls {
                    target,
                    detail: e.to_string(),
                });
            }
            Some(Stop::Io(e)) => {
                return Err(Error::Connect {
                    target,
                    addr: address.to_string(),
                    source: io::Error::new(e.kind(), e.to_string()),
                });
            }
            _ => {}
        }
    }

    let tls13 = conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
    let outcome = match stop {
        Some(Stop::Alert(a)) => Outcome::Alert {
            meaning: meaning(&a, sent_certs),
            after_handshake: false,
        },
        Some(Stop::Timeout) => Outcome::Failed {
            reason: format!("the server stopped answering mid-handshake ({secs}s timeout)"),
        },
        Some(Stop::Eof) => Outcome::Failed {
            reason: "the server closed the connection during the handshake without an alert".into(),
        },
        Some(Stop::Tls(e)) => Outcome::Failed {
            reason: describe_tls_error(&e),
        },
        Some(Stop::Io(e)) => Outcome::Failed {
            reason: format!("connection error during the handshake: {e}"),
        },
        // TLS 1.2, or no client certificate asked for: nothing left for the
        // server to decide once the handshake is done.
        None if !tls13 || client_auth.is_none() => Outcome::Accepted {
            evidence: Acceptance::Finished,
        },
        None => verdict_after_handshake(&mut conn, &mut sock, deadline, sent_certs),
    };
    let key_scheme_refused = match (&certified, &client_auth) {
        (Some(k), Some(req)) => k.key.choose_scheme(&req.schemes).is_none(),
        _ => false,
    };
    let (server_chain, unparsable) = parse_chain(&server_chain_der, &target);
    let stapled_ocsp = recorder
        .ocsp
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(Observation {
        stapled_ocsp,
        address,
        server_chain,
        unparsable,
        sent_certs: if client_auth.is_some() && !key_scheme_refused {
            sent_certs
        } else {
            0
        },
        client_auth,
        key_scheme_refused,
        protocol: conn.protocol_version().map(|v| {
            match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
                _ => "other",
            }
            .to_string()
        }),
        cipher_suite: conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite())),
        handshake_completed,
        outcome,
    })
}

fn is_not_tls(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidMessage(_)
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. }
    )
}

fn describe_tls_error(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(c) => format!(
            "the server's handshake signature does not verify with the certificate it sent ({c:?}): its key and certificate do not match"
        ),
        rustls::Error::PeerIncompatible(p) => {
            format!("no TLS parameters in common with the server ({p:?})")
        }
        other => format!("TLS error: {other}"),
    }
}

/// TLS 1.3: the client finishes first, and the server checks our
/// certificate afterwards. Send close_notify and read until the server's
/// answer: its own close_notify (accepted), an alert (refused), or EOF.
fn verdict_after_handshake(
    conn: &mut rustls::ClientConnection,
    sock: &mut TcpStream,
    deadline: Instant,
    sent_certs: usize,
) -> Outcome {
    conn.send_close_notify();
    let mut got_data = false;
    loop {
        match set_deadline(sock, deadline) {
            Ok(true) => {}
            _ => {
                return Outcome::Accepted {
                    evidence: Acceptance::Silent,
                };
            }
        }
        while conn.wants_write() {
            if conn.write_tls(sock).is_err() {
                break;
            }
        }
        let _ = sock.flush();
        match conn.read_tls(sock) {
            Ok(0) => {
                return Outcome::Accepted {
                    evidence: if got_data {
                        Acceptance::Data
                    } else {
                        Acceptance::ClosedWithoutAlert
                    },
                };
            }
            Ok(_) => {}
            Err(e) => match classify(e) {
                Stop::Timeout => {
                    return Outcome::Accepted {
                        evidence: Acceptance::Silent,
                    };
                }
                _ => {
                    return Outcome::Accepted {
                        evidence: Acceptance::ClosedWithoutAlert,
                    };
                }
            },
        }
        match conn.process_new_packets() {
            Err(e) => {
                return match classify_tls(e) {
                    Stop::Alert(a) => Outcome::Alert {
                        meaning: meaning(&a, sent_certs),
                        after_handshake: true,
                    },
                    Stop::Tls(e) => Outcome::Failed {
                        reason: describe_tls_error(&e),
                    },
                    _ => Outcome::Failed {
                        reason: "the connection broke after the handshake".into(),
                    },
                };
            }
            Ok(state) => {
                if state.peer_has_closed() {
                    return Outcome::Accepted {
                        evidence: Acceptance::CloseNotify,
                    };
                }
                got_data = true;
                let mut sink = [0u8; 4096];
                while let Ok(n) = conn.reader().read(&mut sink) {
                    if n == 0 {
                        break;
                    }
                }
            }
        }
    }
}

fn parse_chain(ders: &[Vec<u8>], target: &str) -> (Vec<Cert>, Vec<(usize, String)>) {
    let mut certs = Vec::new();
    let mut bad = Vec::new();
    for (i, d) in ders.iter().enumerate() {
        match Cert::from_der(d.clone(), Origin::block(format!("server {target}"), i + 1)) {
            Ok(c) => certs.push(c),
            Err(e) => bad.push((i, e)),
        }
    }
    (certs, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(parse_target("a.test").unwrap(), ("a.test".into(), 443));
        assert_eq!(
            parse_target("a.test:8443").unwrap(),
            ("a.test".into(), 8443)
        );
        assert_eq!(parse_target("[::1]:8443").unwrap(), ("::1".into(), 8443));
        assert_eq!(parse_target("::1").unwrap(), ("::1".into(), 443));
        assert!(parse_target("a.test:x").is_err());
        assert!(parse_target(":1").is_err());
    }
}
