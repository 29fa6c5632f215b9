//! Certificate revocation lists (RFC 5280 §5): read once from DER or PEM
//! into an owned [`Crl`] whose entries are indexed by (certificate issuer,
//! serial), so that a 250,000-entry CRL answers a lookup at once.
//!
//! What a CRL *means* for one certificate (scope, signer, dates, deltas)
//! is decided in [`super::check`]; this module only reads.

use std::collections::HashMap;

use x509_parser::prelude::*;

use super::dp::{self, Idp};
use crate::chain::names::{GName, dir_of};
use crate::chain::signature::{SigError, verify_signed};

/// A normalised directory name (see [`dir_of`]).
pub type DirName = Vec<Vec<(String, Vec<u8>)>>;

/// CRL extensions chainfix understands, and so accepts when critical.
const KNOWN_CRL_EXTENSIONS: &[&str] = &[
    "2.5.29.20",         // cRLNumber
    "2.5.29.27",         // deltaCRLIndicator
    "2.5.29.28",         // issuingDistributionPoint
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.18",         // issuerAltName
    "2.5.29.46",         // freshestCRL
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];

/// CRL entry extensions chainfix understands.
const KNOWN_ENTRY_EXTENSIONS: &[&str] = &[
    "2.5.29.21", // reasonCode
    "2.5.29.24", // invalidityDate
    "2.5.29.29", // certificateIssuer
    "2.5.29.23", // holdInstructionCode
];

/// Every reason bit of ReasonFlags (keyCompromise … aACompromise).
pub const ALL_REASONS: u16 = 0x1FE;

/// A CRLReason (RFC 5280 §5.3.1); serialised with RFC 5280's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    Unspecified,
    KeyCompromise,
    #[serde(rename = "cACompromise")]
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    #[serde(rename = "removeFromCRL")]
    RemoveFromCrl,
    PrivilegeWithdrawn,
    #[serde(rename = "aACompromise")]
    AaCompromise,
    /// A value RFC 5280 does not define.
    Other(u8),
}

impl Reason {
    pub fn from_code(c: u8) -> Reason {
        match c {
            0 => Reason::Unspecified,
            1 => Reason::KeyCompromise,
            2 => Reason::CaCompromise,
            3 => Reason::AffiliationChanged,
            4 => Reason::Superseded,
            5 => Reason::CessationOfOperation,
            6 => Reason::CertificateHold,
            8 => Reason::RemoveFromCrl,
            9 => Reason::PrivilegeWithdrawn,
            10 => Reason::AaCompromise,
            o => Reason::Other(o),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Unspecified => f.write_str("unspecified"),
            Reason::KeyCompromise => f.write_str("keyCompromise"),
            Reason::CaCompromise => f.write_str("cACompromise"),
            Reason::AffiliationChanged => f.write_str("affiliationChanged"),
            Reason::Superseded => f.write_str("superseded"),
            Reason::CessationOfOperation => f.write_str("cessationOfOperation"),
            Reason::CertificateHold => f.write_str("certificateHold"),
            Reason::RemoveFromCrl => f.write_str("removeFromCRL"),
            Reason::PrivilegeWithdrawn => f.write_str("privilegeWithdrawn"),
            Reason::AaCompromise => f.write_str("aACompromise"),
            Reason::Other(c) => write!(f, "reason code {c}"),
        }
    }
}

/// One revoked certificate.
#[derive(Clone, Debug)]
pub struct Entry {
    pub revoked_at: i64,
    pub reason: Option<Reason>,
    pub invalidity: Option<i64>,
}

