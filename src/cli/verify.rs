//! `chainfix verify`: build and validate a path from the leaf in FILEs to a
//! trust store, print it as a table and a verdict (exit 0 valid, 1 not),
//! with the explainer's findings and every rejected candidate; `--json`
//! carries the same (fields in docs/verify.md). `chainfix diagnose` reuses
//! this with the explanation first.

use serde::Serialize;

use super::common::{self, InputArgs};
use super::{Exit, Io, json, verdict};
use crate::chain::explain::{self, Context, Finding};
use crate::chain::names::PeerName;
use crate::chain::path::{Budget, Outcome, Place, build};
use crate::chain::validate::{Policy, Problem, Role};
use crate::error::Result;
use crate::model::Cert;
use crate::parse::Inventory;

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
    /// The role the leaf plays: client (mutual TLS, e.g. to Salesforce) or server
    /// [default: client; diagnose: the side its --error message names].
    #[arg(long, value_enum)]
    pub role: Option<RoleArg>,
    /// Host name the leaf must be valid for.
    #[arg(long)]
    pub host: Option<String>,
    /// IP address the leaf must be valid for.
    #[arg(long)]
    pub ip: Option<std::net::IpAddr>,
    /// Email address the leaf must be valid for.
    #[arg(long)]
    pub email: Option<String>,
    /// Trust store [default: salesforce for --role client, mozilla for --role server].
    #[command(flatten)]
    pub trust: super::roots::TrustArgs,
    #[command(flatten)]
    pub peer: super::peer_args::PeerArgs,
    /// Local pools (--intermediates, never sent to the peer: a path that needs
    /// one is reported) and the network used to check a missing issuer's AIA URL.
    #[command(flatten)]
    pub fetch: super::fetch_args::FetchArgs,
    /// Which certificate is the leaf (SHA-256 prefix or subject part).
    #[arg(long, value_name = "SHA256|SUBJECT")]
    pub leaf: Option<String>,
    /// Validation time: RFC 3339 or YYYY-MM-DD [default: now].
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Revocation (--revocation, --crl) and certificate policies (--policy).
    #[command(flatten)]
    pub revocation: super::revocation_args::RevocationArgs,
    /// Print the report as JSON (fields in docs/verify.md).
    #[arg(long)]
    pub json: bool,
    /// Print the chain as a picture instead of the report: svg, dot or mermaid.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "json")]
    pub graph: Option<crate::render::graph::Format>,
}

impl Args {
    /// `--role`, client when not given.
    pub fn role(&self) -> RoleArg {
        self.role.unwrap_or(RoleArg::Client)
    }
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
    /// The checks this certificate passed in its place (on a complete path).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<&'static str>,
}

/// The checks a certificate passes in its place on a valid path.
fn checks_for(place: Place, names: bool) -> Vec<&'static str> {
    let mut v = vec!["validity", "well-formed", "critical-extensions"];
    match place {
        Place::Leaf => {
            v.extend(["signature", "eku-role"]);
            if names {
                v.push("name-match");
            }
        }
        Place::Pool => v.extend([
            "signature",
            "basic-constraints-ca",
            "path-len",
            "key-cert-sign",
            "eku-nesting",
            "name-constraints",
        ]),
        Place::Anchor => v.extend([
            "in-trust-store",
            "basic-constraints-ca",
            "path-len",
            "key-cert-sign",
            "eku-nesting",
            "name-constraints",
        ]),
    }
    v
}

/// The checks of a leaf that is itself in the trust store (a path of one):
/// its own leaf checks, no signature (nothing above it signs it).
fn anchored_leaf_checks(names: bool) -> Vec<&'static str> {
    let mut v = checks_for(Place::Leaf, names);
    v.retain(|c| *c != "signature");
    v.push("in-trust-store");
    v
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
    /// The peer's judgement (the same every command gives).
    pub verdict: crate::peer::Verdict,
    /// True when --peer was not given.
    pub peer_defaulted: bool,
    pub role: Role,
    pub trust: String,
    /// True when the store is the bundled Salesforce CANDIDATE list.
    pub trust_is_candidate: bool,
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
    /// The revocation stage (mode "off" when not asked for).
    pub revocation: crate::revocation::Outcome,
    /// With --policy: the policies valid for the path (RFC 5280 §6.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    /// The picture of this build (`--graph`; not part of the JSON).
    #[serde(skip)]
    pub graph: crate::graph::Graph,
}

pub(crate) struct Loaded {
    pub files: Vec<String>,
    pub certs: Vec<Cert>,
    pub leaf: usize,
    pub anchors: Vec<Cert>,
    pub store: String,
    pub candidate: bool,
    pub has_key: bool,
    pub pool_sources: Vec<String>,
    pub revocation: crate::revocation::Setup,
    pub policies: Vec<String>,
}

