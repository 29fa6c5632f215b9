//! Chains: which certificate issued which. [`index`] finds candidate
//! issuers by name and key id, [`signature`] proves a link with ring,
//! [`order`] puts a pile of certificates in issuing order from a leaf
//! (for `bundle`), and [`path`] builds and [`validate`]s a path to trust
//! anchors the way a conformance-grade verifier does.

pub mod assemble;
pub mod complete;
pub mod explain;
pub mod index;
pub mod names;
pub mod order;
pub mod path;
pub mod policies;
pub mod signature;
pub mod validate;

pub use index::IssuerIndex;
pub use order::{ChainEnd, Ordered, order_from};
pub use path::{Budget, Outcome, build};
pub use signature::{SigAlg, SigError, verify_issued_by};
pub use validate::{Policy, Problem, Role};
