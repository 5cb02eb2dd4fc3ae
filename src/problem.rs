//! Input validation problems: one type for everything a user hands `pick` (catalog files, policy
//! files, config.json folders), each problem at its own place in its own file.
//!
//! Validation collects every problem it can find before giving up, so one run tells the user all
//! there is to fix; `Problems::into_error` turns the list into the single error (exit 2) the CLI
//! prints.

use std::fmt;

/// One thing wrong with an input, at `file:line:column` where the place is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Problem {
    /// A problem of the whole file (no line).
    pub fn in_file(file: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a line (1-based).
    pub fn at_line(file: &str, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line: Some(line),
            ..Problem::in_file(file, message)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Turns a list of problems into one error listing them all, one per line (each starting with its
/// `file:line:`), then a line that counts them and says what was being read and what to do; `Ok`
/// when the list is empty.
pub fn into_result(problems: Vec<Problem>, heading: &str) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(anyhow::anyhow!(
        "{}\n{} problem(s): {heading}",
        list.join("\n"),
        problems.len()
    ))
}

/// Byte offsets to 1-based lines and columns, with the line starts found once (a file with many
/// problems costs one pass, not one pass per problem).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// 1-based line of a byte offset (offsets past the end belong to the last line).
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset.min(self.len))
    }

    /// 1-based (line, column) of a byte offset; the column counts bytes.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        (line, offset.min(self.len) - self.starts[line - 1] + 1)
    }

    /// Byte offset where a 1-based line starts.
    pub fn start_of(&self, line: usize) -> usize {
        self.starts[line.clamp(1, self.starts.len()) - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let idx = LineIndex::new("ab\ncd\n\nx");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(6), (3, 1));
        assert_eq!(idx.line_col(7), (4, 1));
        assert_eq!(idx.line(1000), 4);
        assert_eq!(idx.start_of(2), 3);
    }

    #[test]
    fn problems_print_their_place() {
        assert_eq!(
            Problem::at_line("pick.toml", 3, "unknown key `foo`").to_string(),
            "pick.toml:3: unknown key `foo`"
        );
        let err = into_result(
            vec![
                Problem::in_file("a.toml", "x"),
                Problem::at_line("a.toml", 2, "y"),
            ],
            "a.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("a.toml: x\na.toml:2: y\n2 problem(s)"),
            "{err}"
        );
        assert!(into_result(Vec::new(), "x").is_ok());
    }
}
