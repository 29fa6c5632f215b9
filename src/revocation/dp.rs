//! cRLDistributionPoints (RFC 5280 §4.2.1.13) and issuingDistributionPoint
//! (§5.2.5), read with a small DER walker: x509-parser 0.18 refuses a
//! nameRelativeToCRLIssuer (it expects the SET tag that IMPLICIT
//! tagging replaces), which would make such a certificate look as if it
//! named no distribution point at all.

use x509_parser::prelude::*;

use super::crl::{ALL_REASONS, DirName};
use crate::chain::names::{GName, dir_of, rdn_of};

/// One distribution point of a certificate.
#[derive(Clone, Debug, Default)]
pub struct Dp {
    /// Its names (full names, or the relative name joined to the issuer).
    pub names: Option<Vec<GName>>,
    /// ReasonFlags bits (keyCompromise = bit 1 …); all when absent.
    pub reasons: u16,
    pub crl_issuer: Option<Vec<GName>>,
}

/// The issuingDistributionPoint extension of a CRL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Idp {
    pub names: Option<Vec<GName>>,
    pub only_user: bool,
    pub only_ca: bool,
    /// ReasonFlags bits; None means all reasons.
    pub only_some_reasons: Option<u16>,
    pub indirect: bool,
    pub only_attribute: bool,
}

/// One TLV: (tag byte, content, rest).
pub(crate) fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = if l0 < 0x80 {
        (l0 as usize, rest)
    } else {
        let n = (l0 & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &x| a << 8 | x as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

pub(crate) fn items(mut b: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (t, c, r) = tlv(b)?;
        out.push((t, c));
        b = r;
    }
    Some(out)
}

/// GeneralNames content (a run of GeneralName TLVs).
fn general_names(b: &[u8]) -> Option<Vec<GName>> {
    let mut out = Vec::new();
    let mut rest = b;
    while !rest.is_empty() {
        let (r, g) = GeneralName::from_der(rest).ok()?;
        out.push(GName::from_general(&g));
        rest = r;
    }
    Some(out)
}

/// ReasonFlags BIT STRING content → bits numbered as RFC 5280 names them.
fn reason_bits(c: &[u8]) -> Option<u16> {
    let (_, bytes) = c.split_first()?;
    let mut flags = 0u16;
    for (k, &byte) in bytes.iter().take(2).enumerate() {
        for j in 0..8 {
            if byte & (0x80 >> j) != 0 {
                flags |= 1 << (8 * k + j);
            }
        }
    }
    Some(flags)
}

/// DistributionPointName, the content of its [0] EXPLICIT wrapper.
fn dp_name(b: &[u8], issuer: &DirName) -> Option<Vec<GName>> {
    let (t, c, _) = tlv(b)?;
    match t {
        0xA0 => general_names(c),
        0xA1 => {
            let mut set = vec![0x31u8];
            set.extend(der_len(c.len()));
            set.extend_from_slice(c);
            let (_, rdn) = RelativeDistinguishedName::from_der(&set).ok()?;
            let mut d = issuer.clone();
            d.push(rdn_of(&rdn));
            Some(vec![GName::Dir(d)])
        }
        _ => None,
    }
}

pub(crate) fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else {
        let b: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&x| x == 0)
            .collect();
        let mut v = vec![0x80 | b.len() as u8];
        v.extend(b);
        v
    }
}

/// The cRLDistributionPoints of `cert`: `Ok(None)` when it has none,
/// `Err` when the extension cannot be read.
pub fn of_cert(x: &X509Certificate<'_>) -> Result<Option<Vec<Dp>>, String> {
    of_ext(x, "2.5.29.31", "cRLDistributionPoints")
}

/// The freshestCRL extension of `cert` (where its delta CRLs are, RFC 5280
/// §4.2.1.15): the syntax of cRLDistributionPoints.
pub fn freshest_of_cert(x: &X509Certificate<'_>) -> Result<Option<Vec<Dp>>, String> {
    of_ext(x, "2.5.29.46", "freshestCRL")
}

fn of_ext(x: &X509Certificate<'_>, oid: &str, name: &str) -> Result<Option<Vec<Dp>>, String> {
    let Some(ext) = x.extensions().iter().find(|e| e.oid.to_id_string() == oid) else {
        return Ok(None);
    };
    parse_dps(ext.value, &dir_of(x.issuer()))
        .map(Some)
        .ok_or_else(|| format!("its {name} extension cannot be read"))
}

/// Every URI among the full names of `dps` (any scheme: http, ldap, …),
/// each once, in order: what the extension names, as `openssl x509 -text`
/// lists it.
pub fn uris(dps: &[Dp]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in dps.iter().filter_map(|d| d.names.as_ref()).flatten() {
        if let GName::Uri(u) = n
            && !out.contains(u)
        {
            out.push(u.clone());
        }
    }
    out
}

/// The http(s) URIs among the full names of `dps`, each once.
pub fn http_uris(dps: &[Dp]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in dps.iter().filter_map(|d| d.names.as_ref()).flatten() {
        if let GName::Uri(u) = n
            && crate::fetch::check_scheme(u).is_ok()
            && !out.contains(u)
        {
            out.push(u.clone());
        }
    }
    out
}

/// Reads CRLDistributionPoints syntax (cRLDistributionPoints, freshestCRL)
/// whose relative names are relative to `issuer`.
pub fn parse_dps(value: &[u8], issuer: &DirName) -> Option<Vec<Dp>> {
    let (t, seq, _) = tlv(value)?;
    if t != 0x30 {
        return None;
    }
    let mut out = Vec::new();
    for (t, c) in items(seq)? {
        if t != 0x30 {
            return None;
        }
        let mut dp = Dp {
            reasons: ALL_REASONS,
            ..Dp::default()
        };
        let mut crl_issuer_raw = None;
        let mut name_raw = None;
        for (t, f) in items(c)? {
            match t {
                0xA0 => name_raw = Some(f),
                0x81 => dp.reasons = reason_bits(f)?,
                0xA2 => crl_issuer_raw = Some(f),
                _ => return None,
            }
        }
        if let Some(ci) = crl_issuer_raw {
            dp.crl_issuer = Some(general_names(ci)?);
        }
        if let Some(n) = name_raw {
            // A relative name is relative to the cRLIssuer when there is one.
            let base = dp
                .crl_issuer
                .as_ref()
                .and_then(|c| {
                    c.iter().find_map(|g| match g {
                        GName::Dir(d) => Some(d.clone()),
                        _ => None,
                    })
                })
                .unwrap_or_else(|| issuer.clone());
            dp.names = Some(dp_name(n, &base)?);
        }
        out.push(dp);
    }
    Some(out)
}

/// Reads an issuingDistributionPoint extension value.
pub fn idp(value: &[u8], crl_issuer: &DirName) -> Option<Idp> {
    let (t, seq, _) = tlv(value)?;
    if t != 0x30 {
        return None;
    }
    let mut idp = Idp::default();
    let truth = |c: &[u8]| c.first().is_some_and(|&b| b != 0);
    for (t, c) in items(seq)? {
        match t {
            0xA0 => idp.names = Some(dp_name(c, crl_issuer)?),
            0x81 => idp.only_user = truth(c),
            0x82 => idp.only_ca = truth(c),
            0x83 => idp.only_some_reasons = Some(reason_bits(c)?),
            0x84 => idp.indirect = truth(c),
            0x85 => idp.only_attribute = truth(c),
            _ => return None,
        }
    }
    Some(idp)
}
