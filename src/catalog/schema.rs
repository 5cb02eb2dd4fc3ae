//! The catalog's data types, exactly as the TOML files spell them (see `catalog/FORMAT.md`).
//!
//! Every struct denies unknown keys, so a typo in a catalog file is an error with a location rather
//! than a silently ignored fact. Semantic checks (references, ranges, recomputed parameter counts)
//! live in `check.rs`.
//!
//! `build.rs` compiles this file too (it reads the catalog with these types and embeds it in a
//! binary form), so it depends on nothing but serde and std.

pub use super::list::{List, Pooled};
pub use super::text::Text;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A problem met while reading a catalog file: a byte span of the text (when known) and what is
/// wrong. The reader (`read_catalog`) has no file name; callers add it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
    /// A syntax error (the file is not TOML), rather than a schema error in one entry.
    pub syntax: bool,
}

/// Reads a catalog file entry by entry: a schema error in one entry (an unknown key, a wrong type)
/// is reported and that entry skipped, so one mistake does not hide the problems of the others.
/// Syntax errors are all reported, and then no entry is read (a broken file has no reliable entries).
pub fn read_catalog(text: &str) -> (CatalogFile, Vec<ReadProblem>) {
    read_catalogs(&[text]).pop().unwrap_or_default()
}

/// Reads catalog files (as `read_catalog` does each), on every core at once.
///
/// A large file is read in pieces, one per top-level `[[family]]`/`[[model]]`/`[[license]]`/
/// `[[gpu]]` header: only one entry's syntax tree is alive at a time, so a user catalog of 100,000
/// models needs a fraction of the memory and time of one whole-document tree. The pieces of all
/// files are shared out among threads in runs of about equal size, so a folder of many files keeps
/// every core busy as one large file does. A piece that does not parse on its own (a header inside
/// a multi-line string) sends its file back to the one-document reader, whose errors are
/// authoritative.
pub fn read_catalogs(texts: &[&str]) -> Vec<(CatalogFile, Vec<ReadProblem>)> {
    read_pieces(texts, |file, range| {
        read_document(&texts[file][range.clone()], range.start)
    })
}

/// `read_catalogs` of texts kept for the rest of the process: the strings read from them borrow
/// from them (copying them was a fifth of reading a 100,000-model catalog, and its memory).
pub fn read_kept_catalogs(texts: &[&'static str]) -> Vec<(CatalogFile, Vec<ReadProblem>)> {
    use super::text::{with_static_input, Origin};
    read_pieces(texts, |file, range| {
        let text = texts[file];
        with_static_input(text.as_bytes(), Origin::Checked, || {
            read_document(&text[range.clone()], range.start)
        })
    })
}

/// `read_catalogs` with `read` (the file, a byte range of it) reading a document.
fn read_pieces(
    texts: &[&str],
    read: impl Fn(usize, std::ops::Range<usize>) -> (CatalogFile, Vec<ReadProblem>) + Sync,
) -> Vec<(CatalogFile, Vec<ReadProblem>)> {
    const PIECES_WORTH_IT: usize = 256;
    /// A piece: its file, its byte range, and whether it is a part of its file (not the whole).
    type Piece = (usize, usize, usize, bool);
    let cores = cores();
    let mut pieces: Vec<Piece> = Vec::new();
    for (file, (text, starts)) in texts.iter().zip(entry_starts_of(texts, cores)).enumerate() {
        if starts.len() < PIECES_WORTH_IT {
            pieces.push((file, 0, text.len(), false));
            continue;
        }
        let mut prev = 0;
        for s in starts.into_iter().chain([text.len()]) {
            if s > prev {
                pieces.push((file, prev, s, true));
            }
            prev = s;
        }
    }
    let threads = cores.min(pieces.len().max(1));
    // Runs of consecutive pieces of about equal size, one a thread.
    let total: usize = pieces.iter().map(|p| p.2 - p.1).sum();
    let share = total.div_ceil(threads).max(1);
    let mut runs: Vec<&[Piece]> = Vec::with_capacity(threads);
    let (mut start, mut size) = (0, 0);
    for (i, p) in pieces.iter().enumerate() {
        size += p.2 - p.1;
        if size >= share || i + 1 == pieces.len() {
            runs.push(&pieces[start..=i]);
            (start, size) = (i + 1, 0);
        }
    }
    // Each run's result: per file met, its entries and problems, or None when a part of the file
    // did not parse alone.
    type Read = Option<(CatalogFile, Vec<ReadProblem>)>;
    let read = &read;
    let read_run = |run: &[Piece]| {
        let mut out: Vec<(usize, Read)> = Vec::new();
        for &(file, a, b, part) in run {
            if out.last().is_none_or(|(f, _)| *f != file) {
                out.push((file, Some(Default::default())));
            }
            let slot = &mut out.last_mut().expect("pushed above").1;
            let Some((doc, problems)) = slot else {
                continue;
            };
            let (piece, found) = read(file, a..b);
            if part && found.iter().any(|p| p.syntax) {
                *slot = None;
                continue;
            }
            doc.append(piece);
            problems.extend(found);
        }
        out
    };
    let results: Vec<_> = if runs.len() <= 1 {
        runs.into_iter().map(read_run).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .into_iter()
                .map(|run| (run, scope.spawn(move || read_run(run))))
                .collect();
            // A run whose thread failed sends each of its files back to the one-document reader
            // (never an empty result: entries would go missing without a word).
            handles
                .into_iter()
                .map(|(run, h)| {
                    h.join().unwrap_or_else(|_| {
                        let mut files: Vec<usize> = run.iter().map(|p| p.0).collect();
                        files.dedup();
                        files.into_iter().map(|f| (f, None)).collect()
                    })
                })
                .collect()
        })
    };
    let mut out: Vec<Read> = texts.iter().map(|_| Some(Default::default())).collect();
    for (file, result) in results.into_iter().flatten() {
        match (&mut out[file], result) {
            (Some((doc, problems)), Some((piece, found))) => {
                doc.append(piece);
                problems.extend(found);
            }
            (slot, _) => *slot = None,
        }
    }
    out.into_iter()
        .zip(texts)
        .enumerate()
        .map(|(file, (result, text))| result.unwrap_or_else(|| read(file, 0..text.len())))
        .collect()
}

/// `entry_starts` of each text, the files shared out among `cores` threads when there are several
/// and enough text to be worth it (finding the headers of a 222 MB folder took a tenth of a second
/// on one core, while the others waited).
fn entry_starts_of(texts: &[&str], cores: usize) -> Vec<Vec<usize>> {
    const BYTES_WORTH_A_THREAD: usize = 4 << 20;
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let threads = cores
        .min(texts.len())
        .min(bytes / BYTES_WORTH_A_THREAD)
        .max(1);
    in_runs(texts, threads, |t| entry_starts(t))
}

/// The threads worth starting: one a core, at most 8.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Threads for work that could keep `wanted` of them busy: at most one a core, and the cores are
/// asked for only when more than one is wanted (std reads the cgroup's CPU quota for it, a score
/// of system calls: a tenth of what the main query adds to `pick --version`).
pub(crate) fn cores_up_to(wanted: usize) -> usize {
    if wanted <= 1 {
        1
    } else {
        cores().min(wanted)
    }
}

