//! Reading what a user pasted: one message, or a whole log or stack trace
//! (curl -v output, Java `Caused by:` chains, Python tracebacks). Finds
//! the lines that carry a catalogued message, picks the most specific
//! family, who printed it, and from that which side's chain the failure is
//! about and whose rules judged it.

use serde::Serialize;

use super::catalogue::{Family, Raised, Says, Speaker, catalogue};
use crate::chain::validate::Role;
use crate::peer::Peer;

/// Lowercase, every run of non-alphanumerics one space, padded with a
/// space each side so that a pattern matches whole words only.
/// "SSL alert number 48" and "ssl_alert_number-48" read alike.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The pieces of a catalogued text between its `…` placeholders, each
/// normalized; all must appear in order.
fn pieces(text: &str) -> Vec<String> {
    text.split('…')
        .map(normalize)
        .filter(|p| p.trim().len() > 1)
        .collect()
}

/// Where the pieces occur in order in `line` (normalized), as the number
/// of characters they cover; `None` when they do not.
fn matches(line: &str, pieces: &[String]) -> Option<usize> {
    if pieces.is_empty() {
        return None;
    }
    let mut at = 0;
    let mut covered = 0;
    for p in pieces {
        let i = line[at..].find(p.as_str())?;
        // Consecutive pieces share the space between them.
        at += i + p.len() - 1;
        covered += p.trim().len();
    }
    Some(covered)
}

/// One line of the pasted text that carries a catalogued message.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// 1-based line number in the text given.
    pub line: usize,
    /// The line, trimmed (at most 300 characters).
    pub text: String,
    /// The family's id.
    pub family: &'static str,
    /// Who prints it in these words.
    pub speaker: Speaker,
    /// How much of the line the message covers (longer is more specific).
    #[serde(skip)]
    covered: usize,
    #[serde(skip)]
    pattern: String,
    #[serde(skip)]
    printer: Option<Role>,
}

/// What diagnose made of the `--error` text. Field names are documented in
/// docs/verify.md (`diagnose --json`, field `message`).
#[derive(Clone, Debug, Serialize)]
pub struct Reading {
    /// The lines that carry a known message, in text order.
    pub hits: Vec<Hit>,
    /// Family ids, the one that speaks for the failure first.
    pub families: Vec<&'static str>,
    /// Who printed the message, when the text says.
    pub speaker: Option<Speaker>,
    /// Whether the printer was the client or the server, when the text says.
    pub printer_role: Option<Role>,
    /// Who raised it: the verifier itself, or the side told by an alert.
    pub raised: Option<Raised>,
    /// Whose chain the failure is about: client or server (None: the text
    /// does not say, and diagnose uses --role).
    pub chain_of: Option<Role>,
    /// The peer profile that judged that chain, when known.
    pub judged_by: Option<Peer>,
    /// One sentence on how the side was worked out.
    pub side_reason: String,
    /// The server the log shows being called (`host:port`), for the
    /// commands that look at the live connection.
    pub target: Option<String>,
}

impl Reading {
    /// The family that speaks for the failure.
    pub fn family(&self) -> Option<&'static Family> {
        self.families
            .first()
            .and_then(|id| super::catalogue::family(id))
    }
}

