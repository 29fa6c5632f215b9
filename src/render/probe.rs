//! The report of `probe`: what the server sent and how it was judged,
//! whether it asked for a client certificate and for which CAs, and what
//! happened to each attempt (full chain, leaf only). One struct, rendered
//! as text for people and as JSON (`--json`). Field names are stable and
//! documented in docs/probe.md.

use serde::Serialize;

use super::summary::{CertSummary, rfc3339};
use crate::net::judge::{ServerJudgement, Severity};
use crate::net::{Acceptance, Observation, Outcome};

/// JSON schema version of this report.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct ProbeReport {
    pub version: u32,
    /// `HOST:PORT` as given.
    pub target: String,
    /// The address connected to.
    pub address: String,
    /// The name sent in SNI and matched against the certificate.
    pub server_name: String,
    /// The time the certificates were judged at (RFC 3339).
    pub at: String,
    pub protocol: Option<String>,
    pub cipher_suite: Option<String>,
    /// The server's certificates, in the order sent.
    pub server_chain: Vec<SentCert>,
    /// Certificates the server sent that could not be parsed.
    pub unparsable: Vec<String>,
    /// The verdict on the server's chain ("chain valid"), apart from whether
    /// the handshake completed.
    pub server: ServerJudgement,
    pub client_auth: ClientAuthView,
    /// When an intermediate is missing: would AIA fetching fix it?
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aia: Option<AiaCheck>,
    /// One per handshake: the full chain, and the leaf alone with
    /// --send-only-leaf (side by side).
    pub attempts: Vec<Attempt>,
    /// The OCSP response the server stapled, judged for its leaf (absent
    /// when it staples none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stapled_ocsp: Option<crate::revocation::Status>,
    /// The delegated responder that signed the stapled response (absent
    /// when the CA signed it or nothing was stapled): `nocheck` false means
    /// its own status went unchecked, and the text says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stapled_ocsp_responder: Option<crate::revocation::ocsp::Responder>,
    /// With --cert: the peer's judgement of the client chain presented,
    /// with revocation (absent without --cert).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_chain: Option<ClientChainView>,
    /// True when every check passed (exit 0).
    pub ok: bool,
}

/// The client chain given with `--cert`, judged as `verify --role client`
/// (and bundle, keystore) judge it: for the peer and store of `--peer`,
/// `--trust`, with revocation and `--policy` on its accepted path.
#[derive(Debug, Serialize)]
pub struct ClientChainView {
    pub verdict: crate::peer::Verdict,
    /// The revocation stage, as in `verify --json`.
    pub revocation: crate::revocation::Outcome,
    /// Revoked / could-not-check (and --policy) findings, as in `verify --json`.
    pub findings: Vec<crate::chain::explain::Finding>,
    /// With --policy: the policies valid for the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    /// True when revocation (or --policy) refuses it: probe then exits 1,
    /// whatever this server did with it.
    pub refused: bool,
    /// The revocation lines and findings as text (not in the JSON).
    #[serde(skip)]
    pub text: String,
}

/// Whether fetching the missing issuers by AIA (as browsers do) completes
/// the server's chain to the trust store. Salesforce callouts, Java, curl
/// and OpenSSL do not fetch, so the server must still send them.
#[derive(Debug, Serialize)]
pub struct AiaCheck {
    /// The fetched issuers complete the chain to an anchor; null when that
    /// is unknown (`--offline` and nothing in the cache, or completion could
    /// not run).
    pub fixes: Option<bool>,
    /// Subjects of the issuers found (fetched, cached or from --intermediates).
    pub found: Vec<String>,
    /// What completion tried (docs/fetch.md).
    pub completion: Option<crate::chain::complete::CompletionReport>,
    /// Why completion could not run, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SentCert {
    /// 1-based position in the order sent.
    pub position: usize,
    #[serde(flatten)]
    pub cert: CertSummary,
}

