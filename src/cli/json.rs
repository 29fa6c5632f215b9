//! The `--json` envelope every command shares: one object on stdout with
//! `version` (docs/json.md), and on a failure that exits 2 an object with
//! `error: {kind, file, message, fix}` instead of nothing.

use serde::Serialize;

use super::{Io, common};
use crate::error::{Error, Result};

/// The version of every command's JSON output.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    version: u32,
    #[serde(flatten)]
    report: &'a T,
}

/// Prints `report` (a struct without its own `version`) as one JSON object
/// on stdout, `version` first.
pub fn print<T: Serialize>(io: &mut Io<'_>, report: &T) -> Result<()> {
    let v = Versioned {
        version: VERSION,
        report,
    };
    print_raw(io, &v)
}

/// `report` as the JSON value [`print`] writes (for `chainfix serve`).
pub fn value<T: Serialize>(report: &T) -> serde_json::Value {
    serde_json::to_value(Versioned {
        version: VERSION,
        report,
    })
    .expect("report serialises")
}

/// Prints a report that carries its own `version` field.
pub fn print_raw<T: Serialize>(io: &mut Io<'_>, report: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(report).expect("report serialises") + "\n";
    common::out(io, &text)
}

/// What went wrong, for `{"error": …}`.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct ErrorJson {
    /// The kind of failure in kebab-case (`read`, `output-exists`, `refused`, `usage`, …).
    pub kind: String,
    /// The file (or host) it concerns, when there is one.
    pub file: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do, when the sentence says.
    pub fix: Option<String>,
}

#[derive(Serialize)]
struct ErrorEnvelope {
    version: u32,
    error: ErrorJson,
}

impl ErrorJson {
    pub fn of(e: &Error) -> ErrorJson {
        let (message, fix) = split_fix(&e.to_string());
        ErrorJson {
            kind: kind(e),
            file: file(e),
            message,
            fix,
        }
    }

    /// A usage error as clap renders it: "error: WHAT\n\n  DETAIL…\n\nFor more information, try '--help'.".
    pub fn usage(text: &str) -> ErrorJson {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("");
        let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let rest: Vec<&str> = lines.collect();
        let fix = (!rest.is_empty()).then(|| rest.join(" "));
        ErrorJson {
            kind: "usage".into(),
            file: None,
            message,
            fix,
        }
    }
}

/// `{"version":…, "error": …}` for `e`, as [`print_error`] prints it.
pub fn error_text(e: &Error) -> String {
    let envelope = ErrorEnvelope {
        version: VERSION,
        error: ErrorJson::of(e),
    };
    serde_json::to_string_pretty(&envelope).expect("error serialises") + "\n"
}

/// Prints `{"version":…, "error": …}` on stdout; a failure to write is ignored
/// (the error itself still goes to stderr).
pub fn print_error(io: &mut Io<'_>, error: ErrorJson) {
    let _ = print_raw(
        io,
        &ErrorEnvelope {
            version: VERSION,
            error,
        },
    );
}

/// Every error sentence is "what is wrong; what to do": split at the last `; `.
fn split_fix(s: &str) -> (String, Option<String>) {
    match s.rsplit_once("; ") {
        Some((m, f)) => (m.to_string(), Some(f.to_string())),
        None => (s.to_string(), None),
    }
}

/// The variant's name in kebab-case (`OutputExists` → `output-exists`),
/// read from its Debug form so a new variant needs no edit here.
fn kind(e: &Error) -> String {
    let dbg = format!("{e:?}");
    let name: String = dbg
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The file (or host) an error names, if any.
fn file(e: &Error) -> Option<String> {
    use Error::*;
    match e {
        Read { path, .. }
        | Empty { path }
        | NotRecognised { path, .. }
        | PasswordNeeded { path, .. }
        | WrongPassword { path, .. }
        | Unsupported { path, .. }
        | NoCertificates { path }
        | NoKeyIn { path }
        | CertificateGivenAsKey { path }
        | NoTrustAnchors { path }
        | PasswordFileNotText { path }
        | TooLarge { path, .. }
        | ChangedWhileRead { path, .. }
        | KeystoreIntegrity { path }
        | KeyPasswordDiffers { path, .. }
        | OnlyTrustedCerts { path } => Some(path.clone()),
        OutputExists { path }
        | OutputIsDirectory { path }
        | Write { path, .. }
        | KeyOutExists { path } => Some(path.display().to_string()),
        Malformed { origin, .. }
        | OnlyCertificateRequest { origin }
        | OnlyCaCertificates { origin, .. } => Some(origin.clone()),
        KeyWithoutCertificate { key } | KeyMatchesNothing { key } => Some(key.clone()),
        Dns { host, .. } => Some(host.clone()),
        Refused { target, .. }
        | ConnectTimeout { target, .. }
        | Connect { target, .. }
        | HandshakeTimeout { target, .. }
        | ClosedBeforeHandshake { target, .. }
        | NotTls { target, .. } => Some(target.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_becomes_kind_file_message_and_fix() {
        let e = Error::OutputExists {
            path: "out.pem".into(),
        };
        let j = ErrorJson::of(&e);
        assert_eq!(j.kind, "output-exists");
        assert_eq!(j.file.as_deref(), Some("out.pem"));
        assert_eq!(j.message, "out.pem already exists");
        assert_eq!(
            j.fix.as_deref(),
            Some("pass --force to overwrite it, or choose another path with -o")
        );
        assert_eq!(ErrorJson::of(&Error::NoKey).kind, "no-key");
        assert_eq!(ErrorJson::of(&Error::NoKey).file, None);
    }
}
