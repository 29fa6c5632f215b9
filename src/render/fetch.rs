//! Text for what chain completion did: where each issuer came from, every
//! URL tried and what it returned, and what to do when it failed.

use crate::chain::complete::CompletionReport;

/// One line per issuer found in a pool and per URL tried.
pub fn completion_text(r: &CompletionReport) -> String {
    let mut s = String::new();
    for h in &r.from_pools {
        s.push_str(&format!(
            "found {} [{}] in {} (issuer of {})\n",
            h.issuer.subject,
            &h.issuer.sha256[..16],
            h.source,
            h.for_certificate.subject
        ));
    }
    for a in &r.attempts {
        let cached = if a.from_cache { " (from cache)" } else { "" };
        s.push_str(&format!(
            "tried {} for {}: {}{cached}\n",
            a.url, a.for_certificate.subject, a.outcome
        ));
        if a.certificates.len() > 1 {
            for c in &a.certificates {
                s.push_str(&format!("    holds {} [{}]\n", c.subject, &c.sha256[..16]));
            }
        }
    }
    if let Some(why) = &r.stopped_by {
        s.push_str(&format!("completion stopped by {why}.\n"));
    }
    s
}

/// What to do when the chain is still incomplete after completion.
pub fn failure_advice(r: Option<&CompletionReport>) -> String {
    let mut s = String::from(
        "  to fix: pass the missing intermediate with --intermediates FILE (or add it to the inputs), or ask the CA for the full chain",
    );
    match r {
        Some(r) if r.offline => {
            s.push_str("; or run again without --offline so chainfix can download it");
        }
        Some(r)
            if r.attempts.iter().any(|a| {
                matches!(
                    a.outcome,
                    crate::chain::complete::Outcome::Timeout { .. }
                        | crate::chain::complete::Outcome::Network { .. }
                )
            }) =>
        {
            s.push_str("; downloads failed: check that a proxy or firewall lets this machine reach the URLs (HTTP_PROXY / HTTPS_PROXY are honoured)");
        }
        _ => {}
    }
    s.push_str(".\n");
    s
}
