//! A forgiving PEM scanner. Real files arrive with text between blocks,
//! CRLF line ends, a UTF-8 byte-order mark, lines indented or quoted with
//! `> ` by a mail client, and now and then a damaged block. The scanner
//! finds every `-----BEGIN X-----` … `-----END X-----` pair, keeps RFC 1421
//! headers (`Proc-Type`, `DEK-Info`) and decodes each body on its own: a
//! broken block is an error for that block only.
//!
//! Before scanning, the text is unfolded ([`unfold`]): CR-only line ends,
//! literal `\n` escapes (PEM pasted into JSON, environment variables or
//! Terraform), boundaries glued together by `cat a.crt b.crt` when a file
//! lacks its last newline, and, when plain reading fails, quoted-printable
//! mail encoding (`=3D`, soft line breaks).
//!
//! Most files need none of that: a fast path (`scan_plain`) reads plain
//! blocks by bytes, with no UTF-8 pass, and hands the file to the tolerant
//! reading at the first thing it does not expect.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// One block of a PEM file. `index` is 1-based, counting every BEGIN line.
pub struct Block {
    pub index: usize,
    pub label: String,
    /// Header lines (`Name: value`) before the body, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded body, or why it could not be decoded.
    pub body: Result<Vec<u8>, String>,
    /// Where the block lies in the bytes scanned, from its BEGIN line to
    /// the end of its END line, when the plain reading read it: scanning
    /// just those bytes again gives the same body (see
    /// [`crate::model::Cert`]'s certificates kept on disk).
    pub at: Option<std::ops::Range<usize>>,
}

/// Everything but `at`, which only says where the block was found.
impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block")
            .field("index", &self.index)
            .field("label", &self.label)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl Block {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// True when the bytes hold at least one BEGIN line, i.e. should be read
/// as PEM text.
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"-----BEGIN ").is_some()
}

/// Strips what mail clients and editors add in front of a line: spaces,
/// tabs and any number of `>` quote marks.
fn clean_line(line: &str) -> &str {
    let mut l = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    while let Some(rest) = l.strip_prefix('>') {
        l = rest.trim_start();
    }
    l
}

/// `-----BEGIN LABEL-----` → `LABEL` (tolerating a missing or short dash run
/// at the end, as mangled by some tools).
fn boundary<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line.strip_prefix("-----")?.strip_prefix(word)?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let label = rest.trim_end_matches('-').trim();
    // A label is a few words; anything longer is data that lost its line
    // breaks, and messages quote only its start.
    Some(match label.char_indices().nth(MAX_LABEL) {
        Some((cut, _)) => &label[..cut],
        None => label,
    })
}

/// Longest label kept (RFC 7468 labels are at most a few words).
const MAX_LABEL: usize = 40;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Every block in `bytes`, in order. Text outside blocks is ignored.
pub fn scan(bytes: &[u8]) -> Vec<Block> {
    scan_plain(bytes, 0).unwrap_or_else(|| scan_tolerant(bytes, 0, false))
}

/// The blocks of one piece of a file read in pieces (each cut right after
/// an END line, see [`last_cut`]), numbered after the `before` blocks of
/// the pieces before it. The file holds a BEGIN line, so boundaries are
/// put on lines of their own as [`scan`] would for the whole file.
pub(crate) fn scan_piece(bytes: &[u8], before: usize) -> Vec<Block> {
    scan_plain(bytes, before).unwrap_or_else(|| scan_tolerant(bytes, before, true))
}

/// The first piece of a file read in pieces when it is plain PEM (see
/// `scan_plain`), else `None`: the whole file must then be read at once.
pub(crate) fn scan_plain_piece(bytes: &[u8]) -> Option<Vec<Block>> {
    scan_plain(bytes, 0)
}

