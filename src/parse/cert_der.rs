//! The shallow walk of an X.509 certificate: one pass over the DER that
//! finds what indexing needs (issuer, validity, subject, public key, and
//! the subject/authority key identifiers and basicConstraints) as byte
//! ranges, without building x509-parser's full view (which costs ~5 µs
//! a certificate and most of the time of a 100,000-certificate pool).
//!
//! The walk is **stricter than x509-parser, never looser**: every element
//! it accepts is DER with minimal definite lengths and one-byte tags, every
//! constructed element is consumed exactly, names and algorithm parameters
//! are checked all the way down, and the extensions it reads (SKI, AKI,
//! basicConstraints) must occur once, in their plain form. Anything else
//! gives `None`, and the caller hands the certificate to x509-parser,
//! which then decides, and words the error, exactly as before. So a
//! certificate the walk accepts is one x509-parser accepts too, with the
//! same fields (a test compares both over every certificate in testdata/
//! and x509-limbo, and over single-byte corruptions of them), and the full
//! parse later made on demand ([`crate::model::Cert::parsed`]) cannot fail.

use std::ops::Range;

/// Where a part lies in the certificate's DER.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn of<'a>(&self, der: &'a [u8]) -> &'a [u8] {
        &der[self.range()]
    }
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
    /// The span of `part`, a slice of `whole`.
    pub fn within(whole: &[u8], part: &[u8]) -> Span {
        let start = part.as_ptr() as usize - whole.as_ptr() as usize;
        Span {
            start: start as u32,
            end: (start + part.len()) as u32,
        }
    }
}

/// What the walk found. Names and the public key are whole elements
/// (tag, length, content); the key identifiers are the identifier bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    pub issuer: Span,
    pub subject: Span,
    pub spki: Span,
    pub ski: Option<Span>,
    pub aki: Option<Span>,
    pub not_before: i64,
    pub not_after: i64,
    pub is_ca: bool,
}

/// One DER element: identifier octet, content, whole encoding.
#[derive(Clone, Copy)]
struct El<'a> {
    tag: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// Reads one element: a one-byte tag and a minimal definite length.
fn el(input: &[u8]) -> Option<(El<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = match first {
        0..=0x7f => first as usize,
        0x81..=0x84 => {
            let n = (first & 0x7f) as usize;
            let bytes = rest.get(..n)?;
            rest = &rest[n..];
            let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | b as usize);
            // Minimal: no leading zero octet, and the short form when it fits.
            if bytes[0] == 0 || len < 0x80 {
                return None;
            }
            len
        }
        _ => return None,
    };
    let content = rest.get(..len)?;
    let head = input.len() - rest.len();
    Some((
        El {
            tag,
            content,
            raw: &input[..head + len],
        },
        &rest[len..],
    ))
}

/// Reads one element that must carry `tag`.
fn want(input: &[u8], tag: u8) -> Option<(El<'_>, &[u8])> {
    el(input).filter(|(e, _)| e.tag == tag)
}

/// The content of `input` read as exactly one element with `tag`.
fn only(input: &[u8], tag: u8) -> Option<El<'_>> {
    want(input, tag)
        .filter(|(_, r)| r.is_empty())
        .map(|(e, _)| e)
}

/// Every element below `content`, to the bottom, well formed.
fn tree(mut content: &[u8], depth: usize) -> Option<()> {
    if depth > 16 {
        return None;
    }
    while !content.is_empty() {
        let (e, r) = el(content)?;
        if e.tag & 0x20 != 0 {
            tree(e.content, depth + 1)?;
        }
        content = r;
    }
    Some(())
}

/// An OBJECT IDENTIFIER content: non-empty, minimal sub-identifiers.
fn oid_ok(c: &[u8]) -> bool {
    !c.is_empty()
        && c.last().is_some_and(|&b| b & 0x80 == 0)
        && c.iter()
            .enumerate()
            .all(|(i, &b)| b != 0x80 || (i > 0 && c[i - 1] & 0x80 != 0))
}

fn oid(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (e, r) = want(input, 0x06)?;
    oid_ok(e.content).then_some((e.content, r))
}

