//! Hugging Face repositories: what pick reads of them and where.
//!
//! - `cache`: the local Hugging Face cache (`HF_HUB_CACHE`, else `HF_HOME/hub`, else
//!   `$XDG_CACHE_HOME/huggingface/hub` or `~/.cache/huggingface/hub`), read-only, offline;
//! - `hub`: the Hub API, only when asked (`--online`, `PICK_ONLINE=1`);
//! - `frontmatter`: the model card's YAML header;
//! - this module: the facts of one repository at one revision (`read_repo`), the same whichever
//!   place the files came from.
//!
//! Every file is read through `input` limits (cache) or with the same limits (Hub); a file pick
//! cannot read for certain leaves its facts unknown, which fails closed.

pub mod cache;
pub mod frontmatter;
pub mod hub;

use crate::catalog::{ArchSummary, Catalog, LineageLink, Relation, Repo, RepoFile, Source};
use crate::localmodel;

/// The files pick reads from a repository (weights never).
pub const FILES: &[&str] = &[
    "config.json",
    "README.md",
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENCE",
    "model.safetensors.index.json",
    "adapter_config.json",
];

/// At most this many `base_model` entries are followed (a merge of more is refused).
pub const MAX_BASES: usize = 16;

/// Whether `id` is a Hugging Face repo id, `org/name`: two parts of `[A-Za-z0-9._-]`, each at most
/// 96 characters, not starting with `.` or `-`, without `..` or `--`.
pub fn is_repo_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(org), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    [org, name].iter().all(|p| {
        !p.is_empty()
            && p.len() <= 96
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !p.starts_with(['.', '-'])
            && !p.contains("..")
            && !p.contains("--")
    })
}

/// Whether `rev` can name a revision: a commit (hex) or a branch or tag name, without path tricks.
pub fn is_revision(rev: &str) -> bool {
    !rev.is_empty()
        && rev.len() <= 255
        && rev
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && !rev.contains("..")
        && !rev.starts_with('/')
        && !rev.ends_with('/')
}

/// Whether `s` is a full commit id (40 hex digits).
pub fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// One hash over several files: SHA-256 of `name sha256\n` lines in name order.
pub fn combined_hash(files: &[RepoFile]) -> String {
    let mut sorted: Vec<&RepoFile> = files.iter().collect();
    sorted.sort();
    let text: String = sorted
        .iter()
        .map(|f| format!("{} {}\n", f.name, f.sha256))
        .collect();
    format!("sha256:{}", sha256(text.as_bytes()))
}

/// What a repository's files are, wherever they came from.
pub struct Snapshot {
    /// `org/name` as its source spells it.
    pub id: String,
    pub revision: String,
    pub source: Source,
    /// Every file name of the snapshot (top level and below), for what their presence tells
    /// (adapters, GGUF files).
    pub listing: Vec<String>,
    /// The files of `FILES` that exist, with their text.
    pub texts: Vec<(String, String)>,
}

