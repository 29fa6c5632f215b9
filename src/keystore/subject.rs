//! `csr --subject`: a distinguished name as people type it, encoded as
//! peers expect it.
//!
//! Two spellings are read. RFC 4514 (`CN=api.example.com, O=Example\, Inc.,
//! C=US`) lists the most specific RDN first, so the DER is written in the
//! reverse order (RFC 4514 §2.1), and `openssl req -text -nameopt RFC2253`
//! shows the subject exactly as typed. OpenSSL's `-subj` form
//! (`/C=US/O=Example/CN=api.example.com`) is already in DER order. `+` joins
//! attributes into one multi-valued RDN; `\,` `\+` `\=` `\\` `\"` `\;` `\<`
//! `\>` `\#` `\ ` and `\XX` (hex bytes of UTF-8) escape.
//!
//! String types follow RFC 5280: countryName, serialNumber and dnQualifier
//! are PrintableString (appendix A.1), domainComponent and emailAddress
//! IA5String (RFC 4519, RFC 5280 §4.1.2.6), everything else UTF8String
//! (RFC 5280 §4.1.2.4 and OpenSSL's default `utf8only` mask).

use crate::error::{Error, Result};
use crate::parse::der::{self, SEQUENCE, SET};

const PRINTABLE_STRING: u8 = 0x13;
const IA5_STRING: u8 = 0x16;
const UTF8_STRING: u8 = 0x0c;

/// One attribute: its OID (dotted), DER string tag and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub oid: &'static str,
    pub tag: u8,
    pub value: String,
}

/// A parsed subject, RDNs in DER order (least specific first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub rdns: Vec<Vec<Attribute>>,
}

/// Attribute keywords accepted (case-insensitive), with OID and type.
const KEYWORDS: &[(&[&str], &str, u8)] = &[
    (&["CN", "commonName"], "2.5.4.3", UTF8_STRING),
    (&["C", "countryName"], "2.5.4.6", PRINTABLE_STRING),
    (&["O", "organizationName"], "2.5.4.10", UTF8_STRING),
    (&["OU", "organizationalUnitName"], "2.5.4.11", UTF8_STRING),
    (&["ST", "S", "stateOrProvinceName"], "2.5.4.8", UTF8_STRING),
    (&["L", "localityName"], "2.5.4.7", UTF8_STRING),
    (&["STREET", "streetAddress"], "2.5.4.9", UTF8_STRING),
    (&["postalCode"], "2.5.4.17", UTF8_STRING),
    (&["serialNumber"], "2.5.4.5", PRINTABLE_STRING),
    (&["title"], "2.5.4.12", UTF8_STRING),
    (&["SN", "surname"], "2.5.4.4", UTF8_STRING),
    (&["GN", "givenName"], "2.5.4.42", UTF8_STRING),
    (&["initials"], "2.5.4.43", UTF8_STRING),
    (&["pseudonym"], "2.5.4.65", UTF8_STRING),
    (&["generationQualifier"], "2.5.4.44", UTF8_STRING),
    (&["dnQualifier"], "2.5.4.46", PRINTABLE_STRING),
    (&["businessCategory"], "2.5.4.15", UTF8_STRING),
    (&["organizationIdentifier"], "2.5.4.97", UTF8_STRING),
    (
        &["DC", "domainComponent"],
        "0.9.2342.19200300.100.1.25",
        IA5_STRING,
    ),
    (&["UID", "userId"], "0.9.2342.19200300.100.1.1", UTF8_STRING),
    (
        &["emailAddress", "E", "EMAIL"],
        "1.2.840.113549.1.9.1",
        IA5_STRING,
    ),
    (
        &["jurisdictionC", "jurisdictionCountryName"],
        "1.3.6.1.4.1.311.60.2.1.3",
        PRINTABLE_STRING,
    ),
    (
        &["jurisdictionST", "jurisdictionStateOrProvinceName"],
        "1.3.6.1.4.1.311.60.2.1.2",
        UTF8_STRING,
    ),
    (
        &["jurisdictionL", "jurisdictionLocalityName"],
        "1.3.6.1.4.1.311.60.2.1.1",
        UTF8_STRING,
    ),
];

fn usage(s: &str, why: String) -> Error {
    Error::Usage(format!(
        "--subject {s:?} {why}; write it like \"CN=client.example.com, O=Example\\, Inc., C=US\""
    ))
}

impl Subject {
    /// Parses either spelling.
    pub fn parse(s: &str) -> Result<Subject> {
        let slash = s.trim_start().starts_with('/');
        let seps: &[char] = if slash { &['/'] } else { &[',', ';'] };
        let mut rdns = Vec::new();
        for rdn in split_unescaped(s.trim(), seps) {
            if rdn.trim().is_empty() {
                if slash {
                    continue;
                }
                return Err(usage(s, "has an empty part between commas".into()));
            }
            let mut attrs = Vec::new();
            // OpenSSL's -subj takes `+` literally (unless -multivalue-rdn).
            let plus: &[char] = if slash { &[] } else { &['+'] };
            for ava in split_unescaped(&rdn, plus) {
                attrs.push(parse_ava(s, &ava)?);
            }
            rdns.push(attrs);
        }
        if rdns.is_empty() {
            return Err(usage(s, "is empty".into()));
        }
        if !slash {
            rdns.reverse();
        }
        Ok(Subject { rdns })
    }