#[derive(Debug, Serialize)]
pub struct ClientAuthView {
    /// The server sent a CertificateRequest.
    pub requested: bool,
    /// Requested with an empty list of CA names: any CA will do.
    pub any_ca: bool,
    pub ca_names: Vec<String>,
    /// With a client chain and named CAs: does the chain reach one of them?
    /// null when there is no chain or no names.
    pub chain_matches_ca_names: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Attempt {
    /// `full-chain`, `leaf-only` or `no-certificate`.
    pub label: &'static str,
    /// Certificates actually sent (0 when the server did not ask).
    pub sent_certs: usize,
    /// The server asked for a client certificate.
    pub requested: bool,
    /// A client key was given but the server accepts none of its signature
    /// schemes, so no certificate could be sent.
    pub key_scheme_refused: bool,
    pub handshake_completed: bool,
    /// The server accepted the connection (and the certificate, if sent).
    pub accepted: bool,
    pub outcome: Outcome,
}

impl Attempt {
    pub fn new(label: &'static str, o: &Observation) -> Attempt {
        Attempt {
            label,
            sent_certs: o.sent_certs,
            requested: o.client_auth.is_some(),
            key_scheme_refused: o.key_scheme_refused,
            handshake_completed: o.handshake_completed,
            accepted: matches!(o.outcome, Outcome::Accepted { .. }),
            outcome: o.outcome.clone(),
        }
    }
}

impl ProbeReport {
    pub fn new(
        target: String,
        server_name: String,
        at: i64,
        first: &Observation,
        server: ServerJudgement,
        chain_matches_ca_names: Option<bool>,
        attempts: Vec<Attempt>,
    ) -> ProbeReport {
        let client_auth = ClientAuthView {
            requested: first.client_auth.is_some(),
            any_ca: first
                .client_auth
                .as_ref()
                .is_some_and(|c| c.ca_names.is_empty()),
            ca_names: first
                .client_auth
                .as_ref()
                .map(|c| c.ca_names.clone())
                .unwrap_or_default(),
            chain_matches_ca_names,
        };
        let (stapled_ocsp, stapled_ocsp_responder) = match crate::revocation::ocsp::stapled_judged(
            &first.stapled_ocsp,
            &first.server_chain,
            at,
        ) {
            Some((status, responder)) => (Some(status), responder),
            None => (None, None),
        };
        // A server that staples "revoked" is refused by every client that
        // reads the staple.
        let ok = server.chain_valid
            && attempts.iter().all(|a| a.accepted)
            && chain_matches_ca_names != Some(false)
            && !matches!(
                stapled_ocsp,
                Some(crate::revocation::Status::Revoked { .. })
            );
        ProbeReport {
            version: VERSION,
            target,
            address: first.address.to_string(),
            server_name,
            at: rfc3339(at),
            protocol: first.protocol.clone(),
            cipher_suite: first.cipher_suite.clone(),
            server_chain: first
                .server_chain
                .iter()
                .enumerate()
                .map(|(i, c)| SentCert {
                    position: i + 1,
                    cert: CertSummary::of(c),
                })
                .collect(),
            unparsable: first
                .unparsable
                .iter()
                .map(|(i, e)| format!("certificate {} does not parse: {e}", i + 1))
                .collect(),
            stapled_ocsp,
            stapled_ocsp_responder,
            server,
            aia: None,
            client_auth,
            attempts,
            client_chain: None,
            ok,
        }
    }

