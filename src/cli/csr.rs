//! `chainfix csr`: a new private key (0600, PKCS#8, optionally encrypted)
//! and a CSR asking for the role's Extended Key Usage, or a CSR for a key
//! the user already has (`--key`).

use std::path::PathBuf;

use super::common::{self, CliPasswords};
use super::json;
use super::{Exit, Io};
use crate::emit::{self, Secrecy};
use crate::error::{Error, Result};
use crate::keystore::csr::{self, KeyType, Role};
use crate::model::Origin;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The subject: "CN=client.example.com, O=Example, C=US" (or /CN=…/O=…).
    #[arg(long, value_name = "DN")]
    pub subject: String,
    /// A subjectAltName: DNS:name, IP:address, email:address or URI:uri
    /// (repeat for several; a bare value is a DNS name or an IP address).
    #[arg(long, value_name = "SAN")]
    pub san: Vec<String>,
    /// The new key's type (Salesforce imports RSA 2048, 3072 or 4096 only).
    #[arg(long, value_enum, value_name = "TYPE", default_value = "rsa2048")]
    pub key_type: KeyType,
    /// Which Extended Key Usage to ask for: clientAuth (mutual TLS client) or serverAuth.
    #[arg(long, value_enum, default_value = "client")]
    pub role: Role,
    /// Make the CSR for this existing private key instead of a new one.
    #[arg(long, value_name = "FILE", conflicts_with = "key_type")]
    pub key: Option<PathBuf>,
    /// Password for an encrypted --key (first line of this file); also
    /// CHAINFIX_PASSWORD or a prompt.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Where to write the CSR.
    #[arg(short, long, value_name = "PATH", default_value = "request.csr")]
    pub output: PathBuf,
    /// Where to write the new key (mode 0600).
    #[arg(long, value_name = "PATH", default_value = "private.key")]
    pub key_out: PathBuf,
    /// Encrypt the new key (PKCS#8, PBES2 AES-256) with the password on the
    /// first line of this file.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// Replace the CSR file if it exists. An existing private key is never
    /// replaced: the certificate issued for it would be orphaned.
    #[arg(long)]
    pub force: bool,
    /// Print the report as JSON on stdout (fields in docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// What `csr` wrote, for `--json`.
#[derive(serde::Serialize)]
struct CsrJson {
    /// Where the CSR went (`-` for stdout).
    csr: String,
    /// The new key's file, or null when the CSR is for an existing --key.
    key_written: Option<String>,
    key: String,
    subject: String,
    role: &'static str,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let subject = csr::parse_subject(&args.subject)?;
    let sans = args
        .san
        .iter()
        .map(|s| csr::parse_san(s))
        .collect::<Result<Vec<_>>>()?;
    // Refuse before generating anything: nothing is written when one of
    // the outputs is in the way.
    let to_stdout = common::is_stdout(&args.output);
    if to_stdout && args.json {
        return Err(Error::Usage(
            "-o - and --json both want stdout; write the CSR to a file with -o FILE".into(),
        ));
    }
    if !to_stdout && !args.force && args.output.exists() {
        return Err(Error::OutputExists {
            path: args.output.clone(),
        });
    }
    if args.key.is_none() && args.key_out.exists() {
        return Err(Error::KeyOutExists {
            path: args.key_out.clone(),
        });
    }
    let (key, new) = match &args.key {
        Some(path) => {
            let pw = CliPasswords::new(args.password_file.as_deref(), io.stdin_tty)?;
            let mut inv = crate::input::read_inventory(std::slice::from_ref(path), io.stdin, &pw);
            common::require_clean(&mut inv, io)?;
            let name = path.display().to_string();
            match inv.keys.len() {
                1 => (inv.keys.remove(0), false),
                0 => return Err(Error::NoKeyIn { path: name }),
                _ => {
                    return Err(Error::Usage(format!(
                        "{name} holds more than one private key; give a file with only the key the CSR is for"
                    )));
                }
            }
        }
        None => (
            csr::generate_key(
                args.key_type,
                Origin::file(args.key_out.display().to_string()),
            )?,
            true,
        ),
    };
    let pem = csr::make_csr(&key, &subject, sans, args.role)?;
    if new {
        let password = match &args.key_password_file {
            Some(f) => Some(common::read_output_password_file(
                f,
                "key",
                "put the password on the first line of the file, or leave out --key-password-file to write the key unencrypted",
            )?),
            None => None,
        };
        let text = emit::pem::key_pem(&key, password.as_ref().map(|p| p.as_str()))?;
        emit::write_atomic(&args.key_out, text.as_bytes(), Secrecy::Secret, false)?;
    }
    common::write_output(
        io,
        &args.output,
        pem.as_bytes(),
        Secrecy::Public,
        args.force,
    )?;
    let role = match args.role {
        Role::Client => "clientAuth",
        Role::Server => "serverAuth",
    };
    if args.json {
        json::print(
            io,
            &CsrJson {
                csr: args.output.display().to_string(),
                key_written: new.then(|| args.key_out.display().to_string()),
                key: key.algorithm().to_string(),
                subject: args.subject.clone(),
                role,
            },
        )?;
        return Ok(Exit::Ok);
    }
    let mut msg = String::new();
    if new {
        msg.push_str(&format!(
            "wrote {} ({}, PKCS#8{}, mode 0600)\n",
            args.key_out.display(),
            key.algorithm(),
            if args.key_password_file.is_some() {
                ", encrypted"
            } else {
                ""
            }
        ));
    }
    msg.push_str(&format!(
        "wrote {} (CSR for {}, asking for {})\nsend the CSR to your CA; keep the key where it is",
        args.output.display(),
        args.subject,
        role
    ));
    common::note(io, &msg);
    Ok(Exit::Ok)
}