    /// The commonName, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.rdns
            .iter()
            .flatten()
            .find(|a| a.oid == "2.5.4.3")
            .map(|a| a.value.as_str())
    }

    /// The Name's DER.
    pub fn der(&self) -> Vec<u8> {
        let rdns: Vec<Vec<u8>> = self
            .rdns
            .iter()
            .map(|rdn| {
                let mut avas: Vec<Vec<u8>> = rdn
                    .iter()
                    .map(|a| {
                        der::seq(&[
                            &der::tlv(der::OID, &oid_der(a.oid)),
                            &der::tlv(a.tag, a.value.as_bytes()),
                        ])
                    })
                    .collect();
                // DER: the members of a SET OF in ascending byte order.
                avas.sort();
                der::tlv(SET, &avas.concat())
            })
            .collect();
        der::tlv(SEQUENCE, &rdns.concat())
    }
}

/// Splits at separators not escaped by a backslash, keeping escapes.
fn split_unescaped(s: &str, seps: &[char]) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let last = out.last_mut().expect("one part");
            last.push(c);
            if let Some(n) = chars.next() {
                last.push(n);
            }
        } else if seps.contains(&c) {
            out.push(String::new());
        } else {
            out.last_mut().expect("one part").push(c);
        }
    }
    out
}

fn parse_ava(s: &str, ava: &str) -> Result<Attribute> {
    let ava = ava.trim();
    let (k, v) = ava
        .split_once('=')
        .ok_or_else(|| usage(s, format!("has {ava:?} without '='")))?;
    let k = k.trim();
    let (oid, tag) = KEYWORDS
        .iter()
        .find(|(names, _, _)| names.iter().any(|n| n.eq_ignore_ascii_case(k)))
        .map(|(_, oid, tag)| (*oid, *tag))
        .ok_or_else(|| {
            usage(
                s,
                format!(
                    "uses {k}, which chainfix does not know (CN, O, OU, C, ST, L, STREET, DC, UID, emailAddress, serialNumber, title, SN, GN, postalCode, organizationIdentifier, …)"
                ),
            )
        })?;
    let value = unescape(v.trim()).map_err(|why| usage(s, format!("has {k}={v}: {why}")))?;
    if value.is_empty() {
        return Err(usage(s, format!("has an empty value for {k}")));
    }
    if oid == "2.5.4.6" && (value.len() != 2 || !value.chars().all(|c| c.is_ascii_uppercase())) {
        return Err(usage(
            s,
            format!("has C={value}; a country is two capital letters (ISO 3166), like US or DE"),
        ));
    }
    match tag {
        PRINTABLE_STRING if !value.chars().all(printable) => Err(usage(
            s,
            format!("has {k}={value}, which allows only letters, digits, spaces and '()+,-./:=?"),
        )),
        IA5_STRING if !value.is_ascii() => {
            Err(usage(s, format!("has {k}={value}, which must be ASCII")))
        }
        _ => Ok(Attribute { oid, tag, value }),
    }
}

fn printable(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// RFC 4514 §3 unescaping (and a trailing-space-trimmed value).
fn unescape(v: &str) -> std::result::Result<String, String> {
    if v.starts_with('#') {
        return Err("a #hex value; type the text instead".into());
    }
    let mut bytes = Vec::new();
    let mut it = v.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match it.next() {
            Some(h1)
                if h1.is_ascii_hexdigit() && it.peek().is_some_and(char::is_ascii_hexdigit) =>
            {
                let h2 = it.next().expect("peeked");
                bytes.push(u8::from_str_radix(&format!("{h1}{h2}"), 16).expect("hex digits"));
            }
            Some(n) => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
            }
            None => return Err("it ends with a lone backslash".into()),
        }
    }
    String::from_utf8(bytes).map_err(|_| "its \\XX escapes are not UTF-8".to_string())
}

/// DER content octets of a dotted OID.
fn oid_der(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("OIDs in the table are dotted numbers"))
        .collect();
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        out.extend(tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &Subject) -> Vec<String> {
        s.rdns
            .iter()
            .map(|r| {
                r.iter()
                    .map(|a| format!("{}={}", a.oid, a.value))
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect()
    }

    #[test]
    fn rfc4514_is_reversed_and_slash_form_is_not() {
        let a = Subject::parse("CN=api.example.com, O=Example, C=US").unwrap();
        let b = Subject::parse("/C=US/O=Example/CN=api.example.com").unwrap();
        assert_eq!(a, b);
        assert_eq!(text(&a)[0], "2.5.4.6=US");
        assert_eq!(a.rdns[0][0].tag, PRINTABLE_STRING);
        assert_eq!(a.common_name(), Some("api.example.com"));
    }

    #[test]
    fn escapes_repeats_and_more_attributes() {
        let s = Subject::parse(
            r"CN=Jane\, Doe+UID=jd, O=Example\, Inc., DC=example, DC=com, emailAddress=a@b.c, serialNumber=123",
        )
        .unwrap();
        assert_eq!(s.rdns.len(), 6);
        assert_eq!(s.rdns[4][0].value, "Example, Inc.");
        assert_eq!(s.rdns[5].len(), 2);
        assert_eq!(s.rdns[5][0].value, "Jane, Doe");
        assert_eq!(
            Subject::parse(r"CN=caf\C3\A9").unwrap().rdns[0][0].value,
            "café"
        );
        assert!(Subject::parse("CN=a, C=USA").is_err());
        assert!(Subject::parse("CN=a, XYZ=b").is_err());
        assert!(Subject::parse("hello").is_err());
        assert!(Subject::parse("").is_err());
        assert!(Subject::parse("emailAddress=jö@x").is_err());
    }

    #[test]
    fn oid_encoding() {
        assert_eq!(oid_der("2.5.4.3"), [0x55, 0x04, 0x03]);
        assert_eq!(
            oid_der("1.2.840.113549.1.9.1"),
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]
        );
    }
}
