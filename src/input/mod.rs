//! Paths → bytes with their names. A directory stands for every regular
//! file inside it or link to one (sorted, not recursive, hidden entries
//! skipped); `-` is standard input. Unreadable paths are reported, not fatal to the others.
//! Every file goes through [`read_user_file`] (no special files, a size cap).

#[cfg(target_os = "linux")]
mod batch;
mod file;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use file::{
    CHUNK_BYTES, DEFAULT_MAX_INPUT_MIB, Listed, MAX_INPUT_ENV, Opened, PemFile, STREAM_MIN_BYTES,
    max_input_bytes, open_user_file, read_capped, read_listed_file, read_user_file,
};

#[cfg(target_os = "linux")]
use batch::{Batch, FILES as BATCH_FILES};

use crate::error::Error;
use crate::model::DropReason;
use crate::parse::{self, Inventory, Passwords};

/// The bytes of one input and the name messages use for it.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub bytes: Vec<u8>,
    /// A big PEM file, parsed while it is read ([`PemFile`]); `bytes` is
    /// then empty.
    pub pem_file: Option<PemFile>,
}

impl Source {
    /// The lowercase file extension, a format hint.
    pub fn extension(&self) -> Option<String> {
        extension(&self.name)
    }
}

fn extension(name: &str) -> Option<String> {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// Reads every path. Directories are expanded to the files they hold; a
/// directory that holds none is reported.
pub fn read_paths(paths: &[PathBuf], stdin: &mut dyn Read) -> (Vec<Source>, Vec<Error>) {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        if name == "-" {
            match file::read_capped(&mut *stdin, "<stdin>") {
                Ok(bytes) => sources.push(Source {
                    name: "<stdin>".into(),
                    bytes,
                    pem_file: None,
                }),
                Err(e) => problems.push(e),
            }
        } else if path.is_dir() {
            match dir_files(path) {
                Ok(files) if files.is_empty() => {
                    problems.push(Error::NoCertificates { path: name })
                }
                Ok(files) => {
                    for f in files {
                        read_file(&f, &mut sources, &mut problems);
                    }
                }
                Err(source) => problems.push(Error::Read { path: name, source }),
            }
        } else {
            read_file(path, &mut sources, &mut problems);
        }
    }
    (sources, problems)
}

fn read_file(path: &Path, sources: &mut Vec<Source>, problems: &mut Vec<Error>) {
    let name = path.display().to_string();
    match file::open_user_file(path) {
        Ok(Opened::Whole(bytes)) => sources.push(Source {
            name,
            bytes,
            pem_file: None,
        }),
        Ok(Opened::Pem(f)) => sources.push(Source {
            name,
            bytes: Vec::new(),
            pem_file: Some(f),
        }),
        Err(e) => problems.push(e),
    }
}

fn dir_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // The entry's type comes with the directory listing; only a link
        // (or a file system that leaves the type out) costs a stat.
        // `Path::is_file` follows symbolic links: certbot's live/ directory
        // and c_rehash'ed CA directories are made of them.
        let regular = match entry.file_type() {
            Ok(t) if t.is_file() => true,
            Ok(t) if t.is_dir() => false,
            _ => entry.path().is_file(),
        };
        if regular {
            files.push(entry.path());
        }
    }
    // Byte order of the whole paths: the same as `Path`'s order here (one
    // directory, names without separators), without splitting 100,000
    // paths into components at every comparison.
    files.sort_unstable_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    Ok(files)
}

/// Where io_uring is not: every file is read the ordinary way.
#[cfg(not(target_os = "linux"))]
struct Batch;
#[cfg(not(target_os = "linux"))]
const BATCH_FILES: usize = 64;
#[cfg(not(target_os = "linux"))]
impl Batch {
    fn new(_: &Path) -> Option<Batch> {
        None
    }
    fn read(self, _: &[PathBuf]) -> Option<Batch> {
        None
    }
    fn bytes(&self, _: usize) -> Option<&[u8]> {
        None
    }
}

/// Reads and parses every path into one inventory. A directory whose files
/// yield no certificate and no key is reported as holding none. Each file
/// of a directory is parsed as soon as it is read, from one reused buffer,
/// so a directory of 100,000 files is never held in memory at once.
pub fn read_inventory(
    paths: &[PathBuf],
    stdin: &mut dyn Read,
    passwords: &dyn Passwords,
) -> Inventory {
    let mut inv = Inventory::default();
    for path in paths {
        if path.as_os_str() != "-" && path.is_dir() {
            read_dir_into(path, passwords, &mut inv);
            continue;
        }
        let (sources, problems) = read_paths(std::slice::from_ref(path), stdin);
        inv.problems.extend(problems);
        for s in sources {
            parse_read(s, passwords, &mut inv);
        }
    }
    inv
}

