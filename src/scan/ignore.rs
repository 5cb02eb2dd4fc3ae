//! `.gitignore` rules, as git reads them (gitignore(5)), for the scan's walk: a tree's build output,
//! virtualenvs and vendored code are usually ignored there, and what git ignores is not the
//! project's source. Supported: comments, `!` negation, `\` escapes, a trailing `/` (folders
//! only), anchoring by a `/` other than a trailing one, `*`, `?`, `[...]` classes and `**`.
//! Rules of deeper files come after (and so override) those of shallower ones; the last matching
//! rule wins.

use std::path::Path;

/// One rule of a `.gitignore` file.
#[derive(Debug, Clone)]
struct Rule {
    /// The pattern, without `!`, the trailing `/` and a leading `/`.
    glob: Vec<u8>,
    negated: bool,
    dir_only: bool,
    /// Matched against the path relative to `base` (else against the last component only).
    anchored: bool,
    /// The folder holding the `.gitignore`, relative to the walk's root (`""` for the root).
    base: String,
    /// Where the rule is, for the skip list: `path/.gitignore:line`.
    origin: String,
}

/// The rules in force in a folder: its ancestors' and its own.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    rules: Vec<Rule>,
}

impl Ignore {
    /// This set plus the rules of `text` (a `.gitignore` in the folder `base`, relative to the walk's
    /// root with `/` separators), read from `origin`.
    pub fn with_file(&self, base: &str, origin: &str, text: &str) -> Ignore {
        let mut rules = self.rules.clone();
        for (i, line) in text.lines().enumerate() {
            if let Some(rule) = parse(line, base, &format!("{origin}:{}", i + 1)) {
                rules.push(rule);
            }
        }
        Ignore { rules }
    }

    /// Whether `rel` (relative to the walk's root, `/` separators) is ignored, and by which rule.
    pub fn matched(&self, rel: &str, is_dir: bool) -> Option<&str> {
        for rule in self.rules.iter().rev() {
            if rule.dir_only && !is_dir {
                continue;
            }
            let Some(local) = strip_base(rel, &rule.base) else {
                continue;
            };
            let hit = if rule.anchored {
                glob(&rule.glob, local.as_bytes())
            } else {
                let name = local.rsplit('/').next().unwrap_or(local);
                glob(&rule.glob, name.as_bytes())
            };
            if hit {
                return (!rule.negated).then_some(rule.origin.as_str());
            }
        }
        None
    }
}

fn strip_base<'a>(rel: &'a str, base: &str) -> Option<&'a str> {
    if base.is_empty() {
        return Some(rel);
    }
    rel.strip_prefix(base)?.strip_prefix('/')
}

fn parse(line: &str, base: &str, origin: &str) -> Option<Rule> {
    // Trailing spaces are dropped unless escaped; a line starting with `#` is a comment.
    let mut line = line.trim_end_matches(['\r']);
    while line.ends_with(' ') && !line.ends_with("\\ ") {
        line = &line[..line.len() - 1];
    }
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (negated, line) = match line.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix('\\').unwrap_or(line)),
    };
    let (dir_only, line) = match line.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if line.is_empty() {
        return None;
    }
    // A `/` at the start or in the middle anchors the pattern to the .gitignore's folder.
    let anchored = line.contains('/');
    let line = line.strip_prefix('/').unwrap_or(line);
    // `**/x` also matches `x` at the top.
    Some(Rule {
        glob: line.as_bytes().to_vec(),
        negated,
        dir_only,
        anchored,
        base: base.to_string(),
        origin: origin.to_string(),
    })
}

