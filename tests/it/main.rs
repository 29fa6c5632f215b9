//! The one integration test binary. Each area has its module; shared
//! helpers (PKI builders, temp dirs, running the binary, loopback servers)
//! live in `pki` and `util`.

mod pki;
mod util;

mod bundle;
mod limbo;
mod parse;
mod signature;
mod verify;
