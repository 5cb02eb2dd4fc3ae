//! A fast reader for plain TOML: the subset that catalog files are written in.
//!
//! The toml crate builds a spanned, sorted tree of every key before serde sees a value; on a
//! 100,000-model user catalog that was two thirds of the load time. This reader takes the
//! common subset (bare keys, `[table]` and `[[array]]` headers of bare keys, basic and literal
//! one-line strings, decimal integers and floats, booleans, local dates, arrays and one-line inline
//! tables of those) into a small borrowed tree and hands it to serde as the toml crate would.
//!
//! It never decides what a document means when it is not sure: anything outside the subset
//! (dotted or quoted keys, multi-line strings, hexadecimal, a datetime), anything TOML forbids
//! (a duplicate key, a redefined table, a control character) and any schema error make it give up
//! (`None`), and the caller reads the document with the toml crate, whose results and messages are
//! authoritative. So when it returns a file, that file is what the toml crate would have read; a
//! test holds it to that on every catalog file and on mutated ones.

use super::schema::{CatalogFile, Date, Located};
use serde::de::{self, value::MapDeserializer, value::SeqDeserializer, IntoDeserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// Reads a catalog document, or None when the toml crate must (see the module doc).
pub fn read(text: &str) -> Option<CatalogFile> {
    let root = Parser::new(text).document()?;
    let mut file = CatalogFile::default();
    for (key, node) in root {
        match key {
            "family" => entries(node, &mut file.family)?,
            "model" => entries(node, &mut file.model)?,
            "license" => entries(node, &mut file.license)?,
            "gpu" => entries(node, &mut file.gpu)?,
            "serverless" => entries(node, &mut file.serverless)?,
            "as_of" => file.as_of = Some(Date::deserialize(node).ok()?),
            _ => return None,
        }
    }
    Some(file)
}

/// The entries of one top-level array, each told where its header starts (as the toml crate's
/// span of the table does).
fn entries<'a, T: Deserialize<'a> + Located>(node: Node<'a>, out: &mut Vec<T>) -> Option<()> {
    match node {
        Node::Tables(tables) => {
            out.reserve(tables.len());
            for (at, table) in tables {
                let mut entry = T::deserialize(Node::Table(table)).ok()?;
                entry.set_at(at);
                out.push(entry);
            }
            Some(())
        }
        Node::Array(items) if items.is_empty() => Some(()),
        _ => None,
    }
}

type Table<'a> = Vec<(&'a str, Node<'a>)>;

/// A value of the subset.
#[derive(Debug)]
enum Node<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A local date, `YYYY-MM-DD`, as written.
    Date(&'a str),
    Array(Vec<Node<'a>>),
    Table(Table<'a>),
    /// An inline table, `{ a = 1, b = "x" }`: complete as written (no header may add to it).
    Inline(Table<'a>),
    /// An array of tables made by `[[...]]` headers, each with the offset of its header.
    Tables(Vec<(usize, Table<'a>)>),
}

/// The table a header opens, filled once the next header (or the end) is reached.
struct Open<'a> {
    path: Vec<&'a str>,
    array: bool,
    at: usize,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// The end of a line: blanks, an optional comment, then a newline or the end of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_blanks();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.at += 1;
                Some(())
            }
            Some(b'\r') if self.bytes.get(self.at + 1) == Some(&b'\n') => {
                self.at += 2;
                Some(())
            }
            _ => None,
        }
    }

    /// A comment, up to (not including) its newline; control characters other than tab are not
    /// allowed in one.
    fn comment(&mut self) -> Option<()> {
        while let Some(b) = self.peek() {
            match b {
                b'\n' | b'\r' => break,
                b'\t' => {}
                0..=0x1f | 0x7f => return None,
                _ => {}
            }
            self.at += 1;
        }
        Some(())
    }

    fn bare_key(&mut self) -> Option<&'a str> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')
        ) {
            self.at += 1;
        }
        (self.at > start).then(|| &self.text[start..self.at])
    }

    fn document(&mut self) -> Option<Table<'a>> {
        let mut root: Table<'a> = Vec::new();
        let mut open: Option<Open<'a>> = None;
        let mut pending: Table<'a> = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some(b'\n' | b'\r' | b'#') => self.end_of_line()?,
                Some(b'[') => {
                    let header = self.header()?;
                    let filled = std::mem::take(&mut pending);
                    match open.replace(header) {
                        Some(table) => place(&mut root, table, filled)?,
                        None => root = filled,
                    }
                }
                Some(_) => {
                    let (key, value) = self.key_value()?;
                    self.end_of_line()?;
                    add(&mut pending, key, value)?;
                }
            }
        }
        match open {
            Some(table) => place(&mut root, table, pending)?,
            None => root = pending,
        }
        Some(root)
    }

    /// `key = value` (a bare key), up to the end of the value.
    fn key_value(&mut self) -> Option<(&'a str, Node<'a>)> {
        let key = self.bare_key()?;
        self.skip_blanks();
        if self.peek()? != b'=' {
            return None;
        }
        self.at += 1;
        self.skip_blanks();
        Some((key, self.value()?))
    }

    /// `[a.b]` or `[[a.b]]` (bare keys, no blanks inside), then the end of the line.
    fn header(&mut self) -> Option<Open<'a>> {
        let at = self.at;
        self.at += 1;
        let array = self.peek() == Some(b'[');
        if array {
            self.at += 1;
        }
        let mut path = vec![self.bare_key()?];
        while self.peek() == Some(b'.') {
            self.at += 1;
            path.push(self.bare_key()?);
        }
        let close: &[u8] = if array { b"]]" } else { b"]" };
        if !self.bytes[self.at..].starts_with(close) {
            return None;
        }
        self.at += close.len();
        self.end_of_line()?;
        Some(Open { path, array, at })
    }

    fn value(&mut self) -> Option<Node<'a>> {
        match self.peek()? {
            b'"' => self.basic_string(),
            b'\'' => self.literal_string(),
            b'[' => self.array(),
            b'{' => self.inline_table(),
            b't' if self.bytes[self.at..].starts_with(b"true") => {
                self.at += 4;
                Some(Node::Bool(true))
            }
            b'f' if self.bytes[self.at..].starts_with(b"false") => {
                self.at += 5;
                Some(Node::Bool(false))
            }
            b'0'..=b'9' | b'-' => self.number_or_date(),
            _ => None,
        }
    }

    fn basic_string(&mut self) -> Option<Node<'a>> {
        if self.bytes[self.at..].starts_with(b"\"\"\"") {
            return None;
        }
        self.at += 1;
        let start = self.at;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let b = self.peek()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    s.push(self.escape()?);
                    run = self.at;
                    continue;
                }
                b'\t' => {}
                0..=0x1f | 0x7f => return None,
                _ => {}
            }
            self.at += 1;
        }
        let end = self.at;
        self.at += 1;
        Some(Node::Str(match owned {
            None => Cow::Borrowed(&self.text[start..end]),
            Some(mut s) => {
                s.push_str(&self.text[run..end]);
                Cow::Owned(s)
            }
        }))
    }

    /// The character of the escape after a backslash (TOML 1.0's escapes only).
    fn escape(&mut self) -> Option<char> {
        let b = self.peek()?;
        self.at += 1;
        let digits = match b {
            b'b' => return Some('\u{8}'),
            b't' => return Some('\t'),
            b'n' => return Some('\n'),
            b'f' => return Some('\u{c}'),
            b'r' => return Some('\r'),
            b'"' => return Some('"'),
            b'\\' => return Some('\\'),
            b'u' => 4,
            b'U' => 8,
            _ => return None,
        };
        let hex = self.text.get(self.at..self.at + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += digits;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    fn literal_string(&mut self) -> Option<Node<'a>> {
        if self.bytes[self.at..].starts_with(b"'''") {
            return None;
        }
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek()? {
                b'\'' => break,
                b'\t' => {}
                0..=0x1f | 0x7f => return None,
                _ => {}
            }
            self.at += 1;
        }
        let end = self.at;
        self.at += 1;
        Some(Node::Str(Cow::Borrowed(&self.text[start..end])))
    }

    /// Blanks, newlines and comments between the items of an array.
    fn skip_array_space(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.at += 1,
                Some(b'\r') if self.bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
                Some(b'#') => self.comment()?,
                _ => return Some(()),
            }
        }
    }

    fn array(&mut self) -> Option<Node<'a>> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_array_space()?;
            if self.peek()? == b']' {
                break;
            }
            items.push(self.value()?);
            self.skip_array_space()?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.at += 1;
        Some(Node::Array(items))
    }

    /// `{ a = 1, b = "x" }` on one line, without a trailing comma (as TOML 1.0 has it).
    fn inline_table(&mut self) -> Option<Node<'a>> {
        self.at += 1;
        let mut table: Table<'a> = Vec::new();
        self.skip_blanks();
        if self.peek()? != b'}' {
            loop {
                self.skip_blanks();
                let (key, value) = self.key_value()?;
                add(&mut table, key, value)?;
                self.skip_blanks();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.at += 1;
        Some(Node::Inline(table))
    }

    /// A decimal integer (`-12`), a float (`7.298`, `-1.5e-3`), or a local date (`2024-11-26`).
    /// What follows is checked by the caller; `+1`, `0x1f`, `1__0` and `07` fail there or here.
    fn number_or_date(&mut self) -> Option<Node<'a>> {
        let start = self.at;
        // Digits, with single underscores between them (`700_000_000`): how many digits.
        let mut underscores = false;
        let mut digits = |p: &mut Self| {
            let mut n = 0;
            loop {
                match p.peek() {
                    Some(b'0'..=b'9') => n += 1,
                    Some(b'_') if n > 0 && matches!(p.bytes.get(p.at + 1), Some(b'0'..=b'9')) => {
                        underscores = true;
                    }
                    _ => return n,
                }
                p.at += 1;
            }
        };
        if self.bytes.get(start + 4) == Some(&b'-') && self.bytes[start].is_ascii_digit() {
            let date = self.text.get(start..start + 10)?;
            Date::parse(date)?;
            self.at = start + 10;
            // A time after the date (`T07:32:00`, ` 07:32:00`) is a datetime: not in the subset.
            if matches!(self.peek(), Some(b'T' | b't'))
                || (self.peek() == Some(b' ')
                    && matches!(self.bytes.get(self.at + 1), Some(b'0'..=b'9')))
            {
                return None;
            }
            return Some(Node::Date(date));
        }
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        let int_digits = digits(self);
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return None;
            }
            float = true;
        }
        let written = &self.text[start..self.at];
        let plain;
        let number = if underscores {
            plain = written.replace('_', "");
            plain.as_str()
        } else {
            written
        };
        if float {
            let f: f64 = number.parse().ok()?;
            f.is_finite().then_some(Node::Float(f))
        } else {
            number.parse().ok().map(Node::Int)
        }
    }
}

