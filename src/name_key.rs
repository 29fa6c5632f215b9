//! Names prepared for comparison (RFC 5280 §7.1 / RFC 4518): the keys
//! that issuer lookups match, never the raw bytes. Each RDN's attributes
//! sorted; a string value (Printable, UTF8, IA5, Teletex, BMP, Universal —
//! the string type itself does not count) case-folded, with leading and
//! trailing spaces dropped and inner runs of spaces made one; any other
//! value kept as its tag and bytes. OpenSSL (x509_name_canon in
//! crypto/x509/x_name.c) and Java (X500Name canonical form) compare so.
//!
//! Two ways to the same key: [`prepared`] from x509-parser's view of a
//! Name, and [`prepared_der`] straight from a Name's DER, without building
//! that view (what a pool of 100,000 certificates needs). A test checks
//! that they agree on every certificate in testdata/ and x509-limbo.
//! Displaying names is [`crate::dn`]'s business.

use x509_parser::prelude::*;

/// The key of a Name parsed by x509-parser.
pub fn prepared(name: &X509Name<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut set: Vec<Vec<u8>> = Vec::new();
    for rdn in name.iter() {
        set.clear();
        for atv in rdn.iter() {
            let mut v = Vec::new();
            attribute(
                atv.attr_type().as_bytes(),
                atv.attr_value().header.tag().0,
                atv.as_slice(),
                &mut v,
            );
            set.push(v);
        }
        finish_rdn(&mut set, &mut out);
    }
    out
}

/// The key of a Name from its DER (the whole element), or `None` when
/// the bytes are not a plain Name (one-byte tags, primitive values): the
/// caller then parses with x509-parser and uses [`prepared`].
pub fn prepared_der(raw: &[u8]) -> Option<Vec<u8>> {
    use crate::parse::der::{OID, SEQUENCE, SET, read};
    let (seq, rest) = read(raw).ok()?;
    if seq.tag != SEQUENCE || !rest.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(seq.content.len());
    let mut set: Vec<Vec<u8>> = Vec::new();
    let mut rdns = seq.content;
    while !rdns.is_empty() {
        let (rdn, r) = read(rdns).ok()?;
        rdns = r;
        if rdn.tag != SET {
            return None;
        }
        let mut atvs = rdn.content;
        let one = |atv: &[u8], out: &mut Vec<u8>| -> Option<()> {
            let (atv, r) = read(atv).ok()?;
            let (oid, value) = read(atv.content).ok()?;
            let (v, end) = read(value).ok()?;
            if atv.tag != SEQUENCE || oid.tag != OID || !end.is_empty() || !r.is_empty() {
                return None;
            }
            if v.constructed || v.tag & 0x1f == 0x1f {
                return None;
            }
            attribute(oid.content, u32::from(v.tag & 0x1f), v.content, out);
            Some(())
        };
        let (first, more) = read(atvs).ok()?;
        if more.is_empty() {
            // The usual single attribute: written in place, length after.
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            one(first.raw, &mut out)?;
            let len = (out.len() - at - 4) as u32;
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            out.push(0xfe);
            continue;
        }
        set.clear();
        while !atvs.is_empty() {
            let (atv, r) = read(atvs).ok()?;
            atvs = r;
            let mut a = Vec::new();
            one(atv.raw, &mut a)?;
            set.push(a);
        }
        finish_rdn(&mut set, &mut out);
    }
    Some(out)
}

/// One attribute: type OID, 0xff, then 0 and the prepared text, or 1, the
/// tag and the value's bytes.
fn attribute(oid: &[u8], tag: u32, value: &[u8], v: &mut Vec<u8>) {
    v.extend_from_slice(oid);
    v.push(0xff);
    let ascii = value.is_ascii() && matches!(tag, 12 | 18 | 19 | 20 | 22 | 26);
    if ascii {
        v.push(0);
        push_ascii(value, v);
        return;
    }
    match string_value(tag, value) {
        Some(s) => {
            v.push(0);
            let folded = s
                .chars()
                .filter(|c| !c.is_control())
                .flat_map(char::to_lowercase)
                .collect::<String>();
            let prepared = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            v.extend_from_slice(prepared.as_bytes());
        }
        None => {
            v.push(1);
            v.push(tag as u8);
            v.extend_from_slice(value);
        }
    }
}

/// The ASCII case of the text rule above, without a String: controls
/// dropped, letters lowered, spaces trimmed and runs made one (the only
/// ASCII white space that is not a control is the space itself).
fn push_ascii(text: &[u8], v: &mut Vec<u8>) {
    let start = v.len();
    let mut space = false;
    for &b in text {
        if b < 0x20 || b == 0x7f {
            continue;
        }
        if b == b' ' {
            space = true;
            continue;
        }
        if space && v.len() > start {
            v.push(b' ');
        }
        space = false;
        v.push(b.to_ascii_lowercase());
    }
}

/// The RDN's attributes in sorted order, each with its length.
fn finish_rdn(set: &mut [Vec<u8>], out: &mut Vec<u8>) {
    set.sort();
    for a in set.iter() {
        out.extend_from_slice(&(a.len() as u32).to_be_bytes());
        out.extend_from_slice(a);
    }
    out.push(0xfe);
}

/// The text of a directory string attribute value, whatever its type.
fn string_value(tag: u32, bytes: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, IA5String, NumericString, VisibleString
        12 | 19 | 22 | 18 | 26 => std::str::from_utf8(bytes).ok().map(str::to_string),
        // TeletexString: read as Latin-1, as OpenSSL does.
        20 => Some(bytes.iter().map(|&b| b as char).collect()),
        // BMPString: UTF-16BE.
        30 if bytes.len().is_multiple_of(2) => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        28 if bytes.len().is_multiple_of(4) => bytes
            .chunks(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}
