//! `chainfix lint`: the pre-upload check. Runs every check of a profile
//! over every certificate and issuer→subject pair and prints the findings
//! (table or `--json`, schema in docs/lint-schema.json). Exit 1 when a
//! finding at error level remains after --allow/--deny/--min-severity.

use serde::Serialize;

use super::common::{self, InputArgs};
use super::roots::TrustArgs;
use super::{Exit, Io};
use crate::check::{self, Finding, Id, Options, Profile, Report, Severity};
use crate::error::{Error, Result};
use crate::render::{cap, table};
use crate::trust::{self, TrustStore};

fn parse_id(s: &str) -> std::result::Result<Id, String> {
    s.parse()
}
fn parse_profile(s: &str) -> std::result::Result<Profile, String> {
    s.parse()
}
fn parse_severity(s: &str) -> std::result::Result<Severity, String> {
    s.parse()
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// salesforce-mtls (client certificate for Salesforce port 8443), salesforce-callout
    /// (a server Salesforce calls), client, or server. Default: from the leaf's EKU.
    #[arg(long, value_parser = parse_profile, value_name = "PROFILE")]
    pub profile: Option<Profile>,
    /// Check this Salesforce certificate Unique Name / keystore alias.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Treat these finding ids as errors (comma-separated or repeated).
    #[arg(long, value_parser = parse_id, value_delimiter = ',', value_name = "ID")]
    pub deny: Vec<Id>,
    /// Leave these finding ids out (comma-separated or repeated).
    #[arg(long, value_parser = parse_id, value_delimiter = ',', value_name = "ID")]
    pub allow: Vec<Id>,
    /// Show only findings at or above this severity: info, warning, error.
    #[arg(long, value_parser = parse_severity, default_value = "info", value_name = "S")]
    pub min_severity: Severity,
    /// Warn when a certificate expires within this many days.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub warn_days: i64,
    /// Judge validity at this time (RFC 3339 or YYYY-MM-DD) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Judge each certificate on its own (RFC 5280 and CA/B Forum rules, dates),
    /// without chain rules: no issuer-missing, order or trust findings.
    #[arg(long)]
    pub certificate_only: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub peer: super::peer_args::PeerArgs,
    /// Revocation (--revocation, --crl) and certificate policies (--policy) for
    /// the verdict, as verify checks them.
    #[command(flatten)]
    pub revocation: super::revocation_args::RevocationArgs,
    /// The network and cache the revocation stage fetches CRLs with
    /// (--intermediates: a pool for the verdict's path, never sent).
    #[command(flatten)]
    pub fetch: super::fetch_args::FetchArgs,
    /// Print JSON (docs/lint-schema.json) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The JSON document `--json` prints; docs/lint-schema.json describes it.
#[derive(Serialize)]
pub struct LintJson<'a> {
    pub version: u32,
    pub at: String,
    pub profile: Profile,
    pub profile_reason: &'a str,
    pub trust_store: TrustJson<'a>,
    pub chain: &'a [usize],
    pub summary: Summary,
    /// Whether the peer accepts the chain: the judgement verify, diagnose,
    /// probe, bundle and keystore give. The findings add what no peer
    /// checks (hygiene, dated policy).
    /// Null under `--certificate-only`, which judges no chain.
    pub verdict: Option<&'a crate::peer::Verdict>,
    /// The revocation stage on the verdict's path, as in `verify --json`
    /// (null under `--certificate-only`).
    pub revocation: Option<&'a crate::revocation::Outcome>,
    /// With --policy: the policies valid for the path (RFC 5280 §6.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<&'a [String]>,
    pub findings: &'a [Finding],
}

#[derive(Serialize)]
pub struct TrustJson<'a> {
    pub name: &'a str,
    pub candidate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<&'static str>,
}

