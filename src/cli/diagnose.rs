//! `chainfix diagnose`: the friendly entry point. Paste the peer's error
//! ("unable to get local issuer certificate", "PKIX path building failed")
//! and the files; it runs `verify` and leads with the cause and the fix.

use super::common;
use super::verify::{self, Args as VerifyArgs};
use super::{Exit, Io};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The error message the peer gave, if any (quoted).
    #[arg(long, value_name = "TEXT")]
    pub error: Option<String>,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

fn recognise(msg: &str) -> Option<&'static str> {
    let m = msg.to_ascii_lowercase();
    if m.contains("unable to get local issuer")
        || m.contains("pkix path building failed")
        || m.contains("unable to find valid certification path")
    {
        Some(
            "the peer could not build a path from your certificate to a root it trusts: an intermediate is missing, or the root is not in its store.",
        )
    } else if m.contains("self signed certificate in certificate chain")
        || m.contains("self-signed")
    {
        Some("the peer met a self-signed certificate it does not trust.")
    } else if m.contains("certificate has expired") || m.contains("expired") {
        Some("a certificate on the path has expired (or the peer prefers an expired cross-sign).")
    } else if m.contains("unsupported certificate purpose") || m.contains("extendedkeyusage") {
        Some("the certificate's extended key usage does not allow this role.")
    } else if m.contains("certificate required")
        || m.contains("certificate_required")
        || m.contains("bad certificate")
        || m.contains("handshake failure")
    {
        Some(
            "the peer refused your client certificate, or received none: the client must send the leaf with its chain and the matching key, and the chain must validate against the peer's store (checked below).",
        )
    } else {
        None
    }
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let l = verify::load(&args.verify, io)?;
    let pol = verify::policy(&args.verify)?;
    let fetcher = args.verify.fetch.fetcher(common::now())?;
    let mut r = verify::report(&l, &pol, Some(fetcher.as_ref()));
    r.peer_defaulted = verify::choice(&args.verify)?.defaulted;
    if args.verify.json {
        super::json::print(io, &r)?;
        return Ok(verify::exit(&r));
    }
    let mut s = String::new();
    if let Some(e) = &args.error {
        match recognise(e) {
            Some(m) => s.push_str(&format!("That message means {m}\n\n")),
            None => s.push_str("chainfix does not know that message; here is what it finds.\n\n"),
        }
    }
    s.push_str(&format!("{}\n", r.verdict.headline));
    s.push_str(&format!("{}\n", verify::choice(&args.verify)?.note()));
    if r.findings.is_empty() && r.valid {
        s.push_str(&format!(
            "Nothing wrong found: \"{}\" has a valid path to the {} trust store.\n",
            r.leaf, r.trust
        ));
    } else {
        s.push_str(&verify::render_findings(&r));
    }
    s.push_str(&verify::candidate_note(&r));
    s.push('\n');
    s.push_str(&verify::render_path(&r));
    if !r.valid {
        s.push_str(&verify::render_rejected(&r));
    }
    common::out(io, &s)?;
    Ok(verify::exit(&r))
}

#[cfg(test)]
mod tests {
    use super::recognise;

    #[test]
    fn recognises_the_common_peer_messages() {
        for (msg, part) in [
            (
                "SSL routines::unable to get local issuer certificate",
                "could not build a path",
            ),
            (
                "sun.security.validator.ValidatorException: PKIX path building failed",
                "could not build a path",
            ),
            ("certificate has expired", "expired"),
            ("unsupported certificate purpose", "extended key usage"),
            ("tlsv13 alert certificate required", "received none"),
            (
                "sslv3 alert bad certificate",
                "refused your client certificate",
            ),
            (
                "sslv3 alert handshake failure",
                "refused your client certificate",
            ),
        ] {
            let got = recognise(msg).unwrap_or_default();
            assert!(got.contains(part), "{msg}: {got}");
        }
        assert_eq!(recognise("connection reset by peer"), None);
    }
}
