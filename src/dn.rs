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

/// The name as one line, or `(empty name)`.
pub fn name_to_string(name: &X509Name<'_>) -> String {
    let s = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|attr| {
                    format!(
                        "{}={}",
                        attribute_name(attr.attr_type()),
                        value_text(attr.attr_value())
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

/// OpenSSL's short name for an attribute (`openssl x509 -nameopt sname`),
/// else x509-parser's, else the dotted OID (as OpenSSL prints unknown ones).
fn attribute_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    let dotted = oid.to_id_string();
    let known = match dotted.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.9" => "street",
        "2.5.4.12" => "title",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    match x509_parser::objects::oid2abbrev(oid, x509_parser::objects::oid_registry()) {
        Ok(s) => s.to_string(),
        Err(_) => dotted,
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
}