/// Adds a key to a table: None when the table has it already (TOML forbids that).
fn add<'a>(table: &mut Table<'a>, key: &'a str, value: Node<'a>) -> Option<()> {
    if table.iter().any(|(k, _)| *k == key) {
        return None;
    }
    table.push((key, value));
    Some(())
}

/// Puts a header's table where its path leads: every key but the last must name a table or an
/// array of tables (its last one) already there; the last must be new, or for `[[...]]` an array
/// of tables to extend.
fn place<'a>(root: &mut Table<'a>, open: Open<'a>, filled: Table<'a>) -> Option<()> {
    let (last, parents) = open.path.split_last()?;
    let mut table = root;
    for key in parents {
        let (_, node) = table.iter_mut().find(|(k, _)| k == key)?;
        table = match node {
            Node::Table(t) => t,
            Node::Tables(ts) => &mut ts.last_mut()?.1,
            _ => return None,
        };
    }
    match table.iter_mut().find(|(k, _)| k == last) {
        None if open.array => table.push((last, Node::Tables(vec![(open.at, filled)]))),
        None => table.push((last, Node::Table(filled))),
        Some((_, Node::Tables(ts))) if open.array => ts.push((open.at, filled)),
        Some(_) => return None,
    }
    Some(())
}

/// Any error: the document goes to the toml crate, which says what is wrong.
#[derive(Debug)]
pub struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not plain TOML")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> GiveUp {
        GiveUp
    }
}

