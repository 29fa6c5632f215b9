//! Paths → bytes with their names. A directory stands for every regular
//! file inside it or link to one (sorted, not recursive, hidden entries
//! skipped); `-` is standard input. Unreadable paths are reported, not fatal to the others.
//! Every file goes through [`read_user_file`] (no special files, a size cap).

mod file;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use file::{
    CHUNK_BYTES, DEFAULT_MAX_INPUT_MIB, MAX_INPUT_ENV, Opened, PemFile, STREAM_MIN_BYTES,
    max_input_bytes, open_user_file, read_capped, read_user_file,
};

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
        Path::new(&self.name)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
    }
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
    files.sort();
    Ok(files)
}

/// Reads and parses every path into one inventory. A directory whose files
/// yield no certificate and no key is reported as holding none.
pub fn read_inventory(
    paths: &[PathBuf],
    stdin: &mut dyn Read,
    passwords: &dyn Passwords,
) -> Inventory {
    let mut inv = Inventory::default();
    for path in paths {
        let (sources, problems) = read_paths(std::slice::from_ref(path), stdin);
        let is_dir = !sources.is_empty() && path.is_dir();
        let before = found(&inv);
        inv.problems.extend(problems);
        for mut s in sources {
            let problems_before = inv.problems.len();
            match s.pem_file.take() {
                Some(f) => f.parse(passwords, &mut inv),
                None => parse::parse_source(
                    &s.bytes,
                    &s.name,
                    s.extension().as_deref(),
                    passwords,
                    &mut inv,
                ),
            }
            if is_dir {
                skip_junk(&mut inv, problems_before, &s.name);
            }
        }
        if is_dir && found(&inv) == before {
            inv.problems.push(Error::NoCertificates {
                path: path.display().to_string(),
            });
        }
    }
    inv
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
