//! `Text`: a catalog string that is never copied where it need not be.
//!
//! The embedded catalog's strings are slices of one string table (`Text::table`: a start and a
//! length, written by build.rs). A `Text` decoded from bytes that live for the whole process (a
//! compiled user catalog kept loaded, a user's TOML text kept for the run) points into them; any
//! other owns its string.
//!
//! `build.rs` compiles this file too (through `schema.rs`), so it depends on nothing but serde and
//! std.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::Cell;
use std::fmt;
use std::ops::Deref;

/// A string of the catalog: a slice of the embedded catalog's string table, borrowed from bytes
/// that outlive the process's use of them, or owned.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// `start..start + len` of the embedded catalog's string table (`super::STATIC_STRINGS`):
    /// two numbers, so the static catalog holds no pointer for the loader to relocate.
    Table(u32, u32),
    Borrowed(&'static str),
    Owned(Box<str>),
}

impl Text {
    /// A slice of the embedded catalog's string table (build.rs writes these).
    pub const fn table(start: u32, len: u32) -> Text {
        Text(Repr::Table(start, len))
    }

    /// The length in bytes, read without finding the string (an id lookup compares lengths
    /// first: most catalog ids differ in length from the one sought).
    fn byte_len(&self) -> usize {
        match &self.0 {
            Repr::Table(_, len) => *len as usize,
            Repr::Borrowed(s) => s.len(),
            Repr::Owned(s) => s.len(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Table(start, len) => {
                let (start, len) = (*start as usize, *len as usize);
                &super::STATIC_STRINGS[start..start + len]
            }
            Repr::Borrowed(s) => s,
            Repr::Owned(s) => s,
        }
    }

    /// A string kept for the rest of the process (a file name tagging many entries): its clones
    /// are pointer copies, not allocations.
    pub fn leaked(s: String) -> Text {
        Text(Repr::Borrowed(s.leak()))
    }
}

impl Default for Text {
    fn default() -> Text {
        Text(Repr::Borrowed(""))
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.byte_len() == other.byte_len() && self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `str` hashes: a `Text` and its `str` must hash alike (`Borrow<str>` lookups).
        self.as_str().hash(state)
    }
}

/// Where the bytes being decoded come from, and so what their strings need.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Encoded by this program's build script from Rust strings and compiled into the binary (the
    /// stored capability ratings): every string in them is valid UTF-8 already.
    Embedded,
    /// Anything else (a compiled catalog read from a file): strings are checked.
    Loaded,
    /// A text checked as UTF-8 as a whole (a user's TOML catalog, kept loaded), whose strings the
    /// TOML readers hand over as `&str` slices of it.
    Checked,
}

thread_local! {
    /// The `'static` bytes being decoded by `decode_static` on this thread, if any.
    static STATIC_INPUT: Cell<Option<(&'static [u8], Origin)>> = const { Cell::new(None) };
}

/// Decodes postcard `bytes` that live for the rest of the process: every `Text` inside borrows
/// from them rather than copying.
pub fn decode_static<T: for<'de> Deserialize<'de>>(
    bytes: &'static [u8],
    origin: Origin,
) -> postcard::Result<T> {
    with_static_input(bytes, origin, || postcard::from_bytes(bytes))
}

/// `decode_static` of the value at the start of `bytes`, and the bytes after it.
pub fn take_static<T: for<'de> Deserialize<'de>>(
    bytes: &'static [u8],
    origin: Origin,
) -> postcard::Result<(T, &'static [u8])> {
    with_static_input(bytes, origin, || postcard::take_from_bytes(bytes))
}

/// Decodes a postcard sequence in `bytes` (as `decode_static` would a `Vec<T>`) of exactly
/// `slots.len()` items into `slots`, in order: runs of one list decoded on several threads, each
/// into its own part of the list, are joined without a copy. `Err` (with some slots written, whose
/// items are then never dropped: leaked, not unsound) when it holds more or fewer items.
pub fn fill_static<T: for<'de> Deserialize<'de>>(
    bytes: &'static [u8],
    origin: Origin,
    slots: &mut [std::mem::MaybeUninit<T>],
) -> postcard::Result<()> {
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};
    struct Fill<'v, T>(&'v mut [std::mem::MaybeUninit<T>]);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Fill<'_, T> {
        type Value = usize;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a sequence of {} items", self.0.len())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut filled = 0;
            for slot in self.0.iter_mut() {
                match seq.next_element()? {
                    Some(item) => {
                        slot.write(item);
                        filled += 1;
                    }
                    None => break,
                }
            }
            Ok(filled)
        }
    }
    impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Fill<'_, T> {
        type Value = usize;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
            d.deserialize_seq(self)
        }
    }
    let want = slots.len();
    with_static_input(bytes, origin, || {
        let mut de = postcard::Deserializer::from_bytes(bytes);
        let filled = Fill(slots).deserialize(&mut de)?;
        // Fewer items than slots, or more (the rest of the sequence unread), or bytes after it.
        match (filled == want, de.finalize()?) {
            (true, []) => Ok(()),
            _ => Err(postcard::Error::DeserializeBadEncoding),
        }
    })
}

