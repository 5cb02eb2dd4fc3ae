//! The local Hugging Face cache, read-only: `HF_HUB_CACHE`, else `HF_HOME/hub`, else
//! `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (where `huggingface_hub`,
//! transformers and vLLM put what they download). Layout:
//!
//! ```text
//! models--ORG--NAME/refs/main            the commit `main` pointed at when last downloaded
//! models--ORG--NAME/snapshots/COMMIT/…   the files of that commit (symlinks into blobs/)
//! ```
//!
//! Files are read through `input` (regular files after following the blob symlinks, size limits).

use super::{is_commit, is_repo_id, is_revision, Snapshot, FILES};
use crate::catalog::Source;
use crate::input::{self, Kind};
use std::path::{Path, PathBuf};

/// A Hugging Face cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    pub root: PathBuf,
    /// Which variable chose it, for messages (`HF_HUB_CACHE`, `HF_HOME`, ...).
    pub from: &'static str,
    /// The lower-cased names of the root's `models--*` folders → their names, read once: a policy
    /// may name 100,000 models the cache does not hold.
    folders: std::sync::OnceLock<std::collections::HashMap<String, String>>,
}

impl Cache {
    /// The cache the environment names, as `huggingface_hub` finds it; `get` reads a variable.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<Cache> {
        let set = |k: &str| get(k).filter(|v| !v.is_empty());
        let (root, from) = if let Some(p) = set("HF_HUB_CACHE") {
            (PathBuf::from(p), "HF_HUB_CACHE")
        } else if let Some(p) = set("HF_HOME") {
            (Path::new(&p).join("hub"), "HF_HOME")
        } else if let Some(p) = set("XDG_CACHE_HOME") {
            (
                Path::new(&p).join("huggingface").join("hub"),
                "XDG_CACHE_HOME",
            )
        } else {
            let home = set("HOME").or_else(|| set("USERPROFILE"))?;
            let root = Path::new(&home)
                .join(".cache")
                .join("huggingface")
                .join("hub");
            (root, "HOME")
        };
        Some(Cache::at(root, from))
    }

    /// The cache at `root` (`from` names where the path came from, for messages).
    pub fn at(root: PathBuf, from: &'static str) -> Cache {
        Cache {
            root,
            from,
            folders: std::sync::OnceLock::new(),
        }
    }

    /// Where the cache is, for messages.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.root.display(), self.from)
    }

    /// The folder of a repository, matching `org/name` exactly, else case-insensitively (the Hub's
    /// names are case-insensitive; the cache keeps the spelling it was asked with).
    fn repo_dir(&self, repo: &str) -> Option<(PathBuf, String)> {
        let folder = format!("models--{}", repo.replace('/', "--"));
        let folders = self.folders.get_or_init(|| {
            std::fs::read_dir(&self.root)
                .map(|it| {
                    it.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.starts_with("models--"))
                        .map(|n| (n.to_ascii_lowercase(), n))
                        .collect()
                })
                .unwrap_or_default()
        });
        let name = folders.get(&folder.to_ascii_lowercase())?;
        // The exact spelling first (two folders may differ in case only).
        let name = if folders.values().any(|n| *n == folder) {
            &folder
        } else {
            name
        };
        let dir = self.root.join(name);
        if !dir.is_dir() {
            return None;
        }
        let id = name
            .strip_prefix("models--")
            .and_then(|rest| rest.split_once("--"))
            .map(|(org, n)| format!("{org}/{n}"))?;
        Some((dir, id))
    }

    /// The snapshot of `repo` at `revision` (a branch, tag or commit, full or abbreviated; `main`
    /// when None). `Ok(None)` when the cache does not hold the repository; an error when it holds
    /// it but not that revision, or its bookkeeping cannot be read.
    pub fn locate(
        &self,
        repo: &str,
        revision: Option<&str>,
    ) -> Result<Option<(String, String, PathBuf)>, String> {
        if !is_repo_id(repo) {
            return Err(format!("`{repo}` is not a Hugging Face repo id (org/name)"));
        }
        let Some((dir, id)) = self.repo_dir(repo) else {
            return Ok(None);
        };
        let snapshots = dir.join("snapshots");
        let rev = revision.unwrap_or("main");
        if !is_revision(rev) {
            return Err(format!("`{rev}` is not a revision"));
        }
        let read_ref = |name: &str| -> Result<Option<String>, String> {
            let path = dir.join("refs").join(name);
            match input::read_text_if_present(&path, Kind::CacheRef) {
                Ok(Some(t)) => {
                    let commit = t.trim().to_string();
                    if is_commit(&commit) {
                        Ok(Some(commit))
                    } else {
                        Err(format!("{} does not hold a commit id", path.display()))
                    }
                }
                Ok(None) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        };
        let commit = if let Some(c) = read_ref(rev)? {
            c
        } else {
            // A commit, full or abbreviated (7+ hex digits), among the snapshots.
            let names: Vec<String> = std::fs::read_dir(&snapshots)
                .map(|it| {
                    it.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| is_commit(n))
                        .collect()
                })
                .unwrap_or_default();
            let hex = rev.len() >= 7 && rev.bytes().all(|b| b.is_ascii_hexdigit());
            let matching: Vec<&String> = if hex {
                let r = rev.to_ascii_lowercase();
                names.iter().filter(|n| n.starts_with(&r)).collect()
            } else if revision.is_none() && names.len() == 1 {
                // No refs/main (a snapshot copied in by hand): the only snapshot there is.
                names.iter().collect()
            } else {
                Vec::new()
            };
            match matching.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(format!(
                        "the cache holds {id} but not revision `{rev}` ({} snapshot(s) under {})",
                        names.len(),
                        snapshots.display()
                    ))
                }
                _ => {
                    return Err(format!(
                        "revision `{rev}` of {id} matches several snapshots"
                    ))
                }
            }
        };
        let snap = snapshots.join(&commit);
        if !snap.is_dir() {
            return Err(format!(
                "{} names commit {commit}, whose snapshot folder is missing",
                dir.join("refs").join(rev).display()
            ));
        }
        Ok(Some((id, commit, snap)))
    }

    /// Reads a snapshot's files (those of `FILES`, never the weights) and its listing.
    pub fn read(&self, repo: &str, revision: Option<&str>) -> Result<Option<Snapshot>, String> {
        let Some((id, commit, dir)) = self.locate(repo, revision)? else {
            return Ok(None);
        };
        let mut texts = Vec::new();
        for name in FILES {
            let kind = match *name {
                "config.json" | "adapter_config.json" => Kind::ModelConfig,
                "model.safetensors.index.json" => Kind::SafetensorsIndex,
                _ => Kind::RepoText,
            };
            if let Some(t) =
                input::read_text_if_present(&dir.join(name), kind).map_err(|e| e.to_string())?
            {
                texts.push((name.to_string(), t));
            }
        }
        let listing = std::fs::read_dir(&dir)
            .map(|it| {
                let mut v: Vec<String> = it
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                v.sort();
                v
            })
            .unwrap_or_default();
        Ok(Some(Snapshot {
            id,
            revision: commit,
            source: Source::Cache,
            listing,
            texts,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_folder_follows_huggingface_hub() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let c = Cache::from_env(env(&[
            ("HF_HUB_CACHE", "/a"),
            ("HF_HOME", "/b"),
            ("HOME", "/h"),
        ]))
        .unwrap();
        assert_eq!((c.root, c.from), (PathBuf::from("/a"), "HF_HUB_CACHE"));
        let c = Cache::from_env(env(&[("HF_HOME", "/b"), ("HOME", "/h")])).unwrap();
        assert_eq!(c.root, PathBuf::from("/b/hub"));
        let c = Cache::from_env(env(&[("HF_HUB_CACHE", ""), ("HOME", "/h")])).unwrap();
        assert_eq!(c.root, PathBuf::from("/h/.cache/huggingface/hub"));
        assert!(Cache::from_env(env(&[])).is_none());
    }
}
