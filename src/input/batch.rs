//! A directory's small files read many at a time through io_uring
//! (Linux). Each file is one linked chain of four requests: open it
//! relative to the directory into a direct descriptor (`O_NOFOLLOW`,
//! `O_NONBLOCK`, as [`super::read_listed_file`] opens it), read up to
//! [`SLOT`]` - 1` bytes, read once more to see the end, close. [`FILES`]
//! chains go to the kernel in one `io_uring_enter`, so 100,000 files cost
//! about 1,600 system calls instead of 400,000.
//!
//! Only a file that opened, fitted and read to its end comes back here;
//! anything else (a link, a file too big for its slot or that grew, a
//! special file, any error, data not in the page cache: both reads are
//! `RWF_NOWAIT`, so nothing here ever waits) is left to the caller, who
//! reads it again the ordinary way, so that every check and message stays
//! the ordinary one. When io_uring cannot be had (seccomp in containers,
//! kernels before 5.19, `CHAINFIX_IO_URING=0`), [`Batch::new`] says so and
//! every file goes the ordinary way.
//!
//! The requests run in the calling thread inside `io_uring_enter` (nothing
//! here asks for worker threads); should the kernel hand one to its io-wq
//! workers, they are threads of this process and their CPU time is the
//! process's.

use std::ffi::CString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use io_uring::{IoUring, Probe, opcode, squeue, types};

/// Files handed to the kernel at once.
pub const FILES: usize = 64;

/// Bytes kept for one file: a file of `SLOT - 1` bytes or more goes the
/// ordinary way. Certificate files are a few KiB; pages of a slot are
/// only touched as far as its file reaches.
pub const SLOT: usize = 64 << 10;

/// `CHAINFIX_IO_URING=0` turns the batch reading off.
pub const ENV: &str = "CHAINFIX_IO_URING";

/// Requests per file: open, read, read to the end, close.
const STEPS: usize = 4;

/// A ring, the directory it reads from and one slot per file.
pub struct Batch {
    ring: IoUring,
    dir: File,
    bufs: Vec<u8>,
    lens: [Option<usize>; FILES],
}