/// BIT STRING content in DER: unused-bit count 0–7, padding bits zero.
fn bits_ok(c: &[u8]) -> bool {
    match c {
        [] => false,
        [u] => *u == 0,
        [u, .., last] => *u <= 7 && last & ((1u16 << u) - 1) as u8 == 0,
    }
}

/// AlgorithmIdentifier: an OID and at most one well-formed parameter.
fn algorithm(input: &[u8]) -> Option<&[u8]> {
    let (seq, rest) = want(input, 0x30)?;
    let (_, params) = oid(seq.content)?;
    if !params.is_empty() {
        let (p, r) = el(params)?;
        if !r.is_empty() || (p.tag & 0x20 != 0 && tree(p.content, 0).is_none()) {
            return None;
        }
    }
    Some(rest)
}

/// A Name: RDNs, each a non-empty SET of (OID, primitive value).
fn name(input: &[u8]) -> Option<(El<'_>, &[u8])> {
    let (seq, rest) = want(input, 0x30)?;
    let mut rdns = seq.content;
    while !rdns.is_empty() {
        let (set, r) = want(rdns, 0x31)?;
        if set.content.is_empty() {
            return None;
        }
        let mut atvs = set.content;
        while !atvs.is_empty() {
            let (atv, r) = want(atvs, 0x30)?;
            let (_, value) = oid(atv.content)?;
            let (v, end) = el(value)?;
            if v.tag & 0x20 != 0 || !end.is_empty() {
                return None;
            }
            atvs = r;
        }
        rdns = r;
    }
    Some((seq, rest))
}

/// UTCTime or GeneralizedTime as x509-parser reads it, in Unix seconds.
/// The usual forms (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`) are read here;
/// any other goes to x509-parser's own reader.
fn time(input: &[u8]) -> Option<(i64, &[u8])> {
    use x509_parser::prelude::FromDer;
    let (e, rest) = el(input)?;
    let plain = match (e.tag, e.content) {
        (0x17, [y @ .., b'Z']) if y.len() == 12 => digits(y).map(|mut d| {
            // X.680: two-digit years 50–99 are 19xx, 00–49 are 20xx.
            d[0] += if d[0] >= 50 { 1900 } else { 2000 };
            d
        }),
        (0x18, [y0, y1, y @ .., b'Z']) if y.len() == 12 => {
            digits::<1>(&[*y0, *y1]).zip(digits(y)).map(|(c, mut d)| {
                d[0] += c[0] * 100;
                d
            })
        }
        (0x17 | 0x18, _) => None,
        _ => return None,
    };
    if let Some(t) = plain.and_then(|[y, mo, d, h, mi, s]| unix_time(y, mo, d, h, mi, s)) {
        return Some((t, rest));
    }
    let (r, t) = x509_parser::time::ASN1Time::from_der(e.raw).ok()?;
    r.is_empty().then(|| (t.timestamp(), rest))
}

/// Pairs of ASCII digits as numbers.
fn digits<const N: usize>(b: &[u8]) -> Option<[i64; N]> {
    let mut out = [0i64; N];
    if b.len() != 2 * N {
        return None;
    }
    for (i, pair) in b.chunks_exact(2).enumerate() {
        let (t, u) = (pair[0].wrapping_sub(b'0'), pair[1].wrapping_sub(b'0'));
        if t > 9 || u > 9 || i >= N {
            return None;
        }
        out[i] = i64::from(t * 10 + u);
    }
    Some(out)
}

/// Seconds since 1970 of a valid UTC calendar time, else `None`.
fn unix_time(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=9999).contains(&y) || !(1..=12).contains(&mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    if d < 1 || d > month_days[(mo - 1) as usize] {
        return None;
    }
    // Days from civil (H. Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

const SKI: &[u8] = &[0x55, 0x1d, 0x0e];
const AKI: &[u8] = &[0x55, 0x1d, 0x23];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];

/// A small non-negative INTEGER content in minimal form.
fn small_uint_ok(c: &[u8]) -> bool {
    match c {
        [] => false,
        [b] => b & 0x80 == 0,
        [0, b, ..] => b & 0x80 != 0 && c.len() <= 5,
        [b, ..] => b & 0x80 == 0 && c.len() <= 4,
    }
}

