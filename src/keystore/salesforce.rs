//! Salesforce's "Import from Keystore" rules, checked before anything is
//! written, each failure with Salesforce's own wording next to ours and the
//! fix; and the Unique Name rules the alias becomes.
//!
//! Salesforce's documented errors (Setup → Certificate and Key Management):
//! PrivateKey entry present, RSA, PKCS#8, 2048/3072/4096 bits, key matches
//! the chain, key password = store password. Our JKS writer always stores
//! PKCS#8 with key password = store password, so those two hold by
//! construction and are reported as such.

use serde::Serialize;

use crate::error::Error;
use crate::model::{Cert, KeyAlgorithm, PrivateKey};

pub const SF_NO_PRIVATE_KEY: &str =
    "No certificate was imported because the keystore file doesn't contain a PrivateKey entry.";
pub const SF_NOT_RSA: &str = "The key is not an RSA key.";
pub const SF_NOT_PKCS8: &str = "The key must be in PKCS#8 format.";
pub const SF_BITS: &str = "Imported keys must have a bit size of 2048, 3072, or 4096.";
pub const SF_MISMATCH: &str =
    "The private key does not match the certificate chain in the keystore.";
pub const SF_KEY_PASSWORD: &str = "The Keystore contains a certificate '…' whose per key password is not the same as the keystore password.";

/// One rule, passed or failed.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Stable id: `private-key`, `rsa`, `pkcs8`, `key-size`, `key-matches-chain`,
    /// `key-password`, `chain-order`, `alias`.
    pub rule: &'static str,
    pub ok: bool,
    /// Our sentence: what was found.
    pub ours: String,
    /// What Salesforce says when the rule fails.
    pub salesforce: &'static str,
    /// What to do (empty when ok).
    pub fix: String,
}

impl Check {
    /// The failure as an error (one sentence).
    pub fn to_error(&self) -> Error {
        Error::Salesforce {
            ours: self.ours.clone(),
            salesforce: self.salesforce.to_string(),
            fix: self.fix.clone(),
        }
    }
}

fn check(rule: &'static str, ok: bool, ours: String, salesforce: &'static str, fix: &str) -> Check {
    Check {
        rule,
        ok,
        ours,
        salesforce,
        fix: if ok { String::new() } else { fix.to_string() },
    }
}

const NEW_KEY_FIX: &str = "generate an RSA 2048 key and a new CSR with `chainfix csr --key-type rsa2048 --role client --subject \"CN=…\"`, and have the CA issue a certificate for it";

/// Every import rule for `key` with `chain` (leaf first) under `alias`.
pub fn preflight(key: Option<&PrivateKey>, chain: &[&Cert], alias: &str) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(key) = key else {
        out.push(check(
            "private-key",
            false,
            "there is no private key to put in the keystore".into(),
            SF_NO_PRIVATE_KEY,
            "give the private key file too (the one made with the CSR)",
        ));
        return out;
    };
    out.push(check(
        "private-key",
        true,
        "the keystore will hold one PrivateKey entry".into(),
        SF_NO_PRIVATE_KEY,
        "",
    ));
    let alg = key.algorithm();
    let rsa_bits = match alg {
        KeyAlgorithm::Rsa { bits } => Some(*bits),
        _ => None,
    };
    out.push(check(
        "rsa",
        rsa_bits.is_some(),
        if rsa_bits.is_some() {
            format!("the key is {alg}")
        } else {
            format!(
                "the key from {} is {alg}, and Salesforce imports RSA keys only",
                key.first_origin()
            )
        },
        SF_NOT_RSA,
        NEW_KEY_FIX,
    ));
    out.push(check(
        "pkcs8",
        true,
        "chainfix stores the key as PKCS#8 whatever format it was given in".into(),
        SF_NOT_PKCS8,
        "",
    ));
    if let Some(bits) = rsa_bits {
        let ok = matches!(bits, 2048 | 3072 | 4096);
        out.push(check(
            "key-size",
            ok,
            if ok {
                format!("the RSA key has {bits} bits")
            } else {
                format!(
                    "the RSA key from {} has {bits} bits, and Salesforce imports only 2048, 3072 or 4096",
                    key.first_origin()
                )
            },
            SF_BITS,
            NEW_KEY_FIX,
        ));
    }
    let matches = chain.first().is_some_and(|leaf| key.matches(leaf));
    out.push(check(
        "key-matches-chain",
        matches,
        match chain.first() {
            Some(leaf) if matches => format!("the key matches the certificate {}", leaf.subject()),
            Some(leaf) => format!(
                "the private key from {} does not match the certificate {}",
                key.first_origin(),
                leaf.subject()
            ),
            None => "there is no certificate for the key".into(),
        },
        SF_MISMATCH,
        "give the certificate issued for this key (or the key the certificate was issued for)",
    ));
    out.push(check(
        "key-password",
        true,
        "chainfix protects the key with the keystore password".into(),
        SF_KEY_PASSWORD,
        "",
    ));
    out.push(match check_alias(alias) {
        Ok(()) => check(
            "alias",
            true,
            format!("the alias {alias:?} is a valid Unique Name"),
            "",
            "",
        ),
        Err(e) => Check {
            rule: "alias",
            ok: false,
            ours: format!("the alias {alias:?} {}", e.problem),
            salesforce: "Unique Name: only letters, digits and underscores; begins with a letter; no spaces; does not end with an underscore; no two consecutive underscores.",
            fix: format!("use --alias {}", e.suggestion),
        },
    });
    out
}