/// True when the fast path gives what the tolerant reading gives, or
/// leaves `bytes` to it. The fuzz target checks it on every input.
pub fn fast_path_agrees(bytes: &[u8]) -> bool {
    scan_plain(bytes, 0).is_none_or(|fast| {
        let slow = scan_tolerant(bytes, 0, false);
        format!("{fast:?}") == format!("{slow:?}")
    })
}

/// The tolerant reading: a UTF-8 (lossy) pass, unfolding, line by line.
fn scan_tolerant(bytes: &[u8], before: usize, has_begin: bool) -> Vec<Block> {
    let text = String::from_utf8_lossy(bytes);
    let blocks = scan_text(&unfold(&text, has_begin), before);
    if blocks.iter().all(|b| b.body.is_ok()) || !looks_quoted_printable(&text) {
        return blocks;
    }
    // Quoted-printable only when plain reading failed: a base64 body ends
    // in `=` padding, which would read as a soft line break.
    let decoded = scan_text(&unfold(&decode_quoted_printable(&text), has_begin), before);
    let good = |b: &[Block]| b.iter().filter(|b| b.body.is_ok()).count();
    if good(&decoded) > good(&blocks) {
        decoded
    } else {
        blocks
    }
}

/// The fast path, by bytes: the blocks of `bytes` when every one is plain
/// and decodes (a BEGIN line at the start of a line, base64 lines with LF
/// or CRLF ends, the same END label) and no backslash appears anywhere;
/// `None` when anything needs the tolerant reading, which then gives
/// exactly what it always gave. Text between blocks is skipped unread.
fn scan_plain(bytes: &[u8], before: usize) -> Option<Vec<Block>> {
    // A backslash may be a `\n` escape, which changes the whole file.
    if memchr::memchr(b'\\', bytes).is_some() {
        return None;
    }
    let begin = memchr::memmem::Finder::new(b"-----BEGIN");
    let mut blocks = Vec::new();
    let mut compact = Vec::new();
    let mut pos = 0;
    while let Some(found) = begin.find(&bytes[pos..]) {
        let start = pos + found;
        if start > 0 && bytes[start - 1] != b'\n' {
            return None;
        }
        let (line, mut at) = line_at(bytes, start);
        let label = armour(line, b"-----BEGIN ")?;
        compact.clear();
        loop {
            if at >= bytes.len() {
                return None;
            }
            let (line, next) = line_at(bytes, at);
            at = next;
            if line.starts_with(b"-----END") {
                if armour(line, b"-----END ")? != label {
                    return None;
                }
                break;
            }
            // Anything but base64 (spaces, quotes, headers) fails the decode.
            compact.extend_from_slice(line);
        }
        if compact.is_empty() {
            return None;
        }
        let mut der = Vec::with_capacity(compact.len() / 4 * 3 + 3);
        ENGINE.decode_vec(&compact, &mut der).ok()?;
        blocks.push(Block {
            index: before + blocks.len() + 1,
            label: String::from_utf8_lossy(label).into_owned(),
            headers: Vec::new(),
            body: Ok(der),
            at: Some(start..at),
        });
        pos = at;
    }
    Some(blocks)
}

/// The line starting at `start` without its LF or CRLF end, and where the
/// next line starts.
fn line_at(bytes: &[u8], start: usize) -> (&[u8], usize) {
    let (line, next) = match memchr::memchr(b'\n', &bytes[start..]) {
        Some(n) => (&bytes[start..start + n], start + n + 1),
        None => (&bytes[start..], bytes.len()),
    };
    (line.strip_suffix(b"\r").unwrap_or(line), next)
}

/// `-----BEGIN LABEL-----` (with `word` = `-----BEGIN `) → `LABEL`, for a
/// plain label only: capitals, digits, `#` and inner spaces, as
/// [`boundary`] would read it.
fn armour<'a>(line: &'a [u8], word: &[u8]) -> Option<&'a [u8]> {
    let label = line.strip_prefix(word)?.strip_suffix(b"-----")?;
    let plain = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, b' ' | b'#');
    (label.len() <= MAX_LABEL
        && label.first().is_some_and(|&c| c != b' ')
        && label.last().is_some_and(|&c| c != b' ')
        && label.iter().all(plain))
    .then_some(label)
}

