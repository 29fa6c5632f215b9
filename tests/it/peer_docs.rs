//! Peer profiles: docs/peers.md against the code (every Profile field a
//! row, every value as the code has it, every row with a source), and the
//! peer's default configuration files on this machine against the profile.

use chainfix::peer::Peer;

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/peers.md")).unwrap()
}

/// A profile value as the table writes it.
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// Rows of the rule table: field → (openssl, java, salesforce, webpki, source).
fn rows() -> Vec<(String, [String; 4], String)> {
    let doc = doc();
    let table = doc
        .split("\n## Rules that differ from plain RFC 5280")
        .nth(1)
        .expect("docs/peers.md has the rule table")
        .split("\n## ")
        .next()
        .unwrap()
        .to_string();
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let c: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|s| s.trim().to_string())
                .collect();
            assert_eq!(c.len(), 7, "a rule row has 7 columns: {l}");
            let field = c[0].trim_matches('`').to_string();
            (
                field,
                [c[2].clone(), c[3].clone(), c[4].clone(), c[5].clone()],
                c[6].clone(),
            )
        })
        .collect()
}

#[test]
fn docs_peers_md_is_the_profiles_as_coded() {
    let rows = rows();
    let profiles: Vec<serde_json::Value> =
        [Peer::OpenSsl, Peer::Java, Peer::Salesforce, Peer::Webpki]
            .iter()
            .map(|p| serde_json::to_value(p.profile()).unwrap())
            .collect();
    let fields: Vec<&String> = profiles[0].as_object().unwrap().keys().collect();
    let mut wrong = Vec::new();
    for f in &fields {
        let want: Vec<String> = profiles.iter().map(|p| cell(&p[f.as_str()])).collect();
        match rows.iter().find(|r| &&r.0 == f) {
            None => wrong.push(format!(
                "missing row: | `{f}` | … | {} | source |",
                want.join(" | ")
            )),
            Some((_, got, source)) => {
                if got.as_slice() != want.as_slice() {
                    wrong.push(format!("`{f}`: docs say {got:?}, code has {want:?}"));
                }
                if source.is_empty() {
                    wrong.push(format!("`{f}` has no source"));
                }
            }
        }
    }
    for (f, _, _) in &rows {
        if !fields.contains(&f) {
            wrong.push(format!("docs/peers.md has `{f}`, which Profile does not"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The Java profile's limits are the JDK's own defaults: read them from the
/// java.security of the JDK on this machine (skipped where there is none).
#[test]
fn java_profile_matches_this_machines_java_security() {
    let Some(text) = std::fs::read_dir("/usr/lib/jvm")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("conf/security/java.security"))
        .filter(|p| p.to_string_lossy().contains("17"))
        .find_map(|p| std::fs::read_to_string(p).ok())
    else {
        eprintln!("no JDK 17 java.security here; skipped");
        return;
    };
    // The property, with its continuation lines joined.
    let mut value = String::new();
    let mut on = false;
    for l in text.lines() {
        if l.starts_with("jdk.certpath.disabledAlgorithms=") {
            on = true;
        }
        if on {
            value.push_str(l.trim_end_matches('\\').trim());
            value.push(' ');
            if !l.ends_with('\\') {
                break;
            }
        }
    }
    let java = Peer::Java.profile();
    assert!(value.contains("MD5"), "{value}");
    assert!(
        value.contains(&format!("RSA keySize < {}", java.min_rsa_bits)),
        "{value}"
    );
    assert!(
        value.contains(&format!("EC keySize < {}", java.min_ec_bits)),
        "{value}"
    );
    assert!(value.contains("SHA1 jdkCA & usage TLSServer"), "{value}");
}
