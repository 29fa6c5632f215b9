//! Loading trust stores: the bundled candidate store, Mozilla's, a user's
//! roots file, and an org's real list in whatever form the user saved it.

use std::collections::HashSet;

use serde::Serialize;

use super::TrustStore;
use super::index::{self, IndexEntry};
use crate::error::{Error, Result};
use crate::model::{Cert, IdSet, Origin};

/// The bundled candidate roots (PEM with comment lines), embedded at build time.
pub const CANDIDATE_PEM: &[u8] = include_bytes!("../../data/salesforce-trust/candidate-roots.pem");

/// Provenance and licence of the bundled data.
pub const PROVENANCE: &str = include_str!("../../data/salesforce-trust/README.md");

/// The certificates of bundled, well-formed PEM: each CERTIFICATE block's
/// base64 decoded as it stands, numbered as PEM blocks. Every run that
/// uses the default store pays for this: the `pem` crate's parser took
/// four fifths of a small `bundle` run here (it builds a `String` a
/// character at a time); this takes a tenth of that. The test
/// `the_bundled_reader_reads_what_the_pem_crate_reads` holds the two equal.
fn bundled_certs(bytes: &[u8], source: &str) -> Vec<Cert> {
    use base64::Engine;
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    const CERT: &[u8] = b"CERTIFICATE-----";
    let mut out = Vec::new();
    let mut b64 = Vec::new();
    let mut rest = bytes;
    let mut index = 0;
    while let Some(at) = memchr::memmem::find(rest, BEGIN) {
        let label = &rest[at + BEGIN.len()..];
        let Some(end) = memchr::memmem::find(label, END) else {
            break;
        };
        index += 1;
        if let Some(body) = label[..end].strip_prefix(CERT) {
            b64.clear();
            for line in body.split(|&b| b == b'\n') {
                b64.extend_from_slice(line.trim_ascii());
            }
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(&b64)
                && let Ok(c) = Cert::from_der(der, Origin::block(source, index))
            {
                out.push(c);
            }
        }
        rest = &label[end + END.len()..];
    }
    out
}

/// Every certificate in a PEM text (other blocks and text ignored), read
/// with the same forgiving scanner as the inputs: a root file saved from a
/// mail, with text around the blocks or one quoted with `> `, still gives
/// its certificates, and one damaged block does not hide the others.
fn pem_certs(bytes: &[u8], source: &str) -> Vec<Cert> {
    crate::parse::pem::scan(bytes)
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE" || b.label == "TRUSTED CERTIFICATE")
        .filter_map(|b| {
            let der = b.body.ok()?;
            Cert::from_der(der, Origin::block(source, b.index)).ok()
        })
        .collect()
}

/// The bundled Salesforce candidate store (158 roots). A guess, not
/// Salesforce's list: see [`super::CANDIDATE_NOTE`].
pub fn salesforce_candidate() -> TrustStore {
    TrustStore::new(
        "salesforce-candidate",
        bundled_certs(CANDIDATE_PEM, "bundled salesforce-candidate store"),
        true,
    )
}

/// Mozilla's TLS server-auth roots, as shipped by the webpki-root-certs crate.
pub fn mozilla() -> TrustStore {
    let anchors = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            Cert::from_der(
                d.as_ref().to_vec(),
                Origin::block("webpki-root-certs", i + 1),
            )
            .ok()
        })
        .collect();
    TrustStore::new("mozilla", anchors, false)
}

/// A user's own roots (`--roots FILE`): PEM certificates or one DER
/// certificate. Every certificate becomes an anchor.
pub fn roots_file(name: &str, bytes: &[u8]) -> Result<TrustStore> {
    let mut certs = pem_certs(bytes, name);
    if certs.is_empty()
        && let Ok(c) = Cert::from_der(bytes.to_vec(), Origin::file(name))
    {
        certs.push(c);
    }
    if certs.is_empty() {
        // Not "give the files that hold your certificate": this file was
        // meant to hold roots.
        return Err(Error::NoTrustAnchors {
            path: name.to_string(),
        });
    }
    Ok(TrustStore::new(name, certs, false))
}

/// How each entry of an org's list was resolved.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct OrgListReport {
    /// Certificates read from PEM blocks.
    pub pem: usize,
    /// Entries resolved by SHA-256 fingerprint.
    pub sha256: usize,
    /// Entries resolved by SHA-1 fingerprint.
    pub sha1: usize,
    /// Entries resolved by Java cacerts alias.
    pub alias: usize,
    /// Entries resolved by subject name.
    pub subject: usize,
    /// Fingerprints and aliases that matched nothing chainfix knows
    /// (a root to add as PEM with --roots).
    pub unresolved: Vec<String>,
}

/// What a fingerprint or alias resolved to.
#[derive(Clone, Debug)]
pub enum Resolved {
    Cert(Cert),
    Known(IndexEntry),
}

