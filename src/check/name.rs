//! Salesforce Unique Name rules for certificates and keystore aliases:
//! letters, digits and underscores only; begins with a letter; does not
//! end with an underscore; no two underscores in a row.

/// The rules `name` breaks, each as a short phrase (empty: valid).
pub fn unique_name_problems(name: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if name.is_empty() {
        out.push("it is empty");
        return out;
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        out.push("it holds characters other than letters, digits and underscores");
    }
    if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        out.push("it does not begin with a letter");
    }
    if name.ends_with('_') {
        out.push("it ends with an underscore");
    }
    if name.contains("__") {
        out.push("it has two underscores in a row");
    }
    out
}

/// A valid name close to `name`: other characters become underscores,
/// runs of underscores collapse, a leading non-letter gets a `C_` prefix
/// (or the name becomes `Certificate` when nothing is left).
pub fn suggest(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if c == '_' && (s.is_empty() || s.ends_with('_')) {
            continue;
        }
        s.push(c);
    }
    while s.ends_with('_') {
        s.pop();
    }
    if s.is_empty() {
        return "Certificate".to_string();
    }
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = format!("C_{s}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_suggestions() {
        assert!(unique_name_problems("Api_Client_2026").is_empty());
        assert_eq!(unique_name_problems("2026-client_").len(), 3);
        assert_eq!(unique_name_problems("a__b").len(), 1);
        for bad in ["2026-client.", "a__b_", "-", "my cert (prod)", "é"] {
            let s = suggest(bad);
            assert!(unique_name_problems(&s).is_empty(), "{bad} -> {s}");
        }
        assert_eq!(suggest("my cert (prod)"), "my_cert_prod");
        assert_eq!(suggest("2026-client"), "C_2026_client");
    }
}
