//! The revocation stage as text, the same lines in every command that
//! judges a chain (verify, diagnose, lint, probe, bundle, keystore).

/// The revocation stage as text, one line per certificate: "not checked"
/// when the peer's default checks nothing, nothing when `--revocation off`
/// or when no accepted path was checked; a note naming the delta CRLs the
/// peer passes over. `verbose` adds one line per CRL URL and OCSP request,
/// with the method used.
pub fn outcome_text(
    rv: &crate::revocation::Outcome,
    peer: crate::peer::Peer,
    verbose: bool,
) -> String {
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
    if !rv.ignored_deltas.is_empty() {
        s.push_str(&format!(
            "  note: delta CRLs ignored, as {} ignores them (--use-deltas to apply them, as openssl verify -use_deltas does): {}\n",
            peer.display_name(),
            rv.ignored_deltas.join(", ")
        ));
    }
    for f in &rv.fetched {
        let what = match f.kind {
            "ocsp" => "OCSP",
            "delta-crl" => "delta CRL",
            _ => "CRL",
        };
        let how = match (&f.error, f.method) {
            (Some(e), _) => e.as_str(),
            (None, Some(_)) => "answered",
            (None, None) => "from the cache",
        };
        let method = f.method.map(|m| format!("{m} ")).unwrap_or_default();
        // OCSP failures are in the certificate's line already.
        if verbose {
            s.push_str(&format!("  {what} {method}{}: {how}\n", f.url));
        } else if f.error.is_some() && f.kind != "ocsp" {
            s.push_str(&format!("  {what} {}: {how}\n", f.url));
        }
        if let Some(l) = f
            .responder
            .as_ref()
            .and_then(|p| responder_line(p, verbose))
        {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s
}

/// What is said of the delegated OCSP responder that signed an answer,
/// fetched (verify's OCSP path) or stapled (probe): a note when it lacks
/// id-pkix-ocsp-nocheck and its own status went unchecked (RFC 6960
/// §4.2.2.2.1), and with `verbose` a line when it carries it.
pub fn responder_line(p: &crate::revocation::ocsp::Responder, verbose: bool) -> Option<String> {
    if !p.nocheck {
        Some(format!("note: {}", p.unchecked_note()))
    } else if verbose {
        Some(format!(
            "OCSP responder \"{}\" carries id-pkix-ocsp-nocheck: its own status is not checked, as RFC 6960 §4.2.2.2.1 allows",
            p.subject
        ))
    } else {
        None
    }
}
