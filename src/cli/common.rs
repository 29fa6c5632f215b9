//! Arguments and helpers every command shares: the inputs and where their
//! passwords come from, `--at`, and writing to the terminal.

use std::cell::RefCell;
use std::collections::HashMap;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::Io;
use crate::error::{Error, Result};
use crate::parse::{Inventory, Passwords};

/// The environment variable that may hold the password for encrypted inputs.
pub const PASSWORD_ENV: &str = "CHAINFIX_PASSWORD";

/// Input files and their password.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Files to read: PEM (any blocks, any order), DER, PKCS#7 (.p7b), PKCS#12
    /// (.pfx/.p12), JKS, private keys; a directory means every file in it; `-` is stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the password for encrypted inputs (keys, PKCS#12, JKS) from the first
    /// line of this file. Also: the CHAINFIX_PASSWORD environment variable, or a
    /// prompt when stdin is a terminal. Never taken from the command line.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl InputArgs {
    /// Reads every input (and `extra` files such as `--key`) into one inventory.
    pub fn read(&self, extra: &[PathBuf], io: &mut Io<'_>) -> Result<Inventory> {
        let passwords = CliPasswords::new(self.password_file.as_deref(), io.stdin_tty)?;
        let mut paths = self.files.clone();
        paths.extend(extra.iter().cloned());
        if io.stdin_tty && paths.iter().any(|p| p.as_os_str() == "-") {
            // Otherwise a `-` typed at a terminal looks like a hang.
            note(
                io,
                "chainfix: reading from standard input; paste the PEM text, then press Ctrl-D",
            );
        }
        Ok(crate::input::read_inventory(&paths, io.stdin, &passwords))
    }
}

/// Fails when `--key FILE` yielded no private key, saying so plainly when
/// the file holds a certificate instead (the key and the certificate
/// given the other way round).
pub fn require_key_from(inv: &Inventory, path: &Path) -> Result<()> {
    let err = match inv.require_key_from(path) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let name = path.display().to_string();
    let is_cert = inv
        .certs
        .iter()
        .any(|c| c.origins.iter().any(|o| *o.source == *name));
    Err(if is_cert {
        Error::CertificateGivenAsKey { path: name }
    } else {
        err
    })
}

/// `--at` as given, or now.
pub fn at_or_now(at: Option<&str>) -> Result<i64> {
    match at {
        Some(s) => parse_at(s),
        None => Ok(now()),
    }
}

/// Reads the first line of a password file, without its line ending.
pub fn read_password_file(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(crate::input::read_user_file(path)?);
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::PasswordFileNotText {
        path: path.display().to_string(),
    })?;
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.to_string()))
}

/// Reads the password that will protect a new output from `path`,
/// refusing an empty one (an empty line or file is nearly always a mistake,
/// and it would silently leave the key unprotected). `fix` says what to do
/// instead.
pub fn read_output_password_file(path: &Path, what: &str, fix: &str) -> Result<Zeroizing<String>> {
    let pw = read_password_file(path)?;
    refuse_empty(&pw, what, &path.display().to_string(), fix)?;
    Ok(pw)
}

/// Fails when a new output's password is empty.
pub fn refuse_empty(password: &str, what: &str, from: &str, fix: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::EmptyOutputPassword {
            what: what.into(),
            from: from.into(),
            fix: fix.into(),
        });
    }
    Ok(())
}

/// Passwords from `--password-file`, then `CHAINFIX_PASSWORD`, then a prompt
/// on the terminal (asked once per file, remembered for the run).
pub struct CliPasswords {
    given: Option<Zeroizing<String>>,
    /// Where `given` came from (the file, or the variable), for the prompt
    /// that follows when it does not open a file.
    given_from: String,
    tty: bool,
    prompted: RefCell<HashMap<String, Zeroizing<String>>>,
}

impl CliPasswords {
    pub fn new(file: Option<&Path>, stdin_tty: bool) -> Result<CliPasswords> {
        let given = match file {
            Some(f) => Some(read_password_file(f)?),
            None => std::env::var(PASSWORD_ENV).ok().map(Zeroizing::new),
        };
        let given_from = match file {
            Some(f) => f.display().to_string(),
            None => PASSWORD_ENV.to_string(),
        };
        Ok(CliPasswords {
            given,
            given_from,
            tty: stdin_tty,
            prompted: RefCell::new(HashMap::new()),
        })
    }
}

