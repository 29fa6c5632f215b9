//! Keys and keystores: our own JKS writer and reader ([`jks`]), PKCS#12
//! writing ([`p12`]), Salesforce's import rules checked before anything is
//! written ([`salesforce`]), and new keys and CSRs ([`csr`]). Keys are
//! read by [`crate::parse::keys`], the one key reader.

pub mod csr;
pub mod jks;
pub mod p12;
pub mod salesforce;
