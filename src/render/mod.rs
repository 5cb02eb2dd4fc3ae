//! Renderers: pure functions from a report to text. Nothing here prints; `cli` writes the string.
//!
//! JSON output is a contract: every document has `schema_version` (see README "JSON output").
//! Each document is a `#[derive(Serialize)]` struct declared beside its renderer, borrowing from the
//! report, so its fields are written down in one place and serialized without an intermediate
//! `serde_json::Value`; `tests/cli/json.rs` mirrors every one with `deny_unknown_fields`.
//! Styling (bold, colors) is applied only when `Style::color` is on, which `cli` decides from
//! `--color`, NO_COLOR and whether stdout is a terminal; JSON, CSV, TSV and ids are never styled.

pub mod bom;
pub mod catalog;
pub mod fit;
pub mod gate;
pub mod license;
pub mod recommend;
pub mod repo;

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use serde::{Serialize, Serializer};

/// The version of every JSON document `pick` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// How to decorate human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
    /// A terminal: tables may use box characters and wrap to its width.
    pub terminal: bool,
    /// The terminal's width in columns (80 when it cannot be told); 0 off a terminal.
    pub width: u16,
}

impl Style {
    pub const PLAIN: Style = Style {
        color: false,
        terminal: false,
        width: 0,
    };

    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn green(self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn red(self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }

    /// A level word padded to 5 columns, colored by severity (padding first, so escapes do not
    /// shift the columns).
    pub fn level(self, level: crate::license::Level) -> String {
        use crate::license::Level;
        let word = format!("{:<5}", level.as_str());
        match level {
            Level::Pass => self.green(&word),
            Level::Info => self.dim(&word),
            Level::Warn => self.yellow(&word),
            Level::Fail => self.red(&word),
        }
    }

    /// The columns to show, in their order: every one off a terminal; on a terminal, the columns
    /// in `priority` order while their typical widths fit (the first always, whole), so a narrow
    /// terminal gets a compact table instead of one whose every cell wraps. Typical: the width
    /// nine cells in ten fit in; the rare long cell wraps inside its column.
    pub fn columns_that_fit(
        self,
        header: &[&str],
        rows: &[Vec<String>],
        priority: &[usize],
    ) -> Vec<usize> {
        if !self.terminal {
            return (0..header.len()).collect();
        }
        let width_of = |i: usize, whole: bool| {
            let mut w: Vec<usize> = rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .collect();
            w.sort_unstable();
            let cell = match (whole, w.last()) {
                (true, Some(&max)) => max,
                (false, Some(_)) => w[(w.len() * 9 / 10).min(w.len() - 1)],
                (_, None) => 0,
            };
            cell.max(header[i].chars().count()) + 3
        };
        let mut used = 1;
        let mut keep = Vec::new();
        for &i in priority {
            let w = width_of(i, keep.is_empty());
            if keep.is_empty() || used + w <= usize::from(self.width) {
                used += w;
                keep.push(i);
            }
        }
        keep.sort_unstable();
        keep
    }

    /// `text` after a prefix `indent` columns wide, wrapped to the terminal with a hanging indent
    /// (continuation lines start under the text). Off a terminal, one line as it is. Words longer
    /// than a line (URLs) stay whole.
    pub fn hang(self, indent: usize, text: &str) -> String {
        let width = usize::from(self.width);
        if !self.terminal || width <= indent + 20 {
            return text.to_string();
        }
        wrap(text, indent, indent, width)
    }

    /// Every line of `text` wider than the terminal wrapped at word boundaries, continuation lines
    /// indented two columns past the line's own indent (tables are sized already; colour escapes
    /// count as width, which errs toward wrapping early). Off a terminal, `text` unchanged.
    pub fn fit_lines(self, text: String) -> String {
        // On a pipe the text is passed on as it is: no copy of a large report.
        if !self.terminal {
            return text;
        }
        let width = usize::from(self.width);
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            // Tables are sized by comfy-table; escapes take no columns on screen.
            let table = body.starts_with(['│', '┌', '╞', '└', '├', '|', '+']);
            if table || visible_width(body) <= width {
                out.push_str(line);
                continue;
            }
            let indent = body.len() - body.trim_start().len() + 2;
            out.push_str(&" ".repeat(indent - 2));
            out.push_str(&wrap(body.trim_start(), indent - 2, indent, width));
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// The table `table` would draw off a terminal without colour (ASCII borders, one line a row),
    /// written straight from the cells: comfy-table holds each cell three times over while drawing,
    /// which made the text report of a 50,000-file scan need half again the memory of its JSON.
    /// None where comfy-table must draw it (a terminal, colour, a cell that is not one line of
    /// printable ASCII, whose width it measures its own way).
    pub fn plain_table(self, header: &[&str], rows: &[Vec<String>]) -> Option<String> {
        let printable = |c: &str| c.bytes().all(|b| (0x20..0x7f).contains(&b));
        if self.terminal
            || self.color
            || !header.iter().all(|h| printable(h))
            || !rows.iter().flatten().all(|c| printable(c))
        {
            return None;
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map_or(0, String::len))
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let rule = |edge: char, fill: char| {
            let mut line = String::from(edge);
            for (i, w) in widths.iter().enumerate() {
                if i > 0 {
                    line.push(fill);
                }
                line.extend(std::iter::repeat_n(fill, w + 2));
            }
            line.push(edge);
            line.push('\n');
            line
        };
        let row_len: usize = widths.iter().map(|w| w + 3).sum::<usize>() + 2;
        let mut out = String::with_capacity(row_len * (rows.len() + 4));
        let row = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
            out.push('|');
            for (i, (cell, w)) in cells.zip(&widths).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push(' ');
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', w - cell.len() + 1));
            }
            out.push_str("|\n");
        };
        out.push_str(&rule('+', '-'));
        row(&mut out, &mut header.iter().copied());
        out.push_str(&rule('+', '='));
        for r in rows {
            row(&mut out, &mut r.iter().map(String::as_str));
        }
        out.push_str(&rule('+', '-'));
        out.pop(); // the caller ends the table's last line, as after comfy-table's
        Some(out)
    }

