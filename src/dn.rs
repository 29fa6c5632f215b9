//! Distinguished names as text, the way people and OpenSSL read them:
//! attributes in the certificate's order (`CN=…, O=…`, as `openssl x509
//! -subject` prints them), each value escaped as RFC 4514 §2.4 says, so
//! that `O=Cisco Systems\, Inc.` stays one attribute. Values in any ASN.1
//! string type are decoded (BMPString, TeletexString, UniversalString
//! too); a value that is no string at all is shown as `#` and its DER in
//! hex (RFC 4514 §2.4). Comparison of names is not done here (that is
//! RFC 5280 §7.1, in `chain`); this module only displays.

use x509_parser::der_parser::asn1_rs::{Any, Tag, ToDer};
use x509_parser::prelude::*;

/// The name as one line, or `(empty name)`. Written into one String:
/// a pool of 100,000 certificates may have every name shown in a report.
pub fn name_to_string(name: &X509Name<'_>) -> String {
    let mut s = String::new();
    for (i, rdn) in name.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                s.push_str(" + ");
            }
            s.push_str(&attribute_name(attr.attr_type()));
            s.push('=');
            push_value(attr.attr_value(), &mut s);
        }
    }
    if s.is_empty() {
        "(empty name)".to_string()
    } else {
        s
    }
}

/// Why OpenSSL refuses a certificate with this name: it converts every
/// value to UTF-8 when parsing (`x509_name_canon`), so a UTF8String that is
/// not UTF-8, or a BMPString/UniversalString of the wrong length, makes
/// `d2i_X509` fail. (A PrintableString with characters outside its set
/// is read as Latin-1 and accepted.)
pub fn name_problem(name: &X509Name<'_>) -> Option<String> {
    name.iter_attributes().find_map(|attr| {
        let v = attr.attr_value();
        let strict = matches!(
            v.tag(),
            Tag::Utf8String | Tag::BmpString | Tag::UniversalString
        );
        (strict && decode(v).is_none()).then(|| {
            format!(
                "the {} value is not a valid {}",
                attribute_name(attr.attr_type()),
                tag_name(v.tag())
            )
        })
    })
}

/// OpenSSL's short names for the X.520 attributes, 2.5.4.n.
const X520: &[(u8, &str)] = &[
    (3, "CN"),
    (6, "C"),
    (7, "L"),
    (8, "ST"),
    (10, "O"),
    (11, "OU"),
    (4, "SN"),
    (5, "serialNumber"),
    (9, "street"),
    (12, "title"),
    (15, "businessCategory"),
    (17, "postalCode"),
    (42, "GN"),
    (43, "initials"),
    (44, "generationQualifier"),
    (46, "dnQualifier"),
    (65, "pseudonym"),
    (97, "organizationIdentifier"),
];

/// OpenSSL's short name for an attribute (`openssl x509 -nameopt sname`),
/// else x509-parser's, else the dotted OID (as OpenSSL prints unknown ones).
fn attribute_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> std::borrow::Cow<'static, str> {
    let x520 = |n: u8| X520.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
    // The usual case, without making the dotted text.
    if let [0x55, 0x04, n] = oid.as_bytes()
        && let Some(known) = x520(*n)
    {
        return known.into();
    }
    let dotted = oid.to_id_string();
    let known = match dotted.as_str() {
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        d => d
            .strip_prefix("2.5.4.")
            .and_then(|n| n.parse().ok())
            .and_then(x520)
            .unwrap_or(""),
    };
    if !known.is_empty() {
        return known.into();
    }
    match x509_parser::objects::oid2abbrev(oid, x509_parser::objects::oid_registry()) {
        Ok(s) => s.to_string().into(),
        Err(_) => dotted.into(),
    }
}

fn tag_name(t: Tag) -> &'static str {
    match t {
        Tag::PrintableString => "PrintableString",
        Tag::Utf8String => "UTF8String",
        Tag::Ia5String => "IA5String",
        Tag::BmpString => "BMPString",
        Tag::UniversalString => "UniversalString",
        Tag::T61String => "TeletexString",
        _ => "string",
    }
}

