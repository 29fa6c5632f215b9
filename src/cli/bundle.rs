//! `chainfix bundle`: read everything, find the leaf and its key, order the
//! chain, and write key + leaf + intermediates (fullcert.pem for `curl -E`),
//! or the chain alone with `--no-key` (what an upload box takes).

use std::path::PathBuf;

use super::common::{self, InputArgs};
use super::fetch_args::FetchArgs;
use super::{Exit, Io};
use crate::emit::{self, Secrecy};
use crate::error::{Error, Result};
use crate::render::bundle::BundleReport;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// The peer's store: with --trust, --roots or --peer, the chain written is
    /// the path the peer accepts (e.g. the cross-sign that reaches its root).
    #[command(flatten)]
    pub trust: super::roots::TrustArgs,
    #[command(flatten)]
    pub peer: super::peer_args::PeerArgs,
    /// Judge validity at this time (RFC 3339 or YYYY-MM-DD) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The private key, if it is not among the FILEs (any format chainfix reads).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Which certificate is the leaf, when the inputs leave a choice: a SHA-256
    /// prefix (6+ hex digits) or the subject (or a unique part of it).
    #[arg(long, value_name = "SHA256|SUBJECT")]
    pub leaf: Option<String>,
    /// Where to write [default: fullcert.pem, or chain.pem with --no-key].
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write the chain without the private key (for Salesforce's upload box).
    #[arg(long)]
    pub no_key: bool,
    /// Also write the self-signed root at the end (most peers do not want it).
    #[arg(long)]
    pub include_root: bool,
    /// Encrypt the written key (PKCS#8, PBES2 AES-256) with the password on the
    /// first line of this file; curl then needs `-E fullcert.pem:PASSWORD`.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// Print the report as JSON on stdout (stable field names, see docs/json.md).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let extra: Vec<PathBuf> = args.key.iter().cloned().collect();
    let mut inv = args.input.read(&extra, io)?;
    common::require_clean(&mut inv, io)?;
    if let Some(k) = &args.key {
        inv.require_key_from(k)?;
    }
    let (mut assembly, completion) = args.fetch.complete(&mut inv, args.leaf.as_deref(), io)?;
    let key = if args.no_key {
        None
    } else {
        match assembly.key {
            Some(k) => Some(&inv.keys[k]),
            None if inv.keys.is_empty() => return Err(Error::NoKey),
            None => {
                return Err(Error::KeyMatchesNothing {
                    key: inv.key_sources(),
                });
            }
        }
    };
    let output = args.output.clone().unwrap_or_else(|| {
        PathBuf::from(if args.no_key {
            "chain.pem"
        } else {
            "fullcert.pem"
        })
    });
    let password = match &args.key_password_file {
        Some(f) => Some(common::read_password_file(f)?),
        None => None,
    };
    let at = common::at_or_now(args.at.as_deref())?;
    let judged =
        super::peer_args::judge_files(&args.peer, &args.trust, &inv.certs, assembly.leaf, at)?;
    let chain = judged.chain(&mut assembly, &inv, args.include_root, at);
    let text = emit::pem::fullcert(key, password.as_ref().map(|p| p.as_str()), &chain)?;
    let secrecy = if key.is_some() {
        Secrecy::Secret
    } else {
        Secrecy::Public
    };
    emit::write_atomic(&output, text.as_bytes(), secrecy, args.force)?;
    let mut report = BundleReport::new(
        &inv,
        &assembly,
        Some(output.display().to_string()),
        key.is_some(),
        args.include_root,
    );
    report.completion = (!completion.is_empty()).then_some(completion);
    if args.json {
        let mut v = serde_json::to_value(&report).expect("report serialises");
        v["verdict"] = serde_json::to_value(&judged.verdict).expect("verdict serialises");
        let j = serde_json::to_string_pretty(&v).expect("report serialises") + "\n";
        common::out(io, &j)?;
    } else {
        common::note(io, report.text().trim_end());
        common::note(io, &judged.text());
    }
    Ok(if report.complete {
        Exit::Ok
    } else {
        Exit::Findings
    })
}
