//! Reports → text. [`summary`] flattens certificates and keys into stable,
//! serialisable records; [`table`] draws them for people. JSON is serde of
//! the same records, so the two never disagree.

pub mod bundle;
pub mod cap;
pub mod crl;
pub mod fetch;
pub mod graph;
pub mod probe;
pub mod revocation;
pub mod summary;
pub mod table;

pub use summary::{CertSummary, KeySummary};
