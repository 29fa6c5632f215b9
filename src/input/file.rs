//! The one reader for every file a user names: inputs, `--trust`,
//! `--roots`, `--intermediates`, `--key`, password files. It never waits
//! and never reads without a bound:
//!
//! - special files (FIFOs, character and block devices, sockets) are
//!   refused, unless they are this process's standard input: a FIFO with no
//!   writer would block the open forever, `/dev/zero` never ends. The file
//!   is opened with `O_NONBLOCK` and judged by `fstat` on the open
//!   descriptor, so there is no window between the check and the read;
//! - reading stops at [`max_input_bytes`] (64 MiB unless
//!   `CHAINFIX_MAX_INPUT_MIB` says otherwise) and says so;
//! - a big PEM file ([`STREAM_MIN_BYTES`] or more) is not held whole: it is
//!   parsed while it is read, [`CHUNK_BYTES`] at a time ([`PemFile`]).

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::Error;
use crate::parse::{self, Inventory, Passwords, StreamStop};

/// The cap when `CHAINFIX_MAX_INPUT_MIB` is not set. Certificate material
/// is small (10,000 certificates are about 8 MiB of PEM); anything bigger
/// is almost surely the wrong file, and reading it whole would only
/// exhaust memory.
pub const DEFAULT_MAX_INPUT_MIB: u64 = 64;

/// The environment variable that raises (or lowers) the cap, in MiB.
pub const MAX_INPUT_ENV: &str = "CHAINFIX_MAX_INPUT_MIB";

/// The largest file read, in bytes: `CHAINFIX_MAX_INPUT_MIB` MiB when it
/// holds a whole number from 1 to 65,536, else [`DEFAULT_MAX_INPUT_MIB`].
pub fn max_input_bytes() -> u64 {
    static CAP: OnceLock<u64> = OnceLock::new();
    *CAP.get_or_init(|| {
        let mib = std::env::var(MAX_INPUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|m| (1..=65_536).contains(m))
            .unwrap_or(DEFAULT_MAX_INPUT_MIB);
        mib * 1024 * 1024
    })
}

fn too_large(name: &str) -> Error {
    Error::TooLarge {
        path: name.to_string(),
        limit_mib: max_input_bytes() / (1024 * 1024),
    }
}

/// Regular files at least this big are parsed while they are read when
/// they hold PEM text (the pool of 100,000 certificates is 55 MB).
pub const STREAM_MIN_BYTES: u64 = 4 << 20;

/// How much of a big PEM file is read at a time.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A file opened by [`open_user_file`].
#[derive(Debug)]
pub enum Opened {
    /// Its bytes, read whole.
    Whole(Vec<u8>),
    /// A big PEM file, to be parsed while it is read.
    Pem(PemFile),
}

/// A big PEM file: its first chunk read, the rest read as it is parsed.
#[derive(Debug)]
pub struct PemFile {
    name: String,
    first: Vec<u8>,
    file: File,
}

impl PemFile {
    /// Reads and parses the rest of the file into `inv`, a chunk at a
    /// time, stopping at the cap with the error a whole read would give.
    pub fn parse(self, passwords: &dyn Passwords, inv: &mut Inventory) {
        let (cap, name) = (max_input_bytes(), self.name);
        let read = parse::parse_pem_file(
            self.first,
            &self.file,
            cap,
            CHUNK_BYTES,
            &name,
            passwords,
            inv,
        );
        match read {
            Ok(()) => {}
            Err(StreamStop::TooLarge) => inv.problems.push(too_large(&name)),
            Err(StreamStop::Read(source)) => inv.problems.push(Error::Read { path: name, source }),
        }
    }
}

/// Opens the file at `path` as [`read_user_file`] does: a big file whose
/// first chunk shows PEM text comes back unread beyond that chunk, any
/// other file read whole.
pub fn open_user_file(path: &Path) -> Result<Opened, Error> {
    let name = path.display().to_string();
    let (mut file, size) = open_regular(path, &name)?;
    let Some(n) = size.filter(|&n| n >= STREAM_MIN_BYTES && n <= max_input_bytes()) else {
        return read_sized(file, size, &name).map(Opened::Whole);
    };
    let mut first = Vec::with_capacity(n.min(CHUNK_BYTES as u64) as usize + 1);
    (&mut file)
        .take(CHUNK_BYTES as u64)
        .read_to_end(&mut first)
        .map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
    if parse::streams_as_pem(&first) {
        return Ok(Opened::Pem(PemFile { name, first, file }));
    }
    first.reserve(n as usize + 1 - first.len());
    read_on(first, file, &name).map(Opened::Whole)
}

/// What [`read_listed_file`] read.
#[derive(Debug)]
pub enum Listed<'b> {
    /// The whole file, in the caller's buffer.
    Bytes(&'b [u8]),
    /// A big file, or one the quick way could not read: as
    /// [`open_user_file`] opens it.
    Opened(Opened),
}

