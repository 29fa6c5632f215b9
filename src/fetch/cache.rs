//! A disk cache in front of another fetcher (or alone, offline).
//!
//! Layout: one file per URL, `<dir>/<sha256(url) hex>.entry`, holding one
//! JSON header line (`url`, `fetched_at` unix seconds, `status`, `len`,
//! `sha256` of the body) and then the body bytes. Files are written to a
//! temporary name in the same directory and renamed, so a reader never sees
//! half an entry. An entry that does not parse, or whose body length or
//! digest disagrees with its header, is ignored and replaced: never fatal.
//!
//! Successful responses (200) are fresh for `ttl`; a 404 is remembered as
//! "not found" for `not_found_ttl`. Other statuses and failures are not
//! stored. Offline (no inner fetcher), any entry is used whatever its age.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Fetch, FetchError, Response, check_scheme};

/// Seven days.
pub const DEFAULT_TTL: i64 = 7 * 24 * 3600;
/// One hour.
pub const DEFAULT_NOT_FOUND_TTL: i64 = 3600;

#[derive(Serialize, Deserialize)]
struct Header {
    v: u32,
    url: String,
    fetched_at: i64,
    status: u16,
    len: u64,
    sha256: String,
}

/// A cached entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub fetched_at: i64,
    pub status: u16,
    pub body: Vec<u8>,
}

/// Disk cache around `inner`; `inner == None` means offline.
pub struct CachingFetcher<F> {
    dir: PathBuf,
    inner: Option<F>,
    now: i64,
    pub ttl: i64,
    pub not_found_ttl: i64,
}

/// The platform cache directory for chainfix (`$XDG_CACHE_HOME/chainfix/aia`
/// or `~/.cache/chainfix/aia` on Linux), if the platform has one.
pub fn default_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("chainfix").join("aia"))
}

/// Creates `dir` and any missing parents with mode 0700: what the cache
/// holds says which sites were checked, and a world-writable cache could
/// be filled with entries by anyone. The mode is asked for at creation, so
/// no umask (even 000) loosens it.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

fn digest_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

impl<F: Fetch> CachingFetcher<F> {
    /// `now` is the current time in unix seconds (the library reads no clock).
    pub fn new(dir: impl Into<PathBuf>, inner: Option<F>, now: i64) -> CachingFetcher<F> {
        CachingFetcher {
            dir: dir.into(),
            inner,
            now,
            ttl: DEFAULT_TTL,
            not_found_ttl: DEFAULT_NOT_FOUND_TTL,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the entry for `url` lives.
    pub fn path_for(&self, url: &str) -> PathBuf {
        self.dir
            .join(format!("{}.entry", digest_hex(url.as_bytes())))
    }

    /// Reads the entry for `url`; `None` when absent or corrupt.
    pub fn read(&self, url: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path_for(url)).ok()?;
        let nl = bytes.iter().position(|&b| b == b'\n')?;
        let h: Header = serde_json::from_slice(&bytes[..nl]).ok()?;
        let body = &bytes[nl + 1..];
        if h.v != 1 || h.url != url || h.len != body.len() as u64 || h.sha256 != digest_hex(body) {
            return None;
        }
        Some(Entry {
            fetched_at: h.fetched_at,
            status: h.status,
            body: body.to_vec(),
        })
    }

    /// Stores an entry atomically (temp file + rename). Failures to write
    /// the cache are not errors: the fetch itself succeeded.
    pub fn write(&self, url: &str, status: u16, body: &[u8]) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let h = Header {
            v: 1,
            url: url.to_string(),
            fetched_at: self.now,
            status,
            len: body.len() as u64,
            sha256: digest_hex(body),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        serde_json::to_writer(&mut tmp, &h)?;
        tmp.write_all(b"\n")?;
        tmp.write_all(body)?;
        // No fsync: after a crash a torn entry fails its length/digest check
        // and is refetched, so durability is not worth a disk flush per URL.
        tmp.persist(self.path_for(url)).map_err(|e| e.error)?;
        Ok(())
    }

    fn fresh(&self, e: &Entry) -> bool {
        let age = self.now - e.fetched_at;
        let ttl = if e.status == 404 {
            self.not_found_ttl
        } else {
            self.ttl
        };
        (0..ttl).contains(&age)
    }
}

fn served(e: Entry) -> Response {
    Response {
        status: e.status,
        body: e.body,
        from_cache: true,
    }
}

impl<F: Fetch> Fetch for CachingFetcher<F> {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        check_scheme(url)?;
        let cached = self.read(url);
        let Some(inner) = &self.inner else {
            return cached.map(served).ok_or(FetchError::NotCached);
        };
        if let Some(e) = &cached
            && self.fresh(e)
        {
            return Ok(served(e.clone()));
        }
        match inner.fetch(url) {
            Ok(r) => {
                if r.status == 200 || r.status == 404 {
                    let _ = self.write(url, r.status, &r.body);
                }
                Ok(r)
            }
            // The network failed but an old copy exists: better than nothing.
            Err(FetchError::Timeout { .. } | FetchError::Network { .. })
                if cached.as_ref().is_some_and(|e| e.status == 200) =>
            {
                Ok(served(cached.expect("checked")))
            }
            Err(e) => Err(e),
        }
    }

