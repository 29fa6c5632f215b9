//! A CRL for people and for `--json`: issuer, dates, number of entries,
//! and which of the certificates given alongside it it lists.

use serde::Serialize;

use crate::model::Cert;
use crate::revocation::Crl;

/// One certificate given alongside a CRL that the CRL lists.
#[derive(Serialize)]
pub struct Listed {
    pub subject: String,
    pub sha256: String,
    /// Revocation date, Unix seconds.
    pub revoked_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A CRL as `inspect` shows it.
#[derive(Serialize)]
pub struct CrlSummary {
    pub source: String,
    pub issuer: String,
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// nextUpdate, Unix seconds (absent when the CRL has none).
    pub next_update: Option<i64>,
    /// cRLNumber in hex.
    pub number: Option<String>,
    /// True for a delta CRL (deltaCRLIndicator).
    pub delta: bool,
    pub entries: usize,
    /// The certificates read with it that it lists (its signature is not
    /// checked here: `verify` does that).
    pub lists: Vec<Listed>,
    /// Of the certificates read with it, those it covers (same issuer) and
    /// does not list.
    pub not_listed: Vec<String>,
    /// The URIs of its freshestCRL extension: where the delta CRLs over it
    /// are published (RFC 5280 §5.2.6); absent when it has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub freshest_crl: Vec<String>,
}

impl CrlSummary {
    pub fn of(c: &Crl, certs: &[Cert]) -> CrlSummary {
        let mut lists = Vec::new();
        let mut not_listed = Vec::new();
        for cert in certs {
            let x = cert.parsed();
            let issuer = crate::chain::names::dir_of(x.issuer());
            match c.lookup(&issuer, x.raw_serial()) {
                Some(e) => lists.push(Listed {
                    subject: cert.subject().to_string(),
                    sha256: cert.id().hex(),
                    revoked_at: e.revoked_at,
                    reason: e.reason.map(|r| r.to_string()),
                }),
                None if issuer == c.issuer_dir => not_listed.push(cert.subject().to_string()),
                None => {}
            }
        }
        CrlSummary {
            source: c.source.clone(),
            issuer: c.issuer.clone(),
            this_update: c.this_update,
            next_update: c.next_update,
            number: c.number.as_ref().map(hex::encode),
            delta: c.is_delta(),
            entries: c.len(),
            lists,
            not_listed,
            freshest_crl: c.freshest_uris.clone(),
        }
    }
}

fn day(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// The CRLs as a table, then one line per certificate listed or not.
pub fn table(crls: &[CrlSummary]) -> String {
    if crls.is_empty() {
        return String::new();
    }
    let mut t = super::table::new(&[
        "CRL",
        "Issuer",
        "This update",
        "Next update",
        "Number",
        "Entries",
        "From",
    ]);
    for (i, c) in crls.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            c.issuer.clone(),
            day(c.this_update),
            c.next_update.map(day).unwrap_or_else(|| "none".into()),
            format!(
                "{}{}",
                c.number.clone().unwrap_or_else(|| "none".into()),
                if c.delta { " (delta)" } else { "" }
            ),
            c.entries.to_string(),
            c.source.clone(),
        ]);
    }
    let mut s = format!("{t}\n");
    for (i, c) in crls.iter().enumerate() {
        for l in &c.lists {
            s.push_str(&format!(
                "CRL {} lists \"{}\": revoked {}{}\n",
                i + 1,
                l.subject,
                day(l.revoked_at),
                l.reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        for n in &c.not_listed {
            s.push_str(&format!("CRL {} does not list \"{n}\"\n", i + 1));
        }
        for u in &c.freshest_crl {
            s.push_str(&format!("CRL {}: delta CRLs at {u}\n", i + 1));
        }
    }
    s
}
