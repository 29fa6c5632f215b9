//! Flags of the revocation stage and of certificate policy processing,
//! shared by the commands that judge a chain.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::revocation::{self, Failure, Mode, Setup};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ModeArg {
    Off,
    Crl,
    Ocsp,
    Both,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FailArg {
    Hard,
    Soft,
}

#[derive(clap::Args, Debug, Clone)]
#[group(skip)]
pub struct RevocationArgs {
    /// Check revocation: off, crl, ocsp, both [default: the peer's: off for
    /// openssl, java and webpki, crl for salesforce; crl when --crl is given].
    #[arg(long, value_enum, value_name = "MODE")]
    pub revocation: Option<ModeArg>,
    /// CRL files or directories of CRLs (DER or PEM), used besides the CRL
    /// URLs the certificates name (with --offline: instead of them).
    #[arg(long, value_name = "FILE|DIR")]
    pub crl: Vec<PathBuf>,
    /// A certificate whose status cannot be had: hard refuses the chain (openssl
    /// verify -crl_check_all, Java with revocation on), soft accepts it with a
    /// warning [default: the peer's: soft for salesforce, else hard].
    #[arg(long, value_enum, value_name = "HOW")]
    pub revocation_failure: Option<FailArg>,
    /// Apply delta CRLs (RFC 5280 §6.3.3), as `openssl verify -use_deltas`
    /// does [default: the peer's: none of openssl, java, salesforce and
    /// webpki applies them, and the report names those it passes over].
    #[arg(long)]
    pub use_deltas: bool,
    /// Largest CRL fetched from a distribution point, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_crl_size: u64,
    /// A certificate policy the path must be valid for (repeatable): RFC 5280
    /// policy processing with this user-initial-policy-set and an explicit policy required.
    #[arg(long = "policy", value_name = "OID")]
    pub policies: Vec<String>,
}

impl RevocationArgs {
    /// The stage's setup under these flags and the fetch flags; `given` are
    /// CRLs found among the input files (used as --crl is). Without
    /// `--revocation`, the mode and failure are the `peer`'s defaults.
    pub fn setup(
        &self,
        fetch: &super::fetch_args::FetchArgs,
        now: i64,
        given: Vec<revocation::Crl>,
        peer: &crate::peer::Profile,
    ) -> Result<Setup> {
        let (peer_mode, peer_failure) = peer.revocation.stage();
        let mode = match self.revocation {
            Some(ModeArg::Off) => Mode::Off,
            Some(ModeArg::Crl) => Mode::Crl,
            Some(ModeArg::Ocsp) => Mode::Ocsp,
            Some(ModeArg::Both) => Mode::Both,
            None if !self.crl.is_empty() || !given.is_empty() => Mode::Crl,
            None => peer_mode,
        };
        for oid in &self.policies {
            if oid.split('.').count() < 2 || !oid.split('.').all(|a| a.parse::<u64>().is_ok()) {
                return Err(Error::Usage(format!(
                    "--policy {oid}: not an OID; write it dotted, e.g. --policy 2.23.140.1.2.1"
                )));
            }
        }
        let use_deltas = self.use_deltas || peer.delta_crls;
        if mode == Mode::Off {
            return Ok(Setup {
                from_peer: self.revocation.is_none(),
                use_deltas,
                ..Setup::off(*peer)
            });
        }
        let mut local = given;
        for p in &self.crl {
            local.extend(revocation::crl::read_path(p).map_err(Error::Usage)?);
        }
        let network: Option<Box<dyn crate::fetch::Fetch>> = if fetch.offline {
            None
        } else {
            let mut limits = fetch.limits()?;
            limits.max_body = self.max_crl_size;
            Some(Box::new(
                crate::fetch::http::HttpFetcher::new(&limits)
                    .map_err(|detail| Error::FetchSetup { detail })?,
            ))
        };
        let cache_dir = if fetch.no_cache {
            None
        } else {
            fetch
                .cache_dir
                .as_ref()
                .map(|d| d.join("crl"))
                .or_else(revocation::fetch::default_dir)
        };
        Ok(Setup {
            mode,
            failure: match self.revocation_failure {
                Some(FailArg::Hard) => Failure::Hard,
                Some(FailArg::Soft) => Failure::Soft,
                None => peer_failure,
            },
            from_peer: self.revocation.is_none(),
            local,
            network,
            cache_dir,
            max_fetches: fetch.max_fetches,
            now,
            use_deltas,
            profile: *peer,
        })
    }
}