/// The facts of a snapshot: license declarations, lineage, architecture, weight bytes, and the
/// hashes of the files they came from.
pub fn read_repo(catalog: &Catalog, snap: Snapshot) -> Repo {
    let text = |name: &str| {
        snap.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    };
    let files: Vec<RepoFile> = snap
        .texts
        .iter()
        .map(|(n, t)| RepoFile {
            name: n.clone(),
            sha256: sha256(t.as_bytes()),
        })
        .collect();
    let mut repo = Repo {
        id: snap.id.clone(),
        revision: snap.revision.clone(),
        source: snap.source,
        from_lock: false,
        license: Vec::new(),
        license_name: None,
        license_link: None,
        license_file: None,
        card_problem: None,
        base_model: Vec::new(),
        base_model_relation: None,
        lineage: Vec::new(),
        relation_inferred: false,
        arch: None,
        weight_bytes: None,
        quantization: None,
        hash: combined_hash(&files),
        files,
        config: text("config.json").map(str::to_string),
    };

    // The card: license and lineage.
    match text("README.md").map(frontmatter::parse) {
        None => repo.card_problem = Some("no README.md (model card)".into()),
        Some(Err(e)) => repo.card_problem = Some(format!("README.md front matter: {e}")),
        Some(Ok(None)) => repo.card_problem = Some("README.md has no front matter".into()),
        Some(Ok(Some(map))) => {
            let get = |k: &str| {
                map.get(k)
                    .map(frontmatter::Value::strings)
                    .unwrap_or_default()
            };
            repo.license = get("license")
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            repo.license_name = get("license_name").into_iter().find(|s| !s.is_empty());
            repo.license_link = get("license_link").into_iter().find(|s| !s.is_empty());
            repo.base_model = get("base_model")
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if let Some(r) = get("base_model_relation").first() {
                match Relation::parse(r) {
                    Some(rel) => repo.base_model_relation = Some(rel),
                    None => {
                        repo.card_problem = Some(format!("unknown base_model_relation `{r}`"));
                    }
                }
            }
            for key in ["license", "base_model"] {
                if matches!(map.get(key), Some(frontmatter::Value::Other)) {
                    repo.card_problem = Some(format!(
                        "`{key}` in the front matter is not a string or a list of strings"
                    ));
                }
            }
        }
    }
    let license_file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"]
        .iter()
        .find_map(|n| text(n));
    repo.license_file = license_file.and_then(|t| identify_license(catalog, t));

    // An adapter names its base in adapter_config.json; the card may not.
    let adapter = text("adapter_config.json");
    if repo.base_model.is_empty() {
        if let Some(base) = adapter
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .and_then(|v| {
                v.get("base_model_name_or_path")?
                    .as_str()
                    .map(str::to_string)
            })
            .filter(|b| is_repo_id(b))
        {
            repo.base_model.push(base);
        }
    }

    // The architecture, the quantization and the exact weight bytes.
    let config: Option<serde_json::Value> =
        text("config.json").and_then(|t| serde_json::from_str(t).ok());
    let gguf = snap.listing.iter().any(|n| n.ends_with(".gguf"));
    if let Some(c) = &config {
        repo.quantization = quantization(c);
        let shape = text("config.json")
            .and_then(|t| localmodel::parse_config(&format!("{}/config.json", snap.id), t).ok());
        let multimodal = [
            "vision_config",
            "audio_config",
            "vision_tower",
            "mm_vision_tower",
        ]
        .iter()
        .any(|k| c.get(*k).is_some_and(|v| !v.is_null()));
        repo.arch = Some(ArchSummary {
            architectures: c
                .get("architectures")
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            model_type: c
                .get("model_type")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            layers: shape.as_ref().map_or(0, |s| s.arch.layers),
            hidden_size: shape.as_ref().map_or(0, |s| s.arch.hidden_size),
            params: shape
                .as_ref()
                .map_or(0, |s| s.params.total().round() as u64),
            experts: shape.as_ref().map_or(0, |s| s.arch.experts),
            max_context: shape.as_ref().map_or(0, |s| s.max_context),
            multimodal,
            torch_dtype: c
                .get("torch_dtype")
                .or_else(|| c.get("dtype"))
                .and_then(|v| v.as_str())
                .map(str::to_string),
        });
    }
    if repo.quantization.is_none() && gguf {
        repo.quantization = Some("gguf".into());
    }
    repo.weight_bytes = text("model.safetensors.index.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.pointer("/metadata/total_size")?.as_u64())
        .filter(|b| *b > 0);

    // Lineage: the stated relation, else what the Hub infers (adapter files, several bases, a
    // quantization), else a fine-tune.
    if repo.base_model.len() > MAX_BASES {
        repo.card_problem = Some(format!(
            "{} base models; pick follows at most {MAX_BASES}",
            repo.base_model.len()
        ));
        repo.base_model.truncate(MAX_BASES);
    }
    let relation = repo.base_model_relation.unwrap_or_else(|| {
        repo.relation_inferred = !repo.base_model.is_empty();
        if adapter.is_some() {
            Relation::Adapter
        } else if repo.base_model.len() > 1 {
            Relation::Merge
        } else if repo.quantization.is_some() {
            Relation::Quantized
        } else {
            Relation::Finetune
        }
    });
    repo.lineage = repo
        .base_model
        .iter()
        .map(|b| LineageLink {
            relation,
            upstream: b.clone().into(),
        })
        .collect();
    repo
}

/// `quant_method` and `bits` of config.json's `quantization_config` (`awq 4-bit`, `fp8`,
/// `bitsandbytes 4-bit`).
fn quantization(config: &serde_json::Value) -> Option<String> {
    let q = config.get("quantization_config")?;
    let method = q
        .get("quant_method")
        .and_then(|m| m.as_str())
        .unwrap_or("unknown");
    let bits = q
        .get("bits")
        .and_then(serde_json::Value::as_u64)
        .or_else(|| {
            (q.get("load_in_4bit").and_then(serde_json::Value::as_bool) == Some(true)).then_some(4)
        })
        .or_else(|| {
            (q.get("load_in_8bit").and_then(serde_json::Value::as_bool) == Some(true)).then_some(8)
        });
    Some(match bits {
        Some(b) => format!("{method} {b}-bit"),
        None => method.to_string(),
    })
}

/// The catalog license a LICENSE file's text is, when it says so plainly: Apache-2.0 and MIT by
/// their standard wording, the others by the license's name in the text (the longest name found).
/// None when nothing matches: an unidentified file proves nothing.
pub fn identify_license(catalog: &Catalog, text: &str) -> Option<String> {
    // The head of the file names it; reading the whole of a large file would only add noise.
    let head: String = text
        .chars()
        .take(4000)
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut best: Option<(&str, usize)> = None;
    for l in &catalog.licenses {
        let name = l.name.to_lowercase();
        if name.len() >= 12 && head.contains(&name) && best.is_none_or(|(_, n)| name.len() > n) {
            best = Some((l.id.as_str(), name.len()));
        }
    }
    if let Some((id, _)) = best {
        return Some(id.to_string());
    }
    if head.contains("apache license") && head.contains("version 2.0") {
        return Some("apache-2.0".into());
    }
    let mit = head.starts_with("mit license") || head.contains("the mit license");
    if (mit || head.contains("permission is hereby granted, free of charge"))
        && !head.contains("modified mit")
    {
        return Some("mit".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_and_revisions() {
        for ok in [
            "meta-llama/Llama-3.1-8B",
            "a/b",
            "Qwen/Qwen2.5-7B-Instruct-AWQ",
            "x_y/z.v1",
        ] {
            assert!(is_repo_id(ok), "{ok}");
        }
        for bad in [
            "a", "a/b/c", "/b", "a/", "../x", "a/..", "a/.x", "a--b/c", "a/b c", "",
        ] {
            assert!(!is_repo_id(bad), "{bad}");
        }
        assert!(is_revision("main") && is_revision("refs/pr/1") && is_revision("0e9e39f"));
        assert!(!is_revision("../x") && !is_revision("/etc") && !is_revision("a b"));
    }

    #[test]
    fn license_files_are_identified_by_their_text() {
        let c = Catalog::embedded();
        let apache = "\n                                 Apache License\n                           Version 2.0, January 2004\n";
        assert_eq!(identify_license(&c, apache).as_deref(), Some("apache-2.0"));
        assert_eq!(
            identify_license(&c, "MIT License\n\nCopyright (c) 2024\n\nPermission is hereby granted, free of charge, ...").as_deref(),
            Some("mit")
        );
        assert_eq!(
            identify_license(&c, "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024").as_deref(),
            Some("llama3.1")
        );
        assert_eq!(identify_license(&c, "All rights reserved."), None);
    }

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