/// Context clues in a log: who prints such lines, and in which role.
const CLUES: &[(&str, Option<Speaker>, Option<Role>)] = &[
    ("curl: (", Some(Speaker::OpenSsl), Some(Role::Client)),
    (
        "SSL certificate problem:",
        Some(Speaker::OpenSsl),
        Some(Role::Client),
    ),
    ("* TLSv1", Some(Speaker::OpenSsl), Some(Role::Client)),
    ("CONNECTED(", Some(Speaker::OpenSsl), Some(Role::Client)),
    ("SSL_connect", Some(Speaker::OpenSsl), Some(Role::Client)),
    ("SSL_accept", Some(Speaker::OpenSsl), Some(Role::Server)),
    ("ACCEPT", Some(Speaker::OpenSsl), Some(Role::Server)),
    (
        "client SSL certificate verify error",
        Some(Speaker::OpenSsl),
        Some(Role::Server),
    ),
    (
        "SSLCertVerificationError",
        Some(Speaker::Python),
        Some(Role::Client),
    ),
    (
        "HTTPSConnectionPool",
        Some(Speaker::Python),
        Some(Role::Client),
    ),
    ("urllib3", Some(Speaker::Python), Some(Role::Client)),
    ("_ssl.c:", Some(Speaker::Python), None),
    ("checkServerCerts", Some(Speaker::Java), Some(Role::Client)),
    (
        "checkServerTrusted",
        Some(Speaker::Java),
        Some(Role::Client),
    ),
    (
        "HttpsURLConnection",
        Some(Speaker::Java),
        Some(Role::Client),
    ),
    (
        "jdk.internal.net.http",
        Some(Speaker::Java),
        Some(Role::Client),
    ),
    ("SSLSocketImpl.startHandshake", Some(Speaker::Java), None),
    ("checkClientCerts", Some(Speaker::Java), Some(Role::Server)),
    (
        "checkClientTrusted",
        Some(Speaker::Java),
        Some(Role::Server),
    ),
    ("javax.net.ssl", Some(Speaker::Java), None),
    ("sun.security.", Some(Speaker::Java), None),
    (
        "System.CalloutException",
        Some(Speaker::Salesforce),
        Some(Role::Client),
    ),
    (
        "http: TLS handshake error from",
        Some(Speaker::Go),
        Some(Role::Server),
    ),
    (
        "tls: failed to verify certificate",
        Some(Speaker::Go),
        Some(Role::Client),
    ),
    ("x509: ", Some(Speaker::Go), None),
    ("TLSSocket", Some(Speaker::Node), Some(Role::Client)),
    ("node:internal", Some(Speaker::Node), None),
    (
        "System.Net.Http.HttpRequestException",
        Some(Speaker::DotNet),
        Some(Role::Client),
    ),
    (
        "System.Security.Authentication",
        Some(Speaker::DotNet),
        None,
    ),
    ("invalid peer certificate", Some(Speaker::Rustls), None),
];

/// Reads `text` (a message or a whole log). `None` when no line carries a
/// catalogued message.
pub fn read(text: &str) -> Option<Reading> {
    let cat = catalogue();
    let mut hits: Vec<Hit> = Vec::new();
    let mut clue_speaker = None;
    let mut clue_role = None;
    let mut salesforce_host = false;
    let mut target = None;
    for (n, raw) in text.lines().enumerate() {
        if target.is_none() {
            target = target_in(raw);
        }
        for (pat, sp, role) in CLUES {
            if raw.contains(pat) {
                clue_speaker = clue_speaker.or(*sp);
                clue_role = clue_role.or(*role);
            }
        }
        let lower = raw.to_ascii_lowercase();
        if lower.contains(".salesforce.com") || lower.contains(".force.com") {
            salesforce_host = true;
        }
        let line = normalize(raw);
        // The best wording of each family on this line.
        let mut best: Vec<Option<(&Compiled, usize)>> = vec![None; cat.len()];
        for p in compiled() {
            if let Some(c) = matches(&line, &p.pieces)
                && best[p.family].is_none_or(|(_, b)| c > b)
            {
                best[p.family] = Some((p, c));
            }
        }
        let mut here: Vec<Hit> = Vec::new();
        for (p, covered) in best.into_iter().flatten() {
            let f = &cat[p.family];
            let s = &f.says[p.says];
            here.push(Hit {
                line: n + 1,
                text: raw.trim().chars().take(300).collect(),
                family: f.id,
                speaker: s.who,
                covered,
                pattern: p.pieces.join(" "),
                printer: s.printer,
            });
        }
        // A message whose words lie inside a longer one found on the same
        // line is that longer one ("self-signed certificate" inside
        // "self-signed certificate in certificate chain").
        let all = here.clone();
        here.retain(|h| {
            !all.iter().any(|o| {
                o.family != h.family
                    && o.pattern.len() > h.pattern.len()
                    && o.pattern.contains(h.pattern.trim())
            })
        });
        hits.extend(here);
    }
    if hits.is_empty() {
        return None;
    }
    let specific = hits
        .iter()
        .any(|h| super::catalogue::family(h.family).is_some_and(|f| !f.generic));
    if specific {
        hits.retain(|h| super::catalogue::family(h.family).is_some_and(|f| !f.generic));
    }
    // Rank: the deepest Java cause and the last line of a log are the most
    // specific, so later lines first; among equals, the longer wording.
    let mut ranked: Vec<&Hit> = hits.iter().collect();
    ranked.sort_by(|a, b| b.covered.cmp(&a.covered).then(b.line.cmp(&a.line)));
    let mut families: Vec<&'static str> = Vec::new();
    for h in &ranked {
        if !families.contains(&h.family) {
            families.push(h.family);
        }
    }
    let top = ranked[0];
    let fam = super::catalogue::family(top.family).expect("hit names a family");
    // The speaker: the wording's own, unless it is OpenSSL's shared text
    // and the log says which program printed it.
    let speaker = match (top.speaker, clue_speaker) {
        (Speaker::OpenSsl, Some(c)) if c != Speaker::Go => c,
        // Salesforce runs on Java: a callout's PKIX error is Salesforce's.
        (Speaker::Java, Some(Speaker::Salesforce)) => Speaker::Salesforce,
        (s, _) => s,
    };
    let printer_role = ranked
        .iter()
        .find_map(|h| h.printer)
        .or(clue_role)
        .or(match speaker {
            Speaker::Python | Speaker::Node | Speaker::DotNet => Some(Role::Client),
            _ => None,
        });
    let (chain_of, judged_by, side_reason) =
        side(fam.raised, speaker, printer_role, salesforce_host);
    Some(Reading {
        families,
        speaker: Some(speaker),
        printer_role,
        raised: Some(fam.raised),
        chain_of,
        judged_by,
        side_reason,
        target,
        hits,
    })
}