    /// Not cached (the answer depends on the body): passed to the network,
    /// or refused offline.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response, FetchError> {
        check_scheme(url)?;
        match &self.inner {
            Some(inner) => inner.post(url, content_type, body),
            None => Err(FetchError::NotCached),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryFetcher;
    use super::*;

    const URL: &str = "http://ca.example/int.der";

    #[test]
    fn stores_then_serves_offline() {
        let dir = tempfile::tempdir().unwrap();
        let mem = MemoryFetcher::new().with(URL, 200, b"DER".to_vec());
        let c = CachingFetcher::new(dir.path(), Some(&mem), 1000);
        assert!(!c.fetch(URL).unwrap().from_cache);
        assert!(c.fetch(URL).unwrap().from_cache);
        assert_eq!(mem.calls(), 1);
        let off: CachingFetcher<MemoryFetcher> = CachingFetcher::new(dir.path(), None, 10_000_000);
        let r = off.fetch(URL).unwrap();
        assert_eq!(
            (r.status, r.body.as_slice(), r.from_cache),
            (200, &b"DER"[..], true)
        );
        assert_eq!(
            off.fetch("http://other/").unwrap_err(),
            FetchError::NotCached
        );
    }

    #[test]
    fn ttl_expires_and_404_is_brief() {
        let dir = tempfile::tempdir().unwrap();
        let mem =
            MemoryFetcher::new()
                .with(URL, 200, b"DER".to_vec())
                .with("http://x/gone", 404, vec![]);
        CachingFetcher::new(dir.path(), Some(&mem), 0)
            .fetch(URL)
            .unwrap();
        CachingFetcher::new(dir.path(), Some(&mem), 0)
            .fetch("http://x/gone")
            .unwrap();
        assert_eq!(mem.calls(), 2);
        let later = CachingFetcher::new(dir.path(), Some(&mem), DEFAULT_NOT_FOUND_TTL + 1);
        assert!(later.fetch(URL).unwrap().from_cache);
        assert!(!later.fetch("http://x/gone").unwrap().from_cache);
        assert_eq!(mem.calls(), 3);
        let week = CachingFetcher::new(dir.path(), Some(&mem), DEFAULT_TTL + 1);
        assert!(!week.fetch(URL).unwrap().from_cache);
        assert_eq!(mem.calls(), 4);
    }

    #[test]
    fn corrupt_entry_is_ignored_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let mem = MemoryFetcher::new().with(URL, 200, b"GOOD".to_vec());
        let c = CachingFetcher::new(dir.path(), Some(&mem), 0);
        c.fetch(URL).unwrap();
        let p = c.path_for(URL);
        for junk in [&b"garbage"[..], b"{\"v\":1}\nxx", b""] {
            std::fs::write(&p, junk).unwrap();
            assert_eq!(c.read(URL), None);
            let r = c.fetch(URL).unwrap();
            assert_eq!((r.body.as_slice(), r.from_cache), (&b"GOOD"[..], false));
            assert_eq!(c.read(URL).unwrap().body, b"GOOD");
        }
        // Truncated body: header says 4 bytes, 2 are left.
        let full = std::fs::read(&p).unwrap();
        std::fs::write(&p, &full[..full.len() - 2]).unwrap();
        assert_eq!(c.read(URL), None);
    }

    #[test]
    fn errors_are_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let mem = MemoryFetcher::new().with("http://x/500", 500, b"oops".to_vec());
        let c = CachingFetcher::new(dir.path(), Some(&mem), 0);
        assert_eq!(c.fetch("http://x/500").unwrap().status, 500);
        assert_eq!(c.read("http://x/500"), None);
    }
}