impl Passwords for CliPasswords {
    fn get(&self, path: &str, attempt: usize) -> Result<Option<Zeroizing<String>>> {
        if attempt == 0
            && let Some(p) = &self.given
        {
            return Ok(Some(p.clone()));
        }
        if !self.tty || attempt > 1 || (attempt == 1 && self.given.is_none()) {
            return Ok(None);
        }
        if let Some(p) = self.prompted.borrow().get(path) {
            return Ok((attempt == 0 || self.given.is_some()).then(|| p.clone()));
        }
        // A second try after the given password failed: say why we ask,
        // or a person who gave --password-file sees a prompt from nowhere.
        let prompt = if attempt == 1 {
            format!(
                "The password from {} does not open {path}; type it (Ctrl-C to stop): ",
                self.given_from
            )
        } else {
            format!("Password for {path}: ")
        };
        let pw = rpassword::prompt_password(prompt).map_err(|source| Error::Read {
            path: "the terminal".into(),
            source,
        })?;
        let pw = Zeroizing::new(pw);
        self.prompted
            .borrow_mut()
            .insert(path.to_string(), pw.clone());
        Ok(Some(pw))
    }
    fn env_name(&self) -> &str {
        PASSWORD_ENV
    }
}

/// `--at`: RFC 3339 (`2026-11-23T10:00:00Z`) or a date (`2026-11-23`, midnight UTC).
pub fn parse_at(s: &str) -> Result<i64> {
    use ::time::format_description::well_known::Rfc3339;
    if let Ok(t) = ::time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = ::time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = ::time::Date::parse(s, &fmt) {
        return Ok(d.midnight().assume_utc().unix_timestamp());
    }
    Err(Error::Usage(format!(
        "--at {s} is not a time; write 2026-11-23 or 2026-11-23T10:00:00Z"
    )))
}

/// The current time, for commands whose `--at` was not given. The only
/// place below main that reads the clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Writes to stdout, mapping a failure (a closed pipe included) to an error.
pub fn out(io: &mut Io<'_>, text: &str) -> Result<()> {
    io.out
        .write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

/// `-o -`: the output goes to stdout.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses, before any work, an output path the write would refuse later:
/// a directory, an existing file without `force`, a missing directory. A
/// person hears at once, not after the reading and the downloads.
/// (The write checks again: the file can appear in between.)
pub fn check_output(path: &Path, force: bool) -> Result<()> {
    if is_stdout(path) {
        return Ok(());
    }
    crate::emit::atomic::check_writable(path, force).map(|_| ())
}

/// Writes a command's output file: to stdout for `-o -`, else atomically
/// (temp file + rename, never replacing a file without `force`).
pub fn write_output(
    io: &mut Io<'_>,
    path: &Path,
    bytes: &[u8],
    secrecy: crate::emit::Secrecy,
    force: bool,
) -> Result<()> {
    if is_stdout(path) {
        io.out.write_all(bytes).map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
    } else {
        crate::emit::write_atomic(path, bytes, secrecy, force)
    }
}

/// Writes one line to stderr; failures to write a report are ignored.
pub fn note(io: &mut Io<'_>, text: &str) {
    let _ = writeln!(io.err, "{text}");
}

/// Prints every reading problem (one sentence each, in the order the inputs
/// were read) and fails with the last when there are any: commands that
/// write output must not write it from partial input.
pub fn require_clean(inv: &mut Inventory, io: &mut Io<'_>) -> Result<()> {
    let mut problems = std::mem::take(&mut inv.problems);
    let Some(last) = problems.pop() else {
        return Ok(());
    };
    // One bad file can hold 100,000 bad blocks: a few lines and a count.
    let lines = crate::render::cap::lines(
        &problems,
        io.verbose,
        |p| p.to_string(),
        |_| "problems reading the inputs".into(),
    );
    for l in lines {
        note(io, &format!("chainfix: {l}"));
    }
    Err(last)
}

/// Test hook (debug builds only): with `CHAINFIX_TEST_HOLD_AFTER_LOAD=PATH`,
/// `bundle` writes PATH once its inputs are read and what a path needs was
/// read back, then waits until PATH is gone, so a test can change an input
/// file at that moment (see `tests/it/big_pool.rs`).
pub fn test_hold_after_load() {
    if !cfg!(debug_assertions) {
        return;
    }
    if let Some(p) = std::env::var_os("CHAINFIX_TEST_HOLD_AFTER_LOAD") {
        let p = std::path::PathBuf::from(p);
        let _ = std::fs::write(&p, std::process::id().to_string());
        while p.exists() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
