//! Writing results: the fullcert / chain PEM ([`pem`]) and the atomic
//! writer every output goes through ([`atomic`]): temp file beside the
//! target, fsync, rename; never over an existing file without `force`;
//! mode 0600 for anything that holds a key.

pub mod atomic;
pub mod pem;

pub use atomic::{Secrecy, write_atomic};
