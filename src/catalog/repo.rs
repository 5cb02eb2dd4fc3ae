//! A Hugging Face repository the catalog does not list, resolved from `pick.lock`, the local
//! Hugging Face cache or the Hub (`crate::resolve` finds and reads them; `crate::hf` parses the
//! files). Pure data: what the repository's files say at one revision, and where they were read.
//!
//! The same value is written to `pick.lock` and read back from it, so a repository gates the same
//! whether its facts come from the cache or from the lock.

use super::{LineageLink, Relation};
use serde::{Deserialize, Serialize};

/// Where a model's facts came from, in the order references are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The embedded catalog or a user catalog.
    Catalog,
    /// `pick.lock` (facts recorded by `pick lock`).
    Lock,
    /// The local Hugging Face cache (`HF_HUB_CACHE`, `HF_HOME/hub`, `~/.cache/huggingface/hub`).
    Cache,
    /// The Hugging Face Hub API (`--online` or `PICK_ONLINE=1`).
    Hub,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Catalog => "catalog",
            Source::Lock => "lock",
            Source::Cache => "cache",
            Source::Hub => "hub",
        }
    }

    /// In words, for tables.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Catalog => "the catalog",
            Source::Lock => "pick.lock",
            Source::Cache => "the Hugging Face cache",
            Source::Hub => "the Hugging Face Hub",
        }
    }
}

/// The architecture as config.json states it, summarized (the lock keeps this much; sizing reads
/// the config itself).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArchSummary {
    /// `architectures` (e.g. `LlamaForCausalLM`).
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub layers: u64,
    #[serde(default)]
    pub hidden_size: u64,
    /// Parameters derived from the architecture (`arch::params`), 0 when not derivable.
    #[serde(default)]
    pub params: u64,
    #[serde(default)]
    pub experts: u64,
    #[serde(default)]
    pub max_context: u64,
    /// A vision, audio or video tower is configured (`vision_config`, ...).
    #[serde(default)]
    pub multimodal: bool,
    #[serde(default)]
    pub torch_dtype: Option<String>,
}

/// A file facts were read from, with the SHA-256 of its content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RepoFile {
    pub name: String,
    pub sha256: String,
}

/// One repository at one revision: its license declarations, lineage and architecture.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Repo {
    /// `org/name` as the cache or the Hub spells it.
    #[serde(rename = "ref")]
    pub id: String,
    /// The commit the facts were read at.
    pub revision: String,
    /// Where the files were read: the cache or the Hub (kept in the lock as it was read).
    pub source: Source,
    /// True for a repository read back from `pick.lock`.
    #[serde(skip)]
    pub from_lock: bool,
    /// The card's `license` values, as written (`apache-2.0`, `llama3.1`, `other`).
    #[serde(default)]
    pub license: Vec<String>,
    /// The card's `license_name` (with `license: other`).
    #[serde(default)]
    pub license_name: Option<String>,
    #[serde(default)]
    pub license_link: Option<String>,
    /// The catalog license the repository's LICENSE file was identified as, if any.
    #[serde(default)]
    pub license_file: Option<String>,
    /// Why the model card could not be read for certain (missing, no front matter, a value pick
    /// cannot read): its license and lineage are then unknown.
    #[serde(default)]
    pub card_problem: Option<String>,
    /// The card's `base_model` values.
    #[serde(default)]
    pub base_model: Vec<String>,
    /// The card's `base_model_relation`, when it states one.
    #[serde(default)]
    pub base_model_relation: Option<Relation>,
    /// The upstreams with their relation (stated, or inferred as the Hub does: adapter files, several
    /// bases, a quantization config).
    #[serde(default)]
    pub lineage: Vec<LineageLink>,
    /// True when the relation was inferred rather than stated.
    #[serde(default)]
    pub relation_inferred: bool,
    #[serde(default)]
    pub arch: Option<ArchSummary>,
    /// `metadata.total_size` of the safetensors index: the exact bytes of the weights.
    #[serde(default)]
    pub weight_bytes: Option<u64>,
    /// `quantization_config.quant_method` (with `bits` when stated), e.g. `awq 4-bit`.
    #[serde(default)]
    pub quantization: Option<String>,
    /// The files the facts came from.
    #[serde(default)]
    pub files: Vec<RepoFile>,
    /// SHA-256 over the files' names and hashes: two reads agree when their hashes do.
    pub hash: String,
    /// config.json's text, for sizing (not locked: the lock records the summary).
    #[serde(skip)]
    pub config: Option<String>,
}

impl Repo {
    /// The lower-cased `org/name`, the key lookups use.
    pub fn key(&self) -> String {
        self.id.to_ascii_lowercase()
    }

    /// The license names the repository declares: each card `license` (its `license_name` for
    /// `other`), then the LICENSE file's, without repeats.
    pub fn declared_licenses(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for l in &self.license {
            let name = if l.eq_ignore_ascii_case("other") {
                self.license_name.clone().unwrap_or_else(|| l.clone())
            } else {
                l.clone()
            };
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&name)) {
                out.push(name);
            }
        }
        if self.license.is_empty() {
            if let Some(n) = &self.license_name {
                out.push(n.clone());
            }
        }
        if let Some(f) = &self.license_file {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(f)) {
                out.push(f.clone());
            }
        }
        out
    }

    /// Where this run got the facts: the lock when read back from it, else the cache or the Hub.
    pub fn resolved_from(&self) -> Source {
        if self.from_lock {
            Source::Lock
        } else {
            self.source
        }
    }

    /// The first 7 characters of the revision, for tables.
    pub fn short_revision(&self) -> &str {
        self.revision.get(..7).unwrap_or(&self.revision)
    }
}