impl<'de> IntoDeserializer<'de, GiveUp> for Node<'de> {
    type Deserializer = Node<'de>;
    fn into_deserializer(self) -> Node<'de> {
        self
    }
}

/// Values go to serde as the toml crate's `ValueDeserializer` sends them: integers as i64, a date
/// as a one-entry map, a present optional value as `Some`, an enum from its string.
impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self {
            Node::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Node::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Node::Int(i) => visitor.visit_i64(i),
            Node::Float(f) => visitor.visit_f64(f),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Date(d) => visitor.visit_map(MapDeserializer::new(std::iter::once((
                "$__toml_private_datetime",
                d,
            )))),
            Node::Array(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Tables(tables) => visitor.visit_seq(SeqDeserializer::new(
                tables.into_iter().map(|(_, t)| Node::Table(t)),
            )),
            Node::Table(entries) | Node::Inline(entries) => {
                visitor.visit_map(MapDeserializer::new(entries.into_iter()))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        match self {
            Node::Str(Cow::Borrowed(s)) => visitor.visit_enum(s.into_deserializer()),
            Node::Str(Cow::Owned(s)) => visitor.visit_enum(s.into_deserializer()),
            _ => Err(GiveUp),
        }
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 i8 i16 i32 i64 i128 u128 f32 f64 char str string seq
        bytes byte_buf map unit ignored_any unit_struct tuple_struct tuple identifier struct
    }
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::catalog::schema::read_with_toml;

    /// What the toml crate reads of a text, when it reads it without a problem.
    fn by_toml(text: &str) -> Option<String> {
        let (file, problems) = read_with_toml(text);
        problems.is_empty().then(|| format!("{file:?}"))
    }

    fn catalog_files() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
        let mut dirs = vec![root];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    files.push((path.display().to_string(), text));
                }
            }
        }
        assert!(files.len() > 20, "the catalog has its files");
        files
    }

    #[test]
    fn every_catalog_file_reads_as_the_toml_crate_reads_it() {
        for (name, text) in catalog_files() {
            let mut parser = super::Parser::new(&text);
            if parser.document().is_none() {
                let line = text[..parser.at].lines().count();
                panic!("{name}:{line}: not plain TOML from here");
            }
            let plain = read(&text).unwrap_or_else(|| panic!("{name} is not a valid catalog"));
            assert_eq!(
                Some(format!("{plain:?}")),
                by_toml(&text),
                "{name} reads differently"
            );
        }
    }

    /// A model with only the keys a model must have.
    const BASE: &str = "[[model]]\nid = \"a\"\nname = \"A\"\nvendor = \"V\"\nfamily = \"f\"\nweights = \"open\"\nreleased = 2024-11-26\nlicense = \"mit\"\n";

    /// Each addition to a valid model is outside the subset or not valid TOML (or not a valid
    /// model): the plain reader must give up. Right forms of the same shapes are read.
    #[test]
    fn gives_up_on_what_it_does_not_know_or_toml_forbids() {
        let right = [
            "",
            "notes = \"a\\u00e9\\\"b\"\n",
            "[model.arch]\nlayers = 2\nhidden_size = 8\nattention_heads = 2\nkv_heads = 2\nhead_dim = 4\nintermediate_size = 16\n",
            "arch = { layers = 2, hidden_size = 8, attention_heads = 2, kv_heads = 2, head_dim = 4, intermediate_size = 16, attention = \"mha\" }\n",
            "checkpoints = [{ kind = \"base\", hf_repo = \"a/b\" }, { kind = \"instruct\", hf_repo = \"a/c\" }]\n",
            "[[model.checkpoints]]\nkind = \"base\"\nhf_repo = \"a/b\"\n[[model.checkpoints]]\nkind = \"instruct\"\nhf_repo = \"a/c\"\n",
            "context_tokens = 4096 # a comment\nparams_total_b = 1.5e1\n",
            "context_tokens = 1_000_000\nparams_total_b = 1_0.2_5e1_0\n",
        ];
        for extra in right {
            let text = format!("{BASE}{extra}");
            let plain = read(&text).unwrap_or_else(|| panic!("reads {text:?}"));
            assert_eq!(Some(format!("{plain:?}")), by_toml(&text), "{text:?}");
        }
        let wrong = [
            "notes = \"x\"\nnotes = \"y\"\n",              // duplicate key
            "[model.arch]\n[model.arch]\n",                // table defined twice
            "arch = 1\n[model.arch]\n",                    // key, then table of that name
            "[model]\n",                                   // array of tables, then table
            "[model.x.y]\n",                               // implicit table
            "notes = \"a\\qb\"\n",                         // unknown escape
            "notes = \"a\\ud800\"\n",                      // surrogate
            "notes = \"a\u{1}b\"\n",                       // control character
            "notes = \"a\" # \u{7f}\n",                    // control in a comment
            "notes = \"\"\"a\"\"\"\n",                     // multi-line string
            "notes = 'a\nb'\n",                            // literal string over lines
            "arch = { layers = 1, }\n",                    // trailing comma (TOML 1.1)
            "arch = { layers = 1 }\n[model.arch]\n",       // inline table, then header
            "arch = { layers = 1 }\n[model.arch.group]\n", // header into an inline table
            "arch = { layers = 1, layers = 2 }\n",         // duplicate inline key
            "checkpoints = [{ kind = \"base\" }]\n[[model.checkpoints]]\n", // static array extended
            "arch.layers = 1\n",                           // dotted key
            "\"notes\" = \"a\"\n",                         // quoted key
            "[ model.arch ]\n",                            // blanks in a header
            "context_tokens = 1__000\n",                   // two underscores
            "context_tokens = 1000_\n",                    // trailing underscore
            "params_total_b = 1_.5\n",                     // underscore before a point
            "context_tokens = 0x10\n",                     // hexadecimal
            "context_tokens = 010\n",                      // leading zero
            "context_tokens = +1\n",                       // plus sign
            "context_tokens = 99999999999999999999\n",     // beyond i64
            "params_total_b = 1e999\n",                    // infinite float
            "params_total_b = .5\n",                       // no integer part
            "params_total_b = 1.\n",                       // no fraction
            "params_total_b = inf\n",                      // inf
            "status_date = 2024-11-26T10:00:00\n",         // datetime
            "status_date = 2024-11-26 10:00:00\n",         // datetime with a space
            "status_date = 2024-02-30\n",                  // no such day
            "notes = \"a\" \"b\"\n",                       // two values
            "notes = \"a\"\rcontext_tokens = 1\n",         // lone carriage return
            "aliases = [\"a\" \"b\"]\n",                   // no comma
            "unknown_key = 1\n",                           // schema error
            "notes = 1\n",                                 // wrong type
            "notes = \"a\"x\n",                            // junk after a value
            "[[model.checkpoints]]\nkind = \"base\"\n[model.checkpoints]\n", // array, then table
        ];
        for extra in wrong {
            let text = format!("{BASE}{extra}");
            assert!(read(&text).is_none(), "read {text:?}");
        }
        for text in [
            format!("whatever = 1\n{BASE}"), // an unknown top-level key
            format!("model = []\n{BASE}"),   // a static array extended by a header
        ] {
            assert!(read(&text).is_none(), "read {text:?}");
        }
    }

    /// The subset's values as the toml crate reads them: escapes, literal strings, comments,
    /// CRLF, dates, exponents, arrays over lines with trailing commas, arrays of tables, and the
    /// families, licenses and GPUs beside the models.
    #[test]
    fn reads_the_subset_as_toml_does() {
        let text = format!(
            "# a catalog\n\nas_of = 2026-12-01\n\n{BASE}\
             notes = \"tab\\there \\\"quoted\\\" \\\\ \\u00e9 \\U0001F600 caf\u{e9}\"\n\
             params_note = 'C:\\no\\escapes \"here\"'\n\
             aliases = [ # over lines\n  \"b\",\n  'c', # and comments\n]\n\
             params_total_b = -1.5E-3\t# tab before\nparams_active_b = 0\nextra_params_b = 0.25\n\
             modalities = []\n\
             [model.arch]\nlayers = 2\nhidden_size = 8\nattention_heads = 2\nkv_heads = 2\nhead_dim = 4\nintermediate_size = 16\ntied_embeddings = true\n\
             [[model.arch.group]]\nkind = \"full\"\ncount = 2\n\n\
             {BASE}[[model.checkpoints]]\nkind = \"base\"\nhf_repo = \"a/b\"\n"
        );
        for text in [text.clone(), text.replace('\n', "\r\n")] {
            let plain = read(&text).expect("the text is plain TOML");
            assert_eq!(plain.model.len(), 2);
            assert_eq!(Some(format!("{plain:?}")), by_toml(&text), "{text}");
        }
    }

    /// Mutated catalog text: whatever the plain reader accepts, the toml crate reads the same.
    #[test]
    fn mutations_read_as_toml_reads_them_or_not_at_all() {
        let files = catalog_files();
        // One entry is enough text to mutate and quick to read thousands of times: a model with
        // inline tables and dates, and a license with arrays of tables.
        let entry_of = |file: &str, header: &str, containing: &str| {
            let (_, text) = files.iter().find(|(name, _)| name.ends_with(file)).unwrap();
            let inside = text.find(containing).unwrap();
            let start = text[..inside + containing.len()].rfind(header).unwrap();
            let end = text[start + 1..]
                .find(header)
                .map_or(text.len(), |e| e + start + 1);
            text[start..end].to_string()
        };
        let entries = [
            entry_of("allenai.toml", "[[model]]", "[[model]]"),
            entry_of("licenses.toml", "[[license]]", "[[license.threshold]]"),
        ];
        let inserts: &[&str] = &[
            "\"",
            "'",
            "[",
            "]",
            "[[",
            "=",
            ".",
            "\n",
            "#",
            "\\",
            "0",
            "_",
            "{",
            "\t",
            "\r",
            "x",
            " ",
            "-",
            "e",
            ",",
            "\u{7f}",
            "\\u00e9",
            "2024-01-01",
            "[model.serving]\n",
            "[[model]]\n",
            "[[model.checkpoints]]\n",
            "[[license.threshold]]\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut accepted, mut tried) = (0, 0);
        for round in 0..4000 {
            let mut mutated = entries[round % entries.len()].clone();
            for _ in 0..1 + next(2) {
                let mut at = next(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => mutated.insert_str(at, inserts[next(inserts.len())]),
                    1 if at < mutated.len() => {
                        let len = mutated[at..].chars().next().unwrap().len_utf8();
                        mutated.replace_range(at..at + len, "");
                    }
                    _ => {
                        let line_start = mutated[..at].rfind('\n').map_or(0, |i| i + 1);
                        let line_end = mutated[at..]
                            .find('\n')
                            .map_or(mutated.len(), |i| at + i + 1);
                        let line = mutated[line_start..line_end].to_string();
                        mutated.insert_str(line_end, &line);
                    }
                }
            }
            tried += 1;
            if let Some(plain) = read(&mutated) {
                accepted += 1;
                assert_eq!(
                    Some(format!("{plain:?}")),
                    by_toml(&mutated),
                    "plain and toml disagree on {mutated:?}"
                );
            }
        }
        // Both outcomes are exercised: some mutations stay valid, most do not.
        assert!(
            accepted > 100 && accepted < tried,
            "{accepted} of {tried} read"
        );
    }
}
