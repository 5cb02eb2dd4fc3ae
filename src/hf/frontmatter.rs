//! The YAML front matter of a model card (README.md), as much of it as pick reads: top-level keys
//! whose values are scalars (`license: apache-2.0`, quoted or not) or lists of scalars (block
//! `- item` lines or flow `[a, b]`). Nested maps and block scalars (`model-index`, `widget`) are
//! skipped. Cards are written by hand: anything this reader cannot read for certain is reported,
//! and a caller then treats the card's facts as unknown (fail closed) rather than guessing.
//!
//! A YAML crate would read more of YAML than pick needs; the subset here is small, bounded, and
//! each of its rules has a test.

use std::collections::HashMap;

/// A top-level value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
    /// A nested map, a block scalar or anything else pick does not read.
    Other,
}

impl Value {
    /// The strings of a scalar or a list (a single-element list for a scalar).
    pub fn strings(&self) -> Vec<String> {
        match self {
            Value::Scalar(s) => vec![s.clone()],
            Value::List(l) => l.clone(),
            Value::Other => Vec::new(),
        }
    }
}

/// The front matter's top-level keys; `Ok(None)` when the card has none (no leading `---`).
pub fn parse(readme: &str) -> Result<Option<HashMap<String, Value>>, String> {
    let text = readme.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_end() == "---" => {}
        _ => return Ok(None),
    }
    let mut map: HashMap<String, Value> = HashMap::new();
    // The key whose value continues on the next lines (`key:` with nothing after it).
    let mut open: Option<String> = None;
    let mut closed = false;
    for (i, raw) in lines {
        let line_no = i + 1;
        let line = raw.trim_end();
        if line == "---" || line == "..." {
            closed = true;
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indented = line.len() != trimmed.len();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or((trimmed == "-").then_some(""))
        {
            // A list item continues the open key; deeper items (inside a nested map) are skipped.
            let Some(key) = open.as_ref() else {
                return Err(format!("line {line_no}: a list item outside any key"));
            };
            // `- name: x` is a map inside the list, which pick does not read.
            let plain = !item.trim_start().starts_with(['"', '\'']);
            let map_item = plain && (item.contains(": ") || item.trim_end().ends_with(':'));
            let parsed = if map_item { None } else { scalar(item) };
            match map.get_mut(key) {
                Some(Value::List(items)) => match parsed {
                    Some(v) => items.push(v),
                    None => *map.get_mut(key).expect("present") = Value::Other,
                },
                Some(Value::Other) => {}
                _ => {
                    let v = parsed.map_or(Value::Other, |v| Value::List(vec![v]));
                    map.insert(key.clone(), v);
                }
            }
            continue;
        }
        if indented {
            // A nested map's line: the open key's value is a map pick does not read.
            if let Some(key) = &open {
                if matches!(map.get(key), Some(Value::List(l)) if l.is_empty()) {
                    map.insert(key.clone(), Value::Other);
                }
            }
            continue;
        }
        let Some((key, rest)) = split_key(trimmed) else {
            return Err(format!("line {line_no}: expected `key: value`"));
        };
        if map.contains_key(&key) {
            return Err(format!("line {line_no}: `{key}` is given twice"));
        }
        let rest = rest.trim();
        if rest.is_empty() {
            map.insert(key.clone(), Value::List(Vec::new()));
            open = Some(key);
            continue;
        }
        open = None;
        let value = if rest.starts_with('|') || rest.starts_with('>') {
            Value::Other
        } else if let Some(inner) = rest.strip_prefix('[') {
            match flow_list(inner) {
                Some(v) => Value::List(v),
                None => return Err(format!("line {line_no}: `{key}`: unreadable list")),
            }
        } else if rest.starts_with('{') {
            Value::Other
        } else {
            match scalar(rest) {
                Some(v) => Value::Scalar(v),
                None => return Err(format!("line {line_no}: `{key}`: unreadable value")),
            }
        };
        map.insert(key, value);
    }
    if !closed {
        return Err("the front matter has no closing `---`".into());
    }
    // A key left open with nothing under it is null.
    map.retain(|_, v| !matches!(v, Value::List(l) if l.is_empty()));
    Ok(Some(map))
}

/// `key: rest` of a top-level line (the key plain or quoted).
fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(q @ ('"' | '\'')) = line.chars().next() {
        let end = line[1..].find(q)? + 1;
        let rest = line[end + 1..].strip_prefix(':')?;
        return Some((line[1..end].to_string(), rest));
    }
    let colon = line
        .find(": ")
        .or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
    let key = line[..colon].trim();
    if key.is_empty() {
        return None;
    }
    Some((key.to_string(), &line[colon + 1..]))
}