/// Certificates chainfix carries (candidate + Mozilla), for joining
/// fingerprints to certificates.
fn universe() -> Vec<Cert> {
    let mut all = salesforce_candidate().anchors;
    let seen: IdSet = all.iter().map(Cert::id).collect();
    all.extend(
        mozilla()
            .anchors
            .into_iter()
            .filter(|c| !seen.contains(&c.id())),
    );
    all
}

fn sha1_hex(der: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(der))
}

/// Resolves a SHA-256 (64 hex) or SHA-1 (40 hex) fingerprint, lowercase hex.
fn resolve_fingerprint(hex: &str, all: &[Cert]) -> Option<Resolved> {
    match hex.len() {
        64 => all
            .iter()
            .find(|c| c.id().hex() == hex)
            .map(|c| Resolved::Cert(c.clone()))
            .or_else(|| index::by_sha256(hex).map(|e| Resolved::Known(e.clone()))),
        40 => all
            .iter()
            .find(|c| sha1_hex(c.der()) == hex)
            .map(|c| Resolved::Cert(c.clone())),
        _ => None,
    }
}

fn resolve_entry(e: &IndexEntry, all: &[Cert]) -> Resolved {
    all.iter()
        .find(|c| c.id().hex() == e.sha256)
        .map(|c| Resolved::Cert(c.clone()))
        .unwrap_or_else(|| Resolved::Known(e.clone()))
}

/// Hex fingerprints in text: 64 or 40 hex digits, with or without `:`
/// (or space) separators between byte pairs.
fn fingerprints(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_hexdigit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut hexs = String::new();
        let mut j = i;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_hexdigit() {
                hexs.push((b as char).to_ascii_lowercase());
                j += 1;
            } else if (b == b':' || b == b' ')
                && hexs.len().is_multiple_of(2)
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_hexdigit()
                && (b == b':' || hexs.len() >= 2)
            {
                j += 1;
            } else {
                break;
            }
            if hexs.len() == 64 {
                break;
            }
        }
        let end_ok = j >= bytes.len() || !bytes[j].is_ascii_alphanumeric();
        if end_ok && (hexs.len() == 64 || hexs.len() == 40) {
            out.push(hexs);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// An org's real list: a saved `cacerts.jsp` page, or any text holding PEM
/// blocks, SHA-256/SHA-1 fingerprints (hex, colons allowed), OpenJDK
/// `cacerts` aliases (`#digicertglobalrootg2`, one per line, or as words)
/// or subject names from the index. Fingerprints and aliases are joined
/// against the roots index and the certificates chainfix carries; those
/// with no certificate become fingerprint-only anchors.
pub fn org_list(name: &str, bytes: &[u8]) -> Result<(TrustStore, OrgListReport)> {
    let mut store = TrustStore::new(name, Vec::new(), false);
    let mut report = OrgListReport::default();
    for c in pem_certs(bytes, name) {
        report.pem += 1;
        store.add(c);
    }
    // DER of one certificate (a root saved from a browser).
    if report.pem == 0
        && let Ok(c) = Cert::from_der(bytes.to_vec(), Origin::file(name))
    {
        report.pem += 1;
        store.add(c);
    }
    let text = String::from_utf8_lossy(bytes);
    // Drop PEM bodies so base64 runs are not mistaken for aliases.
    let text = strip_pem(&text);
    // The bundled certificates (a few hundred to parse) are needed only to
    // join a fingerprint, alias or name; a file of plain PEM roots never
    // builds them.
    let universe_once = std::cell::OnceCell::new();
    let all = || universe_once.get_or_init(universe).as_slice();
    let add = |store: &mut TrustStore, r: Resolved| match r {
        Resolved::Cert(c) => store.add(c),
        Resolved::Known(e) => {
            if !store.known.iter().any(|k| k.sha256 == e.sha256)
                && !store.anchors.iter().any(|a| a.id().hex() == e.sha256)
            {
                store.known.push(e)
            }
        }
    };
    for fp in fingerprints(&text) {
        match resolve_fingerprint(&fp, all()) {
            Some(r) => {
                if fp.len() == 64 {
                    report.sha256 += 1
                } else {
                    report.sha1 += 1
                }
                add(&mut store, r);
            }
            None => report.unresolved.push(fp),
        }
    }
    // Aliases: words of lowercase letters and digits that the index knows.
    let mut seen_alias = HashSet::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        let w = word.to_ascii_lowercase();
        if w.len() < 4 || !seen_alias.insert(w.clone()) {
            continue;
        }
        if let Some(e) = index::by_alias(&w) {
            report.alias += 1;
            add(&mut store, resolve_entry(e, all()));
        }
    }
    // Subject names, one per line (e.g. copied from the page's table).
    for line in text.lines() {
        let l = line.trim();
        if !l.contains("CN=") && !l.contains("OU=") {
            continue;
        }
        let n = index::normalise_dn(l);
        let rev = index::normalise_dn(&l.split(',').rev().collect::<Vec<_>>().join(","));
        if let Some(e) = index::entries().iter().find(|e| {
            index::normalise_dn(&e.subject) == n || index::normalise_dn(&e.subject) == rev
        }) {
            report.subject += 1;
            add(&mut store, resolve_entry(e, all()));
        }
    }
    if store.is_empty() {
        return Err(Error::NoTrustAnchors {
            path: name.to_string(),
        });
    }
    Ok((store, report))
}