#[derive(Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    crate::input::read_user_file(path)
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let at = match &args.at {
        Some(s) => common::parse_at(s)?,
        None => common::now(),
    };
    if args.warn_days < 0 {
        return Err(Error::Usage(format!(
            "--warn-days {} is negative; give a number of days, e.g. --warn-days 30",
            args.warn_days
        )));
    }
    let mut inv = args.input.read(&[], io)?;
    let crls = std::mem::take(&mut inv.crls);
    // A file that cannot be opened, or a password that is missing or wrong,
    // means the lint could not run; a malformed block is a finding.
    if let Some(pos) = inv.problems.iter().position(|p| {
        matches!(
            p,
            Error::Read { .. } | Error::PasswordNeeded { .. } | Error::WrongPassword { .. }
        )
    }) {
        return Err(inv.problems.swap_remove(pos));
    }
    if inv.certs.is_empty() {
        common::require_clean(&mut inv, io)?;
        return Err(inv.no_certificate_error());
    }
    let unreadable: Vec<String> = inv.problems.iter().map(ToString::to_string).collect();
    let input = check::Input {
        certs: &inv.certs,
        keys: &inv.keys,
        dropped: &inv.dropped,
        unreadable: &unreadable,
    };
    // Signatures verified once, for choosing the leaf and for linting
    // (alone, a certificate needs only its self-signature checked).
    let links = if args.certificate_only {
        check::self_links(&input)
    } else {
        check::links(&input)
    };
    // The profile decides the default store; pick it as lint will.
    let profile = match args.profile {
        Some(p) => p,
        None => {
            let leaf = check::choose_leaf(&input, &links).unwrap_or(0);
            Profile::for_leaf(&inv.certs[leaf]).0
        }
    };
    let public = TrustArgs {
        trust: args.trust.trust.clone(),
        roots: Vec::new(),
    }
    .load(profile.default_trust())?;
    let mut private: Option<TrustStore> = None;
    for r in &args.trust.roots {
        let s = trust::load::roots_file(&r.display().to_string(), &read(r)?)?;
        match &mut private {
            Some(p) => p.extend(s),
            None => private = Some(s),
        }
    }
    let trust = check::Trust {
        public: &public.store,
        private: private.as_ref(),
        explicit: args.trust.trust.is_some() || !args.trust.roots.is_empty(),
    };
    let opts = Options {
        profile: args.profile,
        at,
        warn_days: args.warn_days,
        name: args.name.clone(),
        deny: args.deny.clone(),
        allow: args.allow.clone(),
        min_severity: args.min_severity,
        certificate_only: args.certificate_only,
    };
    let report: Report =
        check::lint_with(&input, &trust, &opts, &links).ok_or(Error::NoInputCertificates)?;
    // The peer's verdict, from the one judgement every command shares.
    let choice = args.peer.choice(profile.salesforce())?;
    let leaf = check::choose_leaf(&input, &links).unwrap_or(0);
    let role = match profile.purpose() {
        check::Purpose::ClientAuth => crate::chain::Role::Client,
        check::Purpose::ServerAuth => crate::chain::Role::Server,
    };
    let mut anchors = public.store.anchors.clone();
    if let Some(p) = &private {
        anchors.extend(p.anchors.iter().cloned());
    }
    let judged = if args.certificate_only {
        None
    } else {
        let policy = crate::chain::Policy::with_profile(at, role, choice.profile)
            .trusting(&public.store.name);
        let mut pool = inv.certs.clone();
        pool.extend(args.fetch.pools(io)?);
        let (out, mut verdict) = crate::peer::judge(&inv.certs[leaf], &pool, &anchors, &policy);
        let setup = args
            .revocation
            .setup(&args.fetch, common::now(), crls, &choice.profile)?;
        let after = crate::peer::after_path(
            &mut verdict,
            crate::peer::accepted_path(&out).as_deref(),
            &setup,
            &args.revocation.policies,
            &pool,
            &anchors,
            at,
        );
        Some((verdict, after))
    };
    let binding = super::peer_args::names_the_peer(&args.peer, &args.trust);
    let refused = binding && judged.as_ref().is_some_and(|(v, _)| !v.accepted);
    render(
        &report,
        &public.store,
        at,
        judged.as_ref(),
        (args.json, refused),
        io,
    )?;
    if !args.json {
        common::note(io, &choice.note());
    }
    // A named peer's refusal fails lint as it fails verify, whatever the
    // findings say: one judgement, one exit code. (The default peer's is
    // advice: lint's own rules grade a root outside the candidate store.)
    let stage_levels = judged
        .iter()
        .flat_map(|(_, a)| a.findings.iter())
        .map(|f| super::verdict::Level::of(f.fatal))
        .chain(
            judged
                .iter()
                .filter(|_| refused)
                .map(|_| super::verdict::Level::Error),
        );
    Ok(super::verdict::decide(
        report
            .findings
            .iter()
            .map(|f| match f.severity {
                Severity::Error => super::verdict::Level::Error,
                Severity::Warning => super::verdict::Level::Warning,
                Severity::Info => super::verdict::Level::Note,
            })
            .chain(stage_levels),
    ))
}

