//! Big PEM files parsed while they are read: a pool of a million
//! certificates is half a gigabyte of text, which need not sit in memory
//! whole.
//! The bytes are cut after END lines into pieces of about a chunk; each
//! piece is scanned (`pem::scan_piece`) and its blocks added before the
//! next is read. Numbering, messages and results are those of
//! [`parse_source`](super::parse_source) on the whole file.

use super::{Inventory, Passwords, add_block, parse_pem, pem};

/// Why [`parse_pem_stream`] stopped before the end of its input. What was
/// read before that point stays in the inventory.
#[derive(Debug)]
pub enum StreamStop {
    /// More than the limit arrived.
    TooLarge,
    Read(std::io::Error),
}

/// True when `first`, the first bytes of a file, show PEM text that
/// [`parse_pem_stream`] reads as [`parse_source`](super::parse_source) reads the whole file.
pub fn streams_as_pem(first: &[u8]) -> bool {
    let not_utf16 = !first.starts_with(&[0xff, 0xfe]) && !first.starts_with(&[0xfe, 0xff]);
    not_utf16 && pem::looks_like_pem(first)
}

/// Reads PEM text piece by piece: `first` (bytes already read, for which
/// [`streams_as_pem`] holds), then `reader` in reads of about `chunk`
/// bytes, at most `limit` bytes in all. Each run of whole blocks (cut after
/// an END line) is scanned and added while the rest is still being read,
/// so a file of a million certificates never sits in memory whole. Blocks
/// are numbered, and read, as [`parse_source`](super::parse_source) does for the whole file
/// (when the first piece is not plain PEM, the whole file is read and
/// given to it). Two rare choices are made per piece instead of for the
/// whole file: the quoted-printable retry when a block is damaged, and
/// whether `\/` is a JSON escape (it is when the piece holds a `\n`).
pub fn parse_pem_stream(
    first: Vec<u8>,
    reader: &mut dyn std::io::Read,
    limit: u64,
    chunk: usize,
    name: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) -> std::result::Result<(), StreamStop> {
    stream(first, reader, None, limit, chunk, name, passwords, inv)
}

/// [`parse_pem_stream`] over a regular file read from its start, `first`
/// being its first bytes: when [`crate::model::keep_der_on_disk`] was
/// asked for, each certificate of a plain CERTIFICATE block keeps only
/// where it lies in `file`, not its DER.
pub fn parse_pem_file(
    first: Vec<u8>,
    file: &std::fs::File,
    limit: u64,
    chunk: usize,
    name: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) -> std::result::Result<(), StreamStop> {
    let reread = crate::model::Reread::of(file, name);
    let mut reader = file;
    stream(
        first,
        &mut reader,
        reread.as_ref(),
        limit,
        chunk,
        name,
        passwords,
        inv,
    )
}