/// `f` of each item, in order, computed in contiguous runs on `threads` threads (a panic in one
/// is resumed here).
pub(crate) fn in_runs<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    on_runs(items, threads, |_, run| {
        run.iter().map(&f).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// `f` of each of about `threads` contiguous runs of `items` (given the index of the run's first
/// item), each run on a thread of its own, the results in order (a panic in one is resumed here).
/// For work that keeps state along a run, such as a memo.
pub(crate) fn on_runs<'a, T: Sync, R: Send>(
    items: &'a [T],
    threads: usize,
    f: impl Fn(usize, &'a [T]) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return vec![f(0, items)];
    }
    let size = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(i, run)| scope.spawn(move || f(i * size, run)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Byte offsets of the lines that open a top-level entry (`[[model]]` and its siblings). Only the
/// places of `[[` are looked at: a line-by-line scan cost a tenth of reading a large catalog.
fn entry_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("[[") {
        let at = from + found;
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        if matches!(
            text[line_start..line_end].trim(),
            "[[family]]" | "[[model]]" | "[[license]]" | "[[gpu]]" | "[[serverless]]"
        ) {
            out.push(line_start);
        }
        from = line_end;
    }
    out
}

/// Reads one TOML document (a whole file, or a piece of one starting at byte `base`).
fn read_document(text: &str, base: usize) -> (CatalogFile, Vec<ReadProblem>) {
    let (mut file, mut problems) = read_document_at(text);
    if base > 0 {
        for p in &mut problems {
            p.span = p.span.take().map(|s| s.start + base..s.end + base);
        }
        for e in &mut file.family {
            e.at += base;
        }
        for e in &mut file.model {
            e.at += base;
        }
        for e in &mut file.license {
            e.at += base;
        }
        for e in &mut file.gpu {
            e.at += base;
        }
    }
    (file, problems)
}

/// The plain reader when it can (most catalogs), else the toml crate (see `plain.rs`).
fn read_document_at(text: &str) -> (CatalogFile, Vec<ReadProblem>) {
    match super::plain::read(text) {
        Some(file) => (file, Vec::new()),
        None => read_with_toml(text),
    }
}

/// Reads a document with the toml crate: any TOML, every problem reported with its place.
pub(crate) fn read_with_toml(text: &str) -> (CatalogFile, Vec<ReadProblem>) {
    use toml::de::DeTable;
    let mut file = CatalogFile::default();
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<ReadProblem> = errors
        .iter()
        .map(|e| ReadProblem {
            span: e.span(),
            message: e.message().trim().to_string(),
            syntax: true,
        })
        .collect();
    if !problems.is_empty() {
        return (file, problems);
    }
    for (key, value) in table.into_inner() {
        let key_span = key.span();
        match key.get_ref().as_ref() {
            "family" => read_entries(value, &mut file.family, &mut problems),
            "model" => read_entries(value, &mut file.model, &mut problems),
            "license" => read_entries(value, &mut file.license, &mut problems),
            "gpu" => read_entries(value, &mut file.gpu, &mut problems),
            "serverless" => read_entries(value, &mut file.serverless, &mut problems),
            "as_of" => match Date::deserialize(toml::de::ValueDeserializer::from(value)) {
                Ok(d) => file.as_of = Some(d),
                Err(e) => problems.push(ReadProblem {
                    span: e.span().or(Some(key_span)),
                    message: format!("as_of: {}", e.message().trim()),
                    syntax: false,
                }),
            },
            other => problems.push(ReadProblem {
                span: Some(key_span),
                message: format!(
                    "unknown top-level key `{other}`: a catalog file holds [[family]], [[model]], [[license]], [[gpu]] and [[serverless]] entries (and `as_of`)"
                ),
                syntax: false,
            }),
        }
    }
    (file, problems)
}

/// What the reader needs of an entry: where it starts.
pub trait Located {
    fn set_at(&mut self, offset: usize);
}

macro_rules! located {
    ($($t:ty),*) => {$(
        impl Located for $t {
            fn set_at(&mut self, offset: usize) {
                self.at = offset;
            }
        }
    )*};
}
located!(Family, Model, License, Gpu, Serverless);

fn read_entries<T: serde::de::DeserializeOwned + Located>(
    value: toml::Spanned<toml::de::DeValue<'_>>,
    out: &mut Vec<T>,
    problems: &mut Vec<ReadProblem>,
) {
    use toml::de::{DeValue, ValueDeserializer};
    let span = value.span();
    let DeValue::Array(mut items) = value.into_inner() else {
        problems.push(ReadProblem {
            span: Some(span),
            message: "must be an array of tables (`[[model]]`, not `[model]`)".into(),
            syntax: false,
        });
        return;
    };
    for slot in items.as_mut() {
        let item = std::mem::replace(slot, toml::Spanned::new(0..0, DeValue::Boolean(false)));
        let start = item.span().start;
        match T::deserialize(ValueDeserializer::from(item)) {
            Ok(mut entry) => {
                entry.set_at(start);
                out.push(entry);
            }
            Err(e) => problems.push(ReadProblem {
                span: e.span().or(Some(start..start)),
                message: e.message().trim().to_string(),
                syntax: false,
            }),
        }
    }
}

impl CatalogFile {
    /// Adds another file's entries after this one's (the pieces of one file, in order).
    pub fn append(&mut self, other: CatalogFile) {
        /// Into an empty list the other is taken whole: large lists are not copied entry by entry.
        fn join<T>(list: &mut Vec<T>, more: Vec<T>) {
            if list.is_empty() {
                *list = more;
            } else {
                list.extend(more);
            }
        }
        self.as_of = self.as_of.max(other.as_of);
        join(&mut self.family, other.family);
        join(&mut self.model, other.model);
        join(&mut self.license, other.license);
        join(&mut self.gpu, other.gpu);
        join(&mut self.serverless, other.serverless);
    }
}

/// Catalog files as one: every entry in file order, with the index of its file (the lists a
/// catalog keeps, built without moving an entry again to join the files).
#[derive(Debug, Default)]
pub struct Flat {
    pub files: Vec<Text>,
    pub entries: CatalogFile,
    /// The file of each family, model, license, GPU and serverless offer, list by list.
    pub origins: [Vec<u32>; 5],
}

impl Flat {
    pub fn of(files: Vec<(Text, CatalogFile)>) -> Flat {
        let mut flat = Flat::default();
        // Sized once: growing lists of large entries file by file copies them again and again.
        let total = |len: fn(&CatalogFile) -> usize| files.iter().map(|(_, d)| len(d)).sum();
        let e = &mut flat.entries;
        e.family.reserve_exact(total(|d| d.family.len()));
        e.model.reserve_exact(total(|d| d.model.len()));
        e.license.reserve_exact(total(|d| d.license.len()));
        e.gpu.reserve_exact(total(|d| d.gpu.len()));
        e.serverless.reserve_exact(total(|d| d.serverless.len()));
        for (i, (name, doc)) in files.into_iter().enumerate() {
            let file = u32::try_from(i).expect("fewer than 2^32 files");
            let lens = [
                doc.family.len(),
                doc.model.len(),
                doc.license.len(),
                doc.gpu.len(),
                doc.serverless.len(),
            ];
            for (origins, n) in flat.origins.iter_mut().zip(lens) {
                origins.extend(std::iter::repeat_n(file, n));
            }
            flat.files.push(name);
            let e = &mut flat.entries;
            e.as_of = e.as_of.max(doc.as_of);
            e.family.extend(doc.family);
            e.model.extend(doc.model);
            e.license.extend(doc.license);
            e.gpu.extend(doc.gpu);
            e.serverless.extend(doc.serverless);
        }
        flat
    }
}

/// One catalog file: any mix of the top-level arrays.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// The date the catalog's facts were last reviewed (one file, `catalog/catalog.toml`, says it).
    #[serde(default)]
    pub as_of: Option<Date>,
    #[serde(default)]
    pub family: Vec<Family>,
    #[serde(default)]
    pub model: Vec<Model>,
    #[serde(default)]
    pub license: Vec<License>,
    #[serde(default)]
    pub gpu: Vec<Gpu>,
    #[serde(default)]
    pub serverless: Vec<Serverless>,
}

/// A calendar date (no time), read from a TOML date or a "YYYY-MM-DD" string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`, or a TOML datetime whose date part is that: the date, `T` or a
    /// space, a time `HH:MM:SS` with optional fraction, and an optional offset (`Z`, `+02:00`). The
    /// time is ignored. Anything else (`2027-03-31 or so`) is not a date: an expiry that silently
    /// dropped a qualifier would pass or fail the gate on the wrong day.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() < 10
            || !digits(&bytes[..4])
            || !digits(&bytes[5..7])
            || !digits(&bytes[8..10])
        {
            return None;
        }
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = number(&bytes[..4]) as u16;
        let month = number(&bytes[5..7]) as u8;
        let day = number(&bytes[8..10]) as u8;
        let valid_day = (1..=days_in_month(year, month)).contains(&day);
        let rest = &bytes[10..];
        (year >= 1900
            && (1..=12).contains(&month)
            && valid_day
            && (rest.is_empty() || time_suffix(rest)))
        .then_some(Date { year, month, day })
    }

    /// The date `days` after 1970-01-01 (the inverse of `days`; Howard Hinnant's algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for age arithmetic.
    pub fn days(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// The value of ASCII digits (checked by `digits`; at most four here).
fn number(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// `HH:MM` at the start of `b` with hours up to `max_hour`; the rest.
fn hours_minutes(b: &[u8], max_hour: u32) -> Option<&[u8]> {
    let ok = b.len() >= 5
        && digits(&b[..2])
        && b[2] == b':'
        && digits(&b[3..5])
        && number(&b[..2]) <= max_hour
        && number(&b[3..5]) <= 59;
    ok.then(|| &b[5..])
}

/// What may follow the date in a TOML datetime (RFC 3339 with TOML's space separator): `T` or a
/// space, `HH:MM:SS`, an optional fraction of a second, an optional `Z` or `+HH:MM` / `-HH:MM`.
fn time_suffix(b: &[u8]) -> bool {
    let Some((sep, rest)) = b.split_first() else {
        return false;
    };
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    let Some(rest) = hours_minutes(rest, 23) else {
        return false;
    };
    // Seconds up to 60: RFC 3339 allows a leap second.
    if rest.len() < 3 || rest[0] != b':' || !digits(&rest[1..3]) || number(&rest[1..3]) > 60 {
        return false;
    }
    let mut rest = &rest[3..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => hours_minutes(offset, 23).is_some_and(<[u8]>::is_empty),
        _ => false,
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// In the binary forms (the embedded and compiled catalogs) a date is one integer, `YYYYMMDD`:
/// decoding thousands of them as text was a twentieth of the main query's work.
impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            // A newtype, which the formats write as the number itself: the build script's
            // static catalog writer learns from the name that the number is a date.
            s.serialize_newtype_struct(
                "Date",
                &(u32::from(self.year) * 10_000
                    + u32::from(self.month) * 100
                    + u32::from(self.day)),
            )
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date like 2024-07-23")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).ok_or_else(|| {
                    E::custom(format!("`{v}` is not a valid date (want YYYY-MM-DD)"))
                })
            }
            fn visit_u32<E: serde::de::Error>(self, v: u32) -> Result<Date, E> {
                let (year, month, day) = (v / 10_000, v / 100 % 100, v % 100);
                let date = Date {
                    year: u16::try_from(year).map_err(|_| E::custom("year out of range"))?,
                    month: month as u8,
                    day: day as u8,
                };
                let valid = (1..=12).contains(&date.month)
                    && (1..=days_in_month(date.year, date.month)).contains(&date.day);
                valid
                    .then_some(date)
                    .ok_or_else(|| E::custom(format!("{v} is not a date (want YYYYMMDD)")))
            }
            // The toml crate hands dates over as a one-entry map holding the date's text.
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                let Some((_, text)) = map.next_entry::<String, String>()? else {
                    return Err(serde::de::Error::custom("empty date"));
                };
                self.visit_str(&text)
            }
        }
        // TOML and JSON are self-describing (a TOML date arrives as a map); the binary forms are
        // not, and hold the date as `YYYYMMDD`.
        if d.is_human_readable() {
            d.deserialize_any(Visitor)
        } else {
            d.deserialize_u32(Visitor)
        }
    }
}

