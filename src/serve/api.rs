//! `POST /api/check`: the files a person dropped in the page, judged by the
//! same functions as `chainfix verify` (the same JSON report) and bundled
//! as `chainfix bundle` / `keystore` would. Everything lives in memory for
//! one request: nothing is written to disk, passwords and keys are wiped
//! when the request and response are dropped.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::parse::{FixedPassword, Inventory, NoPasswords, Passwords};

/// What the person is doing.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Journey {
    /// An API client calling Salesforce on 8443 with mutual TLS.
    SalesforceClient,
    /// Salesforce calling out to my server.
    SalesforceCallout,
    /// Any TLS client (curl, Python, Node) with a client certificate.
    Client,
    /// Any TLS server, judged as OpenSSL clients judge it.
    Server,
}

impl Journey {
    /// The `chainfix verify` arguments this journey means.
    fn verify_args(self) -> &'static [&'static str] {
        match self {
            Journey::SalesforceClient => &["--role", "client", "--peer", "salesforce"],
            Journey::SalesforceCallout => &["--role", "server", "--peer", "salesforce"],
            Journey::Client => &[
                "--role", "client", "--peer", "openssl", "--trust", "mozilla",
            ],
            Journey::Server => &[
                "--role", "server", "--peer", "openssl", "--trust", "mozilla",
            ],
        }
    }
}

#[derive(Deserialize)]
pub struct Upload {
    pub name: String,
    /// The file's bytes, base64.
    pub data: String,
}

#[derive(Deserialize)]
pub struct CheckRequest {
    pub files: Vec<Upload>,
    /// For encrypted inputs (PKCS#12, JKS, encrypted keys).
    #[serde(default, deserialize_with = "secret")]
    pub password: Option<Zeroizing<String>>,
    pub journey: Journey,
    /// When present: also build a keystore of this format ("jks" or "p12")...
    #[serde(default)]
    pub keystore: Option<String>,
    /// ...protected by this password.
    #[serde(default, deserialize_with = "secret")]
    pub keystore_password: Option<Zeroizing<String>>,
    /// Fetch missing issuers from the certificates' AIA URLs. Always with
    /// the default [`crate::fetch::Limits`]: never to loopback or private
    /// addresses (a page must not be a way into the local network).
    #[serde(default)]
    pub fetch: bool,
    /// Validation time (RFC 3339 or YYYY-MM-DD); now when absent.
    #[serde(default)]
    pub at: Option<String>,
}

/// A password, moved (not copied) into a buffer wiped on drop.
fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Zeroizing<String>>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Zeroizing::new))
}

impl Drop for Upload {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl Drop for CheckResponse {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.fullcert_pem);
        zeroize::Zeroize::zeroize(&mut self.keystore);
    }
}

#[derive(Serialize, Default)]
pub struct CheckResponse {
    /// The `chainfix verify --json` document (docs/verify.md), or null when
    /// the files could not be read.
    pub verify: Option<serde_json::Value>,
    /// The picture (`--graph svg`).
    pub svg: Option<String>,
    /// key + leaf + intermediates, for `curl -E` (only with a matching key).
    pub fullcert_pem: Option<String>,
    /// leaf + intermediates, for Salesforce's certificate upload box.
    pub chain_pem: Option<String>,
    /// The keystore asked for, base64, and its file name.
    pub keystore: Option<String>,
    pub keystore_name: Option<String>,
    /// What fetching missing issuers did (`fetch: true`), as `bundle --json`'s `completion`.
    pub completion: Option<crate::chain::complete::CompletionReport>,
    /// Files or blocks that could not be read, one sentence each.
    pub problems: Vec<String>,
}

#[derive(clap::Parser)]
struct VerifyCmd {
    #[command(flatten)]
    args: crate::cli::verify::Args,
}

