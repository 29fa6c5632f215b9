//! `chainfix roots`: list a trust store, or look certificates up in it.
//! Also home of [`TrustArgs`], the `--trust` / `--roots` pair every command
//! that judges a chain against roots shares.

use std::path::PathBuf;

use serde::Serialize;

use super::common::{self, CliPasswords};
use super::{Exit, Io};
use crate::error::Result;
use crate::render::table;
use crate::trust::{self, AnchorEntry, Lookup, OrgListReport, TrustStore};

/// Which roots to judge against.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Trust")]
pub struct TrustArgs {
    /// Trust store: `salesforce` (the bundled CANDIDATE list, not Salesforce's own),
    /// `mozilla`, or a FILE: your org's saved https://<MyDomain>.my.salesforce.com/cacerts.jsp
    /// page, or any file of PEM roots, SHA-256/SHA-1 fingerprints or Java cacerts aliases.
    #[arg(long, value_name = "salesforce|mozilla|FILE")]
    pub trust: Option<String>,
    /// Also trust the roots in this PEM/DER file (a private CA). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub roots: Vec<PathBuf>,
}

/// A loaded store and, when it came from a user's list, how that list resolved.
pub struct LoadedTrust {
    pub store: TrustStore,
    pub report: Option<OrgListReport>,
}

fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    crate::input::read_user_file(path)
}

impl TrustArgs {
    /// Loads `--trust` (or `default` when not given) plus every `--roots`.
    /// Whether the store these arguments choose (or `default`) is
    /// Salesforce's, which makes Salesforce the default peer.
    pub fn is_salesforce(&self, default: &str) -> bool {
        self.trust
            .as_deref()
            .unwrap_or(default)
            .starts_with("salesforce")
    }

    pub fn load(&self, default: &str) -> Result<LoadedTrust> {
        let which = self.trust.as_deref().unwrap_or(default);
        let (mut store, report) = match which {
            "salesforce" | "salesforce-candidate" => (trust::load::salesforce_candidate(), None),
            "mozilla" => (trust::load::mozilla(), None),
            path => {
                let p = std::path::Path::new(path);
                let bytes = read(p)?;
                let (s, r) = trust::load::org_list(&p.display().to_string(), &bytes)?;
                (s, Some(r))
            }
        };
        for r in &self.roots {
            let bytes = read(r)?;
            store.extend(trust::load::roots_file(&r.display().to_string(), &bytes)?);
        }
        Ok(LoadedTrust { store, report })
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Look these certificates up in the store (any format chainfix reads);
    /// without FILEs, list the store. Exits 0 whatever the answers; for a
    /// pass/fail check that a chain reaches the store, use `verify`.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the password for encrypted inputs from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[derive(Serialize)]
struct StoreJson<'a> {
    name: &'a str,
    candidate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    caveat: Option<&'a str>,
    anchors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a OrgListReport>,
}

#[derive(Serialize)]
struct LookupJson {
    subject: String,
    sha256: String,
    /// anchor | issued-by-anchor | known-anchor | issuer-known-anchor | not-found
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    anchor: Option<AnchorEntry>,
}

#[derive(Serialize)]
struct RootsJson<'a> {
    version: u32,
    store: StoreJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anchors: Option<Vec<AnchorEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lookups: Option<Vec<LookupJson>>,
}

