//! "Did you mean": the closest known name to a mistyped one.
//!
//! Names come from users and user files, so they can be megabytes long. The search stays linear in
//! the input: candidates whose length differs by more than the allowed distance are skipped
//! unread, the edit distance gives up as soon as it exceeds the allowance, and names longer than
//! `MAX_NAME` get no suggestion at all (nobody mistyped a thousand characters).

/// Longest name a suggestion is looked for.
pub const MAX_NAME: usize = 1_000;

/// Levenshtein distance (case-insensitive), for short identifiers.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    levenshtein(&a, &b, usize::MAX).unwrap_or(usize::MAX)
}

/// The edit distance of `a` and `b` if it is at most `limit`; `None` as soon as it must exceed it
/// (every entry of a row above the limit), so far-apart strings cost one or two rows.
fn levenshtein(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

/// The best candidate: one the name begins (`qwen3-235b` → `qwen3-235b-a22b`, the shortest such),
/// else one holding every token of the name (`llama-70b` → `llama-3.1-70b`), else the nearest
/// within a third of the name's length in edits (or containing it). Fewer edits than the name
/// has characters, always: a candidate as far away as that shares nothing with it (an empty name
/// was answered with `o3`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    if len > MAX_NAME {
        return None;
    }
    let lower = name.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let limit = (len / 3).max(2).min(len.saturating_sub(1));
    let split = |s: &str| -> Vec<String> {
        s.split(['-', '/', '_', ' '])
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let tokens = split(&lower);
    candidates
        .into_iter()
        .filter_map(|c| {
            // Absurdly long candidates (a user catalog's megabyte id) are not read at all.
            if c.len() > 4 * MAX_NAME {
                return None;
            }
            let clen = c.chars().count();
            let cl = c.to_lowercase();
            if len >= 3 && clen > len && cl.starts_with(&lower) {
                return Some(((0, clen - len), c));
            }
            if tokens.len() >= 2 {
                let ctokens = split(&cl);
                if tokens
                    .iter()
                    .all(|t| ctokens.iter().any(|ct| ct.starts_with(t.as_str())))
                {
                    return Some(((1, clen.abs_diff(len)), c));
                }
            }
            let d = if clen.abs_diff(len) <= limit {
                let cc: Vec<char> = c.to_lowercase().chars().collect();
                levenshtein(&chars, &cc, limit)
            } else {
                None
            };
            // A candidate containing the name counts as within the limit.
            let contains = || lower.len() >= 3 && clen >= len && c.to_lowercase().contains(&lower);
            match d {
                Some(d) => Some(((2, d), c)),
                None if contains() => Some(((2, limit), c)),
                None => None,
            }
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// ": did you mean `x`?" or an empty string.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

/// `text` as a message quotes it: whole when short, else its start and its length (a message
/// should not repeat a megabyte the user gave).
pub fn elide(text: &str) -> String {
    const KEEP: usize = 60;
    let n = text.chars().count();
    if n <= KEEP + 20 {
        text.to_string()
    } else {
        let start: String = text.chars().take(KEEP).collect();
        format!("{start}... ({n} characters)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_tokens_come_first() {
        let ids = [
            "qwen3-32b",
            "qwen3-235b-a22b",
            "qwen3-30b-a3b",
            "llama-3.1-70b",
            "llama-3.3-70b",
        ];
        assert_eq!(closest("qwen3-235b", ids), Some("qwen3-235b-a22b"));
        assert_eq!(closest("qwen3-30b", ids), Some("qwen3-30b-a3b"));
        assert_eq!(closest("llama-70b", ids), Some("llama-3.1-70b"));
        assert_eq!(closest("qwen3-33b", ids), Some("qwen3-32b"));
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("H100", "h100"), 0);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn the_bounded_distance_agrees_within_its_limit() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "kitten",
            "sitting",
            "llama-3.1-8b",
            "llama-3.1-70b",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let d = distance(a, b);
                for limit in 0..6 {
                    let want = (d <= limit).then_some(d);
                    assert_eq!(levenshtein(&ca, &cb, limit), want, "{a} {b} {limit}");
                }
            }
        }
    }

    #[test]
    fn suggests_the_nearest_and_nothing_far() {
        let names = ["llama-3.1-8b", "llama-3.1-70b", "qwen3-8b"];
        assert_eq!(closest("llama-3.1-7b", names), Some("llama-3.1-70b"));
        assert_eq!(closest("zzzzzzzzzzzz", names), None);
        assert_eq!(closest("qwen3", names), Some("qwen3-8b"), "a substring");
    }

    #[test]
    fn names_too_short_to_share_anything_get_no_suggestion() {
        let ids = ["o3", "o4-mini", "l4", "a10"];
        assert_eq!(closest("", ids), None);
        assert_eq!(closest("x", ids), None, "one edit replaces all of it");
        assert_eq!(closest("o5", ids), Some("o3"));
        assert_eq!(closest("l40", ids), Some("l4"));
    }

    #[test]
    fn megabyte_names_cost_no_time() {
        let huge = "a".repeat(10_000_000);
        let start = std::time::Instant::now();
        assert_eq!(closest(&huge, ["llama-3.1-8b", huge.as_str()]), None);
        assert_eq!(
            closest("llama-3.1-8b", [huge.as_str(), "llama-3.1-8b"]),
            Some("llama-3.1-8b")
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            elide(&huge),
            format!("{}... (10000000 characters)", "a".repeat(60))
        );
        assert_eq!(elide("short"), "short");
    }
}