/// Fetches `url` once and says whether it serves `child`'s issuer.
/// What fetching `url` shows; None when it could not be asked
/// (`--offline` and not cached).
fn check_url(
    fetcher: &dyn crate::fetch::Fetch,
    url: &str,
    child: &Cert,
) -> Option<explain::UrlCheck> {
    use explain::UrlCheck;
    let resp = match fetcher.fetch(url) {
        Ok(r) => r,
        Err(crate::fetch::FetchError::NotCached) => return None,
        Err(e) => {
            return Some(UrlCheck::Fails {
                detail: e.to_string(),
            });
        }
    };
    if !(200..300).contains(&resp.status) {
        return Some(UrlCheck::Fails {
            detail: format!("HTTP {}", resp.status),
        });
    }
    let mut got = crate::parse::Inventory::default();
    crate::parse::parse_source(&resp.body, url, None, &crate::parse::NoPasswords, &mut got);
    if got.certs.is_empty() {
        return Some(UrlCheck::Fails {
            detail: format!("{} bytes with no certificate in them", resp.body.len()),
        });
    }
    Some(
        match got
            .certs
            .iter()
            .find(|c| crate::chain::verify_issued_by(child, c).is_ok())
        {
            Some(c) if c.is_self_issued() && crate::chain::verify_issued_by(c, c).is_ok() => {
                UrlCheck::ServesRoot {
                    subject: c.subject().to_string(),
                    sha256: c.id().hex(),
                }
            }
            Some(c) => UrlCheck::Serves {
                subject: c.subject().to_string(),
            },
            None => UrlCheck::Fails {
                detail: format!(
                    "{} certificate(s), none of which signed it",
                    got.certs.len()
                ),
            },
        },
    )
}

/// The fast path for the common case (no key, no --leaf): exactly one
/// non-CA certificate that issues no other. Anything else goes to
/// `assemble`, which explains ambiguity.
fn pick_leaf(certs: &[Cert], allowed: bool) -> Option<usize> {
    if !allowed {
        return None;
    }
    // By prepared name first, then the exact bytes: the DER of a pool's
    // certificates kept on disk is read only for names that meet.
    let issuers = crate::chain::index::NameIndex::of_hashes(
        certs
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.names_identical())
            .map(|(i, c)| (c.issuer_hash(), i as u32)),
    );
    let issues_another = |c: &Cert| {
        issuers.get_hash(c.subject_hash()).any(|j| {
            let j = &certs[j as usize];
            j.issuer_key() == c.subject_key() && j.issuer_raw() == c.subject_raw()
        })
    };
    let mut found = certs
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_ca() && !issues_another(c))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

pub(crate) fn load(args: &Args, io: &mut Io<'_>) -> Result<Loaded> {
    crate::model::keep_der_on_disk(super::on_reread_failure(args.json));
    let mut inv = args.input.read(&[], io)?;
    inv.load_needed()?;
    common::require_clean(&mut inv, io)?;
    // The leaf comes from the FILEs only: a certificate in --intermediates
    // is a candidate issuer, never the leaf.
    let leaf = match pick_leaf(&inv.certs, args.leaf.is_none() && inv.keys.is_empty()) {
        Some(i) => i,
        None => crate::chain::assemble::assemble(&inv, args.leaf.as_deref())?.leaf,
    };
    for c in args.fetch.pools(io)? {
        inv.add_cert(c);
    }
    let files = args
        .input
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    loaded(args, inv, leaf, files)
}

/// [`load`] for certificates already read (e.g. uploaded to `chainfix serve`).
fn loaded(args: &Args, mut inv: Inventory, leaf: usize, files: Vec<String>) -> Result<Loaded> {
    let trust = args.trust.load(default_store(args))?.store;
    let revocation = args.revocation.setup(
        &args.fetch,
        common::now(),
        std::mem::take(&mut inv.crls),
        &choice(args)?.profile,
    )?;
    Ok(Loaded {
        revocation,
        policies: args.revocation.policies.clone(),
        files,
        leaf,
        certs: inv.certs,
        anchors: trust.anchors,
        store: trust.name,
        candidate: trust.candidate,
        has_key: !inv.keys.is_empty(),
        pool_sources: args
            .fetch
            .intermediates
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    })
}

