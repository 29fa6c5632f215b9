//! `chainfix diagnose`: the friendly entry point. Paste the peer's error
//! (one message, or a whole log or stack trace; `--error -` reads it from
//! stdin) and the files. The message says who refused whose chain; the
//! files are judged for that side, and the causes that fit both the
//! message and the files come first. A failure in hand is never answered
//! with "nothing wrong": when the files pass, what remains possible is
//! listed with the command that tells it apart, and the exit code is 1.

use std::io::Read;

use serde::Serialize;

use super::common;
use super::verify::{self, Args as VerifyArgs, Report, RoleArg};
use super::{Exit, Io};
use crate::chain::validate::Role;
use crate::error::{Error, Result};
use crate::message::cause::{self, Ranked, Standing};
use crate::message::{Raised, Reading, read};
use crate::peer::Peer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The error the peer gave: one message, or a whole pasted log or stack
    /// trace (curl -v output, Java "Caused by:" chains); `-` reads it from stdin.
    #[arg(long, value_name = "TEXT|-")]
    pub error: Option<String>,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// What diagnose adds to the verify report in `--json` (field `message`,
/// documented in docs/verify.md).
#[derive(Serialize)]
pub struct Diagnosis {
    /// How the --error text was read; null when no known message was in it.
    pub reading: Option<Reading>,
    /// The family's meaning, when one was found.
    pub meaning: Option<&'static str>,
    /// The role whose chain was judged, and why that one.
    pub judged_role: Role,
    pub judged_role_from: &'static str,
    /// The peer whose rules judged the files, and why that one.
    pub peer: Peer,
    pub peer_from: &'static str,
    #[serde(skip)]
    peer_note: String,
    /// Causes, ranked: shown-by-files, then possible, then also-in-files.
    pub causes: Vec<Ranked>,
    /// True when a failure was given but no cause is both one the message
    /// can mean and one the files show: the cause lies outside the files
    /// (or, with other faults in them, is not the one the message names).
    pub unexplained: bool,
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    report: &'a Report,
    message: &'a Diagnosis,
}

