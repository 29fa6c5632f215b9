//! `chainfix probe HOST[:PORT]`: connect to a live TLS server, show the
//! chain it sends and judge it, show whether it asks for a client
//! certificate (and for which CAs), and with `--cert` try the mutual-TLS
//! handshake and explain the server's alert. `--send-only-leaf` runs the
//! handshake with the full chain and with the leaf alone, side by side.

use std::path::PathBuf;
use std::time::Duration;

use super::common::{self, CliPasswords};
use super::fetch_args::FetchArgs;
use super::roots::TrustArgs;
use super::{Exit, Io};
use crate::chain::assemble::assemble;
use crate::error::{Error, Result};
use crate::net::judge::{Stages, judge_server, judge_server_with, matches_ca_names};
use crate::net::{ClientIdentity, ProbeOptions, parse_target, probe};
use crate::render::probe::{AiaCheck, Attempt, ClientChainView, ProbeReport};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The server: HOST, HOST:PORT or [IPv6]:PORT (port 443 when not given).
    #[arg(value_name = "HOST[:PORT]")]
    pub target: String,
    /// The name to send in SNI and to match the certificate against [default: HOST].
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,
    /// Client certificate chain to present (fullcert.pem: key + leaf +
    /// intermediates; or the chain alone with --key). Any format chainfix reads.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// The client private key, when it is not in --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Read the password for encrypted --cert/--key from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The roots the server's chain is judged against [default: mozilla].
    /// `--trust salesforce` answers "would a Salesforce callout accept this server?"
    /// (with the bundled CANDIDATE list; your org's cacerts.jsp saved as a FILE is exact).
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub peer: super::peer_args::PeerArgs,
    /// When the server leaves out an intermediate, chainfix checks whether
    /// AIA fetching would find it (as browsers do); these flags set how.
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// Revocation (--revocation, --crl) and certificate policies (--policy) for
    /// the server's chain and the --cert chain, as verify checks them.
    #[command(flatten)]
    pub revocation: super::revocation_args::RevocationArgs,
    /// Seconds for the whole probe (connect, handshake, the server's verdict).
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub timeout: f64,
    /// Present only the leaf (the classic mistake), beside the full chain.
    #[arg(long, requires = "cert")]
    pub send_only_leaf: bool,
    /// Judge certificate dates at this time (RFC 3339 or YYYY-MM-DD) [default: now].
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Print the report as JSON on stdout (fields in docs/probe.md).
    #[arg(long)]
    pub json: bool,
}

fn load_client(args: &Args, io: &mut Io<'_>) -> Result<Option<ClientIdentity>> {
    let Some(cert) = &args.cert else {
        return Ok(None);
    };
    let passwords = CliPasswords::new(args.password_file.as_deref(), io.stdin_tty)?;
    let mut paths = vec![cert.clone()];
    paths.extend(args.key.iter().cloned());
    let mut inv = crate::input::read_inventory(&paths, io.stdin, &passwords);
    common::require_clean(&mut inv, io)?;
    if inv.keys.is_empty() {
        return Err(Error::Usage(format!(
            "{} holds no private key; give the key with --key FILE (or use the fullcert.pem `chainfix bundle` writes)",
            cert.display()
        )));
    }
    let a = assemble(&inv, None)?;
    let Some(k) = a.key else {
        return Err(Error::KeyMatchesNothing {
            key: inv.keys[0].first_origin().to_string(),
        });
    };
    // Leaf first, then the other certificates in the order given, as curl
    // and OpenSSL send a certificate file.
    let mut chain = vec![inv.certs[a.leaf].clone()];
    chain.extend(
        inv.certs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != a.leaf)
            .map(|(_, c)| c.clone()),
    );
    Ok(Some(ClientIdentity {
        chain,
        key: inv.keys[k].clone(),
    }))
}