/// Where a fact comes from: fact group → URL.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub card: Option<Text>,
    pub config: Option<Text>,
    pub license: Option<Text>,
    pub paper: Option<Text>,
    pub release: Option<Text>,
    pub training_data: Option<Text>,
    pub safety: Option<Text>,
    pub ecosystem: Option<Text>,
    pub context: Option<Text>,
    pub capability: Option<Text>,
    pub price: Option<Text>,
}

impl Sources {
    /// (group, url) pairs in a fixed order.
    pub fn entries(&self) -> Vec<(&'static str, &str)> {
        let all = [
            ("card", &self.card),
            ("config", &self.config),
            ("license", &self.license),
            ("paper", &self.paper),
            ("release", &self.release),
            ("training_data", &self.training_data),
            ("safety", &self.safety),
            ("ecosystem", &self.ecosystem),
            ("context", &self.context),
            ("capability", &self.capability),
            ("price", &self.price),
        ];
        all.into_iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
            .collect()
    }

    /// Fills groups this table lacks from `fallback` (a model inherits its family's sources).
    pub fn or(&self, fallback: &Sources) -> Sources {
        let pick = |a: &Option<Text>, b: &Option<Text>| a.clone().or_else(|| b.clone());
        Sources {
            card: pick(&self.card, &fallback.card),
            config: pick(&self.config, &fallback.config),
            license: pick(&self.license, &fallback.license),
            paper: pick(&self.paper, &fallback.paper),
            release: pick(&self.release, &fallback.release),
            training_data: pick(&self.training_data, &fallback.training_data),
            safety: pick(&self.safety, &fallback.safety),
            ecosystem: pick(&self.ecosystem, &fallback.ecosystem),
            context: pick(&self.context, &fallback.context),
            capability: pick(&self.capability, &fallback.capability),
            price: pick(&self.price, &fallback.price),
        }
    }
}

/// How well a tool supports a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    None,
    Community,
    Partial,
    Full,
}

impl Support {
    pub fn as_str(self) -> &'static str {
        match self {
            Support::None => "none",
            Support::Community => "community",
            Support::Partial => "partial",
            Support::Full => "full",
        }
    }
}

