//! Real-peer oracles for the differential tests (`tests/it/differential.rs`): each
//! asks a real verifier -- `openssl verify`, the JDK's TLS validator,
//! rustls-webpki -- whether it accepts a [`Case`], and answers with an
//! [`Answer`] per case id. The cases come from x509-limbo ([`limbo`]) and
//! from chains generated at test time ([`corpus`]).

pub mod corpus;
pub mod java;
pub mod openssl;
pub mod ours;
pub mod webpki;

use std::collections::BTreeMap;

use chainfix::chain::validate::Role;
use serde_json::Value;

/// A name the verifier checks the leaf against.
#[derive(Clone, Debug)]
pub enum Name {
    Dns(String),
    Ip(String),
}

/// One question for every verifier: would it accept `leaf`, sent with
/// `chain`, in `role`, trusting `anchors`, at time `at`?
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    /// Server: the verifier is a TLS client checking a server's chain;
    /// Client: a TLS server checking a client's chain.
    pub role: Role,
    /// Validation time, Unix seconds.
    pub at: i64,
    pub name: Option<Name>,
    /// DER.
    pub anchors: Vec<Vec<u8>>,
    /// DER, in the order the peer sends them after the leaf (limbo: its
    /// unordered pool, decoys included).
    pub chain: Vec<Vec<u8>>,
    pub leaf: Vec<u8>,
}

/// A verifier's verdict on one case, in its own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub accept: bool,
    pub detail: String,
}

impl Answer {
    pub fn result(&self) -> &'static str {
        if self.accept { "SUCCESS" } else { "FAILURE" }
    }
}

pub type Answers = BTreeMap<String, Answer>;

/// Writes answers as `{ id: {"result", "detail"} }`.
pub fn to_json(answers: &Answers) -> String {
    let m: BTreeMap<&String, Value> = answers
        .iter()
        .map(|(id, a)| {
            (
                id,
                serde_json::json!({"result": a.result(), "detail": a.detail}),
            )
        })
        .collect();
    serde_json::to_string_pretty(&m).unwrap()
}

fn ders(pems: &Value) -> Vec<Vec<u8>> {
    pems.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some(pem::parse(p.as_str()?).ok()?.into_contents()))
                .collect()
        })
        .unwrap_or_default()
}

/// The x509-limbo cases (with their expected results), validation time
/// `now` when a case gives none. A TLS server does not match a client
/// certificate against names, so CLIENT cases carry none (as in limbo.rs).
pub fn limbo(now: i64) -> Vec<(Case, String)> {
    crate::limbo::load()
        .iter()
        .map(|t| {
            let at = t["validation_time"]
                .as_str()
                .and_then(|s| {
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .map_or(now, |d| d.unix_timestamp());
            let role = if t["validation_kind"] == "CLIENT" {
                Role::Client
            } else {
                Role::Server
            };
            let n = &t["expected_peer_name"];
            let name = match (role, n["kind"].as_str(), n["value"].as_str()) {
                (Role::Server, Some("DNS"), Some(v)) => Some(Name::Dns(v.into())),
                (Role::Server, Some("IP"), Some(v)) => Some(Name::Ip(v.into())),
                _ => None,
            };
            let case = Case {
                id: t["id"].as_str().unwrap().into(),
                role,
                at,
                name,
                anchors: ders(&t["trusted_certs"]),
                chain: ders(&t["untrusted_intermediates"]),
                leaf: ders(&serde_json::json!([t["peer_certificate"]]))
                    .pop()
                    .unwrap_or_default(),
            };
            (case, t["expected_result"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Runs `f` over `cases` on every core, collecting the answers.
pub fn parallel(cases: &[Case], f: impl Fn(&Case) -> Answer + Sync) -> Answers {
    super::util::par_map(cases, |c| (c.id.clone(), f(c)))
        .into_iter()
        .collect()
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