fn lookup_json(store: &TrustStore, c: &crate::Cert) -> LookupJson {
    let known = |e: &trust::IndexEntry| AnchorEntry {
        subject: e.subject.clone(),
        sha256: e.sha256.clone(),
        not_after: e.not_after.clone(),
        jdk_alias: e.jdk_alias.clone(),
        sources: e.sources.clone(),
        certificate: false,
    };
    let (result, anchor) = match store.lookup(c) {
        Lookup::Anchor(a) => ("anchor", Some(AnchorEntry::of(a))),
        Lookup::IssuedByAnchor(a) => ("issued-by-anchor", Some(AnchorEntry::of(a))),
        Lookup::KnownAnchor(e) => ("known-anchor", Some(known(e))),
        Lookup::IssuerNamedKnown(e) => ("issuer-known-anchor", Some(known(e))),
        Lookup::NotFound => ("not-found", None),
    };
    LookupJson {
        subject: c.subject().to_string(),
        sha256: c.id().hex(),
        result,
        anchor,
    }
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let LoadedTrust { store, report } = args.trust.load("salesforce")?;
    let lookups = if args.files.is_empty() {
        None
    } else {
        let pw = CliPasswords::new(args.password_file.as_deref(), io.stdin_tty)?;
        let mut inv = crate::input::read_inventory(&args.files, io.stdin, &pw);
        common::require_clean(&mut inv, io)?;
        if inv.certs.is_empty() {
            return Err(inv.no_certificate_error());
        }
        Some(
            inv.certs
                .iter()
                .map(|c| lookup_json(&store, c))
                .collect::<Vec<_>>(),
        )
    };
    let missing = lookups
        .as_ref()
        .is_some_and(|l| l.iter().any(|l| l.result == "not-found"));
    if args.json {
        let j = RootsJson {
            version: 1,
            store: StoreJson {
                name: &store.name,
                candidate: store.candidate,
                caveat: store.caveat(),
                anchors: store.len(),
                resolved: report.as_ref(),
            },
            anchors: lookups.is_none().then(|| store.entries()),
            lookups,
        };
        let text = serde_json::to_string_pretty(&j).expect("report serialises") + "\n";
        common::out(io, &text)?;
    } else {
        match &lookups {
            None => {
                let mut t = table::new(&[
                    "#",
                    "Subject",
                    "Not after",
                    "Java alias",
                    "SHA-256",
                    "Sources",
                ]);
                for (i, e) in store.entries().iter().enumerate() {
                    t.add_row(vec![
                        (i + 1).to_string(),
                        e.subject.clone(),
                        e.not_after.clone().unwrap_or_default(),
                        e.jdk_alias.clone().unwrap_or_default(),
                        e.sha256[..16].to_string(),
                        e.sources.join(" "),
                    ]);
                }
                common::out(io, &format!("{t}\n"))?;
            }
            Some(ls) => {
                let mut t = table::new(&["#", "Certificate", "SHA-256", "In store"]);
                for (i, l) in ls.iter().enumerate() {
                    let verdict = match (&l.anchor, l.result) {
                        (Some(a), "anchor" | "known-anchor") => {
                            format!("yes: an anchor{}", alias(a))
                        }
                        (Some(a), "issued-by-anchor") => {
                            format!("issued by anchor {}{}", a.subject, alias(a))
                        }
                        (Some(a), _) => format!(
                            "issuer named like anchor {}{} (known by fingerprint only; signature not checked)",
                            a.subject,
                            alias(a)
                        ),
                        _ => "no: neither it nor its issuer is an anchor".to_string(),
                    };
                    t.add_row(vec![
                        (i + 1).to_string(),
                        l.subject.clone(),
                        l.sha256[..16].to_string(),
                        verdict,
                    ]);
                }
                common::out(io, &format!("{t}\n"))?;
            }
        }
        common::note(
            io,
            &format!("store {}: {} root(s)", store.name, store.len()),
        );
        if let Some(r) = &report {
            common::note(
                io,
                &format!(
                    "{}: {} from PEM, {} by SHA-256, {} by SHA-1, {} by Java alias, {} by subject",
                    store.name, r.pem, r.sha256, r.sha1, r.alias, r.subject
                ),
            );
            for u in &r.unresolved {
                common::note(
                    io,
                    &format!(
                        "{}: {u} matches no root chainfix knows; add that root as PEM with --roots FILE",
                        store.name
                    ),
                );
            }
        }
        if missing {
            let files: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
            common::note(
                io,
                &format!(
                    "note: a certificate marked no is not a root of the {} store and was not signed by one: a leaf issued by an intermediate is marked no even when its chain reaches the store, so check the whole path with `chainfix verify {}`; if it belongs to a private CA, pass that CA's root with --roots FILE",
                    store.name,
                    files.join(" ")
                ),
            );
        }
        if let Some(c) = store.caveat() {
            common::note(io, &format!("note: {c}"));
        }
    }
    // A lookup is a question and "no" is its answer, not a failed check: a
    // leaf issued by an intermediate is "no" even when its chain reaches the
    // store. The check that fails (exit 1) is `verify`'s.
    Ok(Exit::Ok)
}

fn alias(a: &AnchorEntry) -> String {
    a.jdk_alias
        .as_ref()
        .map(|s| format!(" (cacerts alias {s})"))
        .unwrap_or_default()
}