/// `host:port` from an `https://` URL, or from curl -v's "Connected to
/// HOST (ADDRESS) port N".
fn target_in(line: &str) -> Option<String> {
    if let Some(i) = line.find("https://") {
        let rest = &line[i + "https://".len()..];
        let end = rest
            .find(|c: char| c == '/' || c == '"' || c == '\'' || c == ')' || c.is_whitespace())
            .unwrap_or(rest.len());
        let hostport = &rest[..end];
        if hostport.is_empty() {
            return None;
        }
        // [v6]:port, host:port, or host alone.
        let has_port = match hostport.rfind(':') {
            Some(c) => {
                hostport[c + 1..].chars().all(|d| d.is_ascii_digit()) && !hostport.ends_with(']')
            }
            None => false,
        };
        return Some(if has_port {
            hostport.to_string()
        } else {
            format!("{hostport}:443")
        });
    }
    let rest = line.split("Connected to ").nth(1)?;
    let host = rest.split_whitespace().next()?;
    let port = rest.split(" port ").nth(1)?.split_whitespace().next()?;
    port.parse::<u16>().ok()?;
    Some(format!("{host}:{port}"))
}

/// One wording's pattern, normalized once.
struct Compiled {
    family: usize,
    says: usize,
    pieces: Vec<String>,
}

fn compiled() -> &'static [Compiled] {
    static C: std::sync::OnceLock<Vec<Compiled>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let mut v = Vec::new();
        for (fi, f) in catalogue().iter().enumerate() {
            for (si, s) in f.says.iter().enumerate() {
                for p in patterns(s) {
                    v.push(Compiled {
                        family: fi,
                        says: si,
                        pieces: pieces(&p),
                    });
                }
            }
        }
        v
    })
}

/// Every pattern of a wording: its text and its variants.
fn patterns(s: &Says) -> Vec<String> {
    let mut v = vec![s.text.clone()];
    v.extend(s.variants.iter().cloned());
    v
}

fn other(r: Role) -> Role {
    match r {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Client => "client",
        Role::Server => "server",
    }
}