/// A support table: one optional level per known tool (omitted = unknown). Unknown tool names
/// are schema errors, caught with their location when the TOML is read.
macro_rules! support_table {
    ($(#[$doc:meta])* $name:ident, $list:ident, [$($tool:ident),*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(#[serde(default)] pub $tool: Option<Support>,)*
        }

        impl $name {
            /// The level recorded for `tool` (one of the names in the list), if any.
            pub fn get(&self, tool: &str) -> Option<Support> {
                match tool {
                    $(stringify!($tool) => self.$tool,)*
                    _ => None,
                }
            }
        }

        /// The tools this table knows, in display order.
        pub const $list: &[&str] = &[$(stringify!($tool)),*];
    };
}

support_table!(
    /// Serving engines.
    Serving, ENGINES, [vllm, sglang, trtllm, llamacpp, ollama, tgi]
);
support_table!(
    /// Fine-tuning frameworks.
    Finetune, FINETUNERS, [axolotl, llamafactory, trl, peft, unsloth]
);
support_table!(
    /// Quantization formats and tools.
    Quant, QUANTIZERS, [fp8, awq, gptq, gguf, bnb, mlx]
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataOpenness {
    Open,
    Described,
    Undisclosed,
}

impl DataOpenness {
    pub fn as_str(self) -> &'static str {
        match self {
            DataOpenness::Open => "open",
            DataOpenness::Described => "described",
            DataOpenness::Undisclosed => "undisclosed",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: Text,
    pub name: Text,
    pub vendor: Text,
    #[serde(default)]
    pub cadence: Option<Text>,
    #[serde(default)]
    pub training_tokens_t: Option<f64>,
    #[serde(default)]
    pub data_openness: Option<DataOpenness>,
    #[serde(default)]
    pub data_note: Option<Text>,
    #[serde(default)]
    pub safety: Option<Text>,
    #[serde(default)]
    pub serving: Serving,
    #[serde(default)]
    pub finetune: Finetune,
    #[serde(default)]
    pub quant: Quant,
    #[serde(default)]
    pub sources: Sources,
    #[serde(default)]
    pub notes: Option<Text>,
    /// The catalog file this entry came from (set by the loader).
    #[serde(skip)]
    pub origin: Text,
    /// Byte offset of the entry's `[[family]]` header in that file (0 when unknown).
    #[serde(skip)]
    pub at: usize,
}

/// How a published MMLU figure was measured. The scale is MMLU as vendors publish it; the
/// protocol says whether two figures compare directly (base 5-shot is the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapabilityProtocol {
    /// Pretrained model, 5-shot: the reference.
    #[serde(rename = "base-5shot")]
    Base5Shot,
    /// Pretrained model, shots not stated or another harness (OLMES).
    Base,
    /// Post-trained model, 5-shot (no base model published).
    #[serde(rename = "instruct-5shot")]
    Instruct5Shot,
    /// Post-trained model, 0-shot harness (simple-evals).
    Instruct,
    /// Post-trained model with chain of thought.
    InstructCot,
    /// Reasoning model (thinking before answering).
    Reasoning,
}

impl CapabilityProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            CapabilityProtocol::Base5Shot => "base-5shot",
            CapabilityProtocol::Base => "base",
            CapabilityProtocol::Instruct5Shot => "instruct-5shot",
            CapabilityProtocol::Instruct => "instruct",
            CapabilityProtocol::InstructCot => "instruct-cot",
            CapabilityProtocol::Reasoning => "reasoning",
        }
    }

    /// Whether the figure compares directly with base 5-shot ones (chain of thought and reasoning
    /// models score several points higher on the same questions).
    pub fn comparable(self) -> bool {
        matches!(
            self,
            CapabilityProtocol::Base5Shot
                | CapabilityProtocol::Base
                | CapabilityProtocol::Instruct5Shot
        )
    }
}

/// An input a model takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Text,
    Vision,
    Audio,
    Video,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Text => "text",
            Modality::Vision => "vision",
            Modality::Audio => "audio",
            Modality::Video => "video",
        }
    }

    /// "text+vision" for a list.
    pub fn join(list: &[Modality], sep: &str) -> String {
        list.iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weights {
    Open,
    Api,
    None,
}

impl Weights {
    pub fn as_str(self) -> &'static str {
        match self {
            Weights::Open => "open",
            Weights::Api => "api",
            Weights::None => "none",
        }
    }
}

/// Dense or mixture-of-experts, and whether some layers are linear attention or state-space
/// (hybrid) instead of softmax attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchClass {
    Dense,
    Moe,
    HybridDense,
    HybridMoe,
}

impl ArchClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchClass::Dense => "dense",
            ArchClass::Moe => "moe",
            ArchClass::HybridDense => "hybrid-dense",
            ArchClass::HybridMoe => "hybrid-moe",
        }
    }

    pub fn is_moe(self) -> bool {
        matches!(self, ArchClass::Moe | ArchClass::HybridMoe)
    }

    /// Whether a `--class dense|moe` filter admits this class (hybrids count by their FFN).
    pub fn matches(self, filter: ArchClass) -> bool {
        self.is_moe() == filter.is_moe()
    }
}

/// What a released checkpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckpointKind {
    /// Pre-trained only: the checkpoint to fine-tune or continue pre-training from.
    Base,
    /// Post-trained for chat and instructions.
    Instruct,
    /// Post-trained to think before answering.
    Reasoning,
    /// Anything else the vendor released (official quantizations, drafters, ...).
    Other,
}

impl CheckpointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::Base => "base",
            CheckpointKind::Instruct => "instruct",
            CheckpointKind::Reasoning => "reasoning",
            CheckpointKind::Other => "other",
        }
    }
}

/// One released checkpoint of a model.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub kind: CheckpointKind,
    pub hf_repo: Text,
}

/// Where a model is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Current,
    /// A newer model of the family replaces it (`superseded_by`); still available.
    Superseded,
    /// Shutdown announced (`status_date` is the shutdown date).
    Deprecated,
    /// No longer served or downloadable: never a candidate.
    Retired,
    /// Announced, not released.
    Announced,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Superseded => "superseded",
            Status::Deprecated => "deprecated",
            Status::Retired => "retired",
            Status::Announced => "announced",
        }
    }
}

/// One published capability figure: what was measured, on which checkpoint, how, and in which
/// table (`group`: figures compare only within one group).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub benchmark: Text,
    pub value: f64,
    pub checkpoint: CheckpointKind,
    #[serde(default)]
    pub protocol: Option<Text>,
    pub group: Text,
    pub source: Text,
    pub as_of: Date,
}

/// How a layer group keeps its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerKind {
    /// Softmax attention over the whole context (MHA, GQA, MQA).
    Full,
    /// Attention over the last `window` tokens: the cache stops growing there.
    Sliding,
    /// Attention within fixed chunks; engines cache the whole context for it (as full).
    Chunked,
    /// Multi-head latent attention: one latent per token shared by all heads.
    Mla,
    /// MLA with a sparse-attention indexer whose keys are cached too (DeepSeek-V3.2 DSA, GLM-5).
    MlaIndexed,
    /// One cached entry per `compress_ratio` tokens, plus an uncompressed `window` (DeepSeek-V4).
    Compressed,
    /// Linear attention (Gated DeltaNet, KDA, lightning): a constant state per sequence.
    Linear,
    /// Mamba / Mamba-2 state-space layers: a constant state per sequence.
    Mamba,
    /// Reuses another layer's cache: nothing of its own.
    KvShared,
    /// No attention or mixer (an MLP-only layer): nothing cached.
    MlpOnly,
}