/// Where to cut `bytes` so that the part before holds only whole blocks:
/// just after the last plain END line (one that every reading of the file
/// takes as an END line, so no block is open after it), or `None`.
pub(crate) fn last_cut(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memmem::FinderRev::new(b"-----END ");
    let mut upto = bytes.len();
    while let Some(start) = end.rfind(&bytes[..upto]) {
        upto = start;
        let at_line_start = start == 0 || bytes[start - 1] == b'\n';
        if at_line_start && memchr::memchr(b'\n', &bytes[start..]).is_some() {
            let (line, next) = line_at(bytes, start);
            if armour(line, b"-----END ").is_some() {
                return Some(next);
            }
        }
    }
    None
}

/// Line ends made `\n`, literal `\n` escapes made line ends, and each
/// BEGIN/END boundary put on a line of its own.
fn unfold(text: &str, has_begin: bool) -> String {
    let mut t = text.replace("\r\n", "\n").replace('\r', "\n");
    if t.contains("\\n") {
        // A base64 body never holds a backslash, so these are escapes.
        t = t
            .replace("\\r\\n", "\n")
            .replace("\\n", "\n")
            .replace("\\/", "/");
    }
    if !has_begin && !t.contains("-----BEGIN ") {
        return t;
    }
    let t = t
        .replace("-----BEGIN ", "\n-----BEGIN ")
        .replace("-----END ", "\n-----END ");
    let mut out = String::with_capacity(t.len() + 16);
    for line in t.split_inclusive('\n') {
        out.push_str(&break_after_boundary(line));
    }
    out
}

/// A boundary line with text after its closing dashes (`-----END X-----"`
/// from JSON, or anything glued on) is split after the dashes.
fn break_after_boundary(line: &str) -> std::borrow::Cow<'_, str> {
    let word = if line.starts_with("-----BEGIN ") {
        11
    } else if line.starts_with("-----END ") {
        9
    } else {
        return line.into();
    };
    let Some(close) = line[word..].find("-----") else {
        return line.into();
    };
    let after = word + close;
    let end = after + line[after..].len() - line[after..].trim_start_matches('-').len();
    if line[end..].trim().is_empty() {
        return line.into();
    }
    format!("{}\n{}", &line[..end], &line[end..]).into()
}

/// `=3D`, `=20` or a soft line break next to base64: a mail attachment
/// in quoted-printable encoding.
fn looks_quoted_printable(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains("=3D")
        || upper.contains("=20")
        || upper.contains("=09")
        || text.contains("=\n")
        || text.contains("=\r\n")
}

