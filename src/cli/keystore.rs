//! `chainfix keystore`: the chain `bundle` would write, with its key, as a
//! JKS (for Salesforce "Import from Keystore" and Java) or a PKCS#12 (for
//! curl, browsers, Windows). Salesforce's import rules are checked before
//! anything is written (`--for salesforce`, the default for JKS).

use std::path::PathBuf;

use serde::Serialize;

use super::common::{self, CliPasswords, InputArgs};
use super::{Exit, Io, json, verdict};
use crate::emit::Secrecy;
use crate::error::{Error, Result};
use crate::keystore::{jks, p12, salesforce};
use crate::parse::Passwords;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Java KeyStore (FEEDFEED): what Salesforce imports.
    Jks,
    /// PKCS#12 (.p12/.pfx): curl, browsers, Windows, Java 9+.
    P12,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Check every rule of Salesforce's "Import from Keystore" first.
    Salesforce,
    /// No Salesforce rules (any key type, any size).
    Generic,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where missing intermediates come from (local pools, AIA downloads, cache).
    #[command(flatten)]
    pub fetch: super::fetch_args::FetchArgs,
    /// The private key, if it is not among the FILEs.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Which certificate is the leaf, when the inputs leave a choice.
    #[arg(long, value_name = "SHA256|SUBJECT")]
    pub leaf: Option<String>,
    /// Keystore format.
    #[arg(long, value_enum, default_value = "jks")]
    pub format: Format,
    /// The entry's alias (Salesforce: the certificate's Unique Name):
    /// lowercase letters, digits, single underscores, starting with a letter
    /// [default: from the leaf's common name].
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,
    /// Where to write.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// PKCS#12 only: 3DES and SHA-1 instead of AES-256 and SHA-256, for old
    /// consumers (e.g. Java 8 before 8u301, Windows Server 2016).
    #[arg(long)]
    pub legacy: bool,
    /// Also put the self-signed root at the end of the chain.
    #[arg(long)]
    pub root: bool,
    /// The peer's store: with --trust, --roots or --peer, the chain stored is
    /// the path the peer accepts.
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
    /// Whose rules to check [default: salesforce for JKS, generic for PKCS#12].
    #[arg(long = "for", value_enum, value_name = "TARGET")]
    pub target: Option<Target>,
    /// The new keystore's password (first line of this file). Without it the
    /// password comes from --password-file, CHAINFIX_PASSWORD or a prompt.
    #[arg(long, value_name = "FILE")]
    pub out_password_file: Option<PathBuf>,
    /// Accept an empty password for the new keystore (some consumers want
    /// one); without this an empty password is refused as a mistake.
    #[arg(long)]
    pub allow_empty_password: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `keystore` did, for text and JSON.