/// The verify report for an in-memory inventory, without fetching (what
/// `chainfix serve` returns): the same report `verify --json` prints.
pub fn report_for(args: &Args, inv: &Inventory, leaf: usize) -> Result<Report> {
    let has_key = !inv.keys.is_empty();
    let files = inv
        .certs
        .iter()
        .map(|c| c.first_origin().source.to_string())
        .fold(Vec::new(), |mut v: Vec<String>, f| {
            if !v.contains(&f) {
                v.push(f);
            }
            v
        });
    let inv = Inventory {
        certs: inv.certs.clone(),
        ..Inventory::default()
    };
    let mut l = loaded(args, inv, leaf, files)?;
    l.has_key = has_key;
    let mut r = report(&l, &policy(args)?, None);
    r.peer_defaulted = choice(args)?.defaulted;
    Ok(r)
}

fn default_store(args: &Args) -> &'static str {
    match (args.role(), args.peer.peer) {
        (_, Some(crate::peer::Peer::Salesforce)) | (RoleArg::Client, None) => "salesforce",
        _ => "mozilla",
    }
}

/// The peer the verdict is for (`--peer`, or the default for the store).
pub(crate) fn choice(args: &Args) -> Result<crate::peer::Choice> {
    args.peer
        .choice(args.trust.is_salesforce(default_store(args)))
}

