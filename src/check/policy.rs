//! Dated policy, as data: the rules that change on a calendar, each with
//! its source. Checks read these tables; nothing else in chainfix hard-codes
//! a policy date. When a CA or root program moves a date, change the row
//! here (and its source), and the finding's message follows.
//!
//! Sources as gathered for the project in `data/salesforce-trust/README.md`
//! (section "EKU policy dates") and the CA/Browser Forum Baseline
//! Requirements (ballot SC-081).

use serde::Serialize;

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Source {
    pub title: &'static str,
    pub url: &'static str,
}

pub const CHROME_POLICY: Source = Source {
    title: "Chrome Root Program Policy 1.8 (2026-02-05), earlier 1.6/1.7",
    url: "https://googlechrome.github.io/chromerootprogram/",
};

/// What an EKU rule restricts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EkuScope {
    /// Public subordinate CAs disclosed on or after the date.
    SubordinateCa,
    /// Public TLS leaf certificates issued on or after the date.
    Leaf,
}

/// A root program's EKU separation rule: from `from`, certificates in
/// `scope` chaining to a root in the program must be serverAuth-only.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct EkuRule {
    pub scope: EkuScope,
    pub from: &'static str,
    /// A date the rule used to say, if it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier_text: Option<&'static str>,
    pub policy: &'static str,
    pub source: Source,
}

/// Chrome Root Program: serverAuth-only hierarchies.
pub const CHROME_EKU_RULES: &[EkuRule] = &[
    EkuRule {
        scope: EkuScope::SubordinateCa,
        from: "2026-06-15",
        earlier_text: None,
        policy: "Chrome Root Program policy 1.6/1.7 (kept in 1.8)",
        source: CHROME_POLICY,
    },
    EkuRule {
        scope: EkuScope::Leaf,
        from: "2027-03-15",
        earlier_text: Some("2026-06-15"),
        policy: "Chrome Root Program policy 1.8 (policy 1.7 said 2026-06-15)",
        source: CHROME_POLICY,
    },
];

/// A public CA's schedule for dropping clientAuth from its TLS certificates.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ClientAuthCutoff {
    /// The CA as people know it.
    pub ca: &'static str,
    /// Case-insensitive words that identify the CA in an issuer or root name.
    pub names: &'static [&'static str],
    /// From this date clientAuth is left out unless asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_by_default: Option<&'static str>,
    /// The last date a TLS certificate with clientAuth can be issued.
    pub last_date: &'static str,
    pub note: &'static str,
    pub source: Source,
}

const SF_TRUST_README: &str = "data/salesforce-trust/README.md (CA announcements, 2025-2026)";

/// Public CAs' last dates for clientAuth in TLS certificates.
pub const CLIENT_AUTH_CUTOFFS: &[ClientAuthCutoff] = &[
    ClientAuthCutoff {
        ca: "DigiCert",
        names: &["digicert", "geotrust", "thawte", "rapidssl"],
        off_by_default: Some("2025-10-01"),
        last_date: "2027-03-01",
        note: "DigiCert (and GeoTrust, Thawte, RapidSSL): off by default from 2025-10-01, hard stop 2027-03-01",
        source: Source {
            title: SF_TRUST_README,
            url: "https://knowledge.digicert.com/alerts/sunsetting-client-authentication-eku-from-digicert-public-tls-certificates",
        },
    },
    ClientAuthCutoff {
        ca: "Sectigo",
        names: &["sectigo", "comodo", "usertrust"],
        off_by_default: None,
        last_date: "2026-05-15",
        note: "Sectigo: clientAuth ends 2026-05-15",
        source: Source {
            title: SF_TRUST_README,
            url: "https://www.sectigo.com/",
        },
    },
    ClientAuthCutoff {
        ca: "Let's Encrypt",
        names: &["let's encrypt", "isrg"],
        off_by_default: Some("2026-02-11"),
        last_date: "2026-05-13",
        note: "Let's Encrypt: off by default from 2026-02-11, opt-in profile closed 2026-05-13",
        source: Source {
            title: SF_TRUST_README,
            url: "https://letsencrypt.org/2025/05/14/ending-tls-client-authentication/",
        },
    },
    ClientAuthCutoff {
        ca: "Certum",
        names: &["certum", "asseco", "unizeto"],
        off_by_default: None,
        last_date: "2026-05-15",
        note: "Certum: clientAuth ends 2026-05-15",
        source: Source {
            title: SF_TRUST_README,
            url: "https://www.certum.eu/",
        },
    },
    ClientAuthCutoff {
        ca: "GlobalSign",
        names: &["globalsign"],
        off_by_default: None,
        // GlobalSign announced a move to serverAuth-only roots (R46/E46)
        // without one cut-off date; the Chrome leaf date bounds it.
        last_date: "2027-03-15",
        note: "GlobalSign: moving TLS to serverAuth-only roots (R46/E46); Chrome's leaf date bounds it",
        source: Source {
            title: SF_TRUST_README,
            url: "https://www.globalsign.com/",
        },
    },
];