impl LayerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Full => "full",
            LayerKind::Sliding => "sliding",
            LayerKind::Chunked => "chunked",
            LayerKind::Mla => "mla",
            LayerKind::MlaIndexed => "mla-indexed",
            LayerKind::Compressed => "compressed",
            LayerKind::Linear => "linear",
            LayerKind::Mamba => "mamba",
            LayerKind::KvShared => "kv-shared",
            LayerKind::MlpOnly => "mlp-only",
        }
    }
}

/// Layers of one kind, with the dimensions that set their cache or state (see FORMAT.md).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayerGroup {
    pub kind: Option<LayerKind>,
    pub count: u64,
    #[serde(default)]
    pub pattern: Option<Text>,
    /// KV heads of this group (default: the model's `kv_heads`).
    #[serde(default)]
    pub kv_heads: Option<u64>,
    /// Head dimension of this group (default: the model's `head_dim`).
    #[serde(default)]
    pub head_dim: Option<u64>,
    #[serde(default)]
    pub window: u64,
    /// Keys and values share one cached tensor.
    #[serde(default)]
    pub k_eq_v: bool,
    #[serde(default)]
    pub compress_ratio: u64,
    #[serde(default)]
    pub indexer_heads: u64,
    #[serde(default)]
    pub indexer_head_dim: u64,
    /// `nope` for layers without rotary position encoding.
    #[serde(default)]
    pub position: Option<Text>,
    #[serde(default)]
    pub state_heads: u64,
    #[serde(default)]
    pub state_key_dim: u64,
    #[serde(default)]
    pub state_value_dim: u64,
    #[serde(default)]
    pub key_heads: u64,
    #[serde(default)]
    pub conv_kernel: u64,
    #[serde(default)]
    pub conv_channels: u64,
}

/// Native precision of the official checkpoint per module group, when not uniform.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointPrecision {
    #[serde(default)]
    pub attention: Option<Text>,
    #[serde(default)]
    pub experts: Option<Text>,
    #[serde(default)]
    pub dense_mlp: Option<Text>,
    #[serde(default)]
    pub embeddings: Option<Text>,
    /// The safetensors index's `metadata.total_size` of that checkpoint.
    #[serde(default)]
    pub total_bytes: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dtype {
    Bf16,
    Fp16,
    Fp32,
    Fp8,
    Mxfp4,
    Nvfp4,
    Int4,
}

impl Dtype {
    pub fn as_str(self) -> &'static str {
        match self {
            Dtype::Bf16 => "bf16",
            Dtype::Fp16 => "fp16",
            Dtype::Fp32 => "fp32",
            Dtype::Fp8 => "fp8",
            Dtype::Mxfp4 => "mxfp4",
            Dtype::Nvfp4 => "nvfp4",
            Dtype::Int4 => "int4",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attention {
    Mha,
    Gqa,
    Mqa,
    Mla,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mlp {
    #[default]
    Gated,
    Plain,
}

/// The decoder architecture, as config.json states it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Arch {
    pub layers: u64,
    pub hidden_size: u64,
    pub attention_heads: u64,
    pub kv_heads: u64,
    pub head_dim: u64,
    pub intermediate_size: u64,
    /// 0 when unknown (then `params_note` says so, and sizing uses the published count).
    #[serde(default)]
    pub vocab_size: u64,
    /// Omitted when unknown: counted untied (the larger, conservative count).
    #[serde(default)]
    pub tied_embeddings: bool,
    pub attention: Option<Attention>,
    #[serde(default)]
    pub mlp: Mlp,
    #[serde(default)]
    pub qkv_bias: bool,
    #[serde(default)]
    pub experts: u64,
    #[serde(default)]
    pub experts_per_token: u64,
    #[serde(default)]
    pub shared_experts: u64,
    #[serde(default)]
    pub moe_intermediate_size: u64,
    #[serde(default)]
    pub shared_expert_intermediate_size: u64,
    #[serde(default)]
    pub dense_layers: u64,
    #[serde(default)]
    pub dense_residual: bool,
    #[serde(default)]
    pub q_lora_rank: u64,
    #[serde(default)]
    pub kv_lora_rank: u64,
    #[serde(default)]
    pub qk_rope_head_dim: u64,
    #[serde(default)]
    pub qk_nope_head_dim: u64,
    #[serde(default)]
    pub v_head_dim: u64,
    #[serde(default)]
    pub sliding_window: u64,
    #[serde(default)]
    pub sliding_window_layers: u64,
    /// Multi-token-prediction layers shipped as extra weights (0 = none).
    #[serde(default)]
    pub mtp_layers: u64,
    /// Layer groups when not every layer is the same kind; their counts sum to `layers`. Empty:
    /// every layer is full attention (or MLA), `sliding_window_layers` of them windowed.
    #[serde(default)]
    pub group: List<LayerGroup>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub id: Text,
    pub name: Text,
    pub vendor: Text,
    pub family: Text,
    pub weights: Weights,
    /// Every released checkpoint of this variant (open weights).
    #[serde(default)]
    pub checkpoints: List<Checkpoint>,
    /// Required when no base checkpoint was released: the evidence that none was.
    #[serde(default)]
    pub base_note: Option<Text>,
    /// What a model built for one narrow job is for (a safety classifier, a theorem prover, an
    /// environment simulator): the recommender does not rank it as an assistant to build on.
    #[serde(default)]
    pub specialized: Option<Text>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub status_date: Option<Date>,
    #[serde(default)]
    pub superseded_by: Option<Text>,
    pub released: Date,
    #[serde(default)]
    pub architecture: Option<ArchClass>,
    #[serde(default)]
    pub params_total_b: f64,
    #[serde(default)]
    pub params_active_b: f64,
    #[serde(default)]
    pub params_exact: Option<u64>,
    #[serde(default)]
    pub params_note: Option<Text>,
    #[serde(default)]
    pub extra_params_b: f64,
    pub license: Text,
    #[serde(default)]
    pub also_bound_by: List<Text>,
    /// What the model derives from: each upstream (a catalog id or a Hugging Face repo id) binds it
    /// as the relation says (`lineage.rs`).
    #[serde(default)]
    pub lineage: List<LineageLink>,
    /// Other names code uses for these weights: legacy Hugging Face repo names that redirect
    /// (`meta-llama/Meta-Llama-3.1-8B`) and Ollama library tags (`ollama:llama3.1:8b`).
    #[serde(default)]
    pub aliases: List<Text>,
    #[serde(default)]
    pub modalities: List<Modality>,
    #[serde(default)]
    pub languages: Option<Text>,
    /// Claimed maximum context; 0 only for an announced model with no weights.
    #[serde(default)]
    pub context_tokens: u64,
    #[serde(default)]
    pub context_usable_tokens: Option<u64>,
    #[serde(default)]
    pub context_note: Option<Text>,
    #[serde(default)]
    pub position_encoding: Option<Text>,
    #[serde(default)]
    pub tokenizer: Option<Text>,
    #[serde(default)]
    pub native_dtype: Option<Dtype>,
    #[serde(default)]
    pub capability_mmlu: Option<f64>,
    #[serde(default)]
    pub capability_note: Option<Text>,
    /// How the MMLU figure was measured (required with `capability_mmlu`).
    #[serde(default)]
    pub capability_protocol: Option<CapabilityProtocol>,
    /// The table the MMLU figure comes from, as an evidence group id: figures compare only within
    /// one group (none: a table of its own, which compares with nothing).
    #[serde(default)]
    pub capability_group: Option<Text>,
    #[serde(default)]
    pub notes: Option<Text>,
    #[serde(default)]
    pub training_tokens_t: Option<f64>,
    #[serde(default)]
    pub data_openness: Option<DataOpenness>,
    #[serde(default)]
    pub data_note: Option<Text>,
    #[serde(default)]
    pub safety: Option<Text>,
    #[serde(default)]
    pub serving: Serving,
    #[serde(default)]
    pub finetune: Finetune,
    #[serde(default)]
    pub quant: Quant,
    #[serde(default)]
    pub price_input_per_m: Option<f64>,
    #[serde(default)]
    pub price_output_per_m: Option<f64>,
    #[serde(default)]
    pub price_as_of: Option<Date>,
    #[serde(default)]
    pub arch: Option<Arch>,
    #[serde(default)]
    pub checkpoint_precision: Option<CheckpointPrecision>,
    /// Published capability figures (see `Evidence`).
    #[serde(default)]
    pub evidence: List<Evidence>,
    #[serde(default)]
    pub sources: Sources,
    #[serde(skip)]
    pub origin: Text,
    /// Byte offset of the entry's header in that file (0 when unknown).
    #[serde(skip)]
    pub at: usize,
    /// Set for entries of a user catalog (`--catalog`, `PICK_CATALOG`): their lineage is checked
    /// against their family's licenses (`lineage.rs`), the embedded entries' is reviewed.
    #[serde(skip)]
    pub user: bool,
}

impl Model {
    pub fn is_open(&self) -> bool {
        self.weights == Weights::Open
    }
    pub fn is_moe(&self) -> bool {
        self.architecture.is_some_and(ArchClass::is_moe)
    }

    /// The checkpoint of a kind, if released.
    pub fn checkpoint(&self, kind: CheckpointKind) -> Option<&Checkpoint> {
        self.checkpoints.iter().find(|c| c.kind == kind)
    }

    /// The MMLU figure the ranking may credit: not one measured on a base checkpoint that was
    /// never released (the user cannot build on what the figure describes).
    pub fn credited_mmlu(&self) -> Option<f64> {
        let on_base = matches!(
            self.capability_protocol,
            Some(CapabilityProtocol::Base5Shot | CapabilityProtocol::Base)
        );
        self.capability_mmlu
            .filter(|_| !(on_base && self.weights == Weights::Open && !self.base_released()))
    }

    /// Its status on `today`: a deprecated model is retired once its announced shutdown date
    /// (`status_date`) has come. The catalog records the announcement; the shutdown happens
    /// without a new catalog, so a ranking run after it must not offer the model.
    pub fn status_on(&self, today: Date) -> Status {
        match (self.status, self.status_date) {
            (Status::Deprecated, Some(shutdown)) if shutdown <= today => Status::Retired,
            (status, _) => status,
        }
    }

    /// Whether a base (pre-trained) checkpoint was released.
    pub fn base_released(&self) -> bool {
        self.checkpoint(CheckpointKind::Base).is_some()
    }

    /// The repo that stands for the model: its base, else the first checkpoint.
    pub fn primary_repo(&self) -> Option<&str> {
        self.checkpoint(CheckpointKind::Base)
            .or(self.checkpoints.first())
            .map(|c| c.hf_repo.as_str())
    }
    pub fn has_modality(&self, m: Modality) -> bool {
        self.modalities.contains(&m)
    }
    pub fn is_multimodal(&self) -> bool {
        self.modalities.iter().any(|x| *x != Modality::Text)
    }
    /// Every license that binds this model: its own first, then upstream ones.
    pub fn license_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.license.as_str()).chain(self.also_bound_by.iter().map(Text::as_str))
    }
}