/// Glob matching with `*` and `?` (never across `/`), `[...]` classes (`!` or `^` negates, `a-z`
/// ranges) and `**` (any number of folders). Iterative on `*` with one backtrack point per star
/// kind: linear enough for the short names of a source tree.
fn glob(p: &[u8], s: &[u8]) -> bool {
    // `**/` prefix, `/**/` middle and `/**` suffix.
    if let Some(rest) = p.strip_prefix(b"**/") {
        if glob(rest, s) {
            return true;
        }
        return s
            .iter()
            .enumerate()
            .any(|(i, &c)| c == b'/' && glob(rest, &s[i + 1..]));
    }
    if p == b"**" {
        return true;
    }
    match p.first() {
        None => s.is_empty(),
        Some(b'/') if p.get(1..4) == Some(b"**/") => {
            // `a/**/b`: `a/b`, `a/x/b`, ...
            let rest = &p[4..];
            s.first() == Some(&b'/')
                && (glob(rest, &s[1..])
                    || s[1..]
                        .iter()
                        .enumerate()
                        .any(|(i, &c)| c == b'/' && glob(rest, &s[i + 2..])))
        }
        Some(b'/') if &p[1..] == b"**" => s.first() == Some(&b'/'),
        Some(b'*') => {
            let rest = &p[1..];
            // `*` matches any run of non-`/` bytes.
            for i in 0..=s.len() {
                if glob(rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == b'/' {
                    break;
                }
            }
            false
        }
        Some(b'?') => s.first().is_some_and(|&c| c != b'/') && glob(&p[1..], &s[1..]),
        Some(b'[') => match (class(&p[1..]), s.first()) {
            (Some((matches, len)), Some(&c)) if c != b'/' => {
                matches(c) && glob(&p[1 + len..], &s[1..])
            }
            // An unclosed `[` is a literal.
            (None, Some(&b'[')) => glob(&p[1..], &s[1..]),
            _ => false,
        },
        Some(b'\\') if p.len() > 1 => s.first() == Some(&p[1]) && glob(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && glob(&p[1..], &s[1..]),
    }
}

/// A `[...]` class after its `[`: a matcher and the bytes it spans (through `]`).
fn class(p: &[u8]) -> Option<(impl Fn(u8) -> bool + '_, usize)> {
    let (negated, start) = match p.first() {
        Some(b'!' | b'^') => (true, 1),
        _ => (false, 0),
    };
    // `]` right after the opening is a member.
    let end = p
        .iter()
        .skip(start + 1)
        .position(|&c| c == b']')
        .map(|i| i + start + 1)?;
    let body = &p[start..end];
    let matches = move |c: u8| {
        let mut hit = false;
        let mut i = 0;
        while i < body.len() {
            if i + 2 < body.len() && body[i + 1] == b'-' {
                hit |= (body[i]..=body[i + 2]).contains(&c);
                i += 3;
            } else {
                hit |= body[i] == c;
                i += 1;
            }
        }
        hit != negated
    };
    Some((matches, end + 1))
}

/// Reads `root/.git/info/exclude` if there is one (the repository's own ignore list).
pub fn repository_excludes(root: &Path) -> Option<String> {
    let path = root.join(".git").join("info").join("exclude");
    crate::input::read_text(&path, crate::input::Kind::Scanned).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> Ignore {
        Ignore::default().with_file("", ".gitignore", text)
    }

    #[test]
    fn globs() {
        for (p, s, want) in [
            ("*.py", "a.py", true),
            ("*.py", "dir/a.py", false),
            ("a?c", "abc", true),
            ("[a-c]x", "bx", true),
            ("[!a-c]x", "bx", false),
            ("**/build", "build", true),
            ("**/build", "x/y/build", true),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a/**", "a/x/y", true),
            ("a/**", "b/x", false),
            ("*", "x/y", false),
        ] {
            assert_eq!(glob(p.as_bytes(), s.as_bytes()), want, "{p} ~ {s}");
        }
    }

    #[test]
    fn rules_as_git_reads_them() {
        let ig =
            ignore("# build output\nbuild/\n/dist\n*.log\n!keep.log\nvendor/**/gen\n\\#hash\n");
        assert!(ig.matched("build", true).is_some());
        assert!(
            ig.matched("src/build", true).is_some(),
            "unanchored: any depth"
        );
        assert!(
            ig.matched("build", false).is_none(),
            "build/ is for folders"
        );
        assert!(ig.matched("dist", true).is_some());
        assert!(ig.matched("src/dist", true).is_none(), "/dist is anchored");
        assert_eq!(ig.matched("x/a.log", false), Some(".gitignore:4"));
        assert!(ig.matched("keep.log", false).is_none(), "negated");
        assert!(ig.matched("vendor/a/b/gen", true).is_some());
        assert!(ig.matched("#hash", false).is_some());
        // A nested file's rules apply below its folder only and come last.
        let nested = ig.with_file("sub", "sub/.gitignore", "!build/\n");
        assert!(nested.matched("sub/build", true).is_none());
        assert!(nested.matched("build", true).is_some());
    }
}