/// basicConstraints' cA, when the value is plain: SEQUENCE { BOOLEAN?,
/// INTEGER? }.
fn basic_constraints(value: &[u8]) -> Option<bool> {
    let seq = only(value, 0x30)?;
    let mut rest = seq.content;
    let mut ca = false;
    if let Some((b, r)) = want(rest, 0x01) {
        ca = match b.content {
            [0xff] => true,
            [0x00] => false,
            _ => return None,
        };
        rest = r;
    }
    if !rest.is_empty() {
        let n = only(rest, 0x02)?;
        if !small_uint_ok(n.content) {
            return None;
        }
    }
    Some(ca)
}

/// The walk. `None` means "not sure": let x509-parser decide.
pub fn walk(der: &[u8]) -> Option<Walked> {
    let cert = only(der, 0x30)?;
    let (tbs, rest) = want(cert.content, 0x30)?;
    let rest = algorithm(rest)?;
    let sig = only(rest, 0x03)?;
    if !bits_ok(sig.content) {
        return None;
    }

    let mut t = tbs.content;
    if let Some((v, r)) = want(t, 0xa0) {
        let n = only(v.content, 0x02)?;
        if !matches!(n.content, [0..=2]) {
            return None;
        }
        t = r;
    }
    let (serial, t) = want(t, 0x02)?;
    if serial.content.is_empty() {
        return None;
    }
    let t = algorithm(t)?;
    let (issuer, t) = name(t)?;
    let (validity, t) = want(t, 0x30)?;
    let (not_before, v) = time(validity.content)?;
    let (not_after, v) = time(v)?;
    if !v.is_empty() {
        return None;
    }
    let (subject, t) = name(t)?;
    let (spki, mut t) = want(t, 0x30)?;
    let key = algorithm(spki.content)?;
    if !bits_ok(only(key, 0x03)?.content) {
        return None;
    }
    for uid in [0x81, 0x82] {
        if let Some((u, r)) = want(t, uid) {
            if !bits_ok(u.content) {
                return None;
            }
            t = r;
        }
    }

    let mut found = Walked {
        issuer: Span::within(der, issuer.raw),
        subject: Span::within(der, subject.raw),
        spki: Span::within(der, spki.raw),
        ski: None,
        aki: None,
        not_before,
        not_after,
        is_ca: false,
    };
    if t.is_empty() {
        return Some(found);
    }
    let exts = only(only(t, 0xa3)?.content, 0x30)?;
    let mut seen = [false; 3];
    let mut list = exts.content;
    while !list.is_empty() {
        let (ext, r) = want(list, 0x30)?;
        list = r;
        let (id, body) = oid(ext.content)?;
        let body = match want(body, 0x01) {
            Some((b, r)) if matches!(b.content, [0x00] | [0xff]) => r,
            Some(_) => return None,
            None => body,
        };
        let value = only(body, 0x04)?.content;
        let which = [SKI, AKI, BASIC_CONSTRAINTS].iter().position(|&o| o == id);
        let Some(which) = which else { continue };
        if std::mem::replace(&mut seen[which], true) {
            return None;
        }
        match which {
            0 => found.ski = Some(Span::within(der, only(value, 0x04)?.content)),
            1 => {
                let seq = only(value, 0x30)?;
                if !seq.content.is_empty() {
                    found.aki = Some(Span::within(der, only(seq.content, 0x80)?.content));
                }
            }
            _ => found.is_ca = basic_constraints(value)?,
        }
    }
    Some(found)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::full_parse;
    use std::io::Read;

    /// Every certificate under testdata/ (PEM or DER files) and in the
    /// x509-limbo suite.
    pub(crate) fn corpus() -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut out = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "crt" || x == "pem") {
                    let bytes = std::fs::read(&p).unwrap();
                    match ::pem::parse_many(&bytes) {
                        Ok(blocks) if !blocks.is_empty() => out.extend(
                            blocks
                                .into_iter()
                                .filter(|b| b.tag().ends_with("CERTIFICATE"))
                                .map(|b| b.into_contents()),
                        ),
                        _ => out.push(bytes),
                    }
                }
            }
        }
        let gz = std::fs::File::open(root.join("limbo/limbo.json.gz")).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for case in v["testcases"].as_array().unwrap() {
            for field in ["trusted_certs", "untrusted_intermediates"] {
                for p in case[field].as_array().into_iter().flatten() {
                    out.extend(::pem::parse(p.as_str().unwrap()).map(|b| b.into_contents()));
                }
            }
            if let Some(p) = case["peer_certificate"].as_str() {
                out.extend(::pem::parse(p).map(|b| b.into_contents()));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The walk's answer, when it has one, is x509-parser's, and so are
    /// the prepared names. Returns whether the walk answered.
    fn agrees(der: &[u8]) -> bool {
        let Some(w) = walk(der) else { return false };
        let (full, subject, issuer) = full_parse(der)
            .unwrap_or_else(|e| panic!("walk accepted what x509-parser refuses ({e}): {der:02x?}"));
        assert_eq!(w, full, "{der:02x?}");
        let key = |s: Span| crate::name_key::prepared_der(s.of(der));
        if let (Some(s), Some(i)) = (key(w.subject), key(w.issuer)) {
            assert_eq!((s, i), (subject, issuer), "{der:02x?}");
        }
        true
    }

    #[test]
    fn walk_and_name_keys_equal_x509_parser_on_every_corpus_certificate() {
        let all = corpus();
        assert!(all.len() > 3000, "corpus has {} certificates", all.len());
        let walked = all.iter().filter(|d| agrees(d)).count();
        // Nearly all take the fast path; the rest are x509-parser's to judge.
        assert!(walked * 10 > all.len() * 9, "{walked} of {}", all.len());
    }

    #[test]
    fn corrupted_certificates_never_pass_the_walk_alone() {
        // Every byte of a spread of certificates, changed two ways, and
        // every truncation: whatever the walk accepts, x509-parser must.
        let all = corpus();
        let step = (all.len() / 24).max(1);
        for der in all.iter().step_by(step) {
            for i in 0..der.len() {
                for flip in [0x01u8, 0x80] {
                    let mut m = der.clone();
                    m[i] ^= flip;
                    agrees(&m);
                }
                agrees(&der[..i]);
            }
        }
    }

    #[test]
    fn times_read_here_equal_x509_parser() {
        use x509_parser::prelude::FromDer;
        let cases: &[&[u8]] = &[
            b"\x17\x0d491231235959Z",
            b"\x17\x0d500101000000Z",
            b"\x17\x0d000229120000Z",
            b"\x17\x0d990228000000Z",
            b"\x18\x0f20991231235959Z",
            b"\x18\x0f19000228000000Z",
            b"\x18\x0f24000229000000Z",
            b"\x18\x0f00010101000000Z",
            b"\x18\x0f99991231235959Z",
        ];
        for c in cases {
            let want = x509_parser::time::ASN1Time::from_der(c)
                .unwrap()
                .1
                .timestamp();
            assert_eq!(time(c).map(|t| t.0), Some(want), "{c:?}");
        }
        for bad in [
            &b"\x17\x0d990229000000Z"[..],
            b"\x18\x0f21000229000000Z",
            b"\x17\x0d991301000000Z",
        ] {
            assert!(time(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn strict_reader_refuses_non_minimal_lengths() {
        assert!(el(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none());
        assert!(el(&[0x04, 0x82, 0x00, 0x80]).is_none());
        assert!(el(&[0x04, 0x80]).is_none());
        assert!(el(&[0x1f, 0x01, 0x00]).is_none());
        assert!(el(&[0x04, 0x02, 1, 2]).is_some());
        assert!(!oid_ok(&[0x80, 0x01]) && !oid_ok(&[0x2a, 0x86]) && oid_ok(&[0x2a, 0x86, 0x48]));
        assert!(bits_ok(&[0]) && !bits_ok(&[1]) && bits_ok(&[1, 0xfe]) && !bits_ok(&[1, 0xff]));
    }
}
