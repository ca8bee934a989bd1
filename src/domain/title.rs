//! A title's identity: its kind and its TMDb id. An id means nothing without its kind (movie 1
//! and show 1 are different titles), so the two travel as one value.

use diesel::Queryable;
use serde::{Deserialize, Serialize};

use crate::media::Kind;

/// Stored as two columns (`kind`, `tmdb_id`): a query selecting both reads one; serialized as
/// the pair `["movie", 603]`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Queryable,
)]
pub struct TitleId(pub Kind, pub i64);

impl TitleId {
    pub fn kind(self) -> Kind {
        self.0
    }

    pub fn tmdb_id(self) -> i64 {
        self.1
    }
}

/// Sets and maps keyed by a title (kind, TMDb id), hashed by [`TitleHasher`]: a page's
/// arrangement asks them a few hundred times (`views::shelf`), where SipHash cost most of a
/// rating's next view (`cargo bench --bench swap`).
pub type TitleSet = std::collections::HashSet<TitleId, TitleHash>;
pub type TitleMap<V> = std::collections::HashMap<TitleId, V, TitleHash>;
pub type TitleHash = std::hash::BuildHasherDefault<TitleHasher>;

/// The Fx multiply-rotate hash (rustc's), for keys that are ours: TMDb ids from our own
/// database, not text an attacker picks to collide (HashDoS needs that), so SipHash's defence
/// buys nothing here.
#[derive(Default)]
pub struct TitleHasher(u64);

impl std::hash::Hasher for TitleHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, word: i64) {
        self.write_u64(word as u64);
    }

    fn write_isize(&mut self, word: isize) {
        self.write_u64(word as u64);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}