    /// Adds the judgement of the client chain; a chain revocation (or
    /// --policy) refuses makes the probe fail.
    pub fn set_client_chain(&mut self, view: ClientChainView) {
        self.ok &= !view.refused;
        self.client_chain = Some(view);
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let address = if self.address == self.target {
            String::new()
        } else {
            format!(" ({})", self.address)
        };
        let mut s = format!(
            "{}{}, SNI {}, {} {}\n",
            self.target,
            address,
            self.server_name,
            self.protocol.as_deref().unwrap_or("no TLS version agreed"),
            self.cipher_suite.as_deref().unwrap_or("")
        );
        s.push_str(&format!(
            "\nserver chain, as sent ({} certificate{}):\n",
            self.server_chain.len(),
            if self.server_chain.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
        for c in &self.server_chain {
            s.push_str(&format!(
                "  {}. {}\n     issuer {}  valid until {}  [{}]\n",
                c.position,
                c.cert.subject,
                c.cert.issuer,
                c.cert.not_after,
                &c.cert.sha256[..16]
            ));
        }
        for u in &self.unparsable {
            s.push_str(&format!("  {u}\n"));
        }
        match &self.stapled_ocsp {
            Some(st) => {
                s.push_str(&format!("  stapled OCSP response: {st}\n"));
                if let Some(l) = self
                    .stapled_ocsp_responder
                    .as_ref()
                    .and_then(|p| super::revocation::responder_line(p, false))
                {
                    s.push_str(&format!("  {l}\n"));
                }
            }
            None => s.push_str("  stapled OCSP response: none\n"),
        }
        let j = &self.server;
        s.push_str(&format!(
            "  chain valid: {}; trusted by {}: {}{}\n",
            if j.chain_valid { "yes" } else { "NO" },
            j.trust_store,
            if j.trusted { "yes" } else { "no" },
            j.anchor
                .as_ref()
                .map(|a| format!(" (anchor {a})"))
                .unwrap_or_default()
        ));
        if let (Some(rv), Some(v)) = (&j.revocation, &j.verdict) {
            for l in super::revocation::outcome_text(rv, v.peer, false).lines() {
                s.push_str(&format!("  {l}\n"));
            }
        }
        for f in &j.findings {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            s.push_str(&format!(
                "  {sev}[{}]{}: {}\n    fix: {}\n",
                f.id,
                f.cert
                    .map(|c| format!(" cert {}", c + 1))
                    .unwrap_or_default(),
                f.message,
                f.fix
            ));
        }
        if let Some(a) = &self.aia {
            if a.fixes.is_none() && a.error.is_none() {
                s.push_str(
                    "  AIA: not checked (--offline, and the issuers are not in the cache)\n",
                );
            } else if a.fixes == Some(true) {
                s.push_str(&format!(
                    "  AIA: fetching {} completes the chain — browsers cope, but Salesforce callouts, Java, curl and OpenSSL do not fetch: the server must send it\n",
                    a.found.join(", ")
                ));
            } else {
                s.push_str(&format!(
                    "  AIA: fetching does not complete the chain{}\n",
                    a.error
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ));
            }
        }
        s.push_str("\nclient certificate: ");
        let ca = &self.client_auth;
        if !ca.requested {
            s.push_str("not requested by the server\n");
        } else if ca.any_ca {
            s.push_str("requested, acceptable CA names: none given (any CA)\n");
        } else {
            s.push_str(&format!(
                "requested, acceptable CA names ({}):\n",
                ca.ca_names.len()
            ));
            for n in &ca.ca_names {
                s.push_str(&format!("  - {n}\n"));
            }
        }
        match ca.chain_matches_ca_names {
            Some(true) => s.push_str("  your chain reaches one of these CAs\n"),
            Some(false) => s.push_str(
                "  your chain reaches NONE of these CAs: clients that honour the list (Salesforce, browsers) will not send it\n",
            ),
            None => {}
        }
        if let Some(c) = &self.client_chain {
            s.push_str(&format!("  your chain: {}\n", c.verdict.headline));
            for l in c.text.lines() {
                s.push_str(&format!("  {l}\n"));
            }
        }
        s.push('\n');
        for a in &self.attempts {
            if a.key_scheme_refused {
                s.push_str(&format!(
                    "  ({}) the server accepts none of the signature schemes your key can make, so no certificate was sent; use an RSA or ECDSA P-256 key\n",
                    a.label
                ));
            } else if !a.requested && a.label != "no-certificate" {
                s.push_str(&format!(
                    "  ({}) the server did not ask for a client certificate, so none was sent\n",
                    a.label
                ));
            }
        }
        let side_by_side = self.attempts.len() > 1;
        if side_by_side {
            let mut t = super::table::new(
                &std::iter::once("")
                    .chain(self.attempts.iter().map(|a| a.label))
                    .collect::<Vec<_>>(),
            );
            let row = |name: &str, f: &dyn Fn(&Attempt) -> String| {
                std::iter::once(name.to_string())
                    .chain(self.attempts.iter().map(f))
                    .collect::<Vec<_>>()
            };
            t.set_width(110);
            t.add_row(row("certificates sent", &|a| a.sent_certs.to_string()));
            t.add_row(row("handshake completed", &|a| {
                yes_no(a.handshake_completed)
            }));
            t.add_row(row("server accepted", &|a| yes_no(a.accepted)));
            t.add_row(row("alert", &|a| match &a.outcome {
                Outcome::Alert { meaning, .. } => meaning.alert.clone(),
                Outcome::Failed { .. } => "(failed)".into(),
                _ => "-".into(),
            }));
            t.add_row(row("cause / fix", &|a| outcome_text(&a.outcome)));
            s.push_str(&format!("{t}\n"));
        } else {
            for a in &self.attempts {
                s.push_str(&format!(
                    "handshake ({}, {} certificate{} sent): {}\n",
                    a.label,
                    a.sent_certs,
                    if a.sent_certs == 1 { "" } else { "s" },
                    outcome_text(&a.outcome)
                ));
            }
        }
        s.push_str(if self.ok {
            "\nresult: all checks passed\n"
        } else {
            "\nerror: problems found (see above)\n"
        });
        s
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "NO" }.to_string()
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Accepted { evidence } => match evidence {
            Acceptance::CloseNotify => "accepted (the server answered our close_notify)".into(),
            Acceptance::Data => "accepted (the server sent data and closed cleanly)".into(),
            Acceptance::Finished => "accepted (the server finished the handshake)".into(),
            Acceptance::ClosedWithoutAlert => {
                "completed; the server then closed without an alert (taken as accepted)".into()
            }
            Acceptance::Silent => {
                "completed; the server raised no objection before the timeout (taken as accepted)"
                    .into()
            }
        },
        Outcome::Alert {
            meaning,
            after_handshake,
        } => format!(
            "REFUSED: the server sent alert {}{} — {}\n  fix: {}",
            meaning.alert,
            if *after_handshake {
                " after the handshake"
            } else {
                ""
            },
            meaning.cause,
            meaning.fix
        ),
        Outcome::Failed { reason } => format!("FAILED: {reason}"),
    }
}