/// RFC 2045 §6.7 quoted-printable decoding; bytes that are not valid
/// escapes are kept as they are.
fn decode_quoted_printable(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if b[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn scan_text(text: &str, before: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;

    struct Open {
        index: usize,
        label: String,
        headers: Vec<(String, String)>,
        body: String,
        in_headers: bool,
    }

    let mut count = before;
    let finish = |o: Open, body: Result<Vec<u8>, String>| Block {
        index: o.index,
        label: o.label,
        headers: o.headers,
        body,
        at: None,
    };

    for raw in text.split('\n') {
        let line = clean_line(raw);
        if let Some(label) = boundary(line, "BEGIN") {
            if let Some(o) = open.take() {
                blocks.push(finish(
                    o,
                    Err("the block has no END line before the next BEGIN".into()),
                ));
            }
            count += 1;
            open = Some(Open {
                index: count,
                label: label.to_string(),
                headers: Vec::new(),
                body: String::new(),
                in_headers: true,
            });
            continue;
        }
        let Some(o) = open.as_mut() else { continue };
        if let Some(label) = boundary(line, "END") {
            let o = open.take().expect("a block is open");
            let body = if label != o.label {
                Err(format!(
                    "BEGIN {} is closed by END {label}",
                    if o.label.is_empty() {
                        "(no label)"
                    } else {
                        &o.label
                    }
                ))
            } else {
                decode(&o.body)
            };
            blocks.push(finish(o, body));
            continue;
        }
        if o.in_headers {
            if let Some((name, value)) = line.split_once(':') {
                o.headers
                    .push((name.trim().to_string(), value.trim().to_string()));
                continue;
            }
            if line.is_empty() {
                continue;
            }
            // A header continuation line starts with whitespace in the raw text.
            if !o.headers.is_empty() && raw.starts_with([' ', '\t']) && !line.chars().all(is_b64) {
                if let Some(last) = o.headers.last_mut() {
                    last.1.push_str(line);
                }
                continue;
            }
            o.in_headers = false;
        }
        o.body.push_str(line);
    }
    if let Some(o) = open.take() {
        blocks.push(finish(o, Err("the block has no END line".into())));
    }
    blocks
}

fn is_b64(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='
}

fn decode(body: &str) -> Result<Vec<u8>, String> {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some((pos, c)) = compact.char_indices().find(|&(_, c)| !is_b64(c)) {
        return Err(format!(
            "the base64 body has a stray {c:?} at character {}",
            pos + 1
        ));
    }
    if compact.is_empty() {
        return Err("the block is empty".into());
    }
    ENGINE
        .decode(compact.as_bytes())
        .map_err(|e| format!("the base64 body is broken ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "MIIBCgKCAQEA";

    #[test]
    fn junk_crlf_bom_quotes_and_indent() {
        let text = format!(
            "\u{feff}Hello, here are the files\r\n> -----BEGIN CERTIFICATE-----\r\n> {BODY}\r\n> -----END CERTIFICATE-----\r\n\r\nthanks\n    -----BEGIN X509 CERTIFICATE-----\n    {BODY}\n    -----END X509 CERTIFICATE-----\n> > -----BEGIN PRIVATE KEY-----\n> > {BODY}\n> > -----END PRIVATE KEY-----\n"
        );
        let b = scan(text.as_bytes());
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].label, "CERTIFICATE");
        assert_eq!(b[1].label, "X509 CERTIFICATE");
        assert_eq!(b[2].label, "PRIVATE KEY");
        let want = ENGINE.decode(BODY).unwrap();
        for blk in &b {
            assert_eq!(blk.body.as_ref().unwrap(), &want);
        }
        assert_eq!(b[2].index, 3);
    }

    #[test]
    fn broken_block_does_not_hide_the_next() {
        let text = format!(
            "-----BEGIN CERTIFICATE-----\nM*IB\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n{BODY}\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n{BODY}\n"
        );
        let b = scan(text.as_bytes());
        assert_eq!(b.len(), 3);
        assert!(b[0].body.as_ref().unwrap_err().contains("stray '*'"));
        assert!(b[1].body.is_ok());
        assert!(b[2].body.as_ref().unwrap_err().contains("no END"));
    }

    #[test]
    fn legacy_headers() {
        let text = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n{BODY}\n-----END RSA PRIVATE KEY-----\n"
        );
        let b = scan(text.as_bytes());
        assert_eq!(b[0].header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(
            b[0].header("DEK-Info"),
            Some("AES-256-CBC,00112233445566778899AABBCCDDEEFF")
        );
        assert!(b[0].body.is_ok());
    }

    fn one_body(text: &str, n: usize) {
        let b = scan(text.as_bytes());
        assert_eq!(b.len(), n, "{text:?}: {b:?}");
        for blk in &b {
            assert_eq!(blk.label, "CERTIFICATE");
            assert!(blk.body.is_ok(), "{text:?}: {blk:?}");
        }
    }

    #[test]
    fn glued_boundaries_escaped_newlines_and_cr_only() {
        one_body(
            &format!(
                "-----BEGIN CERTIFICATE-----\n{BODY}\n-----END CERTIFICATE----------BEGIN CERTIFICATE-----\n{BODY}\n-----END CERTIFICATE-----"
            ),
            2,
        );
        one_body(
            &format!(
                "{{\"cert\": \"-----BEGIN CERTIFICATE-----\\n{BODY}\\n-----END CERTIFICATE-----\\n\"}}"
            ),
            1,
        );
        one_body(
            &format!("-----BEGIN CERTIFICATE-----\r{BODY}\r{BODY}\r-----END CERTIFICATE-----\r"),
            1,
        );
        // Everything on one line, no escapes at all.
        one_body(
            &format!("-----BEGIN CERTIFICATE----- {BODY} -----END CERTIFICATE-----"),
            1,
        );
    }

    #[test]
    fn quoted_printable_attachment() {
        let text =
            "-----BEGIN CERTIFICATE-----=0A\nMIIBCg=\nKCAQ=3D=3D\n-----END CERTIFICATE-----=20\n";
        let b = scan(text.as_bytes());
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].body.as_ref().unwrap(),
            &ENGINE.decode("MIIBCgKCAQ==").unwrap()
        );
        // Padding that merely looks like a soft break stays as it is.
        let plain = "-----BEGIN CERTIFICATE-----\nMIIBCgKCAQ==\n-----END CERTIFICATE-----\n";
        assert!(scan(plain.as_bytes())[0].body.is_ok());
    }

    #[test]
    fn a_lost_line_break_is_not_quoted_whole() {
        let long = "A".repeat(2000);
        let text = format!("-----BEGIN CERTIFICATE{long}\n");
        let b = scan(text.as_bytes());
        assert!(b[0].label.len() <= MAX_LABEL, "{}", b[0].label);
    }

    #[test]
    fn mismatched_end_is_reported() {
        let text = format!("-----BEGIN CERTIFICATE-----\n{BODY}\n-----END PRIVATE KEY-----\n");
        let b = scan(text.as_bytes());
        assert!(b[0].body.as_ref().unwrap_err().contains("closed by END"));
    }

    #[test]
    fn the_fast_path_answers_plain_files_and_agrees() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/examples/");
        let crt = std::fs::read_to_string(format!("{dir}salesforce-client/client.crt")).unwrap();
        let quoted = std::fs::read_to_string(format!("{dir}salesforce-client/ca-bundle.txt"));
        let plain = format!("junk = 1\n{crt}-----END X-----\n{crt}");
        // Plain files take the fast path, LF or CRLF.
        for text in [plain.clone(), plain.replace('\n', "\r\n")] {
            let fast = scan_plain(text.as_bytes(), 0).expect("plain");
            assert_eq!(fast.len(), 2);
            assert!(fast_path_agrees(text.as_bytes()));
        }
        // Anything unusual is left to the tolerant reading.
        for odd in [
            quoted.unwrap(),
            format!("  {crt}"),
            crt.replace('\n', "\r"),
            format!("\u{feff}{crt}"),
            crt.replace("-----\n", "----- \n"),
            crt.replace("END CERTIFICATE", "END PRIVATE KEY"),
            format!("{crt}-----BEGIN CERTIFICATE-----\n{BODY}"),
            format!("{crt}C:\\certs"),
            crt.replace("-----\nMII", "-----\nProc-Type: 4,ENCRYPTED\n\nMII"),
            format!("{crt}-----BEGIN CERTIFICATE-----\nM*IB\n-----END CERTIFICATE-----\n"),
            "-----BEGIN certificate-----\nMAA=\n-----END certificate-----\n".into(),
        ] {
            assert!(scan_plain(odd.as_bytes(), 0).is_none(), "{odd}");
        }
    }
}
