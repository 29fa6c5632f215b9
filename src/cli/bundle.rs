//! `chainfix bundle`: read everything, find the leaf and its key, order the
//! chain, and write key + leaf + intermediates (fullcert.pem for `curl -E`),
//! or the chain alone with `--no-key` (what an upload box takes).

use std::path::PathBuf;

use super::common::{self, InputArgs};
use super::fetch_args::FetchArgs;
use super::{Exit, Io, json, verdict};
use crate::emit::{self, Secrecy};
use crate::error::{Error, Result};
use crate::model::KeyFormat;
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
    /// Revocation (--revocation, --crl) and certificate policies (--policy), as
    /// verify checks them: a chain the peer refuses for them is not written.
    #[command(flatten)]
    pub revocation: super::revocation_args::RevocationArgs,
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
    /// Also print the chain as a picture on stdout: svg, dot or mermaid.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "json")]
    pub graph: Option<crate::render::graph::Format>,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let output = args.output.clone().unwrap_or_else(|| {
        PathBuf::from(if args.no_key {
            "chain.pem"
        } else {
            "fullcert.pem"
        })
    });
    // Key material is never printed on a screen (scroll-back, a shared
    // screen, a recorded session): `-o -` with the key wants a pipe.
    if common::is_stdout(&output)
        && !args.no_key
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        return Err(Error::Usage(
            "-o - would print the private key on the terminal; redirect it (-o - > fullcert.pem), give -o FILE, or pass --no-key for the chain alone".into(),
        ));
    }
    let extra: Vec<PathBuf> = args.key.iter().cloned().collect();
    crate::model::keep_der_on_disk(super::on_reread_failure(args.json));
    let mut inv = args.input.read(&extra, io)?;
    inv.load_needed()?;
    common::test_hold_after_load();
    common::require_clean(&mut inv, io)?;
    // Before the downloads: the inputs' own problems first, then this.
    common::check_output(&output, args.force)?;
    if let Some(k) = &args.key {
        common::require_key_from(&inv, k)?;
    }
    let (mut assembly, completion) = args.fetch.complete(&mut inv, args.leaf.as_deref(), io)?;
    // Only CA certificates (the CA's bundle, or a root, given without the
    // leaf): the "leaf" picked is a CA, and writing it would hand back the
    // CA's own files as if they were the person's chain.
    let picked = &inv.certs[assembly.leaf];
    if assembly.leaf_choice == crate::chain::assemble::LeafChoice::OnlyEndEntity && picked.is_ca() {
        return Err(Error::OnlyCaCertificates {
            origin: picked.first_origin().to_string(),
            subject: picked.subject().to_string(),
        });
    }
    let key = if args.no_key {
        None
    } else {
        match assembly.key {
            Some(k) => Some(&inv.keys[k]),
            None if inv.keys.is_empty() => return Err(Error::NoKey),
            None => {
                return Err(crate::chain::assemble::key_matches_nothing(&inv));
            }
        }
    };
    let password = match &args.key_password_file {
        Some(f) => Some(common::read_output_password_file(
            f,
            "key",
            "put the password on the first line of the file, or leave out --key-password-file to write the key unencrypted",
        )?),
        None => None,
    };
    let at = common::at_or_now(args.at.as_deref())?;
    let judged = super::peer_args::judge_for_writing(
        &args.peer,
        &args.trust,
        (&args.revocation, &args.fetch),
        &inv.certs,
        std::mem::take(&mut inv.crls),
        assembly.leaf,
        at,
    )?;
    let chain = judged.chain(&mut assembly, &inv, args.include_root, at);
    let to_stdout = common::is_stdout(&output);
    if to_stdout && (args.json || args.graph.is_some()) {
        return Err(Error::Usage(
            "-o - and --json (or --graph) both want stdout; write the bundle to a file with -o FILE".into(),
        ));
    }
    // A chain the peer refuses for revocation (or --policy) is not written:
    // it would fail at the handshake whatever else is right.
    let refused = judged.after.refused;
    if !refused {
        let text = emit::pem::fullcert(key, password.as_ref().map(|p| p.as_str()), &chain)?;
        let secrecy = if key.is_some() {
            Secrecy::Secret
        } else {
            Secrecy::Public
        };
        common::write_output(io, &output, text.as_bytes(), secrecy, args.force)?;
    }
    let mut report = BundleReport::new(
        &inv,
        &assembly,
        (!refused).then(|| {
            if to_stdout {
                "standard output".into()
            } else {
                output.display().to_string()
            }
        }),
        key.is_some() && !refused,
        args.include_root && !refused,
        args.json || io.verbose,
    );
    report.completion = (!completion.is_empty()).then_some(completion);
    // Decrypted by default: curl -E, nginx and HAProxy need the key
    // readable without a prompt. Said, with the way to keep it encrypted.
    report.key_written_decrypted = password.is_none()
        && key.is_some_and(|k| {
            matches!(
                k.format,
                KeyFormat::EncryptedPkcs8
                    | KeyFormat::LegacyEncryptedPem
                    | KeyFormat::Pkcs12
                    | KeyFormat::Jks
            )
        });
    let binding = judged.binding_refusal(&output);
    if args.json {
        let mut v = serde_json::to_value(&report).expect("report serialises");
        v["verdict"] = serde_json::to_value(&judged.verdict).expect("verdict serialises");
        judged.add_stages_json(&mut v);
        json::print_raw(io, &v)?;
    } else {
        if !refused {
            common::note(io, report.text_listing(io.verbose).trim_end());
        }
        common::note(io, judged.text().trim_end());
        if refused {
            common::note(
                io,
                &verdict::Level::Error.line(&format!(
                    "nothing written to {}: {}",
                    output.display(),
                    judged.refusal()
                )),
            );
        }
        if let Some(line) = &binding {
            common::note(io, line);
        }
        if let Some(f) = args.graph {
            common::out(io, &crate::render::graph::render(&judged.graph, f))?;
        }
    }
    Ok(verdict::decide(
        (!report.complete || refused || binding.is_some()).then_some(verdict::Level::Error),
    ))
}