/// Runs `read` (a decoder on this thread) with `bytes` as the static input: every `Text` it makes
/// of a string inside them borrows it.
pub fn with_static_input<R>(bytes: &'static [u8], origin: Origin, read: impl FnOnce() -> R) -> R {
    struct Reset(Option<(&'static [u8], Origin)>);
    impl Drop for Reset {
        fn drop(&mut self) {
            STATIC_INPUT.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(STATIC_INPUT.with(|c| c.replace(Some((bytes, origin)))));
    read()
}

/// The string held by `b`, with a `'static` lifetime when `b` lies inside the bytes
/// `decode_static` is decoding (checked for UTF-8 unless they are the embedded catalog's); `Err`
/// when `b` is not UTF-8, `Ok(None)` when it lies elsewhere.
fn in_static_input(b: &[u8]) -> Result<Option<&'static str>, std::str::Utf8Error> {
    let Some((input, origin)) = STATIC_INPUT.with(Cell::get) else {
        return Ok(None);
    };
    let range = input.as_ptr_range();
    if !(range.start <= b.as_ptr() && b.as_ptr_range().end <= range.end) {
        return Ok(None);
    }
    // SAFETY: `b` lies entirely within `input`, which is `'static` and immutable, so the memory
    // it points to stays valid and unchanged for `'static`.
    let b: &'static [u8] = unsafe { &*(b as *const [u8]) };
    match origin {
        // SAFETY: the build script wrote these bytes from Rust `String`s (a `Text` is encoded as
        // a string, and build.rs and this crate compile the same schema), so they are UTF-8;
        // checking 400 KB of short strings again was an eighth of the main query's work.
        // A TOML reader hands a checked text's strings over as `&str`: UTF-8 already.
        Origin::Embedded | Origin::Checked => Ok(Some(unsafe { std::str::from_utf8_unchecked(b) })),
        // Most catalog strings are ASCII, which is checked several times faster (a word at a
        // time, no decoding state) than UTF-8 in general.
        // SAFETY: ASCII bytes are valid UTF-8.
        Origin::Loaded if is_ascii(b) => Ok(Some(unsafe { std::str::from_utf8_unchecked(b) })),
        Origin::Loaded => std::str::from_utf8(b).map(Some),
    }
}

/// Whether every byte is ASCII, eight bytes at a time (the last eight overlapping the rest): for
/// the short strings of a catalog, `<[u8]>::is_ascii`'s alignment prologue cost more than the
/// check, a sixth of loading a compiled catalog.
fn is_ascii(b: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().expect("eight bytes"));
    let Some(last) = b.len().checked_sub(8) else {
        return b.iter().all(u8::is_ascii);
    };
    let words = b.chunks_exact(8).fold(0, |acc, w| acc | word(w));
    (words | word(&b[last..])) & HIGH == 0
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text, E> {
                Ok(match in_static_input(s.as_bytes()) {
                    Ok(Some(s)) => Text(Repr::Borrowed(s)),
                    _ => Text::from(s),
                })
            }
            // The binary forms hand strings over as bytes (see below).
            fn visit_borrowed_bytes<E: de::Error>(self, b: &'de [u8]) -> Result<Text, E> {
                match in_static_input(b) {
                    Ok(Some(s)) => Ok(Text(Repr::Borrowed(s))),
                    Ok(None) => self.visit_bytes(b),
                    Err(e) => Err(E::custom(e)),
                }
            }
            fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Text, E> {
                std::str::from_utf8(b).map(Text::from).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
                Ok(Text::from(s))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
                Ok(Text::from(s))
            }
        }
        // postcard encodes a string and a byte string alike; asked for bytes it skips the UTF-8
        // check, which `in_static_input` makes only where needed.
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(TextVisitor)
        } else {
            deserializer.deserialize_bytes(TextVisitor)
        }
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A newtype, which every format writes as the string itself: the build script's static
        // catalog writer learns from the name that the string is a `Text`.
        serializer.serialize_newtype_struct("Text", self.as_str())
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // `pad`, not `write_str`: table cells rely on width and alignment.
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Repr::Owned(s.into()))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Repr::Owned(s.into_boxed_str()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match t.0 {
            Repr::Owned(s) => s.into_string(),
            _ => t.as_str().to_owned(),
        }
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.byte_len() == other.len() && self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self == *other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        other == self
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        other == *self
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        other == self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize)]
    struct Row {
        a: Text,
        b: Vec<Text>,
    }

    #[test]
    // Each order of each pair is another `PartialEq` impl: none is redundant.
    #[allow(clippy::nonminimal_bool, clippy::cmp_owned)]
    fn equality_is_by_text_whatever_holds_it() {
        let catalog = crate::catalog::Catalog::embedded();
        let ids: Vec<&str> = catalog.models.iter().map(|m| m.id.as_str()).collect();
        for (m, id) in catalog.models.iter().zip(&ids) {
            let (owned, borrowed) = (Text::from(*id), Text::leaked(id.to_string()));
            for t in [&m.id, &owned, &borrowed] {
                assert_eq!(*t, m.id);
                assert_eq!(m.id, *t);
                assert_eq!(*t, owned);
                assert_eq!(*t, borrowed);
                assert!(*t == **id && *t == *id && **id == *t && *id == *t, "{id}");
                assert!(*t == id.to_string() && id.to_string() == *t, "{id}");
                // Another id: of another length, or of the same length (compared in full).
                for other in ids.iter().filter(|o| *o != id) {
                    assert!(*t != **other && **other != *t, "{id} {other}");
                    assert!(*t != Text::from(*other), "{id} {other}");
                }
            }
        }
        assert_ne!(Text::from("ab"), Text::from("ac"));
        assert_ne!(Text::from("ab"), Text::from("abc"));
    }

    #[test]
    fn is_ascii_agrees_with_std_at_every_length_and_position() {
        for len in 0..40 {
            let clean = vec![b'a'; len];
            assert!(is_ascii(&clean), "{len}");
            for at in 0..len {
                let mut dirty = clean.clone();
                dirty[at] = 0x80 | (at as u8);
                assert_eq!(is_ascii(&dirty), dirty.is_ascii(), "{len} {at}");
                assert!(!is_ascii(&dirty), "{len} {at}");
            }
        }
        assert!(!is_ascii("naïve".as_bytes()));
    }

    #[test]
    fn decoded_from_static_bytes_the_strings_borrow_them() {
        let row = Row {
            a: "qwen3-32b".into(),
            b: vec!["mmlu".into(), "gpqa".into()],
        };
        let bytes: &'static [u8] = postcard::to_allocvec(&row).unwrap().leak();
        let back: Row = decode_static(bytes, Origin::Loaded).unwrap();
        let range = bytes.as_ptr_range();
        for t in std::iter::once(&back.a).chain(&back.b) {
            assert!(matches!(t.0, Repr::Borrowed(_)), "{t:?} was copied");
            assert!(range.contains(&t.as_ptr()));
        }
        assert_eq!(back.a, "qwen3-32b");
        assert_eq!(back.b, ["mmlu", "gpqa"]);
    }

    #[test]
    fn decoded_from_other_bytes_or_toml_the_strings_are_owned() {
        let row = Row {
            a: "x".into(),
            b: vec![],
        };
        let bytes = postcard::to_allocvec(&row).unwrap();
        let back: Row = postcard::from_bytes(&bytes).unwrap();
        assert!(matches!(back.a.0, Repr::Owned(_)));
        // After a static decode, the marker is gone: later decodes copy again.
        let leaked: &'static [u8] = bytes.clone().leak();
        let _: Row = decode_static(leaked, Origin::Embedded).unwrap();
        let again: Row = postcard::from_bytes(&bytes).unwrap();
        assert!(matches!(again.a.0, Repr::Owned(_)));
        let toml: Row = toml::from_str("a = \"y\"\nb = [\"z\"]").unwrap();
        assert_eq!(toml.a, "y");
        assert!(matches!(toml.b[0].0, Repr::Owned(_)));
    }

    #[test]
    fn loaded_bytes_that_are_not_utf8_are_an_error_not_a_string() {
        let mut bytes = postcard::to_allocvec(&Row {
            a: "ab".into(),
            b: vec![],
        })
        .unwrap();
        bytes[1] = 0xff; // the first byte of `a` (after its one-byte length)
        let leaked: &'static [u8] = bytes.clone().leak();
        assert!(decode_static::<Row>(leaked, Origin::Loaded).is_err());
        assert!(postcard::from_bytes::<Row>(&bytes).is_err());
    }
}
