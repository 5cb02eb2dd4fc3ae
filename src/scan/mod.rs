//! Finds model references in a source tree. Which forms are recognized is `refs`' business (calls,
//! commands, flags, keys, links, known ids in any literal); which files are read, and which are left
//! out and why, is `walk`'s; paths are relative to the repository root.

mod ignore;
pub mod refs;
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
///
/// `resolves` tells whether a string literal is a model id a catalog knows: such literals count
/// whatever variable holds them.
pub fn scan(
    paths: &[std::path::PathBuf],
    resolves: &dyn Fn(&str) -> bool,
) -> Result<Report, String> {
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
        let name = shown.rsplit('/').next().unwrap_or(&shown);
        for (reference, line) in refs::references(&text, refs::Kind::of(name), resolves) {
            report.found.push(Found {
                reference,
                file: shown.clone(),
                line,
            });
        }
    }
    skipped.sort();
    report.skipped = skipped;
    Ok(report)
}

/// Model references on one line of text (the keyed and command forms; bare literals need a
/// catalog to resolve against, see `refs::references`).
pub fn references_in_line(line: &str) -> Vec<String> {
    refs::references(line, refs::Kind::Plain, &|_| false)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
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
