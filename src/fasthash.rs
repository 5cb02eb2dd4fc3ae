//! A fast hash for maps keyed by ids and names from the catalog, the user's files and scans.
//!
//! std's SipHash resists hash flooding by an attacker who chooses the keys; pick's keys come from
//! the user's own catalog and repository, and SipHash cost a tenth of loading a 100,000-model
//! catalog. This is the multiply-rotate hash of rustc's `FxHasher` (eight bytes a step), with the
//! final rotation of rustc-hash 2 so that both the low bits (the bucket) and the top seven bits
//! (hashbrown's tag) vary.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with the fast hash.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// A `HashSet` with the fast hash.
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// An empty map with room for `n` entries.
pub fn map_with_capacity<K, V>(n: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(n, Default::default())
}

/// An empty set with room for `n` entries.
pub fn set_with_capacity<K>(n: usize) -> FastSet<K> {
    FastSet::with_capacity_and_hasher(n, Default::default())
}

#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(SEED).rotate_left(23);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(x: T) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(x)
    }

    #[test]
    fn ids_that_differ_in_one_character_hash_apart_in_bucket_and_tag_bits() {
        // The synthetic benchmark's ids: a shared prefix, a counter at the end.
        let ids: Vec<String> = (0..10_000)
            .map(|i| format!("qwen3-235b-a22b-synthetic-{i}"))
            .collect();
        let hashes: FastSet<u64> = ids.iter().map(|id| hash(id.as_str())).collect();
        assert_eq!(hashes.len(), ids.len(), "no two ids share a hash");
        // Low 12 bits (a 4,096-bucket table) and the top 7 bits (the tag) both spread.
        let buckets: FastSet<u64> = ids.iter().map(|id| hash(id.as_str()) & 0xfff).collect();
        let tags: FastSet<u64> = ids.iter().map(|id| hash(id.as_str()) >> 57).collect();
        assert!(buckets.len() > 3_000, "{} buckets of 4096", buckets.len());
        assert_eq!(tags.len(), 128);
    }

    #[test]
    fn a_map_finds_what_it_holds() {
        let mut m = map_with_capacity(4);
        m.insert("llama-3.1-70b", 1);
        m.insert("llama-3.1-8b", 2);
        assert_eq!(m.get("llama-3.1-70b"), Some(&1));
        assert_eq!(m.get("llama-3.1-8b"), Some(&2));
        assert_eq!(m.get("llama-3.1-8"), None);
    }
}
