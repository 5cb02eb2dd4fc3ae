//! `List`: a catalog list that is either a run of one of the embedded catalog's static tables or
//! owned.
//!
//! The embedded catalog is Rust statics that build.rs writes (`catalog_static.rs`): one table per
//! element type (every model, every checkpoint, every evidence row, ...), and each list inside an
//! entry is a start and a length in its type's table. Numbers, not pointers: the statics need no
//! relocation when the binary loads, so they stay in read-only pages that are read only where a
//! command looks. Loading the embedded catalog costs nothing; decoding it used to be a quarter of
//! the main query's instructions.
//!
//! `build.rs` compiles this file too (through `schema.rs`); it gives every type an empty table. A
//! list of a new element type needs that type added to the tables build.rs writes
//! (`Tables::finish`): without it the statics do not compile (`Pooled` is not implemented).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// A type with a static table in the embedded catalog (`catalog_static.rs` implements it for each
/// element type a catalog list holds).
pub trait Pooled: Sized + 'static {
    fn pool() -> &'static [Self];
}

/// A list of catalog entries: a run of `T`'s static table, or owned.
pub struct List<T: 'static>(Repr<T>);

enum Repr<T: 'static> {
    Table(u32, u32),
    Owned(Vec<T>),
}

impl<T> List<T> {
    /// The empty list.
    pub const EMPTY: List<T> = List(Repr::Table(0, 0));

    /// `start..start + len` of `T`'s static table (build.rs writes these).
    pub const fn table(start: u32, len: u32) -> List<T> {
        List(Repr::Table(start, len))
    }

    pub fn clear(&mut self) {
        *self = List::EMPTY;
    }
}

impl<T: Pooled> List<T> {
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::Table(start, len) => {
                let (start, len) = (*start as usize, *len as usize);
                &T::pool()[start..start + len]
            }
            Repr::Owned(v) => v,
        }
    }
}

impl<T: Pooled + Clone> List<T> {
    /// The list, owned to be changed (a static run is copied first).
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Repr::Table(..) = self.0 {
            self.0 = Repr::Owned(self.as_slice().to_vec());
        }
        match &mut self.0 {
            Repr::Owned(v) => v,
            Repr::Table(..) => unreachable!("made owned above"),
        }
    }

    /// The list as a vector (a static run copied).
    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Repr::Owned(v) => v,
            Repr::Table(..) => self.as_slice().to_vec(),
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> List<T> {
        List::EMPTY
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(v: Vec<T>) -> List<T> {
        List(Repr::Owned(v))
    }
}

impl<T: Pooled> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<'a, T: Pooled> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: Clone> Clone for List<T> {
    fn clone(&self) -> List<T> {
        List(match &self.0 {
            Repr::Table(start, len) => Repr::Table(*start, *len),
            Repr::Owned(v) => Repr::Owned(v.clone()),
        })
    }
}

impl<T: Pooled + PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &List<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Pooled + fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: Pooled + Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        Vec::<T>::deserialize(d).map(List::from)
    }
}
