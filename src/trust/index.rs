//! The roots index shipped with chainfix (`data/salesforce-trust/roots-index.tsv`):
//! one line per root that some source names, keyed by SHA-256, with its
//! subject, expiry, OpenJDK `cacerts` alias (the names `cacerts.jsp` uses)
//! and which sources hold it. It is how fingerprints and aliases in a
//! user's list are joined to certificates.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// The index file, embedded at build time.
pub const INDEX_TSV: &str = include_str!("../../data/salesforce-trust/roots-index.tsv");

/// One row of the roots index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexEntry {
    /// SHA-256 of the root's DER, lowercase hex.
    pub sha256: String,
    /// Subject as the index writes it (RFC 2253 order), or a note when no
    /// certificate was at hand.
    pub subject: String,
    /// notAfter as `YYYY-MM-DD`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// OpenJDK `cacerts` alias, when the root has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jdk_alias: Option<String>,
    /// Which sources hold the root (`MOZ_TLS_…`, `DEBIAN_CA_…`, `SF-…`).
    pub sources: Vec<String>,
}

impl IndexEntry {
    /// A Salesforce source names this root (`SF-…` flag).
    pub fn salesforce_named(&self) -> bool {
        self.sources.iter().any(|s| s.starts_with("SF-"))
    }
    /// The index has no certificate for this root, only its fingerprint.
    pub fn fingerprint_only(&self) -> bool {
        self.subject.starts_with("(no PEM")
    }
}

/// Parses index text (comment lines start with `#`; five tab-separated columns).
pub fn parse_index(text: &str) -> Vec<IndexEntry> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() < 5 || cols[0].len() != 64 {
                return None;
            }
            let opt = |s: &str| (s != "-" && s != "?" && !s.is_empty()).then(|| s.to_string());
            Some(IndexEntry {
                sha256: cols[0].to_ascii_lowercase(),
                subject: cols[1].to_string(),
                not_after: opt(cols[2]),
                jdk_alias: opt(cols[3].trim_end_matches(" [jdk]")),
                sources: cols[4]
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            })
        })
        .collect()
}

/// The embedded index, parsed once.
pub fn entries() -> &'static [IndexEntry] {
    static ENTRIES: OnceLock<Vec<IndexEntry>> = OnceLock::new();
    ENTRIES.get_or_init(|| parse_index(INDEX_TSV))
}

/// The index row for a SHA-256 (lowercase hex). The lookup table is built
/// on the first call.
pub fn by_sha256(hex: &str) -> Option<&'static IndexEntry> {
    static BY_SHA256: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let map =
        BY_SHA256.get_or_init(|| first_rows(entries().iter().map(|e| Some(e.sha256.as_str()))));
    map.get(hex).map(|&i| &entries()[i])
}

/// The index row for an OpenJDK `cacerts` alias (case-insensitive). The
/// lookup table is built on the first call.
pub fn by_alias(alias: &str) -> Option<&'static IndexEntry> {
    static BY_ALIAS: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let map = BY_ALIAS.get_or_init(|| first_rows(entries().iter().map(|e| e.jdk_alias.as_deref())));
    map.get(alias.to_ascii_lowercase().as_str())
        .map(|&i| &entries()[i])
}

/// Key → position of the first row with that key (as a scan would find).
fn first_rows(keys: impl Iterator<Item = Option<&'static str>>) -> HashMap<&'static str, usize> {
    let mut map = HashMap::new();
    for (i, k) in keys.enumerate() {
        if let Some(k) = k {
            map.entry(k).or_insert(i);
        }
    }
    map
}

/// A subject written with or without spaces after commas compares equal.
pub fn normalise_dn(s: &str) -> String {
    s.split(',')
        .map(|p| p.trim())
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_index_has_every_row() {
        assert_eq!(entries().len(), 203);
        let g2 = by_alias("digicertglobalrootg2").expect("DigiCert Global Root G2 row");
        assert!(g2.salesforce_named());
        assert!(g2.subject.contains("DigiCert Global Root G2"));
        assert!(by_sha256(&g2.sha256).is_some());
        assert_eq!(
            by_alias("DigiCertGlobalRootG2"),
            Some(g2),
            "aliases ignore case"
        );
        assert_eq!(by_sha256(&"0".repeat(64)), None);
        assert!(by_alias("addtrustexternalca").unwrap().fingerprint_only());
    }
}