/// How a model derives from an upstream one (Hugging Face's `base_model_relation`, plus
/// training on another model's outputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Further trained weights of the upstream (full fine-tune, continued pre-training, RL).
    Finetune,
    /// A LoRA or other adapter applied on the upstream's weights.
    Adapter,
    /// The upstream's weights in another number format (GGUF, AWQ, GPTQ, bnb, FP8).
    Quantized,
    /// Weights combined from several upstreams.
    Merge,
    /// Trained from scratch or further on text the upstream generated (distillation).
    TrainedOnOutputs,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Finetune,
        Relation::Adapter,
        Relation::Quantized,
        Relation::Merge,
        Relation::TrainedOnOutputs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Finetune => "finetune",
            Relation::Adapter => "adapter",
            Relation::Quantized => "quantized",
            Relation::Merge => "merge",
            Relation::TrainedOnOutputs => "trained-on-outputs",
        }
    }

    /// A relation by its name, with Hugging Face's spellings (`finetune`, `fine-tune`).
    pub fn parse(s: &str) -> Option<Relation> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "fine-tune" | "fine-tuned" | "finetuned" => Some(Relation::Finetune),
            "quantization" => Some(Relation::Quantized),
            "merged" => Some(Relation::Merge),
            "distill" | "distilled" | "distillation" => Some(Relation::TrainedOnOutputs),
            _ => Relation::ALL.into_iter().find(|r| r.as_str() == s),
        }
    }
}

/// One upstream of a model: how it derives (`relation`) from what (`upstream`: a catalog id or a
/// Hugging Face repo id).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LineageLink {
    pub relation: Relation,
    pub upstream: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    Permissive,
    Conditional,
    NonCommercial,
    Proprietary,
}

