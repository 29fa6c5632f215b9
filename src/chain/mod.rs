//! Chains: which certificate issued which. [`index`] finds candidate
//! issuers by name and key id, [`signature`] proves a link with ring, and
//! [`order`] puts a pile of certificates in issuing order from a leaf.

pub mod assemble;
pub mod complete;
pub mod index;
pub mod order;
pub mod signature;

pub use index::IssuerIndex;
pub use order::{ChainEnd, Ordered, order_from};
pub use signature::{SigAlg, SigError, verify_issued_by};
