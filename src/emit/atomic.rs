//! All-or-nothing file output. A crash or an error leaves either the old
//! state or the complete new file, never a half-written one, and never a
//! stray copy of a key:
//!
//! - on Linux the data goes to an unnamed `O_TMPFILE` in the target's
//!   directory, which gets its name (`linkat`) only once complete: a
//!   process killed at any moment, even by SIGKILL, leaves nothing behind;
//! - elsewhere (or where the file system lacks `O_TMPFILE`) a named
//!   `.chainfix-XXXXXX` temp file, mode 0600 from its creation, which is
//!   removed on error, on unwinding and, once [`clean_up_on_signals`] is
//!   installed, on SIGINT, SIGTERM and SIGHUP;
//! - the directory is fsynced after the rename, so the new name survives a
//!   power cut.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Whether the file holds key material (mode 0600) or not (0644).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrecy {
    Public,
    Secret,
}

/// The prefix of every named temp file chainfix makes.
pub const TEMP_PREFIX: &str = ".chainfix-";

/// Named temp files not yet renamed, removed by the signal handler. Held
/// across the rename, so a signal sees each file either pending or done.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every pending temp file. For a signal handler thread; the files
/// are also removed by their owner on error and on unwinding.
pub fn remove_pending() {
    for p in pending().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// Whether [`clean_up_on_signals`] was called: the handler thread is then
/// started by the first named temp file, not at start-up (most runs make
/// none: `O_TMPFILE` files have no name to remove, and reading commands
/// write nothing), which saves every run a thread and its malloc arena.
static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static STARTED: std::sync::Once = std::sync::Once::new();

/// Asks for the pending temp files to be removed on SIGINT, SIGTERM or
/// SIGHUP, after which the process ends as the signal would have ended it.
/// For programs (the CLI); a library user keeps its own signal policy. The
/// thread that waits for the signals starts with the first named temp file.
pub fn clean_up_on_signals() -> std::io::Result<()> {
    ARMED.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Starts the signal thread once, if [`clean_up_on_signals`] asked for it.
/// Called before a named temp file exists, so no signal can find one
/// unhandled.
fn arm_signal_thread() {
    if ARMED.load(std::sync::atomic::Ordering::SeqCst) {
        STARTED.call_once(|| {
            let _ = signal_thread();
        });
    }
}

#[cfg(unix)]
fn signal_thread() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("chainfix-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_pending();
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn signal_thread() -> std::io::Result<()> {
    Ok(())
}

/// A named temp file registered in [`PENDING`] while it lives.
struct NamedTemp {
    file: File,
    path: PathBuf,
}

impl NamedTemp {
    fn create(dir: &Path) -> std::io::Result<NamedTemp> {
        arm_signal_thread();
        let mut reg = pending();
        // tempfile creates the file with mode 0600 (O_EXCL), so a key is
        // never readable by others, not even for a moment.
        let (file, path) = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?
            .keep()
            .map_err(|e| e.error)?;
        reg.push(path.clone());
        Ok(NamedTemp { file, path })
    }

    /// Renames the file to `to` (replacing it when `replace`), then forgets it.
    fn persist(self, to: &Path, replace: bool) -> std::io::Result<()> {
        let mut reg = pending();
        let done = if replace {
            std::fs::rename(&self.path, to)
        } else {
            // A hard link fails when `to` exists: no window to clobber it.
            // Where links are not supported (FAT, some network shares),
            // check, then rename.
            match std::fs::hard_link(&self.path, to) {
                Ok(()) => std::fs::remove_file(&self.path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                Err(_) if to.exists() => Err(std::io::ErrorKind::AlreadyExists.into()),
                Err(_) => std::fs::rename(&self.path, to),
            }
        };
        if done.is_ok() {
            reg.retain(|p| p != &self.path);
        }
        drop(reg);
        done
    }
}

impl Drop for NamedTemp {
    fn drop(&mut self) {
        let mut reg = pending();
        if let Some(i) = reg.iter().position(|p| p == &self.path) {
            reg.swap_remove(i);
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Refuses what a write to `path` would refuse: a directory (where
/// `--force` cannot help, so it is not suggested), an existing file without
/// `force`, a missing directory. Returns the directory the file goes in.
/// Commands call it before their work too, so a person hears at once.
pub fn check_writable(path: &Path, force: bool) -> Result<&Path> {
    if path.is_dir() {
        return Err(Error::OutputIsDirectory {
            path: path.to_path_buf(),
        });
    }
    if !force && path.exists() {
        return Err(Error::OutputExists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Write {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", dir.display()),
            ),
        });
    }
    Ok(dir)
}

/// Writes `bytes` to `path` through a temp file in the same directory and
/// a rename. Refuses to replace an existing file unless `force`.
pub fn write_atomic(path: &Path, bytes: &[u8], secrecy: Secrecy, force: bool) -> Result<()> {
    let dir = check_writable(path, force)?;
    let write_err = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let exists = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::OutputExists {
                path: path.to_path_buf(),
            }
        } else {
            write_err(e)
        }
    };
    let mode = match secrecy {
        Secrecy::Public => 0o644,
        Secrecy::Secret => 0o600,
    };
    // Errors name the output, never the temp file: its random name only
    // confuses ("No space left on device" is what matters).
    if let Some(mut file) = unnamed::create(dir).filter(|_| !test_hooks::named_temp()) {
        fill(&mut file, bytes, mode).map_err(write_err)?;
        test_hooks::hold();
        match unnamed::link(&file, dir, path, force) {
            Ok(()) => return sync_dir(dir).map_err(write_err),
            Err(unnamed::LinkError::Exists) => {
                return Err(Error::OutputExists {
                    path: path.to_path_buf(),
                });
            }
            // No /proc, say: write it again through a named temp file.
            Err(unnamed::LinkError::Unavailable) => {}
            Err(unnamed::LinkError::Io(e)) => return Err(write_err(e)),
        }
    }
    let mut tmp = NamedTemp::create(dir).map_err(write_err)?;
    fill(&mut tmp.file, bytes, mode).map_err(write_err)?;
    test_hooks::hold();
    tmp.persist(path, force).map_err(exists)?;
    sync_dir(dir).map_err(write_err)
}

/// Writes, sets the final mode and flushes to disk.
fn fill(file: &mut File, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    file.write_all(bytes)?;
    set_file_mode(file, mode)?;
    file.sync_all()
}

/// Makes a rename or link durable. Some file systems cannot fsync a
/// directory (EINVAL); the file itself is on disk already, so that is not
/// an error.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if e.raw_os_error() == Some(22) => Ok(()),
        other => other,
    }
}

#[cfg(unix)]
fn set_file_mode(file: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_file_mode(_file: &File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Unnamed temp files: `O_TMPFILE`, then `linkat` through `/proc/self/fd`.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::ffi::CString;
    use std::fs::File;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    pub enum LinkError {
        Exists,
        Unavailable,
        Io(std::io::Error),
    }

    /// An unnamed file in `dir`, mode 0600; `None` when the file system
    /// (or kernel) has no `O_TMPFILE`.
    pub fn create(dir: &Path) -> Option<File> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .mode(0o600)
            .open(dir)
            .ok()
    }

    fn link_to(file: &File, to: &Path) -> std::io::Result<()> {
        let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
        let to = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: two NUL-terminated paths that outlive the call.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// Gives the file its name. Without `replace`, fails if `to` exists;
    /// with it, links to a fresh temp name (pending, so a signal removes
    /// it) and renames that over `to`.
    pub fn link(file: &File, dir: &Path, to: &Path, replace: bool) -> Result<(), LinkError> {
        let classify = |e: std::io::Error| match e.raw_os_error() {
            Some(libc::EEXIST) => LinkError::Exists,
            Some(libc::ENOENT) if !Path::new("/proc/self/fd").is_dir() => LinkError::Unavailable,
            _ => LinkError::Io(e),
        };
        if !replace {
            return link_to(file, to).map_err(classify);
        }
        let mut reg = super::pending();
        let mut last = None;
        for _ in 0..8 {
            let tmp = dir.join(format!("{}{:016x}", super::TEMP_PREFIX, random()));
            match link_to(file, &tmp) {
                Ok(()) => {
                    reg.push(tmp.clone());
                    let done = std::fs::rename(&tmp, to);
                    if done.is_err() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                    reg.retain(|p| p != &tmp);
                    return done.map_err(LinkError::Io);
                }
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => last = Some(e),
                Err(e) => return Err(classify(e)),
            }
        }
        Err(LinkError::Io(last.expect("eight tries")))
    }

    fn random() -> u64 {
        let mut b = [0u8; 8];
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
        u64::from_le_bytes(b) ^ u64::from(std::process::id())
    }
}

#[cfg(not(target_os = "linux"))]
mod unnamed {
    use std::fs::File;
    use std::path::Path;

    pub enum LinkError {
        Exists,
        Unavailable,
        Io(std::io::Error),
    }

    pub fn create(_dir: &Path) -> Option<File> {
        None
    }

    pub fn link(_: &File, _: &Path, _: &Path, _: bool) -> Result<(), LinkError> {
        Err(LinkError::Unavailable)
    }
}

/// Debug builds only: hooks that let the integration tests stop a write
/// at its most fragile moment (data written, not yet renamed) and use the
/// named-temp-file path where `O_TMPFILE` would be taken.
mod test_hooks {
    /// `CHAINFIX_TEST_NAMED_TEMP=1`: skip `O_TMPFILE`.
    pub fn named_temp() -> bool {
        cfg!(debug_assertions) && std::env::var_os("CHAINFIX_TEST_NAMED_TEMP").is_some()
    }

    /// `CHAINFIX_TEST_HOLD_WRITE=PATH`: create PATH, then wait forever (the
    /// test kills the process).
    pub fn hold() {
        if !cfg!(debug_assertions) {
            return;
        }
        if let Some(p) = std::env::var_os("CHAINFIX_TEST_HOLD_WRITE") {
            let _ = std::fs::write(p, std::process::id().to_string());
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_refused_even_with_force_and_named_as_one() {
        let d = tempfile::tempdir().unwrap();
        for force in [false, true] {
            let e = write_atomic(d.path(), b"x", Secrecy::Secret, force).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "{0} is a directory; give a file name inside it, e.g. -o {0}/NAME",
                    d.path().display()
                )
            );
        }
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuses_existing_without_force_and_keeps_it() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.pem");
        std::fs::write(&p, b"old").unwrap();
        let e = write_atomic(&p, b"new", Secrecy::Public, false).unwrap_err();
        assert!(matches!(e, Error::OutputExists { .. }));
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        write_atomic(&p, b"new", Secrecy::Public, true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn secret_files_are_0600_and_public_0644() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let s = d.path().join("k.pem");
        let p = d.path().join("c.pem");
        write_atomic(&s, b"k", Secrecy::Secret, false).unwrap();
        write_atomic(&p, b"c", Secrecy::Public, false).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&s), 0o600);
        assert_eq!(mode(&p), 0o644);
    }

    fn names_in(d: &Path) -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_pending_named_temp_is_removed_by_the_signal_cleanup_and_not_twice() {
        let d = tempfile::tempdir().unwrap();
        let t = NamedTemp::create(d.path()).unwrap();
        let name = names_in(d.path());
        assert!(
            name.len() == 1 && name[0].starts_with(TEMP_PREFIX),
            "{name:?}"
        );
        remove_pending();
        assert!(names_in(d.path()).is_empty());
        drop(t);
        // A completed one is no longer pending: the cleanup leaves it be.
        let t = NamedTemp::create(d.path()).unwrap();
        t.persist(&d.path().join("done"), false).unwrap();
        remove_pending();
        assert_eq!(names_in(d.path()), ["done"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_unnamed_temp_file_has_no_name_until_linked_and_replaces_with_force() {
        let d = tempfile::tempdir().unwrap();
        let mut f = unnamed::create(d.path()).expect("O_TMPFILE on the test file system");
        fill(&mut f, b"key", 0o600).unwrap();
        assert!(names_in(d.path()).is_empty());
        let out = d.path().join("k.pem");
        assert!(unnamed::link(&f, d.path(), &out, false).is_ok());
        assert!(matches!(
            unnamed::link(&f, d.path(), &out, false),
            Err(unnamed::LinkError::Exists)
        ));
        let mut g = unnamed::create(d.path()).unwrap();
        fill(&mut g, b"new", 0o600).unwrap();
        assert!(unnamed::link(&g, d.path(), &out, true).is_ok());
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(names_in(d.path()), ["k.pem"]);
    }

    #[test]
    fn missing_directory_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("nope").join("out.pem");
        assert!(matches!(
            write_atomic(&p, b"x", Secrecy::Public, false),
            Err(Error::Write { .. })
        ));
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }
}