/// A scalar: double-quoted (with `\"` and `\\` escapes), single-quoted (`''` escape), or plain
/// (up to a ` #` comment). None for what is not a plain scalar.
fn scalar(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(body) = t.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                },
                '"' => {
                    let rest = chars.as_str().trim();
                    return (rest.is_empty() || rest.starts_with('#')).then_some(out);
                }
                c => out.push(c),
            }
        }
        return None;
    }
    if let Some(body) = t.strip_prefix('\'') {
        let mut out = String::new();
        let mut rest = body;
        loop {
            let i = rest.find('\'')?;
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('\'') {
                out.push('\'');
                rest = r;
            } else {
                let r = rest.trim();
                return (r.is_empty() || r.starts_with('#')).then_some(out);
            }
        }
    }
    let plain = match t.find(" #") {
        Some(i) => &t[..i],
        None => t,
    }
    .trim();
    if plain.starts_with(['[', '{', '&', '*', '!', '|', '>', '@', '`']) {
        return None;
    }
    if plain == "~" || plain == "null" {
        return Some(String::new());
    }
    Some(plain.to_string())
}

/// The items of a flow list `a, "b", c]` (after the `[`), on one line.
fn flow_list(inner: &str) -> Option<Vec<String>> {
    let body = inner.trim_end();
    let body = body.strip_suffix(']').or_else(|| {
        // A comment after the closing bracket.
        let i = body.rfind(']')?;
        body[i + 1..].trim().starts_with('#').then(|| &body[..i])
    })?;
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in body.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ',') => {
                items.push(scalar(&current)?);
                current.clear();
            }
            (None, '[' | ']' | '{' | '}') => return None,
            _ => current.push(c),
        }
    }
    if quote.is_some() {
        return None;
    }
    if !current.trim().is_empty() {
        items.push(scalar(&current)?);
    }
    Some(items.into_iter().filter(|s| !s.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, key: &str) -> Option<Value> {
        parse(text).unwrap().unwrap().get(key).cloned()
    }

    #[test]
    fn reads_scalars_and_lists() {
        let card = "---\nlicense: apache-2.0 # the usual\nlicense_name: \"qwen\"\nlicense_link: 'https://x/y'\nbase_model:\n- meta-llama/Llama-3.1-8B\n- 'a/b'\ntags: [text-generation, \"llama\"]\nmodel-index:\n  - name: x\n    results: []\nwidget:\n  text: hi\ndescription: |\n  many\n  lines\nbase_model_relation: finetune\n---\n# Title\nlicense: not-this\n";
        assert_eq!(
            get(card, "license"),
            Some(Value::Scalar("apache-2.0".into()))
        );
        assert_eq!(
            get(card, "license_name"),
            Some(Value::Scalar("qwen".into()))
        );
        assert_eq!(
            get(card, "license_link"),
            Some(Value::Scalar("https://x/y".into()))
        );
        assert_eq!(
            get(card, "base_model"),
            Some(Value::List(vec![
                "meta-llama/Llama-3.1-8B".into(),
                "a/b".into()
            ]))
        );
        assert_eq!(
            get(card, "tags"),
            Some(Value::List(vec!["text-generation".into(), "llama".into()]))
        );
        assert_eq!(get(card, "widget"), Some(Value::Other));
        assert_eq!(get(card, "model-index"), Some(Value::Other));
        assert_eq!(get(card, "description"), Some(Value::Other));
        assert_eq!(
            get(card, "base_model_relation"),
            Some(Value::Scalar("finetune".into()))
        );
        // Indented list items under a key.
        let card = "---\nbase_model:\n  - x/y\nlicense: mit\n---\n";
        assert_eq!(
            get(card, "base_model"),
            Some(Value::List(vec!["x/y".into()]))
        );
    }

    #[test]
    fn no_front_matter_and_broken_ones() {
        assert_eq!(parse("# A card\n").unwrap(), None);
        assert_eq!(parse("").unwrap(), None);
        assert!(parse("---\nlicense: mit\n").is_err(), "not closed");
        assert!(
            parse("---\nlicense: mit\nlicense: apache-2.0\n---\n").is_err(),
            "twice"
        );
        assert!(parse("---\n- x\n---\n").is_err());
        assert!(
            parse("---\nlicense: \"mit\n---\n").is_err(),
            "unclosed quote"
        );
        assert!(parse("---\nbase_model: [a/b, [c]]\n---\n").is_err());
        // An empty key is null, not a value.
        assert_eq!(get("---\nlicense:\n---\n", "license"), None);
        assert_eq!(
            get("---\nlicense: ~\n---\n", "license"),
            Some(Value::Scalar(String::new()))
        );
    }
}
