//! Reading what a user pasted: one message, or a whole log or stack trace
//! (curl -v output, Java `Caused by:` chains, Python tracebacks). Finds
//! the lines that carry a catalogued message, picks the most specific
//! family, who printed it, and from that which side's chain the failure is
//! about and whose rules judged it.

use serde::Serialize;

use super::catalogue::{Family, Raised, Says, Speaker, catalogue};
use crate::chain::validate::Role;

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
    /// The verifier profile that judged that chain (`--peer` name), when known.
    pub judged_by: Option<&'static str>,
    /// One sentence on how the side was worked out.
    pub side_reason: String,
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
    for (n, raw) in text.lines().enumerate() {
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
        let mut here: Vec<Hit> = Vec::new();
        for f in cat {
            // The best wording of this family on this line.
            let best = f
                .says
                .iter()
                .flat_map(|s| patterns(s).into_iter().map(move |p| (s, p)))
                .filter_map(|(s, p)| matches(&line, &pieces(&p)).map(|c| (s, p, c)))
                .max_by_key(|(_, _, c)| *c);
            if let Some((s, p, covered)) = best {
                here.push(Hit {
                    line: n + 1,
                    text: raw.trim().chars().take(300).collect(),
                    family: f.id,
                    speaker: s.who,
                    covered,
                    pattern: pieces(&p).join(" "),
                    printer: s.printer,
                });
            }
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
        hits,
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
) -> (Option<Role>, Option<&'static str>, String) {
    let who = speaker.label();
    match (raised, printer) {
        (Raised::Local, _) => (
            None,
            None,
            format!("{who} refused a local file or setting; no handshake judged a chain"),
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
                Some("salesforce")
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
                Some("salesforce")
            } else {
                None
            },
            format!("{who} was told by the other side's alert that it refused its chain"),
        ),
    }
}