/// The value of one attribute, escaped, appended to `out`. Printable
/// ASCII that RFC 4514 leaves alone (the usual `CN=…`) is copied as is.
fn push_value(v: &Any<'_>, out: &mut String) {
    let d = v.data;
    let byte_string = matches!(
        v.tag(),
        Tag::Utf8String
            | Tag::PrintableString
            | Tag::Ia5String
            | Tag::VisibleString
            | Tag::NumericString
            | Tag::T61String
    );
    let plain = |b: &u8| (0x20..0x7f).contains(b) && !b"\"+,;<>\\".contains(b);
    let edges = d.first().is_none_or(|&b| b != b'#' && b != b' ') && d.last() != Some(&b' ');
    if byte_string
        && edges
        && d.iter().all(plain)
        && let Ok(text) = std::str::from_utf8(d)
    {
        out.push_str(text);
        return;
    }
    out.push_str(&value_text(v));
}

/// The value of one attribute, escaped.
fn value_text(v: &Any<'_>) -> String {
    match decode(v) {
        Some(s) => escape(&s),
        None => format!("#{}", hex::encode(v.to_der_vec().unwrap_or_default())),
    }
}

/// Decodes a directory string; `None` when it is not a string or is not
/// valid for its type.
fn decode(v: &Any<'_>) -> Option<String> {
    let d = v.data;
    match v.tag() {
        Tag::Utf8String => std::str::from_utf8(d).ok().map(str::to_string),
        // Byte strings: shown as OpenSSL shows them, each byte a Latin-1
        // character (TeletexString in practice carries Latin-1; a
        // PrintableString with `@` is still shown).
        Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::NumericString
        | Tag::T61String => Some(d.iter().map(|&b| b as char).collect()),
        Tag::BmpString => {
            if !d.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = d
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => {
            if !d.len().is_multiple_of(4) {
                return None;
            }
            d.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

/// RFC 4514 §2.4: `"` `+` `,` `;` `<` `>` `\` anywhere, `#` or a space
/// first, a space last; control characters as `\XX`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.chars().count().saturating_sub(1);
    for (i, c) in s.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_rfc4514_names() {
        assert_eq!(escape("Cisco Systems, Inc."), "Cisco Systems\\, Inc.");
        assert_eq!(escape("#1 a+b "), "\\#1 a\\+b\\ ");
        assert_eq!(escape(" x"), "\\ x");
        assert_eq!(escape("a\"<>;\\"), "a\\\"\\<\\>\\;\\\\");
        assert_eq!(escape("nul\0"), "nul\\00");
    }

    /// The one-String writer with its ASCII shortcut gives what escaping
    /// and joining every value gives, on every corpus name.
    #[test]
    fn names_read_as_before_on_every_corpus_certificate() {
        let joined = |name: &X509Name<'_>| {
            let s = name
                .iter()
                .map(|rdn| {
                    rdn.iter()
                        .map(|a| {
                            format!(
                                "{}={}",
                                attribute_name(a.attr_type()),
                                value_text(a.attr_value())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect::<Vec<_>>()
                .join(", ");
            if s.is_empty() {
                "(empty name)".to_string()
            } else {
                s
            }
        };
        let mut n = 0;
        for der in crate::parse::cert_der::tests::corpus() {
            if let Ok((_, x)) = X509Certificate::from_der(&der) {
                for name in [x.subject(), x.issuer()] {
                    assert_eq!(name_to_string(name), joined(name));
                    n += 1;
                }
            }
        }
        assert!(n > 6000, "{n} names");
    }

    #[test]
    fn attribute_names_by_bytes_and_by_dotted_text_agree() {
        use std::str::FromStr;
        use x509_parser::der_parser::oid::Oid;
        let name = |dotted: &str| attribute_name(&Oid::from_str(dotted).unwrap()).into_owned();
        assert_eq!(name("2.5.4.3"), "CN");
        assert_eq!(name("2.5.4.97"), "organizationIdentifier");
        assert_eq!(name("1.2.840.113549.1.9.1"), "emailAddress");
        assert_eq!(name("0.9.2342.19200300.100.1.25"), "DC");
        assert_eq!(name("1.2.3.4"), "1.2.3.4");
        // A padded encoding of 2.5.4.3 still reads as CN, through the text.
        let padded = Oid::new(std::borrow::Cow::Borrowed(&[0x55, 0x04, 0x80, 0x03]));
        assert_eq!(attribute_name(&padded), "CN");
    }
}