impl Tier {
    pub const ALL: [Tier; 4] = [
        Tier::Permissive,
        Tier::Conditional,
        Tier::NonCommercial,
        Tier::Proprietary,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Permissive => "permissive",
            Tier::Conditional => "conditional",
            Tier::NonCommercial => "non-commercial",
            Tier::Proprietary => "proprietary",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What the licensee does with the model, in the words licenses use to draw their lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// Research (personal, scientific or academic; publishing results).
    Research,
    /// Evaluating the model (benchmarks, internal trials).
    Evaluation,
    /// A proof of concept, a demo or a test environment: not serving real users.
    Poc,
    /// A product or service in production, internal tools at work included.
    Production,
}

impl Use {
    pub const ALL: [Use; 4] = [Use::Research, Use::Evaluation, Use::Poc, Use::Production];
    pub fn as_str(self) -> &'static str {
        match self {
            Use::Research => "research",
            Use::Evaluation => "evaluation",
            Use::Poc => "poc",
            Use::Production => "production",
        }
    }
    pub fn parse(s: &str) -> Option<Use> {
        Use::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

/// Who the licensee is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Licensee {
    Individual,
    Academic,
    Nonprofit,
    Company,
}

impl Licensee {
    pub const ALL: [Licensee; 4] = [
        Licensee::Individual,
        Licensee::Academic,
        Licensee::Nonprofit,
        Licensee::Company,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Licensee::Individual => "individual",
            Licensee::Academic => "academic",
            Licensee::Nonprofit => "nonprofit",
            Licensee::Company => "company",
        }
    }
    pub fn parse(s: &str) -> Option<Licensee> {
        Licensee::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// A field of use that acceptable-use policies and use restrictions name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    Military,
    Weapons,
    CriticalInfrastructure,
    /// Decisions affecting people's legal rights or obligations (credit, employment, justice).
    LegalDecisions,
    Medical,
    Biometric,
    Surveillance,
}

impl Domain {
    pub const ALL: [Domain; 7] = [
        Domain::Military,
        Domain::Weapons,
        Domain::CriticalInfrastructure,
        Domain::LegalDecisions,
        Domain::Medical,
        Domain::Biometric,
        Domain::Surveillance,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Military => "military",
            Domain::Weapons => "weapons",
            Domain::CriticalInfrastructure => "critical-infrastructure",
            Domain::LegalDecisions => "legal-decisions",
            Domain::Medical => "medical",
            Domain::Biometric => "biometric",
            Domain::Surveillance => "surveillance",
        }
    }
    pub fn parse(s: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

fn every_licensee() -> List<Licensee> {
    Licensee::ALL.to_vec().into()
}

/// One rule of what a license grants: these uses, to these licensees, in its own definitions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub uses: List<Use>,
    #[serde(default = "every_licensee")]
    pub licensees: List<Licensee>,
    /// Where the license says so (`§3.2`, `'Research Purposes'`).
    pub clause: Text,
    /// The definition, verbatim.
    #[serde(default)]
    pub quote: Option<Text>,
}

/// What a threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Monthly active users.
    Mau,
    /// Revenue in US dollars per month.
    RevenueUsdMonth,
    /// Revenue (or annual recurring revenue) in US dollars per year.
    RevenueUsdYear,
}

/// Whose numbers are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counted {
    /// The product or service that uses the model.
    Product,
    /// The licensee (and, where the license says so, its affiliates or employer): every product.
    Group,
}

/// When a threshold applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    /// Whatever the use: above it, the clause bites even for research.
    AnyUse,
    /// Only when the model is used commercially (in production).
    Commercial,
}

/// What crossing a threshold does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// No rights at all until the licensor grants a separate license.
    NoRights,
    /// A display duty (`display` says what to show).
    Display,
}

/// A user or revenue threshold.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub metric: Metric,
    pub limit: u64,
    pub counted: Counted,
    pub applies: Applies,
    pub effect: Effect,
    /// With `effect = "display"`: what must be displayed, and where.
    #[serde(default)]
    pub display: Option<Text>,
    /// Counted in the calendar month before this date (the version's release date), when the
    /// license says so.
    #[serde(default)]
    pub counted_before: Option<Date>,
    pub clause: Text,
    #[serde(default)]
    pub quote: Option<Text>,
}

/// Which places a territorial clause looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    /// Where the licensee is domiciled or has its principal place of business (`--region`).
    Domicile,
    /// Where the end users are (`--users-in`).
    Users,
    /// Where the model runs (`--hosted-in`).
    Hosting,
}

/// Which models a clause covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelScope {
    #[default]
    All,
    /// Only models taking more than text (Llama 3.2 / 4's EU clause).
    Multimodal,
}

/// A territorial exclusion: no rights in these places, for the parties named.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    /// ISO 3166-1 alpha-2 codes, `eu` or `eea`.
    pub excluded: List<Text>,
    pub parties: List<Party>,
    #[serde(default)]
    pub models: ModelScope,
    /// End users of a product that incorporates the model are not bound (Llama).
    #[serde(default)]
    pub end_users_exempt: bool,
    pub clause: Text,
    #[serde(default)]
    pub quote: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Redistribution {
    Allowed,
    /// Only within the license's grant (research licenses).
    NonCommercial,
    Forbidden,
}

/// Whether outputs may train other models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Training {
    Allowed,
    /// Only for the uses the grant covers (outputs are bound by the license's use limits).
    WithinGrant,
    Forbidden,
}

/// Which students a ban on training covers, in the license's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Barred {
    /// "any other large language model".
    Llm,
    /// "any foundational, large language, or general-purpose AI models".
    GeneralPurpose,
    /// "any other AI model" / "other artificial intelligence systems".
    Any,
    /// models "that compete with" the licensor's products.
    Competing,
}

/// Whether a model trained on outputs becomes a derivative bound by the license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StudentDerivative {
    #[default]
    Never,
    /// Only a model trained "in order to cause [it] to perform similarly to" the licensed model.
    IfSimilar,
    Always,
}

/// Outputs and the models trained on them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    pub training: Training,
    /// With `training = "forbidden"`: which students the ban covers.
    #[serde(default)]
    pub barred: Option<Barred>,
    #[serde(default)]
    pub student: StudentDerivative,
    /// A naming or attribution duty for a distributed model trained on outputs.
    #[serde(default)]
    pub naming: Option<Text>,
    /// Where the license says so; absent when the text says nothing about outputs.
    #[serde(default)]
    pub clause: Option<Text>,
    #[serde(default)]
    pub quote: Option<Text>,
}

/// Offering the model to others as a hosted service.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostingTerms {
    /// False: hosting needs a separate license.
    pub allowed: bool,
    /// Hosting counts as distribution: the distribution duties (passing the use restrictions on,
    /// a copy of the license) apply to a hosted service.
    #[serde(default)]
    pub distribution: bool,
    /// Applications that use the model in the background are not hosting (Falcon-180B §9.2).
    #[serde(default)]
    pub background_exempt: bool,
    #[serde(default)]
    pub clause: Option<Text>,
    #[serde(default)]
    pub quote: Option<Text>,
}

/// When a duty applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// Whenever the model is used.
    #[default]
    Always,
    /// When weights are distributed, or the model is hosted where hosting counts as distribution.
    Distribute,
    /// When copies of the weights are distributed (not through a hosted service).
    Copies,
    /// When a model trained on its outputs is distributed or made available.
    Train,
    /// When used in a commercial product or service (in production).
    Commercial,
}

/// A duty the license puts on its licensee.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    pub text: Text,
    pub clause: Text,
    #[serde(default)]
    pub when: When,
}

/// A use the license (or its acceptable-use policy) forbids.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub domains: List<Domain>,
    pub clause: Text,
    /// The restriction, verbatim.
    pub quote: Text,
    /// The clause bars the domain only under a condition it states (e.g. "unlicensed practice of
    /// medicine"): a warning to check, not a refusal.
    #[serde(default)]
    pub conditional: bool,
}

