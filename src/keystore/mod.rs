//! Keys and keystores: our own JKS writer and reader ([`jks`]), PKCS#12
//! writing ([`p12`]), Salesforce's import rules checked before anything is
//! written ([`salesforce`]), new keys and CSRs ([`csr`]), and PKCS#8 →
//! [`crate::PrivateKey`] with the public key derived from the key ([`key`]).

pub mod csr;
pub mod jks;
pub mod key;
pub mod p12;
pub mod salesforce;