    /// The columns `keep` of `rows` under their `header` names, the column `whole` (an index
    /// into `keep`) never split: written straight as ASCII off a terminal (`plain_table`), drawn by
    /// comfy-table otherwise. Ends without a newline.
    pub fn draw(
        self,
        header: &[&str],
        rows: Vec<Vec<String>>,
        keep: &[usize],
        whole: usize,
    ) -> String {
        self.draw_cells(header, rows, keep, whole, |_, _, text| Cell::new(text))
    }

    /// `draw`, each cell comfy-table draws made by `cell` from (row, column of `header`, text):
    /// a tone for a verdict, say (the plain ASCII table has none).
    pub fn draw_cells(
        self,
        header: &[&str],
        rows: Vec<Vec<String>>,
        keep: &[usize],
        whole: usize,
        cell: impl Fn(usize, usize, String) -> Cell,
    ) -> String {
        let shown: Vec<&str> = keep.iter().map(|&i| header[i]).collect();
        let rows: Vec<Vec<String>> = if keep.iter().copied().eq(0..header.len()) {
            rows
        } else {
            rows.into_iter()
                .map(|mut row| keep.iter().map(|&i| std::mem::take(&mut row[i])).collect())
                .collect()
        };
        if let Some(table) = self.plain_table(&shown, &rows) {
            return table;
        }
        let mut t = self.table(&shown);
        // Cells take the rows' strings (a scan of 50,000 files holds tens of thousands).
        for (r, row) in rows.into_iter().enumerate() {
            t.add_row(
                row.into_iter()
                    .zip(keep)
                    .map(|(text, &i)| cell(r, i, text))
                    .collect::<Vec<_>>(),
            );
        }
        Style::keep_whole(&mut t, whole);
        t.to_string()
    }

    /// Keeps a column's cells whole (ids are never split across lines): the column is as wide as
    /// its longest cell.
    pub fn keep_whole(table: &mut Table, column: usize) {
        if let Some(c) = table.column_mut(column) {
            c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }

    /// A table cell in a tone; comfy-table measures and styles it itself.
    pub fn cell(self, text: impl Into<String>, tone: Tone) -> Cell {
        let cell = Cell::new(text.into());
        match (self.color, tone) {
            (false, _) | (true, Tone::Plain) => cell,
            (true, Tone::Good) => cell.fg(Color::Green),
            (true, Tone::Warn) => cell.fg(Color::Yellow),
            (true, Tone::Bad) => cell.fg(Color::Red),
        }
    }

    /// A table in this style: box drawing on a terminal, plain ASCII otherwise.
    pub fn table(self, header: &[&str]) -> Table {
        let mut t = Table::new();
        if self.terminal {
            // The width is set, not detected: detection stops when colour is off (NO_COLOR,
            // TERM=dumb), and a table sized for no width wraps into garbage.
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(self.width.max(20));
        } else {
            t.load_preset(presets::ASCII_BORDERS_ONLY_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
        }
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        let bold = |h: &&str| {
            if self.color {
                Cell::new(*h).add_attribute(Attribute::Bold)
            } else {
                Cell::new(*h)
            }
        };
        t.set_header(header.iter().map(bold).collect::<Vec<_>>());
        t
    }
}

/// `text` wrapped at word boundaries for a terminal `width` columns wide: the first word starts at
/// column `start`, continuation lines at column `indent`. Words longer than a line stay whole.
fn wrap(text: &str, start: usize, indent: usize, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut col = start;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let n = visible_width(word);
        if col > start && col + 1 + n > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if col > start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += n;
    }
    out
}

/// Columns a line takes on screen: characters outside colour escapes (`ESC [ ... m`).
fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// How a table cell reads: neutral, good news, a caution, bad news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
}

