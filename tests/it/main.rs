//! The one integration test binary. Each area has its module; shared
//! helpers (PKI builders, temp dirs, running the binary, loopback servers)
//! live in `pki` and `util`.

mod httpd;
mod oracle;
mod pki;
mod util;

mod bundle;
mod differential;
mod fetch;
mod keystore;
mod limbo;
mod lint;
mod parse;
mod peer_verdict;
mod peers;
mod probe;
mod roots;
mod signature;
mod verify;