/// A dated version of a license text (texts change in place: xAI's was replaced twice).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// The date the text carries (release, "last updated", effective date).
    pub date: Date,
    /// SHA-256 of the license file at this version, when it was read.
    #[serde(default)]
    pub sha256: Option<Text>,
    /// Where this version was read (a file at a commit).
    #[serde(default)]
    pub url: Option<Text>,
    /// Model repository revisions (commit hashes or their prefixes) that ship this text.
    #[serde(default)]
    pub revisions: List<Text>,
    /// Another `[[license]]` entry holding this version's terms, when they differ from the
    /// current ones.
    #[serde(default)]
    pub terms: Option<Text>,
    #[serde(default)]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    pub id: Text,
    pub name: Text,
    pub spdx: Text,
    #[serde(default)]
    pub hf_license: Option<Text>,
    #[serde(default)]
    pub hf_license_names: List<Text>,
    pub tier: Tier,
    /// Commercial use is granted (to companies, in production); `grant` says in detail.
    pub commercial: bool,
    /// What is granted to whom; absent: every use to every licensee (only with `commercial`).
    #[serde(default)]
    pub grant: List<Grant>,
    #[serde(default)]
    pub threshold: List<Threshold>,
    #[serde(default)]
    pub territory: List<Territory>,
    pub redistribute_finetunes: Redistribution,
    pub outputs: Outputs,
    pub hosting: HostingTerms,
    #[serde(default)]
    pub duty: List<Duty>,
    /// The notice text to ship with distributed copies.
    #[serde(default)]
    pub notice: Option<Text>,
    /// The acceptable-use policy the license incorporates.
    #[serde(default)]
    pub aup: Option<Text>,
    /// Every item of the acceptable-use policy that bars one of pick's domains is in
    /// `restriction`: a declared domain with no matching restriction is then allowed, not merely
    /// unchecked.
    #[serde(default)]
    pub aup_transcribed: bool,
    #[serde(default)]
    pub restriction: List<Restriction>,
    /// Dated versions of the text, oldest first; the last is in force for an unpinned reference.
    #[serde(default)]
    pub version: List<Version>,
    #[serde(default)]
    pub notes: Option<Text>,
    pub source: Text,
    #[serde(skip)]
    pub origin: Text,
    /// Byte offset of the entry's header in that file (0 when unknown).
    #[serde(skip)]
    pub at: usize,
}

impl License {
    /// Whether the grant covers `what` by `who`.
    pub fn grants(&self, what: Use, who: Licensee) -> bool {
        if self.grant.is_empty() {
            return self.commercial;
        }
        self.grant
            .iter()
            .any(|g| g.uses.contains(&what) && g.licensees.contains(&who))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    pub id: Text,
    pub name: Text,
    #[serde(default)]
    pub aliases: List<Text>,
    pub vendor: Text,
    pub memory_gb: f64,
    #[serde(default)]
    pub visible_gib: Option<f64>,
    pub bandwidth_tbs: f64,
    #[serde(default)]
    pub bf16_tflops: f64,
    #[serde(default)]
    pub fp8_tflops: f64,
    #[serde(default)]
    pub fp4_tflops: f64,
    #[serde(default)]
    pub interconnect: Option<Text>,
    #[serde(default)]
    pub interconnect_gbs: f64,
    #[serde(default)]
    pub price_low_usd_h: Option<f64>,
    #[serde(default)]
    pub price_high_usd_h: Option<f64>,
    #[serde(default)]
    pub price_as_of: Option<Date>,
    /// A typical on-demand price per GPU-hour (the default `--gpu-price`), with its source and date.
    #[serde(default)]
    pub price_typical_usd_h: Option<f64>,
    #[serde(default)]
    pub price_typical_source: Option<Text>,
    #[serde(default)]
    pub price_typical_as_of: Option<Date>,
    /// Per-layer fixed cost at batch 1, microseconds (kernel launches, sync); see `throughput`.
    #[serde(default)]
    pub layer_overhead_us: Option<f64>,
    /// GPUs in one node (the scale-up domain: an HGX board, an NVL72 rack); default 8.
    #[serde(default)]
    pub gpus_per_node: Option<u64>,
    /// GPUs the scale-up link joins when fewer than a node (NVLink-bridged pairs); default: the node.
    #[serde(default)]
    pub link_group: Option<u64>,
    /// A small all-reduce inside the link group (NVLink, or PCIe without one), microseconds.
    #[serde(default)]
    pub link_latency_us: Option<f64>,
    /// PCIe bandwidth per GPU, GB/s both directions (PCIe 4 x16 64, PCIe 5 x16 128).
    #[serde(default)]
    pub pcie_gbs: f64,
    /// Network bandwidth per GPU between nodes, GB/s one direction (a 400 Gb/s NIC: 50); 0: none
    /// known (no replica spans nodes).
    #[serde(default)]
    pub scaleout_gbs: f64,
    /// A small all-reduce across nodes, microseconds.
    #[serde(default)]
    pub scaleout_latency_us: Option<f64>,
    /// Share of the NVIDIA-calibrated bandwidth and compute efficiencies this GPU's software stack
    /// reaches (ROCm on Instinct); default 1.
    #[serde(default)]
    pub kernel_efficiency: Option<f64>,
    /// Share of dense peak FLOPs prefill and compute-bound decode reach on this GPU; default 0.6.
    #[serde(default)]
    pub mfu: Option<f64>,
    #[serde(default)]
    pub notes: Option<Text>,
    #[serde(default)]
    pub sources: List<Text>,
    #[serde(skip)]
    pub origin: Text,
    /// Byte offset of the entry's header in that file (0 when unknown).
    #[serde(skip)]
    pub at: usize,
}

impl Gpu {
    /// Memory a framework can see, GiB: the measured figure where the catalog has one. Otherwise the
    /// vendor's "GB" read as GiB less 1.5%: HBM parts are sold in binary units (an "80 GB" H100 shows
    /// 79.2 GiB, an "40 GB" A100 39.39 GiB, a "48 GB" L40S 47.5 GiB in vLLM logs).
    pub fn usable_gib(&self) -> f64 {
        self.visible_gib.unwrap_or(self.memory_gb * 0.985)
    }

    /// True when `usable_gib` is measured rather than derived.
    pub fn usable_is_measured(&self) -> bool {
        self.visible_gib.is_some()
    }

    /// GPUs per node (the scale-up domain) when the GPU table does not say: an 8-GPU server.
    pub const DEFAULT_GPUS_PER_NODE: u64 = 8;

    pub fn gpus_per_node(&self) -> u64 {
        self.gpus_per_node
            .filter(|n| *n > 0)
            .unwrap_or(Self::DEFAULT_GPUS_PER_NODE)
    }

    /// The default price per GPU-hour: the sourced typical on-demand rate where the table has one,
    /// else the middle of the on-demand range.
    pub fn price_usd_h(&self) -> Option<f64> {
        if let Some(p) = self.price_typical_usd_h {
            return Some(p);
        }
        match (self.price_low_usd_h, self.price_high_usd_h) {
            (Some(l), Some(h)) => Some((l + h) / 2.0),
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => None,
        }
    }
}

/// A per-token offer for an open model by a hosting provider ("serverless" inference): the
/// like-for-like alternative to self-hosting the same model.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Serverless {
    /// The catalog id of the model offered.
    pub model: Text,
    pub provider: Text,
    /// The provider's name for the offer when it says more than the model (a variant, a precision).
    #[serde(default)]
    pub offer: Option<Text>,
    pub price_input_per_m: f64,
    pub price_output_per_m: f64,
    pub as_of: Date,
    pub source: Text,
    /// Where the price was read and how sure it is (a secondary source says so).
    #[serde(default)]
    pub note: Option<Text>,
    #[serde(skip)]
    pub origin: Text,
    /// Byte offset of the entry's header in that file (0 when unknown).
    #[serde(skip)]
    pub at: usize,
}

pub const GIB: f64 = 1_073_741_824.0;
