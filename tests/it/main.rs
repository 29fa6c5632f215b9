//! The one integration test binary. Each area has its module; shared
//! helpers (PKI builders, temp dirs, running the binary, loopback servers)
//! live in `pki` and `util`.

mod httpd;
mod oracle;
mod pki;
mod schema;
mod util;

mod big_pool;
mod bounded;
mod browser;
mod bundle;
mod corpus;
mod crl_signer;
mod delta_crl;
mod diagnose;
mod differential;
mod fetch;
mod fuzz_replay;
mod golden;
mod graph;
mod hostile;
mod inspect;
mod json;
mod keystore;
mod limbo;
mod lint;
mod messy;
mod mistakes;
mod ocsp;
mod parse;
mod peer_verdict;
mod peers;
mod pkilint;
mod pkits;
mod probe;
mod reading;
mod revocation;
mod roots;
mod serve;
mod signature;
mod term;
mod verify;
mod writing;