/// Judges and bundles the uploaded files.
pub fn check(req: &CheckRequest) -> CheckResponse {
    let mut resp = CheckResponse::default();
    let pw: Box<dyn Passwords> = match &req.password {
        Some(p) if !p.is_empty() => Box::new(FixedPassword(p.clone())),
        _ => Box::new(NoPasswords),
    };
    let mut inv = Inventory::default();
    for f in &req.files {
        let name = f
            .name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("upload")
            .to_string();
        match B64.decode(f.data.as_bytes()) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let hint = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                crate::parse::parse_source(&bytes, &name, hint.as_deref(), pw.as_ref(), &mut inv);
            }
            Err(_) => resp
                .problems
                .push(format!("{name}: the upload was damaged (not base64)")),
        }
    }
    resp.problems
        .extend(inv.problems.drain(..).map(|p| p.to_string()));
    if inv.certs.is_empty() {
        if resp.problems.is_empty() {
            resp.problems.push(inv.no_certificate_error().to_string());
        }
        return resp;
    }
    if let Err(e) = judge(req, &mut inv, &mut resp) {
        resp.problems.push(e.to_string());
    }
    resp
}

fn judge(
    req: &CheckRequest,
    inv: &mut Inventory,
    resp: &mut CheckResponse,
) -> crate::error::Result<()> {
    use clap::Parser;
    let mut argv = vec!["verify", "-"];
    argv.extend(req.journey.verify_args());
    if let Some(at) = &req.at {
        argv.extend(["--at", at]);
    }
    // The peer's revocation default (Salesforce: CRLs) fetches only when
    // the request allows fetching, and never toward private addresses.
    argv.push("--allow-private-fetch=false");
    if !req.fetch {
        argv.push("--offline");
    }
    let cmd = VerifyCmd::try_parse_from(std::iter::once("chainfix").chain(argv))
        .map_err(|e| crate::error::Error::Usage(e.to_string()))?;
    let assembly = if req.fetch {
        let limits = crate::fetch::Limits::default();
        debug_assert!(!limits.allow_private);
        let http = crate::fetch::http::HttpFetcher::new(&limits)
            .map_err(|detail| crate::error::Error::FetchSetup { detail })?;
        let completer = crate::chain::complete::Completer {
            pools: &[],
            fetcher: Some(&http),
            limits,
            offline: false,
            progress: &crate::chain::complete::NoProgress,
        };
        let (a, report) = completer.run(inv, None)?;
        resp.completion = (!report.is_empty()).then_some(report);
        a
    } else {
        crate::chain::assemble::assemble(inv, None)?
    };
    let r = crate::cli::verify::report_for(&cmd.args, inv, assembly.leaf)?;
    resp.svg = Some(crate::render::graph::svg(&r.graph));
    resp.verify = Some(crate::cli::json::value(&r));
    // The chain to send: the path the peer accepts (no anchor), else the
    // files' own issuing order.
    let accepted: Option<Vec<&crate::model::Cert>> = r.valid.then(|| {
        r.path
            .iter()
            .filter(|p| p.place != crate::chain::path::Place::Anchor)
            .filter_map(|p| inv.certs.iter().find(|c| c.id().hex() == p.sha256))
            .collect()
    });
    let chain = accepted.unwrap_or_else(|| assembly.to_send(inv, false));
    resp.chain_pem = Some(crate::emit::pem::fullcert(None, None, &chain)?.to_string());
    if let Some(k) = assembly.key {
        let key = &inv.keys[k];
        resp.fullcert_pem = Some(crate::emit::pem::fullcert(Some(key), None, &chain)?.to_string());
        let pw = req.keystore_password.as_ref().filter(|p| !p.is_empty());
        match (req.keystore.as_deref(), pw) {
            (Some("jks"), Some(pw)) => {
                let entry = crate::keystore::jks::KeyEntry {
                    alias: "chainfix",
                    key,
                    chain: &chain,
                    timestamp_ms: crate::cli::common::now() * 1000,
                };
                let bytes =
                    crate::keystore::jks::write(&entry, pw, &ring::rand::SystemRandom::new())?;
                resp.keystore = Some(B64.encode(&bytes));
                resp.keystore_name = Some("keystore.jks".into());
            }
            (Some("p12"), Some(pw)) => {
                let bytes = crate::keystore::p12::write(
                    "chainfix",
                    key,
                    &chain,
                    pw,
                    crate::keystore::p12::Encryption::Modern,
                )?;
                resp.keystore = Some(B64.encode(&bytes));
                resp.keystore_name = Some("keystore.p12".into());
            }
            (Some(_), None) => resp
                .problems
                .push("give a keystore password to build the JKS / PKCS#12".into()),
            _ => {}
        }
    }
    Ok(())
}