/// Reads a file that a directory listing calls a regular file, with the
/// fewest system calls: open, read until the end, close. The listing
/// stands in for the `fstat` of [`open_user_file`]; `O_NOFOLLOW` keeps a
/// link out, and a file that cannot be opened or read this way, or passes
/// [`STREAM_MIN_BYTES`], goes the ordinary way (so every check and message
/// is that of [`open_user_file`]). `buf` is reused from file to file.
#[cfg(unix)]
pub fn read_listed_file<'b>(path: &Path, buf: &'b mut Vec<u8>) -> Result<Listed<'b>, Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = || open_user_file(path).map(Listed::Opened);
    let Ok(mut file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(path)
    else {
        return opened();
    };
    let want = STREAM_MIN_BYTES as usize;
    if buf.len() < want {
        // Pages are only touched as far as files reach.
        buf.resize(want, 0);
    }
    let mut filled = 0;
    while filled < want {
        match file.read(&mut buf[filled..want]) {
            Ok(0) if filled as u64 > max_input_bytes() => {
                return Err(too_large(&path.display().to_string()));
            }
            Ok(0) => return Ok(Listed::Bytes(&buf[..filled])),
            Ok(n) => filled += n,
            Err(_) => return opened(),
        }
    }
    // Big: what open_user_file does with it, from the bytes read so far.
    let name = path.display().to_string();
    let size = match file.metadata() {
        Ok(m) if m.file_type().is_file() => m.len(),
        _ => return opened(),
    };
    if size > max_input_bytes() {
        return Err(too_large(&name));
    }
    let first = buf[..filled].to_vec();
    if parse::streams_as_pem(&first[..CHUNK_BYTES.min(filled)]) {
        return Ok(Listed::Opened(Opened::Pem(PemFile { name, first, file })));
    }
    read_on(first, file, &name).map(|b| Listed::Opened(Opened::Whole(b)))
}

/// [`open_user_file`] where there is no quicker way.
#[cfg(not(unix))]
pub fn read_listed_file<'b>(path: &Path, _buf: &'b mut Vec<u8>) -> Result<Listed<'b>, Error> {
    open_user_file(path).map(Listed::Opened)
}

/// Reads `reader` to its end, or fails once it passes the cap.
pub fn read_capped(reader: impl Read, name: &str) -> Result<Vec<u8>, Error> {
    read_sized(reader, None, name)
}

/// [`read_capped`] for a reader whose size is known (a regular file's
/// length): one buffer of that size, filled by one `read()` plus the one
/// that sees the end, instead of a growing buffer and a read per doubling.
fn read_sized(reader: impl Read, size: Option<u64>, name: &str) -> Result<Vec<u8>, Error> {
    let cap = max_input_bytes();
    if size.is_some_and(|n| n > cap) {
        return Err(too_large(name));
    }
    // One spare byte, so that the read which finds the end needs no growth.
    read_on(
        Vec::with_capacity(size.map_or(0, |n| n as usize + 1)),
        reader,
        name,
    )
}

/// Appends the rest of `reader` to `bytes`, failing once they pass the cap.
fn read_on(mut bytes: Vec<u8>, reader: impl Read, name: &str) -> Result<Vec<u8>, Error> {
    let cap = max_input_bytes();
    reader
        .take((cap + 1).saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: name.to_string(),
            source,
        })?;
    if bytes.len() as u64 > cap {
        return Err(too_large(name));
    }
    Ok(bytes)
}

/// Reads the file at `path`: a regular file (or standard input reached by
/// a path such as `/dev/stdin`), at most [`max_input_bytes`].
pub fn read_user_file(path: &Path) -> Result<Vec<u8>, Error> {
    let name = path.display().to_string();
    let (file, size) = open_regular(path, &name)?;
    read_sized(file, size, &name)
}

#[cfg(unix)]
fn open_regular(path: &Path, name: &str) -> Result<(File, Option<u64>), Error> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
    let read_err = |source| Error::Read {
        path: name.to_string(),
        source,
    };
    let special = |kind: &'static str| Error::SpecialFile {
        path: name.to_string(),
        kind,
    };
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    {
        Ok(f) => f,
        // open(2) on a Unix socket fails with ENXIO.
        Err(e)
            if e.raw_os_error() == Some(libc::ENXIO)
                && std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket()) =>
        {
            return Err(special("socket"));
        }
        Err(e) => return Err(read_err(e)),
    };
    let meta = file.metadata().map_err(read_err)?;
    let ft = meta.file_type();
    // Directories pass: reading one fails with a plain "Is a directory".
    if ft.is_file() {
        return Ok((file, Some(meta.len())));
    }
    if ft.is_dir() {
        return Ok((file, None));
    }
    if is_stdin(meta.dev(), meta.ino()) {
        // The user's own standard input: wait for it as `-` does.
        set_blocking(&file).map_err(read_err)?;
        return Ok((file, None));
    }
    Err(special(if ft.is_fifo() {
        "named pipe (FIFO)"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_block_device() {
        "block device"
    } else {
        "socket"
    }))
}

