//! Model references in a file's text. The text is cut into tokens (words, quoted strings and
//! punctuation, each with its line), so a call split over lines, a Dockerfile exec-form `CMD` and a
//! Kubernetes argument list read like a shell command. The forms found:
//!
//! - calls: `from_pretrained("org/name")`, `LLM("org/name")`, `snapshot_download(...)`,
//!   `hf_hub_download(...)`, `pipeline(...)`, `SentenceTransformer(...)` (first argument);
//! - commands: `vllm serve org/name`, `huggingface-cli download org/name`, `hf download org/name`,
//!   `ollama run|pull name[:tag]` (reported as `ollama:name[:tag]`);
//! - flags: `--model`, `--model-path`, `--model-id`, `--model-name-or-path`, `--base-model`,
//!   `--tokenizer` (`--flag value`, `--flag=value`, `"--flag", "value"`);
//! - keys: `model`, `model_id`, `base_model`, `repo_id`, ... and any key ending in `_model`,
//!   `_model_id`, `_model_name` or `_model_path` (`key: value`, `key = value`, `"key": "value"`,
//!   `KEY=value`, `KEY ?= value`, camelCase `modelName`), and Kubernetes `name: MODEL_ID` /
//!   `value: org/name` pairs;
//! - Hugging Face links, including `/resolve/`, `/tree/` and `/blob/` file URLs;
//! - in Ollama Modelfiles, `FROM name[:tag]`;
//! - any other string literal (or YAML / TOML value) that is a model id the catalog knows, whatever
//!   the variable is called (`ckpt = "meta-llama/Llama-3.1-8B"`).
//!
//! Keyed forms report any `org/name` value (an unknown one fails the gate: it must be added to a
//! catalog); bare literals count only when they resolve, since `"src/main.rs"` is shaped the same.

use std::collections::HashSet;

/// How to read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    /// A Jupyter notebook: JSON whose cell sources are string lines, read unescaped line by line.
    Notebook,
    /// An Ollama Modelfile (`FROM name`).
    Modelfile,
}

impl Kind {
    pub fn of(file_name: &str) -> Kind {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".ipynb") {
            Kind::Notebook
        } else if lower == "modelfile" || lower.ends_with(".modelfile") {
            Kind::Modelfile
        } else {
            Kind::Plain
        }
    }
}

/// Functions whose first argument names a model (matched on the last `.` component).
const CALLS: [&str; 9] = [
    "from_pretrained",
    "snapshot_download",
    "hf_hub_download",
    "pipeline",
    "LLM",
    "AsyncLLM",
    "SentenceTransformer",
    "model_info",
    "InferenceClient",
];

/// Flags whose value names a model.
const FLAGS: [&str; 12] = [
    "--model",
    "--model-path",
    "--model_path",
    "--model-id",
    "--model_id",
    "--model-name-or-path",
    "--model_name_or_path",
    "--pretrained-model-name-or-path",
    "--base-model",
    "--base_model",
    "--tokenizer",
    "--hf-model",
];

/// Keys whose value names a model.
const KEYS: [&str; 13] = [
    "model",
    "model_id",
    "model_name",
    "model_name_or_path",
    "model_path",
    "model_repo",
    "pretrained_model_name_or_path",
    "base_model",
    "base_model_name_or_path",
    "hf_model",
    "checkpoint",
    "repo_id",
    "tokenizer_name",
];

/// Key suffixes that name a model (`teacher_model`, `HF_MODEL_ID`, `draft_model_name`).
const KEY_SUFFIXES: [&str; 5] = [
    "_model",
    "_model_id",
    "_model_name",
    "_model_path",
    "_model_name_or_path",
];

/// Flags of `huggingface-cli download` / `hf download` that take a value (skipped to reach the repo).
const DOWNLOAD_FLAGS_WITH_VALUE: [&str; 8] = [
    "--repo-type",
    "--revision",
    "--local-dir",
    "--cache-dir",
    "--token",
    "--include",
    "--exclude",
    "--max-workers",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Str(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token<'a> {
    tok: Tok<'a>,
    line: usize,
}

impl Token<'_> {
    /// A word's or string's text.
    fn text(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            Tok::Str(s) => Some(s),
            Tok::Punct(_) => None,
        }
    }
    fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
}