fn error_text(arg: &str, files_from_stdin: bool, io: &mut Io<'_>) -> Result<String> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    if files_from_stdin {
        return Err(Error::Usage(
            "--error - and the file - both want standard input; give the certificate files by name, or the message as --error \"TEXT\"".into(),
        ));
    }
    if io.stdin_tty {
        common::note(
            io,
            "chainfix: reading the error from standard input; paste the message or log, then press Ctrl-D",
        );
    }
    let mut bytes = Vec::new();
    io.stdin
        .take(crate::input::max_input_bytes() + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: "standard input".into(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Judges the files as verify does, for the role and the peer now in
/// `args` (see `run`); the note says which peer and why.
fn judge(args: &VerifyArgs, io: &mut Io<'_>) -> Result<(Report, crate::peer::Choice)> {
    let l = verify::load(args, io)?;
    let pol = verify::policy(args)?;
    let fetcher = args.fetch.fetcher(common::now())?;
    let mut r = verify::report(&l, &pol, Some(fetcher.as_ref()));
    let choice = verify::choice(args)?;
    r.peer_defaulted = choice.defaulted;
    Ok((r, choice))
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Client => "client",
        Role::Server => "server",
    }
}

pub fn run(mut args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let from_stdin = args.verify.input.files.iter().any(|f| f.as_os_str() == "-");
    let text = match &args.error {
        Some(e) => Some(error_text(e, from_stdin, io)?),
        None => None,
    };
    let reading = text.as_deref().and_then(read);
    let (role, from) = match (args.verify.role, reading.as_ref().and_then(|r| r.chain_of)) {
        (Some(r), _) => (r, "--role"),
        (None, Some(Role::Client)) => (RoleArg::Client, "message"),
        (None, Some(Role::Server)) => (RoleArg::Server, "message"),
        (None, None) => (RoleArg::Client, "default"),
    };
    args.verify.role = Some(role);
    // The peer: --peer when given, else the one the message names (its
    // profile, and for Salesforce its store), else verify's default.
    let peer_from = match (
        args.verify.peer.peer,
        reading.as_ref().and_then(|r| r.judged_by),
    ) {
        (Some(_), _) => "--peer",
        (None, Some(p)) => {
            args.verify.peer.peer = Some(p);
            "message"
        }
        (None, None) => "default",
    };
    let (r, choice) = judge(&args.verify, io)?;
    let family = reading.as_ref().and_then(Reading::family);
    let mut shown = if r.valid {
        Vec::new()
    } else {
        cause::shown_by_files(
            &r.findings,
            r.leaf_problems
                .iter()
                .chain(r.rejected.iter().flat_map(|x| x.problems.iter())),
        )
    };
    // A SHA-1 signature passes chainfix's rules but not OpenSSL's at its
    // default security level, nor Java's or Go's.
    if text.is_some()
        && r.path
            .iter()
            .any(|p| p.signature.is_some_and(|s| s.uses_sha1()))
        && !shown.contains(&crate::message::Cause::WeakAlgorithm)
    {
        shown.push(crate::message::Cause::WeakAlgorithm);
    }
    let about_chain = family.is_none_or(|f| f.raised != Raised::Local);
    let of_message: &[crate::message::Cause] = match family {
        Some(f) => f.causes,
        None if text.is_some() => &GENERIC,
        None => &[],
    };
    let causes = cause::rank(of_message, &shown, r.valid, about_chain);
    let unexplained =
        text.is_some() && !causes.iter().any(|c| c.standing == Standing::ShownByFiles);
    let d = Diagnosis {
        meaning: family.map(|f| f.meaning),
        reading,
        judged_role: r.role,
        judged_role_from: from,
        peer: choice.peer(),
        peer_from,
        peer_note: choice.note(),
        causes,
        unexplained,
    };
    let failed = !r.valid || text.is_some();
    if args.verify.json {
        super::json::print(
            io,
            &Json {
                report: &r,
                message: &d,
            },
        )?;
    } else {
        common::out(
            io,
            &render(&r, &d, text.is_some(), &args.verify.input.files),
        )?;
    }
    Ok(if failed { Exit::Findings } else { Exit::Ok })
}

/// Causes for a failure whose message chainfix does not know.
const GENERIC: [crate::message::Cause; 4] = [
    crate::message::Cause::IntermediateMissing,
    crate::message::Cause::RootNotTrusted,
    crate::message::Cause::OtherFileSent,
    crate::message::Cause::ProxyIntercepts,
];

fn render(r: &Report, d: &Diagnosis, had_error: bool, files: &[std::path::PathBuf]) -> String {
    let mut s = String::new();
    let files = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    match &d.reading {
        Some(rd) => {
            if let Some(h) = rd.hits.iter().find(|h| Some(&h.family) == rd.families.first()) {
                s.push_str(&format!("The message (line {}): {}\n", h.line, h.text));
            }
            if let Some(m) = d.meaning {
                s.push_str(&format!("It means {m}.\n"));
            }
            s.push_str(&format!("Side: {}.\n", rd.side_reason));
        }
        None if had_error => s.push_str(
            "chainfix does not know that message; here is what the files show, and what else to check.\n",
        ),
        None => {}
    }
    let role = role_name(d.judged_role);
    let how = match d.judged_role_from {
        "message" => "as the message says",
        "--role" => "as --role says",
        _ if had_error => {
            "the text does not say which side; pass --role server for a server's chain"
        }
        _ => "the default; --role server for a server's chain",
    };
    let rules = match d.peer_from {
        "message" => " (the peer that printed it)",
        "--peer" => " (--peer)",
        _ => "",
    };
    s.push_str(&format!(
        "Judged: {files} as the {role}'s chain ({how}), by the rules of {}{rules}, against the {} trust store.\n{}\n{}\n\n",
        d.peer.display_name(),
        r.trust,
        r.verdict.headline,
        d.peer_note
    ));
    if r.valid && d.unexplained {
        s.push_str(&format!(
            "The files pass: \"{}\" has a valid path as a {role} chain. The failure lies outside these files; what remains possible:\n",
            r.leaf
        ));
    } else if r.valid && had_error {
        s.push_str(&format!(
            "\"{}\" has a valid path as a {role} chain by chainfix's rules, but:\n",
            r.leaf
        ));
    } else if r.valid {
        s.push_str(&format!(
            "Nothing wrong found: \"{}\" has a valid path to the {} trust store.\n",
            r.leaf, r.trust
        ));
    }
    let target = d.reading.as_ref().and_then(|r| r.target.as_deref());
    let section = |s: &mut String, st: Standing, title: &str| {
        let v: Vec<&Ranked> = d.causes.iter().filter(|c| c.standing == st).collect();
        if v.is_empty() {
            return;
        }
        s.push_str(title);
        for c in v {
            let check: Vec<&str> = c
                .check
                .split(' ')
                .map(|w| match (w, target) {
                    ("FILE", _) => files.as_str(),
                    ("ROLE", _) => role,
                    ("HOST:PORT", Some(t)) => t,
                    _ => w,
                })
                .collect();
            s.push_str(&format!("  - {}\n    check: {}\n", c.text, check.join(" ")));
        }
    };
    section(
        &mut s,
        Standing::ShownByFiles,
        "What fits both the message and your files:\n",
    );
    section(
        &mut s,
        Standing::Possible,
        if r.valid && d.unexplained {
            ""
        } else {
            "Also possible (the files cannot show it):\n"
        },
    );
    section(
        &mut s,
        Standing::AlsoInFiles,
        "Also wrong in the files (not what the message points at):\n",
    );
    if !r.findings.is_empty() {
        s.push('\n');
        s.push_str(&verify::render_findings(r));
    }
    s.push_str(&verify::candidate_note(r));
    s.push('\n');
    s.push_str(&verify::render_path(r));
    if !r.valid {
        s.push_str(&verify::render_rejected(r));
    }
    s
}
