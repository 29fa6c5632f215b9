//! `chainfix inspect`: everything read, as a table or JSON.

use serde::Serialize;

use super::common::{self, InputArgs};
use super::{Exit, Io};
use crate::error::Result;
use crate::parse::Inventory;
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
    /// Print the chain as a picture instead of the table: svg, dot or mermaid
    /// (the path judged against --trust / --peer, as `verify` builds it).
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "json")]
    pub graph: Option<crate::render::graph::Format>,
    #[command(flatten)]
    pub trust: super::roots::TrustArgs,
    #[command(flatten)]
    pub peer: super::peer_args::PeerArgs,
    /// Judge validity at this time (RFC 3339 or YYYY-MM-DD): the table marks
    /// each certificate expired or not yet valid then, --json adds `at` and
    /// each certificate's `validity`; with --graph, the path is judged then.
    /// Without it the table and JSON only show the dates (--graph judges now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Serialize)]
struct InspectJson<'a> {
    version: u32,
    /// `--at` as given, RFC 3339; absent without `--at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    certificates: Vec<InspectCert>,
    keys: Vec<InspectKey>,
    crls: Vec<crate::render::crl::CrlSummary>,
    dropped: &'a [crate::model::Dropped],
    problems: Vec<String>,
    /// When a problem means exit 2: the last one, as every command's
    /// `--json` failure carries it (docs/json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<super::json::ErrorJson>,
}

/// A certificate, and with `--at` whether it was valid then.
#[derive(Serialize)]
struct InspectCert {
    #[serde(flatten)]
    cert: CertSummary,
    /// `valid`, `expired` or `not-yet-valid` at `--at`; absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    validity: Option<&'static str>,
    /// The URIs of its cRLDistributionPoints; absent when it names none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    crl_distribution_points: Vec<String>,
    /// The URIs of its freshestCRL extension (where its delta CRLs are,
    /// RFC 5280 §4.2.1.15); absent when it names none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    freshest_crl: Vec<String>,
}

/// The URIs of `cert`'s cRLDistributionPoints and freshestCRL extensions
/// (none for an extension that cannot be read: `verify` reports that).
fn crl_uris(cert: &crate::model::Cert) -> (Vec<String>, Vec<String>) {
    use crate::revocation::dp;
    let x = cert.parsed();
    let of = |r: std::result::Result<Option<Vec<dp::Dp>>, String>| {
        r.ok().flatten().map(|d| dp::uris(&d)).unwrap_or_default()
    };
    (of(dp::of_cert(&x)), of(dp::freshest_of_cert(&x)))
}

/// `valid`, `expired` or `not-yet-valid` at `at`, both bounds inclusive
/// (RFC 5280 §4.1.2.5), as verify and probe judge them.
fn validity(c: &crate::model::Cert, at: i64) -> &'static str {
    if at < c.not_before() {
        "not-yet-valid"
    } else if at > c.not_after() {
        "expired"
    } else {
        "valid"
    }
}

/// A key and the certificates that carry its public key.
#[derive(Serialize)]
struct InspectKey {
    #[serde(flatten)]
    key: KeySummary,
    /// SHA-256 of each certificate (in `certificates`) this key belongs to.
    certificates: Vec<String>,
}

/// The first hex digits of a public-key hash, as the table shows them.
fn key_id(sha256: &str) -> String {
    format!("pub {}", &sha256[..8])
}

/// Printed output is handed to stdout in pieces of about this size.
const CHUNK: usize = 64 * 1024;