#[allow(clippy::too_many_arguments)]
fn stream(
    first: Vec<u8>,
    reader: &mut dyn std::io::Read,
    reread: Option<&std::sync::Arc<crate::model::Reread>>,
    limit: u64,
    chunk: usize,
    name: &str,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) -> std::result::Result<(), StreamStop> {
    let mut total = first.len() as u64;
    let mut buf = first;
    // The offset in the file of `buf[0]`.
    let mut base = 0u64;
    if buf.starts_with(b"\xef\xbb\xbf") {
        buf.drain(..3);
        base = 3;
    }
    let mut start = 0; // where the unscanned bytes begin
    let mut need = chunk; // unscanned bytes wanted before looking for a cut
    let mut before = 0; // blocks read so far
    let mut first_piece = true;
    let mut eof = false;
    loop {
        while !eof && buf.len() - start < need {
            buf.drain(..start);
            base += start as u64;
            start = 0;
            let n = read_some(reader, &mut buf, chunk).map_err(StreamStop::Read)?;
            total += n as u64;
            if total > limit {
                return Err(StreamStop::TooLarge);
            }
            eof = n == 0;
        }
        let piece = &buf[start..];
        let cut = if eof {
            piece.len()
        } else if let Some(cut) = pem::last_cut(piece) {
            cut
        } else {
            // No END line yet (a block longer than a chunk): read on.
            need = piece.len() + chunk;
            continue;
        };
        need = chunk;
        let piece = &piece[..cut];
        let blocks = if first_piece {
            first_piece = false;
            match pem::scan_plain_piece(piece) {
                Some(blocks) => blocks,
                None => {
                    // Not plain PEM from the start: read the whole file
                    // and give it to the tolerant reading, as before.
                    use std::io::Read;
                    let n = (&mut *reader)
                        .take(limit + 1 - total)
                        .read_to_end(&mut buf)
                        .map_err(StreamStop::Read)?;
                    if total + n as u64 > limit {
                        return Err(StreamStop::TooLarge);
                    }
                    parse_pem(&buf, name, passwords, inv);
                    return Ok(());
                }
            }
        } else {
            pem::scan_piece(piece, before)
        };
        let piece_at = base + start as u64;
        start += cut;
        before += blocks.len();
        for block in blocks {
            match (reread, block.at.clone()) {
                (Some(file), Some(at)) if block.label == "CERTIFICATE" => {
                    let (had, len) = (inv.certs.len(), block.body.as_ref().map_or(0, Vec::len));
                    add_block(block, name, passwords, inv);
                    // One new certificate whose DER is the block's body
                    // (not a PKCS#7 bundle under that label).
                    if inv.certs.len() == had + 1
                        && let Some(c) = inv.certs.last_mut()
                        && c.der().len() == len
                    {
                        c.keep_on_disk(file, piece_at + at.start as u64, at.len());
                    }
                }
                _ => add_block(block, name, passwords, inv),
            }
        }
        if eof && start == buf.len() {
            return Ok(());
        }
    }
}

