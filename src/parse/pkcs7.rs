//! PKCS#7 / CMS SignedData "certs-only" bundles (`.p7b`, `.p7c`, PEM
//! `PKCS7`): every certificate in the `certificates` field. The outer
//! layers are read with the BER reader, since Windows and Java tools write
//! them with indefinite lengths; the certificates themselves are DER.

use super::der::{self, OID, SEQUENCE, SET};

/// id-signedData, 1.2.840.113549.1.7.2.
pub const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// True when the bytes start like a ContentInfo holding SignedData.
pub fn looks_like(bytes: &[u8]) -> bool {
    // SEQUENCE header (definite or indefinite), then the OID.
    if bytes.first() != Some(&SEQUENCE) {
        return false;
    }
    let Some(rest) = der::header_len(bytes).and_then(|n| bytes.get(n..)) else {
        return false;
    };
    rest.first() == Some(&OID)
        && rest.get(1) == Some(&(SIGNED_DATA.len() as u8))
        && rest.get(2..2 + SIGNED_DATA.len()) == Some(SIGNED_DATA)
}

/// What a certs-only bundle holds.
#[derive(Debug, Default)]
pub struct Bundle<'a> {
    /// Each certificate's DER, in the order stored.
    pub certs: Vec<&'a [u8]>,
    /// Entries of `certificates` that are not X.509 certificates
    /// (attribute certificates, other formats), by 1-based position.
    pub skipped: Vec<usize>,
}

/// Reads the certificates out of a SignedData ContentInfo.
pub fn certificates(bytes: &[u8]) -> Result<Bundle<'_>, String> {
    let (ci, _) = der::expect(bytes, SEQUENCE)?;
    let kids = der::children(ci.content)?;
    let [oid, content, ..] = kids.as_slice() else {
        return Err("the ContentInfo has no content".into());
    };
    if oid.tag != OID || oid.content != SIGNED_DATA {
        return Err(format!(
            "the PKCS#7 content is {}, not SignedData",
            der::oid_string(oid.content)
        ));
    }
    if content.tag != 0xa0 {
        return Err("the SignedData is not in an explicit [0] wrapper".into());
    }
    let (sd, _) = der::expect(content.content, SEQUENCE)?;
    let fields = der::children(sd.content)?;
    // version, digestAlgorithms SET, encapContentInfo SEQUENCE, then [0] certificates.
    if fields.len() < 3 || fields[1].tag != SET || fields[2].tag != SEQUENCE {
        return Err("the SignedData fields are not in the expected order".into());
    }
    let mut out = Bundle::default();
    let Some(certs) = fields.iter().skip(3).find(|t| t.tag == 0xa0) else {
        return Ok(out);
    };
    for (i, c) in der::children(certs.content)?.into_iter().enumerate() {
        if c.tag == SEQUENCE {
            out.certs.push(c.raw);
        } else {
            out.skipped.push(i + 1);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::der::tlv;

    fn signed_data(certs: &[&[u8]], indefinite: bool) -> Vec<u8> {
        let oid = tlv(OID, SIGNED_DATA);
        let data_oid = tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);
        let body = [
            tlv(der::INTEGER, &[1]),
            tlv(SET, &[]),
            der::seq(&[&data_oid]),
            tlv(0xa0, &certs.concat()),
            tlv(SET, &[]),
        ]
        .concat();
        if indefinite {
            let ind = |tag: u8, inner: &[u8]| [&[tag, 0x80][..], inner, &[0, 0]].concat();
            ind(SEQUENCE, &[oid, ind(0xa0, &ind(SEQUENCE, &body))].concat())
        } else {
            der::seq(&[&oid, &tlv(0xa0, &der::seq(&[&body]))])
        }
    }

    #[test]
    fn definite_and_indefinite() {
        let a = der::seq(&[&tlv(der::INTEGER, &[1])]);
        let b = der::seq(&[&tlv(der::INTEGER, &[2])]);
        for ind in [false, true] {
            let p7 = signed_data(&[&a, &b], ind);
            assert!(looks_like(&p7));
            let got = certificates(&p7).unwrap();
            assert_eq!(got.certs, vec![&a[..], &b[..]]);
        }
    }

    #[test]
    fn truncated_is_an_error() {
        let a = der::seq(&[&tlv(der::INTEGER, &[1])]);
        let p7 = signed_data(&[&a], true);
        for n in 0..p7.len() {
            let _ = certificates(&p7[..n]);
        }
        assert!(certificates(&p7[..p7.len() - 3]).is_err());
    }
}