/// The table of certificates and keys, each row printed as it is made
/// (10,000 certificates need neither 10,000 summaries nor a measured table
/// in memory), then a note per certificate OpenSSL refuses to parse.
fn print_table(inv: &Inventory, at: Option<i64>, io: &mut Io<'_>) -> Result<()> {
    let mut t = table::stream(&[
        "#", "Kind", "Subject", "Issuer", "Serial", "Valid", "Key", "EKU", "SANs", "AIA",
        "SHA-256", "From",
    ]);
    let rows = inv.certs.len() + inv.keys.len();
    // On a terminal: "#" as wide as the last row's number; room left over
    // to the subject, issuer, SANs, AIA and file (the first rows measured
    // need not be the longest).
    // Twelve columns need about 160 to be read as a table (at 140 the
    // subjects still wrap); a narrower terminal gets a record per
    // certificate instead.
    t.min_width(0, rows.to_string().len())
        .grow(&[2, 3, 8, 9, 11])
        .records_below(160);
    let mut text = String::with_capacity(CHUNK + 4096);
    let mut refused = Vec::new();
    for (i, cert) in inv.certs.iter().enumerate() {
        let c = CertSummary::of(cert);
        let mut aia = c.ca_issuers.join("\n");
        let (cdp, fresh) = crl_uris(cert);
        let lines = c
            .ocsp
            .iter()
            .map(|u| ("OCSP ", u))
            .chain(cdp.iter().map(|u| ("CRL ", u)))
            .chain(fresh.iter().map(|u| ("delta CRL ", u)));
        for (what, u) in lines {
            if !aia.is_empty() {
                aia.push('\n');
            }
            aia.push_str(what);
            aia.push_str(u);
        }
        t.push(
            &[
                (i + 1).to_string(),
                c.kind.to_string(),
                c.subject,
                c.issuer,
                c.serial,
                {
                    let dates = format!("{} → {}", &c.not_before[..10], &c.not_after[..10]);
                    match at.map(|t| validity(cert, t)) {
                        Some("expired") => format!("{dates}\nexpired at --at"),
                        Some("not-yet-valid") => format!("{dates}\nnot yet valid at --at"),
                        _ => dates,
                    }
                },
                format!("{}\n{}", c.key, key_id(&c.public_key_sha256)),
                c.eku.join(", "),
                c.sans.join(", "),
                aia,
                c.sha256[..16].to_string(),
                c.sources.join("\n"),
            ],
            &mut text,
        );
        if let Some(why) = c.openssl_refuses {
            refused.push(format!(
                "#{} ({}): OpenSSL refuses to parse this certificate ({why}), so curl, nginx and Python will too; get it re-issued",
                i + 1,
                c.sources.join(", ")
            ));
        }
        if text.len() >= CHUNK {
            common::out(io, &text)?;
            text.clear();
        }
    }
    for (i, key) in inv.keys.iter().enumerate() {
        let k = KeySummary::of(key);
        let of: Vec<String> = inv
            .certs
            .iter()
            .enumerate()
            .filter(|(_, c)| key.matches(c))
            .map(|(p, _)| format!("#{}", p + 1))
            .collect();
        t.push(
            &[
                (inv.certs.len() + i + 1).to_string(),
                format!(
                    "private key ({})",
                    serde_json::to_value(k.format)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                ),
                if of.is_empty() {
                    "matches no certificate read".to_string()
                } else {
                    format!("key of {}", of.join(", "))
                },
                String::new(),
                String::new(),
                String::new(),
                format!("{}\n{}", k.key, key_id(&k.public_key_sha256)),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                k.sources.join("\n"),
            ],
            &mut text,
        );
    }
    t.finish(&mut text);
    common::out(io, &text)?;
    for n in refused {
        common::note(io, &n);
    }
    Ok(())
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let at = args.at.as_deref().map(common::parse_at).transpose()?;
    let mut inv = args.input.read(&[], io)?;
    if let Some(f) = args.graph {
        common::require_clean(&mut inv, io)?;
        let leaf = crate::chain::assemble::assemble(&inv, None)?.leaf;
        let at = at.unwrap_or_else(common::now);
        let how = super::peer_args::Judging {
            peer: &args.peer,
            trust: &args.trust,
            stages: None,
        };
        let judged = super::peer_args::judge_files(&how, &inv.certs, Vec::new(), leaf, at)?;
        common::out(io, &crate::render::graph::render(&judged.graph, f))?;
        return Ok(Exit::Ok);
    }
    let crls: Vec<crate::render::crl::CrlSummary> = inv
        .crls
        .iter()
        .map(|c| crate::render::crl::CrlSummary::of(c, &inv.certs))
        .collect();
    if args.json {
        let keys: Vec<InspectKey> = inv
            .keys
            .iter()
            .map(|k| InspectKey {
                key: KeySummary::of(k),
                certificates: inv
                    .certs
                    .iter()
                    .filter(|c| k.matches(c))
                    .map(|c| c.id().hex())
                    .collect(),
            })
            .collect();
        let j = InspectJson {
            version: 1,
            at: at.map(crate::model::rfc3339),
            certificates: inv
                .certs
                .iter()
                .map(|c| {
                    let (crl_distribution_points, freshest_crl) = crl_uris(c);
                    InspectCert {
                        cert: CertSummary::of(c),
                        validity: at.map(|t| validity(c, t)),
                        crl_distribution_points,
                        freshest_crl,
                    }
                })
                .collect(),
            keys,
            crls,
            dropped: &inv.dropped,
            problems: inv.problems.iter().map(ToString::to_string).collect(),
            error: inv.problems.last().map(super::json::ErrorJson::of),
        };
        let text = serde_json::to_string_pretty(&j).expect("report serialises") + "\n";
        common::out(io, &text)?;
    } else {
        if !inv.certs.is_empty() || !inv.keys.is_empty() {
            // An empty table above the error only hides the error.
            print_table(&inv, at, io)?;
        }
        let crl_table = crate::render::crl::table(&crls);
        if !crl_table.is_empty() {
            common::out(io, &crl_table)?;
        }
        // A CSR alone: the error below names it and says what to do, so
        // its "dropped" line would only say it twice.
        let csr_alone = inv.certs.is_empty()
            && inv.keys.is_empty()
            && inv.crls.is_empty()
            && inv.problems.is_empty()
            && matches!(&inv.dropped[..], [d] if d.reason == crate::model::DropReason::CertificateRequest);
        let entries: Vec<DroppedEntry> = inv
            .dropped
            .iter()
            .filter(|_| !csr_alone)
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
    if inv.certs.is_empty() && inv.keys.is_empty() && inv.crls.is_empty() && inv.problems.is_empty()
    {
        return Err(inv.no_certificate_error());
    }
    common::require_clean(&mut inv, io)?;
    Ok(Exit::Ok)
}