/// A parsed CRL.
#[derive(Clone, Debug)]
pub struct Crl {
    /// Where it was read from (file path or URL).
    pub source: String,
    der: Vec<u8>,
    pub issuer: String,
    pub issuer_dir: DirName,
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// cRLNumber, big-endian without leading zeros.
    pub number: Option<Vec<u8>>,
    /// BaseCRLNumber of a delta CRL.
    pub delta_base: Option<Vec<u8>>,
    pub idp: Option<Idp>,
    pub aki: Option<Vec<u8>>,
    /// The http(s) URLs of its freshestCRL extension: where the delta CRLs
    /// over this complete CRL are published (RFC 5280 §5.2.6).
    pub freshest: Vec<String>,
    /// Every URI of its freshestCRL extension (ldap included), for display.
    pub freshest_uris: Vec<String>,
    /// Critical CRL or CRL-entry extensions chainfix does not know: the
    /// CRL cannot be relied on (RFC 5280 §5.2, §5.3).
    pub unknown_critical: Vec<String>,
    /// Faults against the RFC 5280 CRL profile that strict verifiers
    /// (rustls-webpki) refuse the CRL for, though RFC 5280 §6.3 does not.
    pub profile_faults: Vec<String>,
    /// (index in `entry_issuers`, serial) → entry: an indirect CRL names
    /// few issuers, so entries hold an index, not a name each.
    entries: HashMap<(u32, Vec<u8>), Entry>,
    entry_issuers: Vec<DirName>,
    count: usize,
    /// Byte range of tbsCertList in `der`; the signature algorithm follows it.
    tbs: std::ops::Range<usize>,
    signature: Vec<u8>,
}

fn strip(b: &[u8]) -> Vec<u8> {
    let s: &[u8] = {
        let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        &b[i..]
    };
    s.to_vec()
}

/// Reads a DER INTEGER's content bytes (for BaseCRLNumber).
fn der_integer(v: &[u8]) -> Option<Vec<u8>> {
    let (&tag, rest) = v.split_first()?;
    let (&len, rest) = rest.split_first()?;
    if tag != 0x02 || len as usize > rest.len() || len & 0x80 != 0 {
        return None;
    }
    Some(strip(&rest[..len as usize]))
}

impl Crl {
    /// True when `bytes` look like a CRL (DER or PEM) rather than a certificate.
    pub fn looks_like(bytes: &[u8]) -> bool {
        if bytes.windows(15).any(|w| w == b"BEGIN X509 CRL-") {
            return true;
        }
        parse_x509_crl(bytes).is_ok()
    }

    /// Reads every CRL in `bytes` (one DER CRL, or PEM blocks labelled
    /// `X509 CRL`).
    pub fn read_all(bytes: &[u8], source: &str) -> Result<Vec<Crl>, String> {
        if bytes.windows(10).any(|w| w == b"-----BEGIN") {
            let blocks = ::pem::parse_many(bytes).map_err(|e| format!("{source}: PEM: {e}"))?;
            let crls: Vec<Crl> = blocks
                .iter()
                .filter(|b| b.tag() == "X509 CRL")
                .map(|b| Crl::from_der(b.contents().to_vec(), source))
                .collect::<Result<_, _>>()?;
            if crls.is_empty() {
                return Err(format!("{source} holds no X509 CRL block"));
            }
            return Ok(crls);
        }
        Ok(vec![Crl::from_der(bytes.to_vec(), source)?])
    }