fn strip_pem(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.lines() {
        if line.contains("-----BEGIN ") {
            inside = true;
            continue;
        }
        if line.contains("-----END ") {
            inside = false;
            continue;
        }
        if !inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_store_has_every_candidate_root_and_says_it_is_a_candidate() {
        let s = salesforce_candidate();
        assert_eq!(s.anchors.len(), 158);
        assert!(s.candidate);
        assert!(s.caveat().unwrap().contains("CANDIDATE"));
        assert!(s.caveat().unwrap().contains("cacerts.jsp"));
    }

    #[test]
    fn the_bundled_reader_reads_what_the_pem_crate_reads() {
        let source = "bundled salesforce-candidate store";
        let ours = bundled_certs(CANDIDATE_PEM, source);
        let pem_crate: Vec<(Vec<u8>, usize)> = pem::parse_many(CANDIDATE_PEM)
            .expect("the bundled PEM parses")
            .into_iter()
            .enumerate()
            .filter(|(_, b)| b.tag() == "CERTIFICATE")
            .map(|(i, b)| (b.into_contents(), i + 1))
            .collect();
        assert_eq!(pem_crate.len(), 158);
        let ours: Vec<(Vec<u8>, usize)> = ours
            .iter()
            .map(|c| {
                (
                    c.der().to_vec(),
                    c.origins.first().block.expect("numbered") as usize,
                )
            })
            .collect();
        assert_eq!(ours, pem_crate);
        assert_eq!(
            bundled_certs(CANDIDATE_PEM, source)[0]
                .origins
                .first()
                .source
                .as_ref(),
            source
        );
    }

    #[test]
    fn a_roots_file_saved_from_a_mail_gives_every_certificate() {
        // Text around the blocks and one block quoted with "> ": the strict
        // PEM reader gave none of them ("names no root chainfix can use").
        let bytes = include_bytes!("../../testdata/examples/salesforce-client/ca-bundle.txt");
        let s = roots_file("ca-bundle.txt", bytes).unwrap();
        assert_eq!(
            s.anchors.len(),
            3,
            "{:?}",
            s.anchors.iter().map(|c| c.subject()).collect::<Vec<_>>()
        );
        let mut quoted = b"> ".to_vec();
        for &b in &bytes[..] {
            quoted.push(b);
            if b == b'\n' {
                quoted.extend_from_slice(b"> ");
            }
        }
        assert_eq!(roots_file("quoted.txt", &quoted).unwrap().anchors.len(), 3);
    }

    #[test]
    fn mozilla_store_loads() {
        let m = mozilla();
        assert!(m.anchors.len() > 100, "{}", m.anchors.len());
        assert!(!m.candidate);
    }

    #[test]
    fn org_list_joins_aliases_fingerprints_and_names() {
        let g2 = index::by_alias("digicertglobalrootg2").unwrap();
        let colon: Vec<String> = g2
            .sha256
            .as_bytes()
            .chunks(2)
            .map(|p| String::from_utf8(p.to_vec()).unwrap().to_uppercase())
            .collect();
        let actalis = salesforce_candidate()
            .anchors
            .into_iter()
            .find(|c| c.subject().contains("Actalis"))
            .unwrap();
        let page = format!(
            "<html><a href=\"cacerts.jsp#buypassclass2ca\">Buypass</a>\n\
             SHA-256 {}\n sha1={}\n addtrustexternalca\n\
             deadbeefdeadbeefdeadbeefdeadbeefdeadbeef\n</html>",
            colon.join(":"),
            sha1_hex(actalis.der())
        );
        let (store, rep) = org_list("cacerts.html", page.as_bytes()).unwrap();
        assert_eq!((rep.sha256, rep.sha1, rep.alias), (1, 1, 2), "{rep:?}");
        assert_eq!(rep.unresolved, vec!["deadbeef".repeat(5)]);
        assert_eq!(store.anchors.len(), 3);
        assert_eq!(store.known.len(), 1, "addtrustexternalca has no PEM");
        assert!(store.contains(&actalis));
        assert!(!store.candidate);
    }

    #[test]
    fn an_org_list_with_nothing_recognisable_is_an_error() {
        let e = org_list("x.txt", b"hello world").unwrap_err();
        assert!(e.to_string().contains("x.txt"));
    }
}