/// Longest string literal kept: a reference is short; a megabyte literal is data.
const MAX_LITERAL: usize = 4096;

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            b'"' | b'`' | b'\'' => {
                // An apostrophe inside a word (`don't`) is not a quote.
                if c == b'\'' && i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                let start_line = line;
                let triple = i + 2 < n && bytes[i + 1] == c && bytes[i + 2] == c;
                let (open, close): (usize, &[u8]) = if triple {
                    (3, &bytes[i..i + 3])
                } else {
                    (1, &bytes[i..i + 1])
                };
                let mut j = i + open;
                let mut value = Vec::new();
                let mut closed = false;
                while j < n {
                    if bytes[j] == b'\\' && j + 1 < n {
                        // Escapes: a JSON or Python string's `\"` is a quote, `\n` a newline.
                        match bytes[j + 1] {
                            b'n' => value.push(b'\n'),
                            b't' => value.push(b'\t'),
                            b'\n' => line += 1,
                            other => value.push(other),
                        }
                        j += 2;
                        continue;
                    }
                    if bytes[j..].starts_with(close) {
                        j += close.len();
                        closed = true;
                        break;
                    }
                    if bytes[j] == b'\n' {
                        if !triple {
                            break; // an unclosed one-line string ends at the line's end
                        }
                        line += 1;
                    }
                    if value.len() < MAX_LITERAL {
                        value.push(bytes[j]);
                    }
                    j += 1;
                }
                // An unclosed string still ends here (a notebook line, a shell line).
                let _ = closed;
                out.push(Token {
                    tok: Tok::Str(String::from_utf8_lossy(&value).into_owned()),
                    line: start_line,
                });
                i = j;
            }
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';' | b'=' => {
                out.push(Token {
                    tok: Tok::Punct(c as char),
                    line,
                });
                i += 1;
            }
            // `?=`, `:=`, `+=` (Makefiles) are assignments.
            b'?' | b':' | b'+' if i + 1 < n && bytes[i + 1] == b'=' => {
                out.push(Token {
                    tok: Tok::Punct('='),
                    line,
                });
                i += 2;
            }
            // A colon ends a key (`model: x`, `"model":"x"`); inside a word (`llama3.1:70b`,
            // `https://`) it does not.
            b':' if i + 1 >= n
                || bytes[i + 1].is_ascii_whitespace()
                || matches!(bytes[i + 1], b'"' | b'\'' | b'[' | b'{') =>
            {
                out.push(Token {
                    tok: Tok::Punct(':'),
                    line,
                });
                i += 1;
            }
            _ => {
                let start = i;
                while i < n {
                    let b = bytes[i];
                    if b.is_ascii_whitespace()
                        || matches!(
                            b,
                            b'"' | b'`'
                                | b'('
                                | b')'
                                | b'['
                                | b']'
                                | b'{'
                                | b'}'
                                | b','
                                | b';'
                                | b'='
                        )
                        || (b == b':'
                            && (i + 1 >= n
                                || bytes[i + 1].is_ascii_whitespace()
                                || matches!(bytes[i + 1], b'"' | b'\'' | b'=')))
                        || (matches!(b, b'?' | b'+') && i + 1 < n && bytes[i + 1] == b'=')
                    {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    // A lone delimiter byte the arms above did not take.
                    i += 1;
                    continue;
                }
                // Words split at byte boundaries of ASCII delimiters: always valid UTF-8.
                let word = std::str::from_utf8(&bytes[start..i]).unwrap_or("");
                out.push(Token {
                    tok: Tok::Word(word),
                    line,
                });
            }
        }
    }
    out
}

fn is_ref_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// `org/name` at the start of `s` (org and name made of [A-Za-z0-9._-], no `..`), and what follows.
fn repo_prefix(s: &str) -> Option<(String, &str)> {
    let org_len = s.find(|c: char| !is_ref_char(c)).unwrap_or(s.len());
    if org_len == 0 || !s[org_len..].starts_with('/') {
        return None;
    }
    let rest = &s[org_len + 1..];
    let name_len = rest.find(|c: char| !is_ref_char(c)).unwrap_or(rest.len());
    let (org, name) = (&s[..org_len], &rest[..name_len]);
    let plausible = |p: &str| {
        p.chars().any(|c| c.is_ascii_alphabetic()) && !p.starts_with('.') && !p.contains("..")
    };
    // Hugging Face names are short (96 characters at most): a megabyte of name characters in a
    // generated file is not a reference.
    let short = org.len() + name.len() < crate::suggest::MAX_NAME;
    (short && plausible(org) && plausible(name) && name.len() >= 2)
        .then(|| (format!("{org}/{name}"), &rest[name_len..]))
}