    pub fn from_der(der: Vec<u8>, source: &str) -> Result<Crl, String> {
        let (rest, x) =
            parse_x509_crl(&der).map_err(|e| format!("{source} is not a readable CRL: {e}"))?;
        if !rest.is_empty() {
            return Err(format!("{source}: {} byte(s) after the CRL", rest.len()));
        }
        let issuer_name = x.issuer();
        let mut unknown_critical = Vec::new();
        let mut profile_faults = Vec::new();
        let mut number = None;
        let mut delta_base = None;
        let mut idp = None;
        let mut aki = None;
        let mut freshest = Vec::new();
        let mut freshest_uris = Vec::new();
        for e in x.extensions() {
            let oid = e.oid.to_id_string();
            if e.critical && !KNOWN_CRL_EXTENSIONS.contains(&oid.as_str()) {
                unknown_critical.push(oid.clone());
            }
            match e.parsed_extension() {
                ParsedExtension::CRLNumber(n) => {
                    number = Some(strip(&n.to_bytes_be()));
                    if e.critical {
                        profile_faults.push("cRLNumber is critical (RFC 5280 §5.2.3)".into());
                    }
                }
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => {}
            }
            if oid == "2.5.29.28" {
                match dp::idp(e.value, &dir_of(issuer_name)) {
                    Some(i) => idp = Some(i),
                    None => unknown_critical.push("2.5.29.28 (unreadable)".into()),
                }
            }
            if oid == "2.5.29.46" {
                match dp::parse_dps(e.value, &dir_of(issuer_name)) {
                    Some(d) => {
                        freshest = dp::http_uris(&d);
                        freshest_uris = dp::uris(&d);
                    }
                    // Non-critical as RFC 5280 says: no delta, nothing more.
                    None if e.critical => unknown_critical.push("2.5.29.46 (unreadable)".into()),
                    None => {}
                }
            }
            if oid == "2.5.29.27" {
                delta_base = Some(
                    der_integer(e.value)
                        .ok_or_else(|| format!("{source}: unreadable deltaCRLIndicator"))?,
                );
            }
        }
        let issuer_dir = dir_of(issuer_name);
        let mut entries = HashMap::new();
        let mut entry_issuers = vec![issuer_dir.clone()];
        let mut entry_issuer: u32 = 0;
        let mut count = 0;
        for r in x.iter_revoked_certificates() {
            count += 1;
            for e in r.extensions() {
                let oid = e.oid.to_id_string();
                if e.critical && !KNOWN_ENTRY_EXTENSIONS.contains(&oid.as_str()) {
                    unknown_critical.push(format!("{oid} (in an entry)"));
                }
                if oid == "2.5.29.29" {
                    // certificateIssuer: this and the following entries.
                    if let Ok((_, g)) = IssuerAlternativeName::from_der(e.value)
                        && let Some(GName::Dir(d)) = g
                            .general_names
                            .iter()
                            .map(GName::from_general)
                            .find(|g| matches!(g, GName::Dir(_)))
                    {
                        entry_issuer = match entry_issuers.iter().position(|x| *x == d) {
                            Some(i) => i as u32,
                            None => {
                                entry_issuers.push(d);
                                (entry_issuers.len() - 1) as u32
                            }
                        };
                    }
                }
            }
            let reason = r.reason_code().map(|(_, c)| Reason::from_code(c.0));
            entries.insert(
                (entry_issuer, r.raw_serial().to_vec()),
                Entry {
                    revoked_at: r.revocation_date.timestamp(),
                    reason,
                    invalidity: r.invalidity_date().map(|(_, t)| t.timestamp()),
                },
            );
        }
        unknown_critical.dedup();
        if number.is_none() {
            profile_faults.push(
                "no cRLNumber (RFC 5280 §5.2.3: conforming CRL issuers MUST include it)".into(),
            );
        }
        let tbs_raw = x.tbs_cert_list.as_ref();
        let start = tbs_raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = start..start + tbs_raw.len();
        let signature = x.signature_value.data.to_vec();
        Ok(Crl {
            tbs,
            signature,
            source: source.to_string(),
            issuer: crate::model::name_to_string(issuer_name),
            issuer_dir,
            this_update: x.last_update().timestamp(),
            next_update: x.next_update().map(|t| t.timestamp()),
            number,
            delta_base,
            idp,
            aki,
            freshest,
            freshest_uris,
            unknown_critical,
            profile_faults,
            entries,
            entry_issuers,
            count,
            der: Vec::new(),
        }
        .with_der(der))
    }

    fn with_der(mut self, der: Vec<u8>) -> Crl {
        self.der = der;
        self
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn is_delta(&self) -> bool {
        self.delta_base.is_some()
    }

    /// The entry for a certificate with this issuer and serial.
    pub fn lookup(&self, issuer: &DirName, serial: &[u8]) -> Option<&Entry> {
        let i = self.entry_issuers.iter().position(|x| x == issuer)?;
        self.entries.get(&(i as u32, serial.to_vec()))
    }

    /// Verifies the CRL's signature with `spki`.
    pub fn verify_with(&self, spki: &SubjectPublicKeyInfo<'_>) -> Result<(), SigError> {
        let (_, alg) = AlgorithmIdentifier::from_der(&self.der[self.tbs.end..]).map_err(|e| {
            SigError::Unsupported {
                detail: e.to_string(),
            }
        })?;
        verify_signed(spki, &alg, &self.der[self.tbs.clone()], &self.signature).map(|_| ())
    }
}

/// Reads the CRLs of a file or of every file in a directory (`--crl`).
pub fn read_path(path: &std::path::Path) -> Result<Vec<Crl>, String> {
    let mut files = Vec::new();
    if path.is_dir() {
        let rd = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read the CRL directory {}: {e}", path.display()))?;
        for e in rd.flatten() {
            if e.path().is_file() {
                files.push(e.path());
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f)
            .map_err(|e| format!("cannot read the CRL file {}: {e}", f.display()))?;
        out.extend(Crl::read_all(&bytes, &f.display().to_string())?);
    }
    Ok(out)
}
