//! Flags shared by every command that builds a chain (bundle, verify, lint,
//! keystore): local pools of intermediates, the network and its limits, the
//! cache, and the progress line.

use std::path::PathBuf;
use std::time::Duration;

use super::Io;
use super::common;
use crate::chain::assemble::Assembly;
use crate::chain::complete::{Completer, CompletionReport, Outcome, Progress};
use crate::error::{Error, Result};
use crate::fetch::cache::{self, CachingFetcher};
use crate::fetch::http::HttpFetcher;
use crate::fetch::{Fetch, Limits, NoNetwork};
use crate::model::Cert;
use crate::parse::{Inventory, NoPasswords};

#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Completing the chain (local pools, AIA downloads, cache)")]
pub struct FetchArgs {
    /// Intermediate certificates to complete the chain from (a file or a
    /// directory; repeatable), searched before the network.
    #[arg(long, value_name = "FILE|DIR")]
    pub intermediates: Vec<PathBuf>,
    /// Never open a socket: complete from --intermediates and the cache only.
    #[arg(long)]
    pub offline: bool,
    /// Neither read nor write the download cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Where downloaded issuers are cached [default: the platform cache
    /// directory, e.g. ~/.cache/chainfix/aia].
    #[arg(long, env = "CHAINFIX_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Days a downloaded issuer stays fresh in the cache.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub cache_ttl: u32,
    /// Total time allowed for one download, body included, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub fetch_timeout: f64,
    /// Time allowed to connect, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub connect_timeout: f64,
    /// Largest download accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body: u64,
    /// Redirects followed per download.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_redirects: usize,
    /// Downloads (or cache look-ups) per run.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_fetches: usize,
    /// Levels of missing issuers fetched, one above the other.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub max_depth: usize,
    /// Let AIA URLs (and their redirects) lead to loopback and private
    /// addresses (127.x, 10.x, 172.16-31.x, 192.168.x, fc00::/7): on for a
    /// run on your own files; `--allow-private-fetch=false` refuses them, as
    /// CI or a service checking others' certificates should. Link-local
    /// (cloud metadata, 169.254.x) and unspecified addresses are never fetched.
    #[arg(
        long,
        env = "CHAINFIX_ALLOW_PRIVATE_FETCH",
        value_name = "BOOL",
        default_value_t = true,
        num_args = 0..=1,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub allow_private_fetch: bool,
    /// Quiet: no progress line and no account of downloads; only errors and
    /// the final report.
    #[arg(short, long)]
    pub quiet: bool,
}

fn seconds(flag: &str, v: f64) -> Result<Duration> {
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(Error::Usage(format!(
            "{flag} {v} is not a number of seconds between 0 and 3600; give e.g. {flag} 10"
        )))
    }
}

/// Draws the progress line on a terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn fetching(&self, url: &str) {
        self.0.set_message(format!("fetching {url}"));
    }
    fn fetched(&self, url: &str, outcome: &Outcome) {
        self.0.inc(1);
        self.0.set_message(format!("{url}: {outcome}"));
    }
}

impl FetchArgs {
    pub fn limits(&self) -> Result<Limits> {
        Ok(Limits {
            connect_timeout: seconds("--connect-timeout", self.connect_timeout)?,
            total_timeout: seconds("--fetch-timeout", self.fetch_timeout)?,
            max_body: self.max_body,
            max_redirects: self.max_redirects,
            max_fetches: self.max_fetches,
            max_depth: self.max_depth,
            allow_private: self.allow_private_fetch,
        })
    }

    /// The certificates of `--intermediates`.
    pub fn pools(&self, io: &mut Io<'_>) -> Result<Vec<Cert>> {
        if self.intermediates.is_empty() {
            return Ok(Vec::new());
        }
        let mut inv: Inventory =
            crate::input::read_inventory(&self.intermediates, io.stdin, &NoPasswords);
        // An empty pool file is an empty pool, not a mistake.
        inv.problems.retain(|p| !matches!(p, Error::Empty { .. }));
        if !inv.problems.is_empty() {
            return Err(inv.problems.remove(0));
        }
        Ok(inv.certs)
    }

    /// The fetcher these flags ask for, at time `now`.
    pub fn fetcher(&self, now: i64) -> Result<Box<dyn Fetch>> {
        let dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(cache::default_dir)
        };
        let ttl = i64::from(self.cache_ttl) * 24 * 3600;
        let http = || -> Result<HttpFetcher> {
            HttpFetcher::new(&self.limits()?).map_err(|detail| Error::FetchSetup { detail })
        };
        Ok(match (self.offline, dir) {
            (true, None) => Box::new(NoNetwork),
            (true, Some(d)) => {
                let mut c = CachingFetcher::<HttpFetcher>::new(d, None, now);
                c.ttl = ttl;
                Box::new(c)
            }
            (false, None) => Box::new(http()?),
            (false, Some(d)) => {
                let mut c = CachingFetcher::new(d, Some(http()?), now);
                c.ttl = ttl;
                Box::new(c)
            }
        })
    }

    /// Assembles the chain from `inv`, completing it from the pools, the
    /// cache and the network as these flags allow.
    pub fn complete(
        &self,
        inv: &mut Inventory,
        leaf_selector: Option<&str>,
        io: &mut Io<'_>,
    ) -> Result<(Assembly, CompletionReport)> {
        let limits = self.limits()?;
        let pools = self.pools(io)?;
        let fetcher = self.fetcher(common::now())?;
        // Offline nothing is fetched: a spinner counting "0 fetched" would
        // only puzzle (the cache answers at once).
        let bar = (io.stderr_tty && !self.quiet && !self.offline).then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {pos} fetched  {wide_msg}")
                    .expect("valid template"),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            Bar(b)
        });
        let quiet = crate::chain::complete::NoProgress;
        let progress: &dyn Progress = match &bar {
            Some(b) => b,
            None => &quiet,
        };
        let completer = Completer {
            pools: &pools,
            fetcher: Some(fetcher.as_ref()),
            limits,
            offline: self.offline,
            progress,
        };
        let result = completer.run(inv, leaf_selector);
        if let Some(b) = bar {
            b.0.finish_and_clear();
        }
        result
    }
}
