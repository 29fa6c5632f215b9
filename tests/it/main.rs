//! The one integration test binary. Each area has its module; shared
//! helpers (PKI builders, temp dirs, running the binary, loopback servers)
//! live in `pki` and `util`.

mod httpd;
mod pki;
mod util;

mod bundle;
mod parse;
mod lint;
mod roots;
mod limbo;
mod fetch;
mod signature;
mod verify;
