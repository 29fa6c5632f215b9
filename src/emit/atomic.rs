//! All-or-nothing file output. A crash or an error leaves either the old
//! state or the complete new file, never a half-written one.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Whether the file holds key material (mode 0600) or not (0644).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrecy {
    Public,
    Secret,
}

/// Writes `bytes` to `path` through a temp file in the same directory and
/// a rename. Refuses to replace an existing file unless `force`.
pub fn write_atomic(path: &Path, bytes: &[u8], secrecy: Secrecy, force: bool) -> Result<()> {
    // --force cannot help here, so do not suggest it.
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
    let write_err = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
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
    // tempfile creates the file with mode 0600, so a key is never readable
    // by others, not even for a moment.
    let mut tmp = tempfile::Builder::new()
        .prefix(".chainfix-")
        .tempfile_in(dir)
        .map_err(|e| {
            // tempfile appends its random temp name, which only confuses.
            // (its error type is private and hides the OS error, so cut the text).
            let text = e.to_string();
            let text = text.split(" at path ").next().unwrap_or_default();
            write_err(std::io::Error::new(e.kind(), text.to_string()))
        })?;
    tmp.write_all(bytes).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    if secrecy == Secrecy::Public {
        set_mode(tmp.path(), 0o644).map_err(write_err)?;
    }
    if force {
        tmp.persist(path).map_err(|e| write_err(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists {
                    path: path.to_path_buf(),
                }
            } else {
                write_err(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
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
