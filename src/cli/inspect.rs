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
    crls: Vec<crate::render::crl::CrlSummary>,
    dropped: &'a [crate::model::Dropped],
    problems: Vec<String>,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let mut inv = args.input.read(&[], io)?;
    let certs: Vec<CertSummary> = inv.certs.iter().map(CertSummary::of).collect();
    let keys: Vec<KeySummary> = inv.keys.iter().map(KeySummary::of).collect();
    let crls: Vec<crate::render::crl::CrlSummary> = inv
        .crls
        .iter()
        .map(|c| crate::render::crl::CrlSummary::of(c, &inv.certs))
        .collect();
    let crl_table = crate::render::crl::table(&crls);
    if args.json {
        let j = InspectJson {
            version: 1,
            certificates: certs,
            keys,
            crls,
            dropped: &inv.dropped,
            problems: inv.problems.iter().map(ToString::to_string).collect(),
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
    if !args.json && !crl_table.is_empty() {
        common::out(io, &crl_table)?;
    }
    if !args.json {
        for d in inv
            .dropped
            .iter()
            .filter(|d| d.reason != crate::model::DropReason::Crl)
        {
            let e: DroppedEntry = crate::render::bundle::dropped_entry(d);
            common::note(io, &format!("dropped {}: {}", e.source, e.reason));
        }
    }
    if inv.certs.is_empty() && inv.keys.is_empty() && inv.crls.is_empty() && inv.problems.is_empty()
    {
        return Err(inv.no_certificate_error());
    }
    common::require_clean(&mut inv, io)?;
    Ok(Exit::Ok)
}
