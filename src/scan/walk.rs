//! The files a scan reads: every regular file under the given paths, except what git ignores
//! (`.gitignore` files at every level and `.git/info/exclude`), version-control metadata and a
//! few tool folders that hold no project source. Everything left out is listed with its reason:
//! a tree that is silently half-read makes a passing gate mean nothing.
//!
//! Paths are reported relative to the repository root (the nearest folder above holding `.git`),
//! with `/` separators and no `./`, as GitHub needs them to attach annotations to the files of a
//! pull request.

use super::ignore::{self, Ignore};
use crate::input::{self, InputError, Kind};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Folders never entered: version-control metadata and tool caches that hold no project source.
/// Build output (`build`, `dist`, `target`) is left to `.gitignore`: a `build/` folder may be a
/// Docker context holding the deployment's files.
const TOOL_DIRS: [&str; 9] = [
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
];

/// Why an entry was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// Version-control metadata or a tool cache (`TOOL_DIRS`).
    ToolFolder,
    /// Matched by a `.gitignore` rule (the rule is in `Skipped::detail`).
    GitIgnored,
    /// Holds NUL bytes in its first 8 KiB.
    Binary,
    /// Above the scanned-file size limit.
    TooLarge,
    /// A symlink (not followed: it may lead out of the tree or loop), a FIFO, a device or a socket.
    NotRegular,
    /// Could not be read.
    Unreadable,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::ToolFolder => "tool-folder",
            SkipReason::GitIgnored => "gitignored",
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too-large",
            SkipReason::NotRegular => "not-regular",
            SkipReason::Unreadable => "unreadable",
        }
    }
}

/// An entry the scan left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// Relative to the repository root; folders end with `/`.
    pub path: String,
    pub reason: SkipReason,
    /// What exactly: the `.gitignore` rule, the kind of special file, the read error.
    pub detail: String,
}

/// The files to read (with their display paths) and what was left out.
#[derive(Debug, Default)]
pub struct Files {
    pub files: Vec<(PathBuf, String)>,
    pub skipped: Vec<Skipped>,
}

/// Lists the files under `paths`. A path given here that is missing or is not a file or folder is
/// an error; a given file is read even if git ignores it (it was named on purpose).
pub fn files(paths: &[PathBuf]) -> Result<Files, String> {
    let mut out = Files::default();
    let mut seen = HashSet::new();
    for p in paths {
        let shown = display(p);
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut rules = Ignore::default();
                // Rules are matched against paths relative to the repository root (or to the
                // scanned folder outside a repository); paths are shown the same way.
                let (rel, shown) = match repository_root(p) {
                    Some(root) => {
                        // The repository's own excludes and the .gitignore files above the folder.
                        if let Some(text) = ignore::repository_excludes(&root) {
                            rules = rules.with_file("", ".git/info/exclude", &text);
                        }
                        rules = ancestors_rules(&root, p, rules);
                        let rel = relative(p, &root).unwrap_or_default();
                        (rel.clone(), rel)
                    }
                    None => (String::new(), display_folder(p)),
                };
                let at = Place {
                    rel: &rel,
                    shown: &shown,
                };
                walk_into(p, at, &rules, &mut seen, &mut out)
                    .map_err(|e| format!("cannot read the folder {}: {e}", p.display()))?;
            }
            _ => match input::check(p, Kind::Scanned) {
                Ok(_) => out.files.push((p.clone(), shown)),
                Err(InputError::TooLarge { .. }) => out.skipped.push(Skipped {
                    path: shown,
                    reason: SkipReason::TooLarge,
                    detail: format!("above {} MiB", Kind::Scanned.limit() >> 20),
                }),
                Err(e) if e.is_not_found() => {
                    return Err(format!("{}: no such file or folder", p.display()))
                }
                Err(e) => return Err(e.to_string()),
            },
        }
    }
    out.files.sort_by(|a, b| a.1.cmp(&b.1));
    out.files.dedup_by(|a, b| a.1 == b.1);
    out.skipped.sort();
    out.skipped.dedup();
    Ok(out)
}