impl Batch {
    /// A ring for reading the files of `dir`, or `None` when io_uring (or
    /// a part of it used here) is not there.
    pub fn new(dir: &Path) -> Option<Batch> {
        if std::env::var_os(ENV).is_some_and(|v| v == "0") {
            return None;
        }
        let entries = (FILES * STEPS) as u32;
        let ring = IoUring::builder()
            .setup_single_issuer()
            .setup_coop_taskrun()
            .build(entries)
            .or_else(|_| IoUring::new(entries))
            .ok()?;
        let mut probe = Probe::new();
        ring.submitter().register_probe(&mut probe).ok()?;
        let ops = [
            opcode::OpenAt::CODE,
            opcode::Read::CODE,
            opcode::Close::CODE,
        ];
        if !ops.iter().all(|&op| probe.is_supported(op)) {
            return None;
        }
        // Sparse direct descriptors: Linux 5.19.
        ring.submitter().register_files_sparse(FILES as u32).ok()?;
        let dir = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY)
            .open(dir)
            .ok()?;
        Some(Batch {
            ring,
            dir,
            bufs: vec![0; FILES * SLOT],
            lens: [None; FILES],
        })
    }

    /// Reads `files` (at most [`FILES`], each named in this directory);
    /// then [`Batch::bytes`] has each one that was read whole. `None` when
    /// fewer than half of them were (a directory of links, as `c_rehash`
    /// makes, a cold page cache, a file system without `RWF_NOWAIT`): the
    /// ordinary way is then cheaper for them and for the rest. Also `None`
    /// when the ring failed: its requests may still be running, so its
    /// buffers are kept (leaked) rather than freed under the kernel.
    pub fn read(mut self, files: &[PathBuf]) -> Option<Batch> {
        if !self.submit(files) {
            std::mem::forget(self);
            return None;
        }
        let whole = self.lens.iter().filter(|l| l.is_some()).count();
        (2 * whole >= files.len()).then_some(self)
    }

    fn submit(&mut self, files: &[PathBuf]) -> bool {
        assert!(files.len() <= FILES);
        self.lens = [None; FILES];
        let names: Vec<Option<CString>> = files
            .iter()
            .map(|f| f.file_name().and_then(|n| CString::new(n.as_bytes()).ok()))
            .collect();
        let dirfd = types::Fd(self.dir.as_raw_fd());
        let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW;
        let mut sent = 0;
        {
            let mut sq = self.ring.submission();
            for (i, name) in names.iter().enumerate() {
                let Some(name) = name else { continue };
                let Ok(slot) = types::DestinationSlot::try_from_slot_target(i as u32) else {
                    continue;
                };
                let fd = types::Fixed(i as u32);
                let buf = self.bufs[i * SLOT..(i + 1) * SLOT].as_mut_ptr();
                let tag = (i * STEPS) as u64;
                // An open that fails cancels the rest of its chain; a short
                // read (the usual case) must not, hence the hard links.
                let chain = [
                    opcode::OpenAt::new(dirfd, name.as_ptr())
                        .flags(flags)
                        .file_index(Some(slot))
                        .build()
                        .flags(squeue::Flags::IO_LINK),
                    opcode::Read::new(fd, buf, (SLOT - 1) as u32)
                        .offset(u64::MAX)
                        .rw_flags(libc::RWF_NOWAIT)
                        .build()
                        .flags(squeue::Flags::IO_HARDLINK),
                    // SAFETY: SLOT - 1 is inside this file's slot.
                    opcode::Read::new(fd, unsafe { buf.add(SLOT - 1) }, 1)
                        .offset(u64::MAX)
                        .rw_flags(libc::RWF_NOWAIT)
                        .build()
                        .flags(squeue::Flags::IO_HARDLINK),
                    opcode::Close::new(fd).build(),
                ];
                for (step, e) in chain.into_iter().enumerate() {
                    // SAFETY: the name, the slot and the directory outlive
                    // the requests: this function waits for every one of
                    // them, and a ring that failed is never dropped.
                    if unsafe { sq.push(&e.user_data(tag + step as u64)) }.is_err() {
                        return false;
                    }
                }
                sent += STEPS;
            }
        }
        let mut results = [[i32::MIN; STEPS]; FILES];
        let mut done = 0;
        while done < sent {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(_) => return false,
            }
            for cqe in self.ring.completion() {
                let tag = cqe.user_data() as usize;
                results[tag / STEPS][tag % STEPS] = cqe.result();
                done += 1;
            }
        }
        for (i, r) in results.iter().take(files.len()).enumerate() {
            // Opened, read (less than the slot, or exactly its bytes), and
            // the read after them found the end.
            if r[0] >= 0 && r[1] >= 0 && r[2] == 0 {
                self.lens[i] = Some(r[1] as usize);
            }
        }
        true
    }

    /// File `i` of the last [`Batch::read`], when it was read whole.
    pub fn bytes(&self, i: usize) -> Option<&[u8]> {
        let n = (*self.lens.get(i)?)?;
        Some(&self.bufs[i * SLOT..i * SLOT + n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ring's reading of each file of `dir`, by name; `None` where the
    /// caller must read the file the ordinary way. Fails when it takes
    /// more than ten seconds (a request that waits).
    fn ring_read(dir: &Path, names: &[&str]) -> Option<Vec<Option<Vec<u8>>>> {
        let files: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        // The ring is made in the thread that uses it (one issuer).
        Batch::new(dir)?;
        let (tx, rx) = std::sync::mpsc::channel();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let mut b = Batch::new(&dir).unwrap();
            assert!(b.submit(&files), "the ring works");
            let got = (0..files.len())
                .map(|i| b.bytes(i).map(<[u8]>::to_vec))
                .collect();
            tx.send(got).unwrap();
        });
        let wait = std::time::Duration::from_secs(10);
        Some(rx.recv_timeout(wait).expect("the ring never waits"))
    }

    #[test]
    fn whole_small_files_come_back_and_everything_else_is_left() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(p.join("a.pem"), b"abc").unwrap();
        std::fs::write(p.join("empty.pem"), b"").unwrap();
        let fits = vec![7u8; SLOT - 1];
        std::fs::write(p.join("fits.der"), &fits).unwrap();
        std::fs::write(p.join("over.der"), vec![7u8; SLOT]).unwrap();
        std::os::unix::fs::symlink(p.join("a.pem"), p.join("link.pem")).unwrap();
        std::fs::create_dir(p.join("sub")).unwrap();
        // A FIFO with a writer that never writes: a blocking read of it
        // would wait for ever.
        let fifo = p.join("fifo.pem");
        let c = CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let _writer = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo)
            .unwrap();
        let names = [
            "a.pem",
            "empty.pem",
            "fits.der",
            "over.der",
            "link.pem",
            "sub",
            "fifo.pem",
            "gone.pem",
            "a.pem",
        ];
        let Some(got) = ring_read(p, &names) else {
            eprintln!("io_uring is not available here: nothing to test");
            return;
        };
        let want: [Option<&[u8]>; 9] = [
            Some(b"abc"),
            Some(b""),
            Some(&fits),
            None,
            None,
            None,
            None,
            None,
            Some(b"abc"),
        ];
        for ((name, got), want) in names.iter().zip(&got).zip(want) {
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }

    #[test]
    fn a_batch_mostly_left_to_the_ordinary_way_gives_the_ring_up() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.pem"), b"abc").unwrap();
        let mut files = vec![d.path().join("a.pem")];
        for i in 0..2 {
            let link = d.path().join(format!("l{i}.pem"));
            std::os::unix::fs::symlink(d.path().join("a.pem"), &link).unwrap();
            files.push(link);
        }
        let Some(batch) = Batch::new(d.path()) else {
            eprintln!("io_uring is not available here: nothing to test");
            return;
        };
        let batch = batch.read(&files[..2]).expect("one of two is half");
        assert_eq!(batch.bytes(0), Some(&b"abc"[..]));
        assert_eq!(batch.bytes(1), None);
        assert!(batch.read(&files).is_none(), "one of three is less");
    }

    #[test]
    fn slots_are_reused_from_batch_to_batch() {
        let d = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..FILES + 3).map(|i| format!("f{i:03}")).collect();
        for (i, n) in names.iter().enumerate() {
            std::fs::write(d.path().join(n), vec![i as u8; i + 1]).unwrap();
        }
        let Some(mut batch) = Batch::new(d.path()) else {
            eprintln!("io_uring is not available here: nothing to test");
            return;
        };
        let files: Vec<PathBuf> = names.iter().map(|n| d.path().join(n)).collect();
        for round in 0..3 {
            for chunk in files.chunks(FILES) {
                batch = batch.read(chunk).expect("the ring works");
                for (i, f) in chunk.iter().enumerate() {
                    assert_eq!(
                        batch.bytes(i),
                        Some(&std::fs::read(f).unwrap()[..]),
                        "round {round}: {f:?}"
                    );
                }
                assert_eq!(batch.bytes(chunk.len()), None);
            }
        }
    }
}