/// The CA/Browser Forum's maximum validity of a TLS server certificate,
/// by issue date (Baseline Requirements §6.3.2, ballot SC-081).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MaxValidity {
    /// Certificates issued on or after this date (None: before the first step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    pub days: i64,
    pub source: Source,
}

const SC081: Source = Source {
    title: "CA/Browser Forum Baseline Requirements 6.3.2, ballot SC-081",
    url: "https://cabforum.org/2025/04/11/ballot-sc081v3-introduce-schedule-of-reducing-validity-and-data-reuse-periods/",
};

pub const MAX_SERVER_VALIDITY: &[MaxValidity] = &[
    MaxValidity {
        from: None,
        days: 398,
        source: SC081,
    },
    MaxValidity {
        from: Some("2026-03-15"),
        days: 200,
        source: SC081,
    },
    MaxValidity {
        from: Some("2027-03-15"),
        days: 100,
        source: SC081,
    },
    MaxValidity {
        from: Some("2029-03-15"),
        days: 47,
        source: SC081,
    },
];

/// The Unix time of midnight UTC at the start of `date` (`YYYY-MM-DD`).
pub fn day(date: &str) -> i64 {
    let fmt = ::time::macros::format_description!("[year]-[month]-[day]");
    ::time::Date::parse(date, &fmt)
        .expect("policy dates are valid YYYY-MM-DD")
        .midnight()
        .assume_utc()
        .unix_timestamp()
}

/// The maximum validity rule that applies to a certificate issued at `issued`.
pub fn max_server_validity(issued: i64) -> &'static MaxValidity {
    MAX_SERVER_VALIDITY
        .iter()
        .rev()
        .find(|m| m.from.is_none_or(|d| issued >= day(d)))
        .expect("the first row has no start date")
}

/// The clientAuth cut-off of the public CA named in any of `names`.
pub fn client_auth_cutoff<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Option<&'static ClientAuthCutoff> {
    let names: Vec<String> = names.into_iter().map(str::to_lowercase).collect();
    CLIENT_AUTH_CUTOFFS
        .iter()
        .find(|c| c.names.iter().any(|w| names.iter().any(|n| n.contains(w))))
}

/// The Chrome rule for `scope`.
pub fn chrome_rule(scope: EkuScope) -> &'static EkuRule {
    CHROME_EKU_RULES
        .iter()
        .find(|r| r.scope == scope)
        .expect("both scopes have a rule")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_date_parses_and_steps_are_in_order() {
        for r in CHROME_EKU_RULES {
            day(r.from);
        }
        for c in CLIENT_AUTH_CUTOFFS {
            day(c.last_date);
            c.off_by_default.map(day);
        }
        let starts: Vec<i64> = MAX_SERVER_VALIDITY
            .iter()
            .filter_map(|m| m.from.map(day))
            .collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn validity_steps_by_issue_date() {
        assert_eq!(max_server_validity(day("2026-03-14")).days, 398);
        assert_eq!(max_server_validity(day("2026-03-15")).days, 200);
        assert_eq!(max_server_validity(day("2027-03-15")).days, 100);
        assert_eq!(max_server_validity(day("2030-01-01")).days, 47);
    }

    #[test]
    fn cutoffs_are_found_by_name() {
        assert_eq!(
            client_auth_cutoff(["CN=GeoTrust TLS RSA CA G1"])
                .unwrap()
                .last_date,
            "2027-03-01"
        );
        assert_eq!(
            client_auth_cutoff(["O=Let's Encrypt, CN=R11"]).unwrap().ca,
            "Let's Encrypt"
        );
        assert!(client_auth_cutoff(["CN=Example Private CA"]).is_none());
        assert_eq!(chrome_rule(EkuScope::Leaf).from, "2027-03-15");
    }
}
