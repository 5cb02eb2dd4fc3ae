//! Finds model references in a source tree: `from_pretrained("org/name")`, `vllm serve org/name`,
//! `model: org/name` / `"model": "org/name"` / `model_id = "org/name"` in YAML, JSON, TOML and
//! code, and huggingface.co/org/name links. Which files are read, and which are left out and why,
//! is `walk`'s business; paths are relative to the repository root.

mod ignore;
pub mod walk;

pub use walk::{SkipReason, Skipped};

/// A reference found in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub reference: String,
    /// Relative to the repository root, `/` separators, no `./`.
    pub file: String,
    pub line: usize,
}

/// What a scan read, found and left out.
#[derive(Debug, Default)]
pub struct Report {
    pub found: Vec<Found>,
    /// How many files were read.
    pub files: usize,
    /// Every entry left out, with its reason.
    pub skipped: Vec<Skipped>,
}

/// Scans files and folders; references come sorted by file and line. A path given here that is
/// missing or not a file or folder (a FIFO, a device) is an error; inside a folder such entries,
/// symlinks, git-ignored paths, binary files and files above the scan limit are skipped and listed.
pub fn scan(paths: &[std::path::PathBuf]) -> Result<Report, String> {
    let walk::Files { files, mut skipped } = walk::files(paths)?;
    let mut report = Report::default();
    for (path, shown) in files {
        let bytes = match crate::input::read_bytes(&path, crate::input::Kind::Scanned) {
            Ok(b) => b,
            Err(crate::input::InputError::TooLarge { .. }) => {
                skipped.push(Skipped {
                    path: shown,
                    reason: SkipReason::TooLarge,
                    detail: format!("above {} MiB", crate::input::Kind::Scanned.limit() >> 20),
                });
                continue;
            }
            // Replaced by something else since the walk, or unreadable.
            Err(e) => {
                skipped.push(Skipped {
                    path: shown,
                    reason: SkipReason::Unreadable,
                    detail: e.to_string(),
                });
                continue;
            }
        };
        if bytes.iter().take(8192).any(|&b| b == 0) {
            skipped.push(Skipped {
                path: shown,
                reason: SkipReason::Binary,
                detail: "NUL bytes in the first 8 KiB".into(),
            });
            continue;
        }
        report.files += 1;
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            for r in references_in_line(line) {
                report.found.push(Found {
                    reference: r,
                    file: shown.clone(),
                    line: i + 1,
                });
            }
        }
    }
    skipped.sort();
    report.skipped = skipped;
    Ok(report)
}

/// Keys whose value names a model.
const MODEL_KEYS: [&str; 11] = [
    "model",
    "model_id",
    "model_name",
    "model_name_or_path",
    "pretrained_model_name_or_path",
    "base_model",
    "base_model_name_or_path",
    "hf_model",
    "checkpoint",
    "repo_id",
    "tokenizer_name",
];

fn is_ref_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// `org/name` at the start of `s` (org and name made of [A-Za-z0-9._-], no `..`), and its length.
fn repo_at(s: &str) -> Option<String> {
    let org_len = s.find(|c: char| !is_ref_char(c)).unwrap_or(s.len());
    if org_len == 0 || !s[org_len..].starts_with('/') {
        return None;
    }
    let rest = &s[org_len + 1..];
    let name_len = rest.find(|c: char| !is_ref_char(c)).unwrap_or(rest.len());
    if name_len == 0 || rest[name_len..].starts_with('/') {
        return None; // a path, not a repo id
    }
    let (org, name) = (&s[..org_len], &rest[..name_len]);
    let plausible = |p: &str| {
        p.chars().any(|c| c.is_ascii_alphabetic()) && !p.starts_with('.') && !p.contains("..")
    };
    // Hugging Face names are short (96 characters at most): a megabyte of name characters in a
    // generated file is not a reference.
    let short = org.len() + name.len() < crate::suggest::MAX_NAME;
    (short && plausible(org) && plausible(name) && name.len() >= 2).then(|| format!("{org}/{name}"))
}

/// Model references on one line of text.
pub fn references_in_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !line.contains('/') {
        return out;
    }
    let lower = line.to_ascii_lowercase();
    // A set beside the list: a long generated line may hold many thousands of references, and
    // `out.contains` per reference made that quadratic.
    let mut seen = std::collections::HashSet::new();
    let mut push = |r: Option<String>| {
        if let Some(r) = r {
            if seen.insert(r.clone()) {
                out.push(r);
            }
        }
    };
    // Hugging Face links.
    for host in ["huggingface.co/", "hf.co/"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(host) {
            let start = from + i + host.len();
            let tail = &line[start..];
            let tail = tail.strip_prefix("models/").unwrap_or(tail);
            if !tail.starts_with("datasets/") && !tail.starts_with("spaces/") {
                push(repo_at(tail));
            }
            from = start;
        }
    }
    // Calls and commands: from_pretrained("org/name"), vllm serve org/name, --model org/name.
    for marker in [
        "from_pretrained(",
        "vllm serve ",
        "--model ",
        "--model=",
        "snapshot_download(",
        "pipeline(",
    ] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(marker) {
            let start = from + i + marker.len();
            push(first_value(&line[start..]));
            from = start;
        }
    }
    // key: value / key = value / "key": "value"
    for key in MODEL_KEYS {
        let mut from = 0;
        while let Some(i) = lower[from..].find(key) {
            let at = from + i;
            from = at + key.len();
            let before_ok =
                at == 0 || !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            let after = &line[from..];
            let after = after.trim_start_matches(['"', '\'']).trim_start();
            if before_ok {
                if let Some(v) = after.strip_prefix([':', '=']) {
                    push(first_value(v));
                }
            }
        }
    }
    out
}

/// The first quoted or bare token of `s`, if it is an `org/name` repo id.
fn first_value(s: &str) -> Option<String> {
    let s = s.trim_start();
    let s = s
        .strip_prefix(['r', 'f'])
        .filter(|t| t.starts_with(['"', '\'']))
        .unwrap_or(s);
    let s = s.trim_start_matches(['"', '\'', '`']);
    repo_at(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_common_forms() {
        let cases = [
            ("model = AutoModelForCausalLM.from_pretrained(\"meta-llama/Llama-3.1-8B-Instruct\")", vec!["meta-llama/Llama-3.1-8B-Instruct"]),
            ("vllm serve Qwen/Qwen2.5-72B-Instruct --tensor-parallel-size 4", vec!["Qwen/Qwen2.5-72B-Instruct"]),
            ("model: mistralai/Mistral-Large-Instruct-2407", vec!["mistralai/Mistral-Large-Instruct-2407"]),
            ("  \"model\": \"google/gemma-2-9b-it\",", vec!["google/gemma-2-9b-it"]),
            ("base_model = 'deepseek-ai/DeepSeek-V3'", vec!["deepseek-ai/DeepSeek-V3"]),
            ("see https://huggingface.co/tiiuae/falcon-180B for details", vec!["tiiuae/falcon-180B"]),
        ];
        for (line, want) in cases {
            assert_eq!(references_in_line(line), want, "{line}");
        }
    }

    #[test]
    fn ignores_paths_and_prose() {
        for line in [
            "model: ./checkpoints/run1/final",
            "path = \"src/main.rs\"",
            "either/or",
            "model: gpt",
            "https://huggingface.co/datasets/org/data",
            "1/2",
        ] {
            assert!(
                references_in_line(line).is_empty(),
                "{line}: {:?}",
                references_in_line(line)
            );
        }
    }
}