/// One `read()` of up to `want` bytes appended to `buf`, retried when
/// interrupted; 0 at the end.
fn read_some(
    reader: &mut dyn std::io::Read,
    buf: &mut Vec<u8>,
    want: usize,
) -> std::io::Result<usize> {
    let old = buf.len();
    buf.resize(old + want, 0);
    let got = loop {
        match reader.read(&mut buf[old..]) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    buf.truncate(old + *got.as_ref().unwrap_or(&0));
    got
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;
    use crate::parse::{NoPasswords, parse_source};

    fn example(name: &str) -> String {
        let path = format!("{}/testdata/examples/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    /// Everything a reading gave, in order, as text.
    fn summary(inv: &Inventory) -> String {
        let mut out = String::new();
        for c in &inv.certs {
            writeln!(out, "cert {} {:?}", hex::encode(c.id().0), c.origins).unwrap();
        }
        for k in &inv.keys {
            writeln!(out, "key {:?} {:?}", k.format, k.origins).unwrap();
        }
        for d in &inv.dropped {
            writeln!(out, "dropped {d:?}").unwrap();
        }
        for p in &inv.problems {
            writeln!(out, "problem {p}").unwrap();
        }
        out
    }

    fn whole(bytes: &[u8]) -> String {
        let mut inv = Inventory::default();
        parse_source(bytes, "f.pem", None, &NoPasswords, &mut inv);
        summary(&inv)
    }

    fn streamed(bytes: &[u8], chunk: usize, limit: u64) -> Result<String, StreamStop> {
        let mut inv = Inventory::default();
        let n = chunk.min(bytes.len());
        let mut rest = &bytes[n..];
        let read = parse_pem_stream(
            bytes[..n].to_vec(),
            &mut rest,
            limit,
            chunk,
            "f.pem",
            &NoPasswords,
            &mut inv,
        );
        read.map(|()| summary(&inv))
    }

    /// Plain pools and messy files alike: every chunk size gives what the
    /// whole file gives, block numbers and messages included.
    #[test]
    fn pieces_read_as_the_whole_file() {
        let (crt, root) = (
            example("salesforce-client/client.crt"),
            example("root-ca.pem"),
        );
        let key = example("salesforce-client/client.key");
        let quoted = example("salesforce-client/ca-bundle.txt");
        let plain = format!("{crt}subject=CN = x\n# a comment = 20 \n{root}\n\n{crt}{key}");
        let crlf = plain.replace('\n', "\r\n");
        let indented = crt
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>();
        let broken = "-----BEGIN CERTIFICATE-----\nM*IB\n-----END CERTIFICATE-----\n";
        let mismatched = "-----BEGIN CERTIFICATE-----\nMIIBCgKCAQEA\n-----END PRIVATE KEY-----\n";
        let glued = format!("{}{root}", crt.trim_end());
        let json = format!(
            "{{\"pem\": \"{}\"}}\n",
            root.trim_end().replace('\n', "\\n").replace('/', "\\/")
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIBCgKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        let csr = "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
        let unterminated = format!("{}\n", &crt[..200]);
        let mixed = [
            plain.as_str(),
            &quoted,
            &crt,
            &indented,
            broken,
            &root,
            mismatched,
            &glued,
            &json,
            legacy,
            csr,
            &crlf,
            &unterminated,
        ]
        .concat();
        let qp =
            "-----BEGIN CERTIFICATE-----=0A\nMIIBCg=\nKCAQ=3D=3D\n-----END CERTIFICATE-----=20\n";
        let cr_only = plain.replace('\n', "\r");
        let bom = format!("\u{feff}{plain}");
        let cases = [
            ("plain", plain.clone()),
            ("crlf", crlf.clone()),
            ("mixed", mixed.clone()),
            ("messy first", format!("{quoted}{plain}")),
            ("quoted-printable", format!("{qp}{plain}")),
            ("cr only", cr_only),
            ("bom", bom),
            (
                "junk only after",
                format!("{plain}thanks -----END X-----\nbye"),
            ),
        ];
        for (what, text) in cases {
            let want = whole(text.as_bytes());
            assert!(want.contains("cert "), "{what}: {want}");
            for chunk in [13, 64, 500, 4096, text.len() + 1] {
                let got = streamed(text.as_bytes(), chunk, u64::MAX / 2).unwrap();
                assert_eq!(got, want, "{what}, chunk {chunk}");
            }
        }
    }

    #[test]
    fn reading_stops_past_the_limit() {
        let text = example("salesforce-client/client.crt").repeat(50);
        let len = text.len() as u64;
        for chunk in [100, 4096, text.len() + 1] {
            assert!(streamed(text.as_bytes(), chunk, len).is_ok());
            let over = streamed(text.as_bytes(), chunk, len - 1);
            assert!(matches!(over, Err(StreamStop::TooLarge)), "{chunk}");
        }
        // The messy first piece is read whole, under the same limit.
        let messy = format!("  {text}");
        assert!(matches!(
            streamed(messy.as_bytes(), 100, len),
            Err(StreamStop::TooLarge)
        ));
    }

    #[test]
    fn utf16_is_left_to_the_whole_reading() {
        assert!(streams_as_pem(b"-----BEGIN CERTIFICATE-----\n"));
        assert!(!streams_as_pem(b"\xff\xfe-\x00-\x00-\x00"));
        assert!(!streams_as_pem(b"no armour here"));
    }

    fn reread_failed(e: &crate::error::Error) -> ! {
        panic!("read again after a change: {e}")
    }

    /// A file read through `parse_pem_file`, in pieces of 64 bytes.
    fn read_file(path: &std::path::Path) -> Inventory {
        use std::io::Read;
        let mut f = std::fs::File::open(path).unwrap();
        let mut first = vec![0; 10];
        f.read_exact(&mut first).unwrap();
        let mut inv = Inventory::default();
        parse_pem_file(
            first,
            &f,
            u64::MAX / 2,
            64,
            "pool.pem",
            &NoPasswords,
            &mut inv,
        )
        .unwrap();
        inv
    }

    /// Certificates kept on disk read as the whole file does, come back
    /// as they were, survive a file renamed over theirs, and a change in
    /// place is an error naming the file and the block, never other bytes.
    #[test]
    fn certificates_kept_on_disk_are_read_back_and_checked() {
        use std::io::Write;
        crate::model::keep_der_on_disk(reread_failed);
        let text = [
            example("salesforce-client/client.crt"),
            example("salesforce-client/client.key"),
            example("root-ca.pem"),
        ]
        .concat();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pool.pem");
        std::fs::write(&path, &text).unwrap();
        let whole = {
            let mut inv = Inventory::default();
            parse_source(text.as_bytes(), "pool.pem", None, &NoPasswords, &mut inv);
            inv
        };

        let inv = read_file(&path);
        assert_eq!(summary(&inv), summary(&whole));
        assert_eq!(inv.certs.len(), 2);
        assert!(inv.certs.iter().all(|c| c.unread_key_bits().is_some()));
        // The name hashes kept stand for the names, before reading back.
        let hashes = |c: &crate::model::Cert| (c.subject_hash(), c.issuer_hash());
        let (kept, made): (Vec<_>, Vec<_>) = (
            inv.certs.iter().map(hashes).collect(),
            whole.certs.iter().map(hashes).collect(),
        );
        assert_eq!(kept, made);
        assert!(inv.certs.iter().all(|c| c.unread_key_bits().is_some()));
        assert!(inv.keys[0].matches(&inv.certs[0]) && !inv.keys[0].matches(&inv.certs[1]));
        for (a, b) in inv.certs.iter().zip(&whole.certs) {
            assert_eq!((a.der(), a.subject()), (b.der(), b.subject()));
            let keys = |c: &crate::model::Cert| {
                let ids = [c.subject_key_id(), c.authority_key_id()].map(|k| k.map(<[u8]>::to_vec));
                (
                    c.subject_key().to_vec(),
                    c.issuer_key().to_vec(),
                    c.is_self_issued(),
                    ids,
                )
            };
            assert_eq!(keys(a), keys(b));
        }

        // Renamed over: the file opened is the one read again.
        let inv = read_file(&path);
        let other = dir.path().join("other.pem");
        std::fs::write(&other, example("root-ca.pem")).unwrap();
        std::fs::rename(&other, &path).unwrap();
        inv.load_needed().unwrap();
        assert!(inv.certs.iter().all(|c| c.load().is_ok()));
        assert_eq!(inv.certs[1].der(), whole.certs[1].der());

        // Changed in place, same length: block 1 is another certificate now.
        std::fs::write(&path, &text).unwrap();
        let inv = read_file(&path);
        let changed = text.replacen("MII", "MIJ", 1);
        assert_eq!(changed.len(), text.len());
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(changed.as_bytes()).unwrap();
        let e = inv.certs[0].load().unwrap_err().to_string();
        assert!(
            e.contains("pool.pem changed while chainfix was reading it")
                && e.contains("pool.pem:1 is no longer there"),
            "{e}"
        );
        assert!(inv.certs[1].load().is_ok());
        // The key's certificate is needed: load_needed says so.
        std::fs::write(&path, &text).unwrap();
        let inv = read_file(&path);
        std::fs::write(&path, &changed).unwrap();
        let r = inv.load_needed();
        assert!(
            matches!(r, Err(crate::error::Error::ChangedWhileRead { .. })),
            "{r:?}"
        );

        // Shorter now.
        std::fs::write(&path, &text).unwrap();
        let inv = read_file(&path);
        f.set_len(text.len() as u64 / 2).unwrap();
        let e = inv.certs[1].load().unwrap_err().to_string();
        assert!(e.contains("it is shorter now"), "{e}");
    }
}