#[cfg(unix)]
fn is_stdin(dev: u64, ino: u64) -> bool {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::FromRawFd;
    // Borrow fd 0 without closing it.
    let stdin = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(0) });
    stdin
        .metadata()
        .is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

#[cfg(unix)]
fn set_blocking(file: &File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: plain fcntl calls on a descriptor this function borrows.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(unix))]
fn open_regular(path: &Path, name: &str) -> Result<(File, Option<u64>), Error> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    Ok((file, size))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_without_writer_is_refused_at_once() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe.pem");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_user_file(&fifo).unwrap_err();
        assert!(
            matches!(e, Error::SpecialFile { kind, .. } if kind == "named pipe (FIFO)"),
            "{e}"
        );
    }

    #[test]
    fn devices_and_sockets_are_refused() {
        let e = read_user_file(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().starts_with("/dev/zero is a character device"));
        let d = tempfile::tempdir().unwrap();
        let sock = d.path().join("s");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = read_user_file(&sock).unwrap_err();
        assert!(
            matches!(e, Error::SpecialFile { kind: "socket", .. }),
            "{e}"
        );
    }

    #[test]
    fn a_known_size_over_the_cap_is_refused_and_a_wrong_one_still_reads_all() {
        let over = max_input_bytes() + 1;
        let e = read_sized(std::io::empty(), Some(over), "big.pem").unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        // A file that grew after its size was taken is read to its end.
        assert_eq!(
            read_sized(&b"abcdef"[..], Some(2), "grew.pem").unwrap(),
            b"abcdef"
        );
    }

    #[test]
    fn regular_files_are_read_and_the_cap_is_named() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.pem");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(read_user_file(&p).unwrap(), b"abc");
        let msg = too_large("big.pem").to_string();
        assert!(
            msg.contains("larger than 64 MiB") && msg.contains("CHAINFIX_MAX_INPUT_MIB"),
            "{msg}"
        );
    }

    #[test]
    fn listed_files_read_into_the_buffer_and_big_or_linked_ones_the_usual_way() {
        let d = tempfile::tempdir().unwrap();
        let mut buf = Vec::new();
        let small = d.path().join("a.pem");
        std::fs::write(&small, b"abc").unwrap();
        assert!(matches!(
            read_listed_file(&small, &mut buf).unwrap(),
            Listed::Bytes(b"abc")
        ));
        // O_NOFOLLOW refuses the link; the ordinary way follows it.
        let link = d.path().join("l.pem");
        std::os::unix::fs::symlink(&small, &link).unwrap();
        assert!(matches!(
            read_listed_file(&link, &mut buf).unwrap(),
            Listed::Opened(Opened::Whole(b)) if b == b"abc"
        ));
        let block = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let big = block.repeat(STREAM_MIN_BYTES as usize / block.len() + 1);
        let p = d.path().join("big.pem");
        std::fs::write(&p, &big).unwrap();
        let Listed::Opened(Opened::Pem(f)) = read_listed_file(&p, &mut buf).unwrap() else {
            panic!("a big PEM file is read whole");
        };
        assert_eq!(f.first.len(), STREAM_MIN_BYTES as usize);
        let zeros = vec![0u8; STREAM_MIN_BYTES as usize + 10];
        std::fs::write(&p, &zeros).unwrap();
        assert!(matches!(
            read_listed_file(&p, &mut buf).unwrap(),
            Listed::Opened(Opened::Whole(b)) if b == zeros
        ));
        // The buffer is reused: a small file after a big one.
        assert!(matches!(
            read_listed_file(&small, &mut buf).unwrap(),
            Listed::Bytes(b"abc")
        ));
    }

    #[test]
    fn big_pem_files_come_unread_and_the_rest_whole() {
        let d = tempfile::tempdir().unwrap();
        let block = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let big = block.repeat(STREAM_MIN_BYTES as usize / block.len() + 1);
        let opened = |name: &str, bytes: &[u8]| {
            let p = d.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            open_user_file(&p).unwrap()
        };
        let Opened::Pem(f) = opened("big.pem", big.as_bytes()) else {
            panic!("a big PEM file is read whole");
        };
        assert_eq!(f.first.len(), CHUNK_BYTES);
        // Small PEM, big DER-like bytes, big UTF-16 text: read whole.
        assert!(
            matches!(opened("small.pem", block.as_bytes()), Opened::Whole(b) if b.len() == block.len())
        );
        let zeros = vec![0u8; STREAM_MIN_BYTES as usize + 10];
        assert!(matches!(opened("big.der", &zeros), Opened::Whole(b) if b == zeros));
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(big.bytes().flat_map(|c| [c, 0]))
            .collect();
        assert!(matches!(opened("utf16.pem", &utf16), Opened::Whole(b) if b.len() == utf16.len()));
    }
}
