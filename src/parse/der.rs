//! A small BER/DER reader and DER writer: just what sniffing, PKCS#7
//! (whose outer layers are often BER with indefinite lengths), PKCS#1/SEC1
//! key conversion and the SubjectPublicKeyInfo builder need. Every read is
//! bounds-checked and depth-limited, so hostile input gives an error, never
//! a panic or a stack overflow.

/// One element: its identifier octet, whether constructed, its content
/// (for indefinite lengths: everything up to, not including, the
/// end-of-contents octets) and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub constructed: bool,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;

const MAX_DEPTH: usize = 32;

/// Reads one element from the start of `input`, returning it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), String> {
    read_depth(input, 0)
}

fn read_depth(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), String> {
    if depth > MAX_DEPTH {
        return Err("nested too deeply".into());
    }
    let ended = || "the data ends early (truncated)".to_string();
    let &tag = input.first().ok_or_else(ended)?;
    let mut pos = 1;
    if tag & 0x1f == 0x1f {
        // High tag number form: skip the base-128 tag number.
        loop {
            let &b = input.get(pos).ok_or_else(ended)?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos > 6 {
                return Err("tag number too large".into());
            }
        }
    }
    let constructed = tag & 0x20 != 0;
    let &first = input.get(pos).ok_or_else(ended)?;
    pos += 1;
    if first == 0x80 {
        if !constructed {
            return Err("indefinite length on a primitive element".into());
        }
        let start = pos;
        let mut rest = &input[pos..];
        loop {
            if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                let end = input.len() - rest.len();
                let tlv = Tlv {
                    tag,
                    constructed,
                    content: &input[start..end],
                    raw: &input[..end + 2],
                };
                return Ok((tlv, &rest[2..]));
            }
            if rest.is_empty() {
                return Err(ended());
            }
            let (_, r) = read_depth(rest, depth + 1)?;
            rest = r;
        }
    }
    let len = if first & 0x80 == 0 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err("unsupported length encoding".into());
        }
        let bytes = input.get(pos..pos + n).ok_or_else(ended)?;
        pos += n;
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize)
    };
    let end = pos.checked_add(len).ok_or_else(ended)?;
    if end > input.len() {
        return Err(ended());
    }
    Ok((
        Tlv {
            tag,
            constructed,
            content: &input[pos..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Reads one element that must carry `tag`.
pub fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), String> {
    let (t, rest) = read(input)?;
    if t.tag != tag {
        return Err(format!("expected tag 0x{tag:02x}, found 0x{:02x}", t.tag));
    }
    Ok((t, rest))
}

/// All elements of a constructed content, in order.
pub fn children(content: &[u8]) -> Result<Vec<Tlv<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// The length of the first element of `input` when it is complete, used to
/// cut trailing data (the aux part of an OpenSSL TRUSTED CERTIFICATE).
pub fn first_len(input: &[u8]) -> Option<usize> {
    read(input).ok().map(|(t, _)| t.raw.len())
}

/// The length of the first element's identifier and length octets (low
/// tag numbers only), read from the first bytes alone, so that the start
/// of a truncated file can still be recognised.
pub fn header_len(bytes: &[u8]) -> Option<usize> {
    let l = *bytes.get(1)?;
    Some(if l <= 0x80 {
        2
    } else {
        2 + (l & 0x7f) as usize
    })
}

/// Bit length of an unsigned big-endian INTEGER content.
pub fn uint_bits(content: &[u8]) -> usize {
    let c = strip_leading_zeros(content);
    match c.first() {
        None => 0,
        Some(&b) => (c.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

pub fn strip_leading_zeros(mut c: &[u8]) -> &[u8] {
    while c.len() > 1 && c[0] == 0 {
        c = &c[1..];
    }
    c
}

/// Encodes one DER element.
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(body);
    out
}

/// A SEQUENCE of already encoded elements.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut body = vec![0u8];
    body.extend_from_slice(bytes);
    tlv(BIT_STRING, &body)
}

/// Dotted form of an OID's content octets, for messages.
pub fn oid_string(content: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in content {
        acc = (acc << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (acc / 40).min(2);
                parts.push(first);
                parts.push(acc - first * 40);
            } else {
                parts.push(acc);
            }
            acc = 0;
        }
        if acc > u64::MAX >> 8 {
            return "(invalid OID)".into();
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite() {
        let der = seq(&[&tlv(INTEGER, &[5]), &tlv(NULL, &[])]);
        let (t, rest) = read(&der).unwrap();
        assert!(rest.is_empty());
        assert_eq!(children(t.content).unwrap().len(), 2);
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x05, 0x00, 0x00, 0x00, 0xff];
        let (t, rest) = read(&ber).unwrap();
        assert_eq!(rest, &[0xff]);
        assert_eq!(t.content, &[0x02, 0x01, 0x05, 0x05, 0x00]);
        assert_eq!(t.raw.len(), 9);
    }

    #[test]
    fn long_lengths_round_trip() {
        let body = vec![7u8; 300];
        let enc = tlv(OCTET_STRING, &body);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(read(&enc).unwrap().0.content, &body[..]);
    }

    #[test]
    fn hostile_input_is_an_error() {
        assert!(read(&[]).is_err());
        assert!(read(&[0x30]).is_err());
        assert!(read(&[0x30, 0x85, 1, 2, 3, 4, 5]).is_err());
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(read(&[0x30, 0x80, 0x02, 0x01]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(read(&deep).is_err());
    }

    #[test]
    fn oid_and_bits() {
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
            "1.2.840.113549.1.1.1"
        );
        assert_eq!(uint_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(uint_bits(&[0x01]), 1);
    }
}
