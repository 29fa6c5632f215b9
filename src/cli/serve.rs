//! `chainfix serve`: the local web page (src/serve). Binds, prints the URL
//! with its token, and serves until interrupted.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use super::{Exit, Io, common};
use crate::error::{Error, Result};
use crate::serve::http::Gate;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port on 127.0.0.1 [default: a free one, printed].
    #[arg(long)]
    pub port: Option<u16>,
    /// Listen on this address instead of 127.0.0.1 (anyone who can reach it
    /// and has the URL can use the page: a warning is printed).
    #[arg(long, value_name = "ADDRESS")]
    pub listen: Option<IpAddr>,
    /// Largest upload accepted, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 8)]
    pub max_upload: usize,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let ip = args.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let addr = SocketAddr::new(ip, args.port.unwrap_or(0));
    let listener = TcpListener::bind(addr).map_err(|e| {
        Error::Usage(format!(
            "cannot listen on {addr}: {e}; choose another --port, or leave it out to get a free one"
        ))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let port = local.port();
    let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if !ip.is_loopback() {
        hosts = vec![match ip {
            IpAddr::V6(v6) => format!("[{v6}]:{port}"),
            IpAddr::V4(v4) => format!("{v4}:{port}"),
        }];
        common::note(
            io,
            &format!(
                "warning: listening on {local}, not on loopback: anyone who can reach this address and sees the URL can upload to this page (over plain HTTP)."
            ),
        );
    }
    let gate = Gate {
        token: crate::serve::token(),
        hosts,
        max_body: args.max_upload * 1024 * 1024,
        timeout: Duration::from_secs(15),
    };
    common::out(
        io,
        &format!(
            "chainfix serve: open http://{}/?t={} (Ctrl-C stops it; nothing is stored)\n",
            gate.hosts[0], gate.token
        ),
    )?;
    let _ = io.out.flush();
    crate::serve::run(listener, &gate);
    Ok(Exit::Ok)
}