/// Completes the server's chain the way a fetching client would, and says
/// whether that reaches the trust store.
fn aia_check(
    fetch: &FetchArgs,
    sent: &[crate::model::Cert],
    host: &str,
    at: i64,
    trust: &crate::trust::TrustStore,
    io: &mut Io<'_>,
) -> AiaCheck {
    let mut inv = crate::parse::Inventory::default();
    for c in sent {
        inv.add_cert(c.clone());
    }
    let leaf = sent[0].id().hex();
    match fetch.complete(&mut inv, Some(&leaf), io) {
        Ok((_, completion)) => {
            let found: Vec<crate::model::Cert> = inv
                .certs
                .iter()
                .filter(|c| !sent.iter().any(|s| s.id() == c.id()))
                .cloned()
                .collect();
            let mut combined = sent.to_vec();
            combined.extend(found.iter().cloned());
            let j = judge_server(&combined, host, at, trust);
            let fixes = !found.is_empty()
                && j.trusted
                && !j.findings.iter().any(|f| f.id == "missing-intermediate");
            // Offline with nothing found, nobody knows whether AIA would fix it.
            let fixes = (fixes || !(fetch.offline && found.is_empty())).then_some(fixes);
            AiaCheck {
                fixes,
                found: found.iter().map(|c| c.subject().to_string()).collect(),
                completion: Some(completion),
                error: None,
            }
        }
        Err(e) => AiaCheck {
            fixes: None,
            found: Vec::new(),
            completion: None,
            error: Some(e.to_string()),
        },
    }
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let (host, port) = parse_target(&args.target)?;
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(Error::Usage(format!(
            "--timeout {} is not a number of seconds between 0 and 3600",
            args.timeout
        )));
    }
    let at = match &args.at {
        Some(s) => common::parse_at(s)?,
        None => common::now(),
    };
    let trust = args.trust.load("mozilla")?.store;
    let client = load_client(&args, io)?;
    let server_name = args.servername.clone().unwrap_or_else(|| host.clone());
    let opts = |only_leaf: bool| ProbeOptions {
        host: host.clone(),
        port,
        server_name: server_name.clone(),
        client: client.as_ref(),
        send_only_leaf: only_leaf,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let mut runs = Vec::new();
    let label_full = if client.is_some() {
        "full-chain"
    } else {
        "no-certificate"
    };
    let compare = args.send_only_leaf && client.as_ref().is_some_and(|c| c.chain.len() > 1);
    if !args.send_only_leaf || compare {
        runs.push((label_full, probe(&opts(false))?));
    }
    if args.send_only_leaf {
        runs.push(("leaf-only", probe(&opts(true))?));
    }
    let first = &runs[0].1;
    let choice = args.peer.choice(args.trust.is_salesforce("mozilla"))?;
    let setup = args
        .revocation
        .setup(&args.fetch, common::now(), Vec::new(), &choice.profile)?;
    let judgement = judge_server_with(
        &first.server_chain,
        &server_name,
        at,
        &trust,
        choice.profile,
        Some(&Stages {
            setup: &setup,
            policies: &args.revocation.policies,
        }),
    );
    let chain_matches = match (&client, &first.client_auth) {
        (Some(c), Some(req)) if !req.ca_names_der.is_empty() => {
            Some(matches_ca_names(&c.chain, &req.ca_names_der).is_some())
        }
        _ => None,
    };
    let aia = if judgement
        .findings
        .iter()
        .any(|f| f.id == "missing-intermediate")
    {
        Some(aia_check(
            &args.fetch,
            &first.server_chain,
            &server_name,
            at,
            &trust,
            io,
        ))
    } else {
        None
    };
    let attempts = runs.iter().map(|(l, o)| Attempt::new(l, o)).collect();
    let mut report = ProbeReport::new(
        format!("{host}:{port}"),
        server_name,
        at,
        first,
        judgement,
        chain_matches,
        attempts,
    );
    report.aia = aia;
    if let Some(c) = &client {
        // The chain presented, judged as verify --role client judges it.
        let how = super::peer_args::Judging {
            peer: &args.peer,
            trust: &args.trust,
            stages: Some((&args.revocation, &args.fetch)),
        };
        let j = super::peer_args::judge_files(&how, &c.chain, Vec::new(), 0, at)?;
        report.set_client_chain(ClientChainView {
            text: format!(
                "{}{}",
                crate::render::revocation::outcome_text(&j.after.revocation, j.verdict.peer, false),
                super::verify::findings_text(&j.after.findings)
            ),
            verdict: j.verdict,
            refused: j.after.refused,
            revocation: j.after.revocation,
            findings: j.after.findings,
            policies: j.after.policies,
        });
    }
    if args.json {
        let j = serde_json::to_string_pretty(&report).expect("report serialises") + "\n";
        common::out(io, &j)?;
    } else {
        let verdict = report
            .server
            .verdict
            .as_ref()
            .map(|v| format!("server chain: {}\n{}\n", v.headline, choice.note()))
            .unwrap_or_default();
        common::out(io, &format!("{}{verdict}", report.text()))?;
    }
    Ok(super::verdict::decide(
        (!report.ok).then_some(super::verdict::Level::Error),
    ))
}