fn render(
    report: &Report,
    store: &TrustStore,
    at: i64,
    judged: Option<&(crate::peer::Verdict, crate::peer::AfterPath)>,
    (json, refused): (bool, bool),
    io: &mut Io<'_>,
) -> Result<()> {
    let verdict = judged.map(|(v, _)| v);
    let after = judged.map(|(_, a)| a);
    let summary = Summary {
        error: report.count(Severity::Error),
        warning: report.count(Severity::Warning),
        info: report.count(Severity::Info),
    };
    if json {
        let j = LintJson {
            version: 1,
            at: crate::model::rfc3339(at),
            profile: report.profile,
            profile_reason: &report.profile_reason,
            trust_store: TrustJson {
                name: &store.name,
                candidate: store.candidate,
                caveat: store.caveat(),
            },
            chain: &report.chain,
            summary,
            verdict,
            revocation: after.map(|a| &a.revocation),
            policies: after.and_then(|a| a.policies.as_deref()),
            findings: &report.findings,
        };
        let text = serde_json::to_string_pretty(&j).expect("report serialises") + "\n";
        return common::out(io, &text);
    }
    if !report.findings.is_empty() {
        let mut t = table::new(&["Severity", "Id", "Cert", "Finding", "Fix"]);
        // One bad file can repeat one finding thousands of times.
        let (shown, left_out) = cap::per_kind(&report.findings, io.verbose, |f| f.id);
        for f in shown {
            let cert = f
                .cert
                .as_ref()
                .map(|c| {
                    let pos = c
                        .chain_position
                        .map(|p| format!(" (chain {p})"))
                        .unwrap_or_default();
                    format!("#{}{pos}\n{}", c.index, &c.sha256[..16])
                })
                .unwrap_or_default();
            t.add_row(vec![
                f.severity.to_string(),
                f.id.to_string(),
                cert,
                f.message.clone(),
                f.fix.clone(),
            ]);
        }
        common::out(io, &format!("{t}\n"))?;
        for (id, n) in left_out {
            common::out(
                io,
                &format!(
                    "… and {} more {id} findings; --verbose lists them\n",
                    cap::count(n)
                ),
            )?;
        }
    }
    match (verdict, after) {
        (Some(v), Some(a)) => common::out(
            io,
            &format!(
                "{}{}verdict: {}\n(the findings above add what no peer checks: hygiene and dated policy)\n",
                crate::render::revocation::outcome_text(&a.revocation, v.peer, false),
                super::verify::findings_text(&a.findings),
                v.headline
            ),
        )?,
        _ => common::out(
            io,
            "verdict: none: --certificate-only judges each certificate alone, not a chain a peer would receive\n",
        )?,
    }
    common::note(
        io,
        &format!(
            "{}profile {} ({}); trust store {}; {} error(s), {} warning(s), {} info",
            if summary.error > 0 || refused {
                "error: "
            } else {
                ""
            },
            report.profile,
            report.profile_reason,
            store.name,
            summary.error,
            summary.warning,
            summary.info
        ),
    );
    if let Some(c) = store.caveat() {
        common::note(io, &format!("note: {c}"));
    }
    Ok(())
}