#[derive(Debug, Serialize)]
pub struct KeystoreReport {
    /// Where it was written; null when nothing was (the peer refuses the
    /// chain for revocation or --policy).
    pub output: Option<String>,
    pub format: Format,
    pub alias: String,
    /// Subjects, leaf first.
    pub chain: Vec<String>,
    /// The chain reaches a self-signed root (given among the inputs).
    pub complete: bool,
    pub encryption: Option<&'static str>,
    pub checks: Vec<salesforce::Check>,
    /// The peer's judgement of the chain (the same every command gives).
    pub verdict: crate::peer::Verdict,
    /// The revocation stage, as in `verify --json`.
    pub revocation: crate::revocation::Outcome,
    /// Revoked / could-not-check (and --policy) findings, as in `verify --json`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::chain::explain::Finding>,
    /// With --policy: the policies valid for the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let target = args.target.unwrap_or(match args.format {
        Format::Jks => Target::Salesforce,
        Format::P12 => Target::Generic,
    });
    if target == Target::Salesforce && args.format != Format::Jks {
        return Err(Error::Usage(
            "Salesforce imports keys only from a JKS keystore; use --format jks (or --for generic for a PKCS#12)".into(),
        ));
    }
    if args.legacy && args.format != Format::P12 {
        return Err(Error::Usage(
            "--legacy applies to PKCS#12 only; drop it or use --format p12".into(),
        ));
    }
    if common::is_stdout(&args.output) {
        if args.json {
            return Err(Error::Usage(
                "-o - and --json both want stdout; write the keystore to a file with -o FILE"
                    .into(),
            ));
        }
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            return Err(Error::Usage(
                "a keystore is binary and stdout is a terminal; redirect it (-o - > client.jks) or give -o FILE".into(),
            ));
        }
    }
    let extra: Vec<PathBuf> = args.key.iter().cloned().collect();
    let mut inv = args.input.read(&extra, io)?;
    common::require_clean(&mut inv, io)?;
    // Before the downloads: the inputs' own problems first, then this.
    common::check_output(&args.output, args.force)?;
    if let Some(k) = &args.key {
        common::require_key_from(&inv, k)?;
    }
    if inv.certs.is_empty() {
        // A CSR or a key alone: named, as every command names it.
        return Err(inv.no_certificate_error());
    }
    if inv.keys.is_empty() {
        // A truststore gives certificates but no key: say so.
        for f in &args.input.files {
            if crate::input::read_user_file(f).is_ok_and(|b| jks::is_jks(&b)) {
                return Err(Error::OnlyTrustedCerts {
                    path: f.display().to_string(),
                });
            }
        }
        return Err(Error::NoKeyIn {
            path: args
                .input
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    // Missing intermediates are completed as `bundle` does: a keystore
    // whose chain stops short is what Salesforce rejects at the handshake.
    let completed = args.fetch.complete(&mut inv, args.leaf.as_deref(), io);
    if let Ok((_, report)) = &completed
        && !report.is_empty()
        && !args.fetch.quiet
    {
        common::note(io, crate::render::fetch::completion_text(report).trim_end());
    }
    let mut assembly = match completed.map(|(a, _)| a) {
        Err(Error::KeyMatchesNothing { key }) if target == Target::Salesforce => {
            return Err(Error::Salesforce {
                ours: format!("the private key from {key} matches none of the certificates given"),
                salesforce: salesforce::SF_MISMATCH.into(),
                fix: "give the certificate issued for this key (or the key the certificate was issued for)".into(),
            });
        }
        other => other?,
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
    let chain = judged.chain(&mut assembly, &inv, args.root, at);
    let key = assembly.key.map(|k| &inv.keys[k]);
    let alias = match &args.alias {
        Some(a) => a.clone(),
        None => salesforce::alias_from_subject(chain[0]),
    };
    let report = |output, encryption, checks| KeystoreReport {
        output,
        format: args.format,
        alias: alias.clone(),
        chain: chain.iter().map(|c| c.subject().to_string()).collect(),
        complete: assembly.complete(),
        encryption,
        checks,
        verdict: judged.verdict.clone(),
        revocation: judged.after.revocation.clone(),
        findings: judged.after.findings.clone(),
        policies: judged.after.policies.clone(),
    };
    // A chain the peer refuses for revocation (or --policy) is not written,
    // and no password is asked for: it would fail at the handshake.
    if judged.after.refused {
        let r = report(None, None, Vec::new());
        if args.json {
            json::print(io, &r)?;
        } else {
            common::note(io, judged.text().trim_end());
            common::note(
                io,
                &verdict::Level::Error.line(&format!(
                    "nothing written to {}: {}",
                    args.output.display(),
                    judged.refusal()
                )),
            );
        }
        return Ok(Exit::Findings);
    }
    let checks = match target {
        Target::Salesforce => {
            let checks = salesforce::preflight(key, &chain, &alias);
            let failed: Vec<&salesforce::Check> = checks.iter().filter(|c| !c.ok).collect();
            if let Some((first, rest)) = failed.split_first() {
                for c in rest {
                    common::note(io, &format!("chainfix: {}", c.to_error()));
                }
                return Err(match first.rule {
                    "alias" => salesforce::check_alias(&alias)
                        .expect_err("the alias check failed")
                        .into_error(&alias),
                    _ => first.to_error(),
                });
            }
            checks
        }
        Target::Generic => {
            if args.format == Format::Jks
                && (alias.is_empty() || alias.chars().any(|c| c.is_uppercase()))
            {
                return Err(Error::Alias {
                    alias: alias.clone(),
                    problem: if alias.is_empty() {
                        "is empty".into()
                    } else {
                        "has capital letters, which JKS cannot store (Java lowercases every alias)"
                            .into()
                    },
                    suggestion: salesforce::suggest_alias(&alias),
                });
            }
            if alias.is_empty() {
                return Err(Error::Alias {
                    alias,
                    problem: "is empty".into(),
                    suggestion: "client_cert".into(),
                });
            }
            Vec::new()
        }
    };
    let key = match key {
        Some(k) => k,
        None => {
            return Err(crate::chain::assemble::key_matches_nothing(&inv));
        }
    };
    let what = match args.format {
        Format::Jks => "keystore",
        Format::P12 => "PKCS#12 file",
    };
    let password = output_password(&args, io, what)?;
    if !args.allow_empty_password {
        let from = match (&args.out_password_file, &args.input.password_file) {
            (Some(f), _) | (None, Some(f)) => f.display().to_string(),
            _ if std::env::var_os(common::PASSWORD_ENV).is_some() => common::PASSWORD_ENV.into(),
            _ => "typed at the prompt".into(),
        };
        common::refuse_empty(
            &password,
            what,
            &from,
            "give a password, or pass --allow-empty-password if its consumer needs an empty one",
        )?;
    }
    if args.format == Format::Jks && password.chars().count() < jks::MIN_PASSWORD_CHARS {
        return Err(Error::PasswordTooShort {
            what: what.into(),
            min: jks::MIN_PASSWORD_CHARS,
        });
    }
    let (bytes, encryption) = match args.format {
        Format::Jks => (
            jks::write(
                &jks::KeyEntry {
                    alias: &alias,
                    key,
                    chain: &chain,
                    timestamp_ms: common::now().saturating_mul(1000),
                },
                &password,
                &ring::rand::SystemRandom::new(),
            )?,
            None,
        ),
        Format::P12 => {
            let enc = if args.legacy {
                p12::Encryption::Legacy
            } else {
                p12::Encryption::Modern
            };
            (
                p12::write(&alias, key, &chain, &password, enc)?,
                Some(if args.legacy {
                    "3DES, HMAC-SHA1"
                } else {
                    "AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256"
                }),
            )
        }
    };
    common::write_output(io, &args.output, &bytes, Secrecy::Secret, args.force)?;
    let output = if common::is_stdout(&args.output) {
        "standard output".into()
    } else {
        args.output.display().to_string()
    };
    let report = report(Some(output), encryption, checks);
    let binding = judged.binding_refusal(&args.output);
    if args.json {
        json::print(io, &report)?;
    } else {
        common::note(io, &text(&report));
        common::note(io, judged.text().trim_end());
        if let Some(line) = &binding {
            common::note(io, line);
        }
    }
    Ok(verdict::decide(
        (!report.complete || binding.is_some()).then_some(verdict::Level::Error),
    ))
}

fn output_password(args: &Args, io: &mut Io<'_>, what: &str) -> Result<zeroize::Zeroizing<String>> {
    let file = args
        .out_password_file
        .as_deref()
        .or(args.input.password_file.as_deref());
    if file.is_none() && std::env::var(common::PASSWORD_ENV).is_err() && io.stdin_tty {
        // A new password typed blind is asked twice: a typo would lock the
        // user out of the keystore they are making.
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(zeroize::Zeroizing::new)
                .map_err(|source| Error::Read {
                    path: "the terminal".into(),
                    source,
                })
        };
        let first = ask(&format!("Password for the new {what}: "))?;
        let again = ask("Again: ")?;
        if *first != *again {
            return Err(Error::Usage(
                "the two passwords typed differ; run the command again".into(),
            ));
        }
        return Ok(first);
    }
    let source = CliPasswords::new(file, io.stdin_tty)?;
    source
        .get(&format!("the new {what}"), 0)?
        .ok_or_else(|| Error::OutputPasswordNeeded { what: what.into() })
}

fn text(r: &KeystoreReport) -> String {
    let mut s = format!(
        "wrote {} ({}, alias {}, {} certificate(s), leaf first)\n",
        r.output.as_deref().unwrap_or("nothing"),
        match r.format {
            Format::Jks => "JKS".to_string(),
            Format::P12 => format!("PKCS#12, {}", r.encryption.unwrap_or("")),
        },
        r.alias,
        r.chain.len()
    );
    for (i, c) in r.chain.iter().enumerate() {
        s.push_str(&format!("  {}. {c}\n", i + 1));
    }
    if !r.checks.is_empty() {
        s.push_str(&format!(
            "Salesforce import rules: all {} passed\n",
            r.checks.len()
        ));
    }
    if !r.complete {
        // Exit 1: Salesforce (and Java) refuse a chain that stops short.
        s.push_str(&verdict::Level::Error.line(
            "the chain does not reach a root among the inputs; give the missing issuer (see `chainfix bundle`)\n",
        ));
    }
    s.trim_end().to_string()
}
