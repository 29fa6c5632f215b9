//! The one integration test binary. Each area has its module; shared
//! helpers (PKI builders, temp dirs, running the binary, loopback servers)
//! live in `pki` and `util`.

mod httpd;
mod pki;
mod schema;
mod util;

mod bounded;
mod bundle;
mod fetch;
mod json;
mod keystore;
mod limbo;
mod lint;
mod parse;
mod probe;
mod roots;
mod signature;
mod term;
mod verify;