/// One field of a CSV record (RFC 4180 quoting).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One field of a TSV record (tabs and newlines become spaces).
pub fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Rows as CSV or TSV text, header first.
pub fn delimited(header: &[&str], rows: &[Vec<String>], tsv: bool) -> String {
    let (sep, field): (&str, fn(&str) -> String) = if tsv {
        ("\t", tsv_field)
    } else {
        (",", csv_field)
    };
    let mut out = String::new();
    for row in std::iter::once(header.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
        .chain(rows.iter().cloned())
    {
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(sep));
        out.push('\n');
    }
    out
}

/// A JSON document, pretty, with a trailing newline.
pub fn json<T: Serialize + ?Sized>(doc: &T) -> String {
    // Only a map with non-string keys or a failing custom serializer can make this fail, and the
    // documents have neither: an error here is a bug in a document type.
    let mut s = serde_json::to_string_pretty(doc).expect("JSON documents always serialize");
    s.push('\n');
    s
}

/// A JSON object whose keys are data rather than field names (sources, tool support levels, score
/// components), written in the order given.
pub struct Pairs<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `{"type": "h100-sxm", "count": 4}`: GPUs of one type, in `fit` and the recommender's query.
#[derive(Serialize)]
pub struct GpusJson<'a> {
    #[serde(rename = "type")]
    pub gpu: &'a str,
    pub count: u64,
}

/// A number of GiB with one decimal.
pub fn gib(v: f64) -> String {
    format!("{v:.1}")
}

/// Rounds for JSON: 3 decimals; a non-finite number (an infinite cost, say) becomes None, null,
/// because JSON has no way to write it.
pub fn num(v: f64) -> Option<f64> {
    v.is_finite().then(|| (v * 1000.0).round() / 1000.0)
}

pub use crate::units::short;

#[cfg(test)]
mod tests {

    #[test]
    fn the_plain_table_is_the_one_comfy_table_draws() {
        let header = ["model", "catalog id", "where"];
        let row = |cells: [&str; 3]| cells.map(String::from).to_vec();
        let cases: Vec<Vec<Vec<String>>> = vec![
            vec![],
            vec![row(["a", "", "x/y.py:3"])],
            vec![
                row(["meta-llama/Llama-3.1-8B", "llama-3.1-8b", "f.py:1"]),
                row(["q", "qwen3-8b", "deep/path/file.yaml:12"]),
                row(["acme/x", "-", "  two  spaces  "]),
            ],
        ];
        for rows in cases {
            let mut t = Style::PLAIN.table(&header);
            for r in &rows {
                t.add_row(r.clone());
            }
            assert_eq!(
                Style::PLAIN.plain_table(&header, &rows).as_deref(),
                Some(t.to_string().as_str()),
                "{rows:?}"
            );
        }
        // Where comfy-table measures widths its own way (non-ASCII, several lines), it draws.
        for odd in ["Überweisung", "two\nlines", "tab\there"] {
            let rows = vec![row([odd, "a", "b"])];
            assert!(Style::PLAIN.plain_table(&header, &rows).is_none(), "{odd}");
        }
        // On a terminal or in colour it always draws.
        let styled = Style {
            color: true,
            ..Style::PLAIN
        };
        assert!(styled.plain_table(&header, &[]).is_none());
    }

    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(tsv_field("a\tb\nc"), "a b c");
    }

    #[test]
    fn plain_style_has_no_escapes() {
        assert_eq!(Style::PLAIN.red("x"), "x");
        assert_eq!(
            Style {
                color: true,
                terminal: true,
                width: 80,
            }
            .red("x"),
            "\x1b[31mx\x1b[0m"
        );
    }
}
