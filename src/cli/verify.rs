//! `chainfix verify`: build and validate a path from the leaf in FILEs to a
//! trust store, print it as a table and a verdict (exit 0 valid, 1 not),
//! with the explainer's findings and every rejected candidate; `--json`
//! carries the same (fields in docs/verify.md). `chainfix diagnose` reuses
//! this with the explanation first.

use std::path::PathBuf;

use serde::Serialize;

use super::common::{self, CliPasswords, InputArgs};
use super::{Exit, Io};
use crate::chain::explain::{self, Context, Finding};
use crate::chain::names::PeerName;
use crate::chain::path::{Budget, Outcome, Place, build};
use crate::chain::validate::{Policy, Problem, Role};
use crate::error::{Error, Result};
use crate::model::{Cert, Origin};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Client,
    Server,
}

#[derive(clap::Args, Debug)]
#[group(skip)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// The role the leaf plays: client (mutual TLS, e.g. to Salesforce) or server.
    #[arg(long, value_enum, default_value = "client")]
    pub role: RoleArg,
    /// Host name the leaf must be valid for.
    #[arg(long)]
    pub host: Option<String>,
    /// IP address the leaf must be valid for.
    #[arg(long)]
    pub ip: Option<std::net::IpAddr>,
    /// Email address the leaf must be valid for.
    #[arg(long)]
    pub email: Option<String>,
    /// Trust store: `mozilla` (the Mozilla root program, bundled) or a FILE of
    /// PEM/DER roots (private CAs, or the org's saved list).
    #[arg(long, value_name = "mozilla|FILE", default_value = "mozilla")]
    pub trust: String,
    /// Local-only certificates the builder may use but the peer never sees
    /// (an intermediate found only here is reported).
    #[arg(long, value_name = "FILE")]
    pub pool: Vec<PathBuf>,
    /// Which certificate is the leaf (SHA-256 prefix or subject part).
    #[arg(long, value_name = "SHA256|SUBJECT")]
    pub leaf: Option<String>,
    /// Validation time: RFC 3339 or YYYY-MM-DD [default: now].
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Print the report as JSON (fields in docs/verify.md).
    #[arg(long)]
    pub json: bool,
}

/// One certificate on the chosen path.
#[derive(Serialize)]
pub struct PathEntry {
    pub subject: String,
    pub issuer: String,
    pub sha256: String,
    pub not_before: i64,
    pub not_after: i64,
    /// leaf, pool (from the files) or anchor (from the trust store).
    pub place: Place,
    /// Algorithm of this certificate's signature (absent for the anchor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::chain::SigAlg>,
    pub source: String,
}

#[derive(Serialize)]
pub struct RejectedEntry {
    pub subject: String,
    pub sha256: String,
    /// The certificate it was tried as the issuer of.
    pub tried_for: String,
    pub place: Place,
    /// Most specific first.
    pub problems: Vec<Problem>,
    pub reasons: Vec<String>,
}

/// The `--json` report.
#[derive(Serialize)]
pub struct Report {
    pub valid: bool,
    pub role: Role,
    pub trust: String,
    pub at: i64,
    pub leaf: String,
    /// The chosen valid path (leaf first), or the longest partial one.
    pub path: Vec<PathEntry>,
    pub path_complete: bool,
    pub valid_paths_found: usize,
    pub leaf_problems: Vec<Problem>,
    pub findings: Vec<Finding>,
    pub rejected: Vec<RejectedEntry>,
    pub budget_exhausted: bool,
}

pub(crate) struct Loaded {
    pub files: Vec<String>,
    pub certs: Vec<Cert>,
    pub leaf: usize,
    pub anchors: Vec<Cert>,
    pub store: String,
    pub pool_sources: Vec<String>,
}

fn load_trust(
    spec: &str,
    io: &mut Io<'_>,
    pw: Option<&std::path::Path>,
) -> Result<(Vec<Cert>, String)> {
    match spec {
        "mozilla" => Ok((
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Cert::from_der(d.to_vec(), Origin::block("mozilla", i + 1)).ok())
                .collect(),
            "Mozilla".into(),
        )),
        "salesforce" => Err(Error::Usage(
            "--trust salesforce needs the Salesforce candidate store, which this build does not have yet; save your org's list (Setup → Certificate and Key Management, cacerts.jsp) and pass --trust FILE".into(),
        )),
        file => {
            let passwords = CliPasswords::new(pw, io.stdin_tty)?;
            let inv = crate::input::read_inventory(&[PathBuf::from(file)], io.stdin, &passwords);
            if let Some(p) = inv.problems.into_iter().next() {
                return Err(p);
            }
            if inv.certs.is_empty() {
                return Err(Error::Usage(format!(
                    "--trust {file} holds no certificate; give a PEM or DER file of root certificates, or `mozilla`"
                )));
            }
            Ok((inv.certs, file.to_string()))
        }
    }
}

/// The fast path for the common case (no key, no --leaf): exactly one
/// non-CA certificate that issues no other. Anything else goes to
/// `assemble`, which explains ambiguity.
fn pick_leaf(certs: &[Cert], allowed: bool) -> Option<usize> {
    if !allowed {
        return None;
    }
    let issuers: std::collections::HashSet<&[u8]> = certs
        .iter()
        .filter(|c| c.subject_raw() != c.issuer_raw())
        .map(|c| c.issuer_raw())
        .collect();
    let mut found = certs
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_ca() && !issuers.contains(c.subject_raw()))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

