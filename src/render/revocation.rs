//! The revocation stage as text, the same lines in every command that
//! judges a chain (verify, diagnose, lint, probe, bundle, keystore).

/// The revocation stage as text, one line per certificate: "not checked"
/// when the peer's default checks nothing, nothing when `--revocation off`
/// or when no accepted path was checked.
pub fn outcome_text(rv: &crate::revocation::Outcome, peer: crate::peer::Peer) -> String {
    if rv.mode == crate::revocation::Mode::Off && rv.from_peer {
        return format!(
            "revocation: not checked: {} does not check revocation unless asked; --revocation crl to check\n",
            peer.display_name()
        );
    }
    if rv.certificates.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "revocation ({}, {} fail):\n",
        match rv.mode {
            crate::revocation::Mode::Off => "off",
            crate::revocation::Mode::Crl => "CRL",
            crate::revocation::Mode::Ocsp => "OCSP",
            crate::revocation::Mode::Both => "CRL and OCSP",
        },
        match rv.failure {
            crate::revocation::Failure::Hard => "hard",
            crate::revocation::Failure::Soft => "soft",
        }
    );
    for (i, c) in rv.certificates.iter().enumerate() {
        s.push_str(&format!("  {i} {}: {}\n", c.subject, c.status));
    }
    for f in rv.fetched.iter().filter(|f| f.error.is_some()) {
        s.push_str(&format!(
            "  CRL {}: {}\n",
            f.url,
            f.error.as_deref().unwrap_or("")
        ));
    }
    s
}