/// Why an alias cannot be used, and one that can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasProblem {
    pub problem: String,
    pub suggestion: String,
}

impl AliasProblem {
    pub fn into_error(self, alias: &str) -> Error {
        Error::Alias {
            alias: alias.to_string(),
            problem: self.problem,
            suggestion: self.suggestion,
        }
    }
}

/// Salesforce's Unique Name rules, with JKS's lowercase on top: the alias
/// must match `[a-z][a-z0-9_]*`, not end with `_`, have no `__`.
pub fn check_alias(alias: &str) -> Result<(), AliasProblem> {
    let problem = if alias.is_empty() {
        Some("is empty".to_string())
    } else if alias.chars().any(|c| c.is_ascii_uppercase()) {
        Some("has capital letters, which JKS cannot store (Java lowercases every alias)".into())
    } else if let Some(c) = alias
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        Some(format!(
            "contains {c:?}; a Unique Name has only letters, digits and underscores"
        ))
    } else if !alias.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("does not begin with a letter, as a Unique Name must".into())
    } else if alias.contains("__") {
        Some("has two underscores in a row, which a Unique Name may not".into())
    } else if alias.ends_with('_') {
        Some("ends with an underscore, which a Unique Name may not".into())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(AliasProblem {
            problem,
            suggestion: suggest_alias(alias),
        }),
    }
}

/// The nearest valid alias: lowercased, other characters turned into `_`,
/// runs of `_` collapsed, a leading non-letter prefixed, trailing `_` cut.
pub fn suggest_alias(alias: &str) -> String {
    let mut s = String::new();
    for c in alias.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '_'
        };
        if c == '_' && (s.is_empty() || s.ends_with('_')) {
            continue;
        }
        s.push(c);
    }
    while s.ends_with('_') {
        s.pop();
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = if s.is_empty() {
            "client_cert".into()
        } else {
            format!("cert_{s}")
        };
    }
    s
}

/// A default alias from the leaf's common name.
pub fn alias_from_subject(leaf: &Cert) -> String {
    let x = leaf.parsed();
    let cn = x
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok().map(str::to_string))
        .unwrap_or_default();
    suggest_alias(&cn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_rules_follow_unique_name() {
        assert!(check_alias("mtls_client_2026").is_ok());
        for bad in [
            "Client", "a__b", "a_", "1abc", "_abc", "a b", "a-b", "", "é",
        ] {
            let e = check_alias(bad).unwrap_err();
            assert!(
                check_alias(&e.suggestion).is_ok(),
                "{bad} → {}",
                e.suggestion
            );
        }
        assert_eq!(suggest_alias("My Client__Cert_"), "my_client_cert");
        assert_eq!(suggest_alias("2026-cert"), "cert_2026_cert");
        assert_eq!(suggest_alias("__"), "client_cert");
    }
}

#[cfg(test)]
mod preflight_tests {
    use super::*;
    use crate::model::{KeyFormat, Origin};

    fn key_and_cert(pkcs8: &[u8], signer: &rcgen::KeyPair) -> (PrivateKey, Cert) {
        let key =
            crate::parse::keys::from_pkcs8(pkcs8, KeyFormat::Pkcs8, Origin::file("k")).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.test".into()])
            .unwrap()
            .self_signed(signer)
            .unwrap();
        let cert = Cert::from_der(cert.der().to_vec(), Origin::file("c")).unwrap();
        (key, cert)
    }

    fn rsa(n: u8) -> rcgen::KeyPair {
        let pem = std::fs::read_to_string(format!(
            "{}/testdata/keys/rsa2048-{n}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        rcgen::KeyPair::from_pem(&pem).unwrap()
    }

    fn failed(checks: &[Check]) -> Vec<&'static str> {
        checks.iter().filter(|c| !c.ok).map(|c| c.rule).collect()
    }

    #[test]
    fn rsa_2048_matching_passes_every_rule() {
        let kp = rsa(1);
        let (key, cert) = key_and_cert(&kp.serialize_der(), &kp);
        let checks = preflight(Some(&key), &[&cert], "client_cert");
        assert!(failed(&checks).is_empty(), "{checks:?}");
        assert_eq!(checks.len(), 7);
    }

    #[test]
    fn ec_mismatch_and_alias_fail_with_salesforce_words() {
        let ec = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let (key, _) = key_and_cert(&ec.serialize_der(), &ec);
        let other = rsa(2);
        let (_, cert) = key_and_cert(&other.serialize_der(), &other);
        let checks = preflight(Some(&key), &[&cert], "Bad__Alias");
        assert_eq!(failed(&checks), vec!["rsa", "key-matches-chain", "alias"]);
        assert_eq!(checks[1].salesforce, SF_NOT_RSA);
        assert!(checks[1].to_error().to_string().contains("chainfix csr"));
        assert_eq!(failed(&preflight(None, &[&cert], "a")), vec!["private-key"]);
    }
}