/// Whose chain the message is about, and whose rules judged it.
fn side(
    raised: Raised,
    speaker: Speaker,
    printer: Option<Role>,
    salesforce_host: bool,
) -> (Option<Role>, Option<Peer>, String) {
    let who = speaker.label();
    match (raised, printer) {
        (Raised::Local, _) => (
            None,
            None,
            format!("{who} refused the request, a file or a setting, not a chain in a handshake"),
        ),
        (Raised::Verifier, Some(p)) => (
            Some(other(p)),
            speaker.profile(),
            format!(
                "{who}, as the {}, refused the {}'s chain",
                role_name(p),
                role_name(other(p))
            ),
        ),
        (Raised::Verifier, None) => (
            None,
            speaker.profile(),
            format!(
                "{who} refused the other side's chain; the text does not say whether it was the client or the server"
            ),
        ),
        (Raised::Alerted, Some(p)) => (
            Some(p),
            if salesforce_host {
                Some(Peer::Salesforce)
            } else {
                None
            },
            format!(
                "{who}, as the {}, was told by the {}'s alert that it refused the {}'s chain",
                role_name(p),
                role_name(other(p)),
                role_name(p)
            ),
        ),
        (Raised::Alerted, None) => (
            None,
            if salesforce_host {
                Some(Peer::Salesforce)
            } else {
                None
            },
            format!("{who} was told by the other side's alert that it refused its chain"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(text: &str) -> (&'static str, Reading) {
        let r = read(text).unwrap_or_else(|| panic!("not read: {text}"));
        (r.families[0], r)
    }

    #[test]
    fn every_catalogued_wording_reads_back_as_its_own_family() {
        for f in catalogue() {
            for s in &f.says {
                for p in patterns(s) {
                    let text = p.replace('…', "x.test");
                    let (got, r) = top(&text);
                    assert!(
                        r.families.contains(&f.id),
                        "{:?} {text:?} read as {got} ({:?}), not {}",
                        s.who,
                        r.families,
                        f.id
                    );
                }
            }
        }
    }

    #[test]
    fn the_messages_of_issue_12_are_known() {
        for (text, family) in [
            ("tlsv1 alert unknown ca", "alert-unknown-ca"),
            ("SSL alert number 48", "alert-unknown-ca"),
            ("certificate verify failed", "verify-failed"),
            (
                "unable to verify the first certificate",
                "first-certificate-unverifiable",
            ),
            ("unable to get issuer certificate", "issuer-unknown"),
            ("CA signature digest algorithm too weak", "weak-algorithm"),
            (
                "Received fatal alert: certificate_unknown",
                "alert-certificate-unknown",
            ),
            (
                "Received fatal alert: bad_certificate",
                "alert-bad-certificate",
            ),
            (
                "MUTUAL_AUTHENTICATION_FAILED: This session could not be mutually authenticated for use with the API",
                "salesforce-wrong-port",
            ),
            (
                "Client certificate error: No client certificate provided.",
                "no-client-certificate",
            ),
            (
                "Client certificate error: unable to get local issuer certificate",
                "issuer-unknown",
            ),
        ] {
            assert_eq!(top(text).0, family, "{text}");
        }
        assert!(read("connection reset by peer").is_none());
    }

    #[test]
    fn curl_told_unknown_ca_is_about_the_clients_chain() {
        let (f, r) = top(
            "curl: (56) OpenSSL SSL_read: error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0",
        );
        assert_eq!(f, "alert-unknown-ca");
        assert_eq!(r.raised, Some(Raised::Alerted));
        assert_eq!(r.chain_of, Some(Role::Client));
    }

    #[test]
    fn curl_refusing_the_servers_chain_is_about_the_servers_chain() {
        let (f, r) =
            top("curl: (60) SSL certificate problem: unable to get local issuer certificate");
        assert_eq!(f, "issuer-unknown");
        assert_eq!(r.chain_of, Some(Role::Server));
        assert_eq!(r.judged_by, Some(Peer::OpenSsl));
    }

    #[test]
    fn salesforce_refusing_the_client_is_judged_as_salesforce() {
        let (_, r) = top("Client certificate error: unable to get local issuer certificate");
        assert_eq!(r.speaker, Some(Speaker::Salesforce));
        assert_eq!(r.chain_of, Some(Role::Client));
        assert_eq!(r.judged_by, Some(Peer::Salesforce));
    }

    #[test]
    fn a_java_stack_trace_is_read_through_its_caused_by_chain() {
        let log = "Exception in thread \"main\" javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target
\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)
\tat java.base/sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts(CertificateMessage.java:1341)
Caused by: sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target
\tat java.base/sun.security.validator.PKIXValidator.doBuild(PKIXValidator.java:439)
Caused by: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target
\t... 19 more";
        let (f, r) = top(log);
        assert_eq!(f, "issuer-unknown");
        assert_eq!(r.speaker, Some(Speaker::Java));
        assert_eq!(r.chain_of, Some(Role::Server));
        assert_eq!(r.judged_by, Some(Peer::Java));
        assert_eq!(r.hits.len(), 3);
    }

    /// Go prints these (go src/crypto/tls/handshake_server.go,
    /// src/crypto/x509/verify.go, src/crypto/tls/alert.go); not on this
    /// machine, so tested from the source's own text.
    #[test]
    fn go_messages_from_source() {
        let (f, r) = top(
            "http: TLS handshake error from 127.0.0.1:52704: tls: failed to verify client certificate: x509: certificate signed by unknown authority",
        );
        assert_eq!(f, "issuer-unknown");
        assert_eq!(r.chain_of, Some(Role::Client));
        let (f, r) = top(
            "Get \"https://127.0.0.1:8443/\": remote error: tls: unknown certificate authority",
        );
        assert_eq!(f, "alert-unknown-ca");
        assert_eq!(r.speaker, Some(Speaker::Go));
        let (f, _) = top(
            "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2022-08-02T19:15:33Z is after 2022-07-27T03:58:24Z",
        );
        assert_eq!(f, "expired");
        let (f, _) = top("x509: certificate is valid for a.test, b.test, not c.test");
        assert_eq!(f, "name-mismatch");
    }

    /// .NET (dotnet/runtime Strings.resx, X509ChainStatusFlags) and
    /// Salesforce (its help pages) are not on this machine either.
    #[test]
    fn dotnet_and_salesforce_messages_from_source() {
        let (f, r) = top(
            "System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: PartialChain",
        );
        assert_eq!(f, "issuer-unknown");
        assert_eq!(r.speaker, Some(Speaker::DotNet));
        assert_eq!(r.chain_of, Some(Role::Server));
        assert_eq!(top("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot").0, "self-signed-in-chain");
        assert_eq!(
            top("System.CalloutException: IO Exception: DER input, Integer tag error").0,
            "salesforce-not-pkcs12"
        );
        let (f, r) = top(
            "System.CalloutException: sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        );
        assert_eq!(f, "issuer-unknown");
        assert_eq!(
            r.chain_of,
            Some(Role::Server),
            "a callout: Salesforce is the client"
        );
    }

    #[test]
    fn the_server_called_is_found_for_the_probe_command() {
        assert_eq!(
            target_in("curl: (60) x https://my.example.test:8443/services"),
            Some("my.example.test:8443".into())
        );
        assert_eq!(
            target_in("requests.get('https://api.example.test/x')"),
            Some("api.example.test:443".into())
        );
        assert_eq!(
            target_in("* Connected to localhost (127.0.0.1) port 40123 (#0)"),
            Some("localhost:40123".into())
        );
        assert_eq!(target_in("nothing here"), None);
    }

    #[test]
    fn spelling_variants_read_alike() {
        for t in [
            "self signed certificate in certificate chain",
            "self-signed certificate in certificate chain",
            "SELF_SIGNED_CERT_IN_CHAIN",
            "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN",
        ] {
            assert_eq!(top(t).0, "self-signed-in-chain", "{t}");
        }
        for t in [
            "sslv3 alert bad certificate",
            "SSLV3_ALERT_BAD_CERTIFICATE",
            "ssl/tls alert bad certificate: SSL alert number 42",
            "received fatal alert: BadCertificate",
            "remote error: tls: bad certificate",
        ] {
            assert_eq!(top(t).0, "alert-bad-certificate", "{t}");
        }
        assert_eq!(top("unsupported certificate purpose").0, "purpose");
    }

    /// rustls is on the machine (chainfix links it): its verifier's own
    /// errors, as it prints them, read as the right family.
    #[test]
    fn rustls_messages_reproduced_live() {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, date_time_ymd};
        use rustls::client::danger::ServerCertVerifier;
        use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
        use std::sync::Arc;

        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
        let int_key = KeyPair::generate().unwrap();
        let mut int = CertificateParams::new(Vec::<String>::new()).unwrap();
        int.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        int.distinguished_name
            .push(rcgen::DnType::CommonName, "Int");
        let int_cert = int.signed_by(&int_key, &issuer).unwrap();
        let int_issuer = rcgen::Issuer::from_params(&int, &int_key);
        let leaf = |host: &str, not_after| {
            let mut p = CertificateParams::new(vec![host.to_string()]).unwrap();
            p.not_after = not_after;
            p.signed_by(&KeyPair::generate().unwrap(), &int_issuer)
                .unwrap()
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca_cert.der().clone()).unwrap();
        let v = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_780_000_000));
        let name = ServerName::try_from("a.test").unwrap();
        let check = |leaf: &rcgen::Certificate, inter: &[CertificateDer<'_>]| {
            let e = v
                .verify_server_cert(leaf.der(), inter, &name, &[], now)
                .unwrap_err();
            e.to_string()
        };
        let good = leaf("a.test", date_time_ymd(2030, 1, 1));
        let int_der = [int_cert.der().clone()];
        for (text, family) in [
            (check(&good, &[]), "issuer-unknown"),
            (
                check(&leaf("a.test", date_time_ymd(2026, 1, 1)), &int_der),
                "expired",
            ),
            (
                check(&leaf("b.test", date_time_ymd(2030, 1, 1)), &int_der),
                "name-mismatch",
            ),
            (
                rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA).to_string(),
                "alert-unknown-ca",
            ),
        ] {
            let (got, r) = top(&text);
            assert_eq!(got, family, "{text}");
            assert_eq!(r.speaker, Some(Speaker::Rustls), "{text}");
        }
    }
}