/// Rules of the `.gitignore` files between the repository root and `dir` (exclusive of `dir`'s
/// own, which the walk reads).
fn ancestors_rules(root: &Path, dir: &Path, mut rules: Ignore) -> Ignore {
    let Some(rel) = relative(dir, root) else {
        return rules;
    };
    let mut base = String::new();
    let mut folder = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    for part in parts {
        if let Some(text) = read_gitignore(&folder) {
            let origin = if base.is_empty() {
                ".gitignore".to_string()
            } else {
                format!("{base}/.gitignore")
            };
            rules = rules.with_file(&base, &origin, &text);
        }
        folder.push(part);
        base = if base.is_empty() {
            part.to_string()
        } else {
            format!("{base}/{part}")
        };
    }
    rules
}

fn read_gitignore(dir: &Path) -> Option<String> {
    let path = dir.join(".gitignore");
    // A .gitignore that is a FIFO or a device is not read (as any other special file).
    input::read_text(&path, Kind::Scanned).ok()
}

/// A folder being walked: its path relative to the rules' root, and as shown in findings.
#[derive(Clone, Copy)]
struct Place<'a> {
    rel: &'a str,
    shown: &'a str,
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}/{name}")
    }
}

fn walk_into(
    dir: &Path,
    at: Place<'_>,
    parent_rules: &Ignore,
    seen: &mut HashSet<(u64, u64, PathBuf)>,
    out: &mut Files,
) -> std::io::Result<()> {
    if !seen.insert(input::folder_id(dir)?) {
        return Ok(());
    }
    let rules = match read_gitignore(dir) {
        Some(text) => parent_rules.with_file(at.rel, &join(at.shown, ".gitignore"), &text),
        None => parent_rules.clone(),
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel = join(at.rel, &name);
        let shown = join(at.shown, &name);
        // The entry's own type: a symlink is reported as a symlink, not followed.
        let ft = entry.file_type()?;
        if ft.is_dir() {
            if TOOL_DIRS.contains(&name.as_str()) {
                out.skipped.push(Skipped {
                    path: format!("{shown}/"),
                    reason: SkipReason::ToolFolder,
                    detail: "version control or tool folder".into(),
                });
            } else if let Some(rule) = rules.matched(&rel, true) {
                out.skipped.push(Skipped {
                    path: format!("{shown}/"),
                    reason: SkipReason::GitIgnored,
                    detail: rule.to_string(),
                });
            } else {
                let inner = Place {
                    rel: &rel,
                    shown: &shown,
                };
                walk_into(&path, inner, &rules, seen, out)?;
            }
        } else if ft.is_file() {
            if let Some(rule) = rules.matched(&rel, false) {
                out.skipped.push(Skipped {
                    path: shown,
                    reason: SkipReason::GitIgnored,
                    detail: rule.to_string(),
                });
            } else {
                out.files.push((path, shown));
            }
        } else {
            let what = if ft.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => "a symlink to a file",
                    Ok(m) if m.is_dir() => "a symlink to a folder",
                    Ok(_) => "a symlink to a special file",
                    Err(_) => "a dangling symlink",
                }
            } else {
                entry
                    .metadata()
                    .map_or("a special file", |m| input::describe(&m))
            };
            out.skipped.push(Skipped {
                path: shown,
                reason: SkipReason::NotRegular,
                detail: what.into(),
            });
        }
    }
    Ok(())
}

/// The nearest folder at or above `path` holding `.git` (a folder, or a file in a worktree).
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(path).ok()?;
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    start
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` relative to `base`, with `/` separators, when it lies below it (lexically, after making
/// both absolute; `..` components are resolved first).
fn relative(path: &Path, base: &Path) -> Option<String> {
    let path = normalize(&std::path::absolute(path).ok()?);
    let base = normalize(&std::path::absolute(base).ok()?);
    let rest = path.strip_prefix(&base).ok()?;
    Some(
        rest.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A scanned folder outside any repository, as a prefix: relative to the current folder, else as
/// given (`""` for the current folder itself).
fn display_folder(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|c| relative(path, &c))
        .unwrap_or_else(|| path.display().to_string().replace('\\', "/"));
    let mut s = shown.trim_end_matches('/');
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s == "." {
        String::new()
    } else {
        s.to_string()
    }
}

/// How a path is shown in findings: relative to its repository root, else to the current folder,
/// else as given; never with a leading `./`.
pub fn display(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = repository_root(path)
        .and_then(|root| relative(path, &root))
        .or_else(|| cwd.and_then(|c| relative(path, &c)))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| path.display().to_string().replace('\\', "/"));
    let mut s = shown.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}
