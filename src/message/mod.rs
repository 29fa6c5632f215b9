//! What peers say when they refuse a chain: the [`catalogue`] of their
//! messages (every wording, who prints it, which side raised it, what it
//! can mean), the TLS [`alert`] table it shares with `probe`, the
//! [`cause`]s with the check that tells each apart, and [`read`]ing a
//! pasted message or log against the catalogue.

pub mod alert;
pub mod catalogue;
pub mod cause;
pub mod read;

pub use catalogue::{Family, Raised, Says, Speaker, catalogue, family};
pub use cause::Cause;
pub use read::{Reading, read};