/// `s` if it is exactly an `org/name` repo id (a trailing `@revision` allowed).
fn repo(s: &str) -> Option<String> {
    let (r, rest) = repo_prefix(s)?;
    (rest.is_empty() || rest.starts_with('@')).then_some(r)
}

/// A Hugging Face link's repo: `huggingface.co/org/name`, `/models/`, and file URLs
/// (`/resolve/`, `/tree/`, `/blob/`, `/raw/`, `/commit/`); datasets and spaces are not models.
fn link_repos(line: &str, push: &mut dyn FnMut(String)) {
    let lower = line.to_ascii_lowercase();
    for host in ["huggingface.co/", "hf.co/"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(host) {
            let start = from + i + host.len();
            from = start;
            // Not part of a longer host name (`nothf.co/`).
            let at = start - host.len();
            if at > 0 && line.as_bytes()[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let tail = &line[start..];
            let tail = tail.strip_prefix("models/").unwrap_or(tail);
            if tail.starts_with("datasets/") || tail.starts_with("spaces/") {
                continue;
            }
            if let Some((r, rest)) = repo_prefix(tail) {
                let file_url = ["/resolve/", "/tree/", "/blob/", "/raw/", "/commit/"]
                    .iter()
                    .any(|p| rest.starts_with(p));
                if rest.is_empty() || !rest.starts_with('/') || file_url {
                    push(r);
                }
            }
        }
    }
}

fn normalize_key(k: &str) -> String {
    // camelCase to snake_case, `-` to `_`, a shell `export` or `$` dropped.
    let k = k.trim_start_matches('$');
    let mut out = String::with_capacity(k.len() + 4);
    let mut prev_lower = false;
    for c in k.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

fn is_model_key(k: &str) -> bool {
    let k = normalize_key(k);
    KEYS.contains(&k.as_str()) || KEY_SUFFIXES.iter().any(|s| k.ends_with(s))
}

/// The significant tokens after `i` (commas, brackets, YAML dashes and line continuations
/// skipped), at most `limit` of them: how a command reads in exec form and in lists.
fn next_values<'t>(toks: &'t [Token<'_>], i: usize, limit: usize) -> Vec<&'t Token<'t>> {
    toks[i + 1..]
        .iter()
        .filter(|t| {
            !(t.is(',')
                || t.is('[')
                || t.is(']')
                || t.tok == Tok::Word("-")
                || t.tok == Tok::Word("\\"))
        })
        .take(limit)
        .collect()
}

/// The command word a token is: `vllm`, also `!vllm` (a notebook cell) or `"vllm"` (exec form).
fn command_word(t: &Token<'_>) -> Option<String> {
    t.text()
        .map(|s| s.trim_start_matches(['!', '%']).to_ascii_lowercase())
}

/// References (with their lines) in `text`, deduplicated per line. `resolves` tells whether a bare
/// literal is a model id a catalog knows.
pub fn references(text: &str, kind: Kind, resolves: &dyn Fn(&str) -> bool) -> Vec<(String, usize)> {
    let unescaped;
    let text = if kind == Kind::Notebook {
        unescaped = notebook_lines(text);
        unescaped.as_str()
    } else {
        text
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut push = |r: String, line: usize| {
        if seen.insert((r.clone(), line)) {
            out.push((r, line));
        }
    };
    for (i, l) in text.lines().enumerate() {
        // Cheap test first: most lines hold no link.
        if l.contains(".co/") {
            link_repos(l, &mut |r| push(r, i + 1));
        }
    }
    let toks = tokenize(text);
    // A Kubernetes `name: MODEL_ID` makes the next `value:` a keyed value.
    let mut keyed_name_at: Option<usize> = None;
    for (i, t) in toks.iter().enumerate() {
        let Some(word) = t.text() else { continue };
        let next = toks.get(i + 1);
        // Calls: the first argument.
        let last = word.rsplit('.').next().unwrap_or(word);
        if CALLS.contains(&last) && next.is_some_and(|n| n.is('(')) {
            if let Some(arg) = toks.get(i + 2).filter(|a| matches!(a.tok, Tok::Str(_))) {
                if let Some(r) = arg.text().and_then(repo) {
                    push(r, arg.line);
                }
            }
        }
        // Commands.
        let cmd = command_word(t);
        match cmd.as_deref() {
            Some("vllm") => {
                let v = next_values(&toks, i, 2);
                if v.first().and_then(|t| command_word(t)).as_deref() == Some("serve") {
                    if let Some(r) = v.get(1).and_then(|t| t.text()).and_then(repo) {
                        push(r, v[1].line);
                    }
                }
            }
            Some("huggingface-cli" | "hf") => {
                let v = next_values(&toks, i, 12);
                if v.first().and_then(|t| command_word(t)).as_deref() == Some("download") {
                    let mut k = 1;
                    while let Some(t) = v.get(k) {
                        let s = t.text().unwrap_or("");
                        if s.starts_with('-') {
                            k += if DOWNLOAD_FLAGS_WITH_VALUE.contains(&s) {
                                2
                            } else {
                                1
                            };
                            continue;
                        }
                        if let Some(r) = repo(s) {
                            push(r, t.line);
                        }
                        break;
                    }
                }
            }
            Some("ollama") => {
                let v = next_values(&toks, i, 2);
                let verb = v.first().and_then(|t| command_word(t));
                if matches!(verb.as_deref(), Some("run" | "pull")) {
                    if let Some(name) = v.get(1).and_then(|t| t.text()).and_then(ollama_name) {
                        push(format!("ollama:{name}"), v[1].line);
                    }
                }
            }
            Some("from") if kind == Kind::Modelfile => {
                if let Some(name) = next.and_then(|t| t.text()).and_then(ollama_name) {
                    push(format!("ollama:{name}"), t.line);
                }
            }
            _ => {}
        }
        // Flags.
        if FLAGS.contains(&word) {
            let v = next_values(&toks, i, 2);
            let value = match v.first() {
                Some(eq) if eq.is('=') => v.get(1),
                other => other,
            };
            if let Some(val) = value {
                if let Some(r) = val.text().and_then(repo) {
                    push(r, val.line);
                }
            }
        }
        // Keys: `key: value`, `key = value`.
        if next.is_some_and(|n| n.is(':') || n.is('=')) {
            let value = toks.get(i + 2).filter(|v| v.text().is_some());
            if normalize_key(word) == "name" {
                keyed_name_at = value
                    .and_then(|v| v.text())
                    .filter(|v| is_model_key(v))
                    .map(|_| i);
            }
            let k8s_value = normalize_key(word) == "value"
                && keyed_name_at.is_some_and(|at| i.saturating_sub(at) <= 6);
            if is_model_key(word) || k8s_value {
                if let Some(v) = value {
                    if let Some(r) = v.text().and_then(repo) {
                        push(r, v.line);
                    }
                }
            }
        }
        // A literal that is a known model id, whatever it is assigned to.
        let literal =
            matches!(t.tok, Tok::Str(_)) || (i > 0 && (toks[i - 1].is(':') || toks[i - 1].is('=')));
        if literal {
            if let Some(r) = repo(word).filter(|r| resolves(r)) {
                push(r, t.line);
            }
        }
    }
    out.sort_by_key(|r| r.1);
    out
}

/// An Ollama model name (`llama3.1`, `qwen2.5:72b`, `library/llama3`), lower-cased; not a path or a
/// GGUF file.
fn ollama_name(s: &str) -> Option<String> {
    let s = s.strip_prefix("library/").unwrap_or(s);
    let ok = !s.is_empty()
        && s.len() < 128
        && !s.contains('/')
        && !s.starts_with('-')
        && !s.to_ascii_lowercase().ends_with(".gguf")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    ok.then(|| s.to_ascii_lowercase())
}

/// A notebook's text with each JSON string line replaced by its unescaped content, line for line,
/// so cell sources read like code and keep their line numbers in the `.ipynb` file.
fn notebook_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        let t = t.strip_suffix(',').unwrap_or(t);
        match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => match serde_json::from_str::<String>(&format!("\"{inner}\"")) {
                Ok(s) => out.push_str(&s.replace('\n', " ")),
                Err(_) => out.push_str(line),
            },
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(text: &str) -> Vec<String> {
        references(text, Kind::Plain, &|r| r.starts_with("known/"))
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    }

    #[test]
    fn calls_commands_flags_and_keys() {
        for (text, want) in [
            (
                "m = AutoModelForCausalLM.from_pretrained(\"meta-llama/Llama-3.1-8B\")",
                "meta-llama/Llama-3.1-8B",
            ),
            ("llm = LLM(\"Qwen/Qwen3-8B\")", "Qwen/Qwen3-8B"),
            (
                "llm = vllm.LLM(model=\"Qwen/Qwen3-8B\", tensor_parallel_size=2)",
                "Qwen/Qwen3-8B",
            ),
            (
                "vllm serve Qwen/Qwen2.5-72B-Instruct --tensor-parallel-size 4",
                "Qwen/Qwen2.5-72B-Instruct",
            ),
            (
                "python -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3",
                "deepseek-ai/DeepSeek-V3",
            ),
            (
                "text-generation-launcher --model-id tiiuae/falcon-180B",
                "tiiuae/falcon-180B",
            ),
            (
                "--model=mistralai/Mistral-7B-v0.1",
                "mistralai/Mistral-7B-v0.1",
            ),
            (
                "CMD [\"--model\", \"google/gemma-2-9b-it\"]",
                "google/gemma-2-9b-it",
            ),
            (
                "CMD [\"vllm\", \"serve\", \"google/gemma-2-9b-it\"]",
                "google/gemma-2-9b-it",
            ),
            (
                "huggingface-cli download meta-llama/Llama-3.1-8B --local-dir x",
                "meta-llama/Llama-3.1-8B",
            ),
            (
                "hf download --repo-type model Qwen/Qwen3-8B",
                "Qwen/Qwen3-8B",
            ),
            ("ollama run llama3.1", "ollama:llama3.1"),
            ("!ollama pull qwen2.5:72b", "ollama:qwen2.5:72b"),
            (
                "model: mistralai/Mistral-Large-Instruct-2407",
                "mistralai/Mistral-Large-Instruct-2407",
            ),
            (
                "  \"model\": \"google/gemma-2-9b-it\",",
                "google/gemma-2-9b-it",
            ),
            (
                "base_model = 'deepseek-ai/DeepSeek-V3'",
                "deepseek-ai/DeepSeek-V3",
            ),
            ("ENV HF_MODEL_ID=Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
            ("MODEL ?= Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
            ("modelName: Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
            ("teacher_model: \"Qwen/Qwen3-8B\"", "Qwen/Qwen3-8B"),
            (
                "https://huggingface.co/tiiuae/falcon-180B/resolve/main/config.json",
                "tiiuae/falcon-180B",
            ),
            (
                "https://huggingface.co/tiiuae/falcon-180B/tree/main",
                "tiiuae/falcon-180B",
            ),
            (
                "see https://huggingface.co/tiiuae/falcon-180B for details",
                "tiiuae/falcon-180B",
            ),
            ("ckpt = \"known/model-1\"", "known/model-1"),
        ] {
            assert_eq!(refs(text), [want], "{text}");
        }
    }

    #[test]
    fn split_over_lines_and_lists() {
        let text = "tok = AutoTokenizer.from_pretrained(\n    \"meta-llama/Llama-3.1-8B\",\n    use_fast=True,\n)\n";
        assert_eq!(
            references(text, Kind::Plain, &|_| false),
            [("meta-llama/Llama-3.1-8B".to_string(), 2)]
        );
        let k8s = "args:\n  - --model\n  - Qwen/Qwen3-8B\nenv:\n  - name: MODEL_ID\n    value: google/gemma-2-9b-it\n";
        assert_eq!(
            references(k8s, Kind::Plain, &|_| false),
            [
                ("Qwen/Qwen3-8B".to_string(), 3),
                ("google/gemma-2-9b-it".to_string(), 6)
            ]
        );
        let modelfile = "FROM llama3.1:70b\nPARAMETER temperature 0.2\n";
        assert_eq!(
            references(modelfile, Kind::Modelfile, &|_| false),
            [("ollama:llama3.1:70b".to_string(), 1)]
        );
        let nb = "{\n \"cells\": [{\n   \"source\": [\n    \"from transformers import AutoModel\\n\",\n    \"m = AutoModel.from_pretrained(\\\"Qwen/Qwen3-8B\\\")\"\n   ]\n  }]\n}\n";
        assert_eq!(
            references(nb, Kind::Notebook, &|_| false),
            [("Qwen/Qwen3-8B".to_string(), 5)]
        );
    }

    #[test]
    fn ignores_paths_prose_and_unknown_literals() {
        for text in [
            "model: ./checkpoints/run1/final",
            "path = \"src/main.rs\"",
            "either/or",
            "model: gpt",
            "https://huggingface.co/datasets/org/data",
            "https://huggingface.co/spaces/org/app",
            "1/2",
            "x = \"unknown/model\"",
            "don't use meta-llama/Llama-3.1-8B here",
            "ollama run ./model.gguf",
        ] {
            assert!(refs(text).is_empty(), "{text}: {:?}", refs(text));
        }
    }
}
