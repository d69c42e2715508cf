//! Confirmed examples: near-copies of a message a reviewer has already judged.
//!
//! Scam scripts spread in waves, each copy with other numbers, names and links. Once one copy is
//! confirmed, [`KnownIndex::lookup`] finds the others by their [`Fingerprint`], and the
//! classifier adds a `known.similar_*` signal (see [`crate::classifier::Classifier::classify_against`]).
//! This module is pure: the store that fills the index lives in `crate::storage`.

pub mod fingerprint;
pub mod index;

pub use fingerprint::Fingerprint;
pub use index::{ExampleFacts, KnownIndex, KnownMatch, Threshold};

/// Signal ids, one per label of the example a message copies.
pub const SIMILAR_SCAM: &str = "known.similar_scam";
pub const SIMILAR_SUSPICIOUS: &str = "known.similar_suspicious";
pub const SIMILAR_LEGIT: &str = "known.similar_legit";
/// A partial copy (cut off or reworded) of a confirmed scam or suspicious message.
pub const PARTIAL_COPY: &str = "known.partial_copy";
