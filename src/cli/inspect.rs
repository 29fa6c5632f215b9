//! `chainfix inspect`: everything read, as a table or JSON.

use serde::Serialize;

use super::common::{self, InputArgs};
use super::{Exit, Io};
use crate::error::Result;
use crate::render::bundle::DroppedEntry;
use crate::render::summary::{CertSummary, KeySummary};
use crate::render::table;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print JSON (stable field names, see docs/json.md) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct InspectJson<'a> {
    version: u32,
    certificates: Vec<CertSummary>,
    keys: Vec<KeySummary>,
    dropped: &'a [crate::model::Dropped],
    problems: Vec<String>,
    /// When a problem means exit 2: the last one, as every command's
    /// `--json` failure carries it (docs/json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<super::json::ErrorJson>,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let mut inv = args.input.read(&[], io)?;
    let certs: Vec<CertSummary> = inv.certs.iter().map(CertSummary::of).collect();
    let keys: Vec<KeySummary> = inv.keys.iter().map(KeySummary::of).collect();
    if args.json {
        let j = InspectJson {
            version: 1,
            certificates: certs,
            keys,
            dropped: &inv.dropped,
            problems: inv.problems.iter().map(ToString::to_string).collect(),
            error: inv.problems.last().map(super::json::ErrorJson::of),
        };
        let text = serde_json::to_string_pretty(&j).expect("report serialises") + "\n";
        common::out(io, &text)?;
    } else if !certs.is_empty() || !keys.is_empty() {
        // An empty table above the error only hides the error.
        let mut t = table::new(&[
            "#", "Kind", "Subject", "Issuer", "Serial", "Valid", "Key", "EKU", "SANs", "AIA",
            "SHA-256", "From",
        ]);
        for (i, c) in certs.iter().enumerate() {
            let mut aia = c.ca_issuers.clone();
            aia.extend(c.ocsp.iter().map(|o| format!("OCSP {o}")));
            t.add_row(vec![
                (i + 1).to_string(),
                c.kind.to_string(),
                c.subject.clone(),
                c.issuer.clone(),
                c.serial.clone(),
                format!("{} → {}", &c.not_before[..10], &c.not_after[..10]),
                c.key.to_string(),
                c.eku.join(", "),
                c.sans.join(", "),
                aia.join("\n"),
                c.sha256[..16].to_string(),
                c.sources.join("\n"),
            ]);
        }
        for (i, k) in keys.iter().enumerate() {
            t.add_row(vec![
                (certs.len() + i + 1).to_string(),
                format!(
                    "private key ({})",
                    serde_json::to_value(k.format)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                ),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                k.key.to_string(),
                String::new(),
                String::new(),
                String::new(),
                format!("pub {}", &k.public_key_sha256[..16]),
                k.sources.join("\n"),
            ]);
        }
        common::out(io, &format!("{t}\n"))?;
    }
    if !args.json {
        let entries: Vec<DroppedEntry> = inv
            .dropped
            .iter()
            .map(crate::render::bundle::dropped_entry)
            .collect();
        for l in crate::render::bundle::dropped_lines(&entries, io.verbose) {
            common::note(io, &l);
        }
    }
    if args.json && !inv.problems.is_empty() {
        // The report above carries the problems and the error: one object.
        for p in &inv.problems {
            common::note(io, &format!("chainfix: {p}"));
        }
        return Ok(Exit::Failed);
    }
    if inv.certs.is_empty() && inv.keys.is_empty() && inv.problems.is_empty() {
        return Err(inv.no_certificate_error());
    }
    common::require_clean(&mut inv, io)?;
    Ok(Exit::Ok)
}
