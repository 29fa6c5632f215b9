//! chainfix takes the certificate files people actually have and hands back
//! a chain that works.
//!
//! The pipeline runs one way: [`input`] reads files, directories and stdin;
//! [`parse`] turns their bytes into certificates and keys (PEM, DER,
//! PKCS#7, PKCS#12, JKS); [`chain`] indexes issuers, verifies signatures and
//! orders or builds paths (with a pluggable [`fetch`]er and [`trust`]
//! store); [`check`] turns what it found into findings; [`emit`] writes
//! fullcert PEM, JKS and PKCS#12 atomically; [`render`] turns reports into
//! tables or JSON; [`net`] probes a live TLS endpoint; [`message`] knows what
//! peers print when they refuse a chain. Only [`cli`] prints.

pub mod chain;
pub mod check;
pub mod cli;
pub mod dn;
pub mod emit;
pub mod error;
pub mod fetch;
pub mod graph;
pub mod input;
pub mod keystore;
pub mod message;
pub mod model;
pub mod name_key;
pub mod net;
pub mod parse;
pub mod peer;
pub mod render;
pub mod revocation;
pub mod serve;
pub mod trust;

pub use error::{Error, Result};
pub use model::{Cert, CertId, DropReason, Dropped, KeyAlgorithm, KeyFormat, Origin, PrivateKey};