pub(crate) fn policy(args: &Args) -> Result<Policy> {
    let at = match &args.at {
        Some(s) => common::parse_at(s)?,
        None => common::now(),
    };
    let role = match args.role() {
        RoleArg::Client => Role::Client,
        RoleArg::Server => Role::Server,
    };
    let store = args.trust.trust.as_deref().unwrap_or(default_store(args));
    let mut p = Policy::with_profile(at, role, choice(args)?.profile).trusting(store);
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

pub(crate) fn report(
    l: &Loaded,
    pol: &Policy,
    fetcher: Option<&dyn crate::fetch::Fetch>,
) -> Report {
    let leaf = &l.certs[l.leaf];
    // All the certificates are the pool: `build` skips the leaf's own copy
    // (same SHA-256), so nothing is cloned.
    let out: Outcome<'_> = build(leaf, &l.certs, &l.anchors, pol, Budget::default());
    let mut verdict = crate::peer::verdict::verdict_of(&out, leaf, pol);
    let graph =
        crate::graph::Graph::from_outcome(&out, leaf, &verdict.peer.to_string(), &l.store, pol.at);
    let cx = Context {
        files: &l.files,
        store: &l.store,
        store_is_candidate: l.candidate,
        has_key: l.has_key,
        local_sources: &l.pool_sources,
        peer: pol.peer(),
    };
    let mut findings = explain::explain(&out, leaf, &l.certs, &cx);
    if let (Some(fetcher), Some(child)) = (fetcher, out.dead_end.last()) {
        for f in findings
            .iter_mut()
            .filter(|f| f.class == explain::Class::IntermediateMissing)
        {
            if let Some(url) = f.urls.first().cloned() {
                match check_url(fetcher, &url, child) {
                    Some(check) => explain::note_url_check(f, &l.files, l.has_key, &l.store, check),
                    // Unknown, not failed: url_works stays null.
                    None => {
                        f.url_status =
                            Some("not checked (--offline, and it is not in the cache)".into())
                    }
                }
            }
        }
    }
    // Revocation and --policy: the stages every command runs on the
    // accepted path, folded into the verdict.
    let path = crate::peer::accepted_path(&out);
    let after = crate::peer::after_path(
        &mut verdict,
        path.as_deref(),
        &l.revocation,
        &l.policies,
        &l.certs,
        &l.anchors,
        pol.at,
    );
    let valid = out.is_valid() && !after.refused;
    findings.extend(after.findings);
    let (revocation, policies) = (after.revocation, after.policies);
    let entry = |c: &Cert, place: Place, sig| PathEntry {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        sha256: c.id().hex(),
        not_before: c.not_before(),
        not_after: c.not_after(),
        place,
        signature: sig,
        source: c.first_origin().to_string(),
        checks: Vec::new(),
    };
    let path = match &out.path {
        Some(p) if out.is_valid() => p
            .iter()
            .map(|k| PathEntry {
                checks: if p.len() == 1 {
                    anchored_leaf_checks(!pol.names.is_empty())
                } else {
                    checks_for(k.place, !pol.names.is_empty())
                },
                ..entry(k.cert, k.place, k.sig)
            })
            .collect(),
        Some(p) => p.iter().map(|k| entry(k.cert, k.place, k.sig)).collect(),
        None => out
            .dead_end
            .iter()
            .enumerate()
            .map(|(i, c)| entry(c, if i == 0 { Place::Leaf } else { Place::Pool }, None))
            .collect(),
    };
    Report {
        graph,
        revocation,
        policies,
        valid,
        verdict,
        peer_defaulted: false,
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
        trust_is_candidate: l.candidate,
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

/// The revocation statuses, one line per certificate (nothing when off);
/// `verbose` adds one line per CRL URL and OCSP request, with the method.
pub(crate) fn render_revocation(r: &Report, verbose: bool) -> String {
    crate::render::revocation::outcome_text(&r.revocation, r.verdict.peer, verbose)
}

pub(crate) fn render_findings(r: &Report) -> String {
    findings_text(&r.findings)
}

/// Findings as `error:` / `warning:` lines, each with its fix. Findings in
/// a row that share one fix (the same revocation warning for every
/// certificate on the path) get it once, after the last of them.
pub(crate) fn findings_text(findings: &[Finding]) -> String {
    let mut s = String::new();
    let mut run = 0;
    for (i, f) in findings.iter().enumerate() {
        run += 1;
        s.push_str(&format!(
            "{} {}\n",
            verdict::Level::of(f.fatal).prefix(),
            f.message
        ));
        if let Some(u) = &f.url_status {
            s.push_str(&format!(
                "  AIA {}: {u}\n",
                f.urls.first().map_or("", String::as_str)
            ));
        }
        if findings.get(i + 1).is_some_and(|n| n.fix == f.fix) {
            continue;
        }
        match run {
            1 => s.push_str(&format!("  fix: {}\n", f.fix)),
            n => s.push_str(&format!("  fix (all {n} above): {}\n", f.fix)),
        }
        run = 0;
    }
    s
}

/// The CANDIDATE-list note, for any verdict (valid or not) that relied on
/// the bundled Salesforce store, unless a finding already carries it.
pub(crate) fn candidate_note(r: &Report) -> String {
    let note = crate::trust::CANDIDATE_NOTE;
    if r.trust_is_candidate && !r.findings.iter().any(|f| f.message.contains(note)) {
        format!("note: {note}.\n")
    } else {
        String::new()
    }
}

pub(crate) fn render_rejected(r: &Report) -> String {
    let mut s = String::new();
    if !r.rejected.is_empty() {
        s.push_str("candidates tried and refused (most specific reason first):\n");
        for x in r.rejected.iter().take(20) {
            // A leaf refused on a complete path (policy processing).
            let role = if x.place == Place::Leaf {
                "on the path found".to_string()
            } else {
                format!("as issuer of \"{}\"", x.tried_for)
            };
            s.push_str(&format!(
                "  - \"{}\" {role}: {}\n",
                x.subject,
                x.reasons.join("; ")
            ));
        }
    }
    s
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let l = load(&args, io)?;
    let pol = policy(&args)?;
    let fetcher = args.fetch.fetcher(common::now())?;
    let mut r = report(&l, &pol, Some(fetcher.as_ref()));
    r.peer_defaulted = choice(&args)?.defaulted;
    if let Some(f) = args.graph {
        common::out(io, &crate::render::graph::render(&r.graph, f))?;
    } else if args.json {
        json::print(io, &r)?;
    } else {
        let mut s = render_path(&r);
        s.push_str(&render_revocation(&r, io.verbose));
        if r.valid && r.path.len() == 1 {
            s.push_str(&format!(
                "VALID: \"{}\" is itself in the {} trust store (trusted directly, no issuer needed), checked at {}.\n",
                r.leaf,
                r.trust,
                date(r.at)
            ));
        } else if r.valid {
            s.push_str(&format!(
                "VALID: a path from \"{}\" to the {} trust store, checked at {}.\n",
                r.leaf,
                r.trust,
                date(r.at)
            ));
        }
        s.push_str(&format!("{}\n", r.verdict.headline));
        s.push_str(&format!("{}\n", choice(&args)?.note()));
        if !r.valid {
            s.push_str(&format!("NOT VALID: \"{}\".\n", r.leaf));
            if r.revocation.refused {
                s.push_str("  the path itself is valid; revocation refuses it (see below)\n");
            }
            for p in &r.leaf_problems {
                s.push_str(&format!("  leaf: {p}\n"));
            }
            if !r.findings.iter().any(|f| f.fatal) {
                s.push_str(&verdict::Level::Error.line("no valid path was found (see below)\n"));
            }
        }
        s.push_str(&render_findings(&r));
        s.push_str(&candidate_note(&r));
        if !r.valid {
            s.push_str(&render_rejected(&r));
        }
        common::out(io, &s)?;
    }
    Ok(exit(&r))
}

/// Exit 1 for a path that is not valid (its findings say why, as `error:`).
pub(crate) fn exit(r: &Report) -> Exit {
    verdict::decide(
        r.findings
            .iter()
            .map(|f| verdict::Level::of(f.fatal))
            .chain((!r.valid).then_some(verdict::Level::Error)),
    )
}