pub(crate) fn load(args: &Args, io: &mut Io<'_>) -> Result<Loaded> {
    let mut inv = args.input.read(&args.pool, io)?;
    common::require_clean(&mut inv, io)?;
    let leaf = match pick_leaf(&inv.certs, args.leaf.is_none() && inv.keys.is_empty()) {
        Some(i) => i,
        None => crate::chain::assemble::assemble(&inv, args.leaf.as_deref())?.leaf,
    };
    let (anchors, store) = load_trust(&args.trust, io, args.input.password_file.as_deref())?;
    Ok(Loaded {
        files: args
            .input
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        leaf,
        certs: inv.certs,
        anchors,
        store,
        pool_sources: args.pool.iter().map(|p| p.display().to_string()).collect(),
    })
}

pub(crate) fn policy(args: &Args) -> Result<Policy> {
    let at = match &args.at {
        Some(s) => common::parse_at(s)?,
        None => common::now(),
    };
    let role = match args.role {
        RoleArg::Client => Role::Client,
        RoleArg::Server => Role::Server,
    };
    let mut p = Policy::new(at, role);
    if let Some(h) = &args.host {
        p.names.push(PeerName::Dns(h.clone()));
    }
    if let Some(ip) = args.ip {
        p.names.push(PeerName::Ip(ip));
    }
    if let Some(e) = &args.email {
        p.names.push(PeerName::Email(e.clone()));
    }
    Ok(p)
}

pub(crate) fn report(l: &Loaded, pol: &Policy) -> Report {
    let leaf = &l.certs[l.leaf];
    let pool: Vec<Cert> = l
        .certs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != l.leaf)
        .map(|(_, c)| c.clone())
        .collect();
    let out: Outcome<'_> = build(leaf, &pool, &l.anchors, pol, Budget::default());
    let cx = Context {
        files: &l.files,
        store: &l.store,
        store_is_candidate: false,
        local_sources: &l.pool_sources,
    };
    let findings = explain::explain(&out, leaf, &l.certs, &cx);
    let entry = |c: &Cert, place: Place, sig| PathEntry {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        sha256: c.id().hex(),
        not_before: c.not_before(),
        not_after: c.not_after(),
        place,
        signature: sig,
        source: c.first_origin().to_string(),
    };
    let path = match &out.path {
        Some(p) => p.iter().map(|k| entry(k.cert, k.place, k.sig)).collect(),
        None => out
            .dead_end
            .iter()
            .enumerate()
            .map(|(i, c)| entry(c, if i == 0 { Place::Leaf } else { Place::Pool }, None))
            .collect(),
    };
    Report {
        valid: out.is_valid(),
        role: if pol
            .eku
            .iter()
            .any(|e| e == crate::chain::validate::OID_SERVER_AUTH)
        {
            Role::Server
        } else {
            Role::Client
        },
        trust: l.store.clone(),
        at: pol.at,
        leaf: leaf.subject().to_string(),
        path_complete: out.path.is_some(),
        path,
        valid_paths_found: out.valid_paths,
        leaf_problems: out.leaf_problems.clone(),
        findings,
        rejected: out
            .rejected
            .iter()
            .map(|r| RejectedEntry {
                subject: r.cert.subject().to_string(),
                sha256: r.cert.id().hex(),
                tried_for: r.child.subject().to_string(),
                place: r.place,
                reasons: r.problems.iter().map(|p| p.to_string()).collect(),
                problems: r.problems.clone(),
            })
            .collect(),
        budget_exhausted: out.exhausted,
    }
}

fn date(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

pub(crate) fn render_path(r: &Report) -> String {
    let mut t = crate::render::table::new(&["#", "subject", "expires", "from", "signature"]);
    for (i, p) in r.path.iter().enumerate() {
        t.add_row(vec![
            i.to_string(),
            p.subject.clone(),
            date(p.not_after),
            match p.place {
                Place::Anchor => format!("trust store ({})", r.trust),
                _ => p.source.clone(),
            },
            p.signature
                .map(|s| {
                    serde_json::to_value(s)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        ]);
    }
    format!("{t}\n")
}

pub(crate) fn render_findings(r: &Report) -> String {
    let mut s = String::new();
    for f in &r.findings {
        s.push_str(&format!(
            "{} {}\n  fix: {}\n",
            if f.fatal { "error:" } else { "warning:" },
            f.message,
            f.fix
        ));
    }
    s
}

pub(crate) fn render_rejected(r: &Report) -> String {
    let mut s = String::new();
    if !r.rejected.is_empty() {
        s.push_str("candidates tried and refused (most specific reason first):\n");
        for x in r.rejected.iter().take(20) {
            s.push_str(&format!(
                "  - \"{}\" as issuer of \"{}\": {}\n",
                x.subject,
                x.tried_for,
                x.reasons.join("; ")
            ));
        }
    }
    s
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let l = load(&args, io)?;
    let pol = policy(&args)?;
    let r = report(&l, &pol);
    if args.json {
        let text = serde_json::to_string_pretty(&r).expect("report serialises");
        common::out(io, &format!("{text}\n"))?;
    } else {
        let mut s = render_path(&r);
        if r.valid {
            s.push_str(&format!(
                "VALID: a path from \"{}\" to the {} trust store, checked at {}.\n",
                r.leaf,
                r.trust,
                date(r.at)
            ));
        } else {
            s.push_str(&format!("NOT VALID: \"{}\".\n", r.leaf));
            for p in &r.leaf_problems {
                s.push_str(&format!("  leaf: {p}\n"));
            }
        }
        s.push_str(&render_findings(&r));
        if !r.valid {
            s.push_str(&render_rejected(&r));
        }
        common::out(io, &s)?;
    }
    Ok(if r.valid { Exit::Ok } else { Exit::Findings })
}