fn parse_read(mut s: Source, passwords: &dyn Passwords, inv: &mut Inventory) {
    match s.pem_file.take() {
        Some(f) => f.parse(passwords, inv),
        None => parse::parse_source(&s.bytes, &s.name, s.extension().as_deref(), passwords, inv),
    }
}

/// One directory into `inv`: the files in name order, each parsed right
/// after it is read. Reading problems come before parsing ones, as when
/// every file was read first.
fn read_dir_into(dir: &Path, passwords: &dyn Passwords, inv: &mut Inventory) {
    let name = dir.display().to_string();
    let files = match dir_files(dir) {
        Ok(files) if files.is_empty() => {
            return inv.problems.push(Error::NoCertificates { path: name });
        }
        Ok(files) => files,
        Err(source) => return inv.problems.push(Error::Read { path: name, source }),
    };
    let (before, start) = (found(inv), inv.problems.len());
    let mut read_problems = Vec::new();
    let mut any_read = false;
    let mut buf = Vec::new();
    let mut batch = Batch::new(dir);
    for chunk in files.chunks(BATCH_FILES) {
        batch = batch.and_then(|b| b.read(chunk));
        for (i, f) in chunk.iter().enumerate() {
            let listed = match batch.as_ref().and_then(|b| b.bytes(i)) {
                Some(bytes) => Ok(Listed::Bytes(bytes)),
                None => file::read_listed_file(f, &mut buf),
            };
            if read_listed(f, listed, passwords, inv, &mut read_problems) {
                any_read = true;
            }
        }
    }
    inv.problems.splice(start..start, read_problems);
    if any_read && found(inv) == before {
        inv.problems.push(Error::NoCertificates { path: name });
    }
}

/// Parses one file of a directory as it was read; `false` when it could
/// not be read (the problem goes to `read_problems`).
fn read_listed(
    f: &Path,
    listed: Result<Listed<'_>, Error>,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
    read_problems: &mut Vec<Error>,
) -> bool {
    // `display` checks UTF-8 piece by piece; a UTF-8 name is the same text.
    let fname = f
        .to_str()
        .map_or_else(|| f.display().to_string(), str::to_owned);
    let problems_before = inv.problems.len();
    match listed {
        Ok(Listed::Bytes(bytes)) => {
            let hint = extension(&fname);
            parse::parse_source(bytes, &fname, hint.as_deref(), passwords, inv);
        }
        Ok(Listed::Opened(Opened::Whole(bytes))) => parse_read(
            Source {
                name: fname.clone(),
                bytes,
                pem_file: None,
            },
            passwords,
            inv,
        ),
        Ok(Listed::Opened(Opened::Pem(f))) => f.parse(passwords, inv),
        Err(e) => {
            read_problems.push(e);
            return false;
        }
    }
    skip_junk(inv, problems_before, &fname);
    true
}

/// A file in a directory that is not certificate data at all (a
/// `README.txt`, `.DS_Store`, an empty file) is a note, not an error: the
/// user named the directory, not that file. Damaged certificate data in it
/// stays an error.
fn skip_junk(inv: &mut Inventory, problems_before: usize, name: &str) {
    let junk = |e: &Error| match e {
        Error::NotRecognised { path, detail } if path == name => Some(detail.clone()),
        Error::Empty { path } if path == name => Some("empty".into()),
        _ => None,
    };
    let mut i = problems_before;
    while i < inv.problems.len() {
        if let Some(detail) = junk(&inv.problems[i]) {
            inv.problems.remove(i);
            inv.drop_block(
                crate::model::Origin::file(name),
                DropReason::NotCertificateData { detail },
            );
        } else {
            i += 1;
        }
    }
}

/// How many certificates and keys were found so far, duplicates included
/// (a directory of copies did hold certificates).
fn found(inv: &Inventory) -> usize {
    let dups = inv
        .dropped
        .iter()
        .filter(|d| {
            matches!(
                d.reason,
                DropReason::Duplicate { .. } | DropReason::DuplicateKey { .. }
            )
        })
        .count();
    inv.certs.len() + inv.keys.len() + dups
}
