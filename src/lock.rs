//! `pick.lock`: the facts every model reference resolved to, written by `pick lock` and read by
//! `pick gate`, so CI gates the same models the same way without the Hugging Face cache and without
//! the network.
//!
//! TOML, sorted, one entry per reference: `[[model]]` for references the catalog resolved (its id,
//! licenses and lineage, with a hash of those facts), `[[repo]]` for Hugging Face repositories (the
//! revision, the card's license declarations, the lineage with its relations, an architecture
//! summary, the files the facts came from with their SHA-256, where they were read, and one hash
//! over the files). Upstreams are locked with the references that need them.

use crate::catalog::{self, Catalog, LineageLink, Repo, Source};
use crate::hf;
use crate::input::{self, Kind};
use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The lock's format version.
pub const VERSION: u32 = 1;
/// The lock's file name, beside the policy.
pub const FILE_NAME: &str = "pick.lock";

/// A reference the catalog resolved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockedModel {
    #[serde(rename = "ref")]
    pub reference: String,
    /// Always `catalog`.
    pub source: Source,
    /// The catalog id.
    pub id: String,
    /// Its licenses, own first (`license` then `also_bound_by`).
    pub license: Vec<String>,
    #[serde(default)]
    pub lineage: Vec<LineageLink>,
    /// SHA-256 over the id, licenses and lineage: a catalog that changed them makes the lock stale.
    pub hash: String,
}

/// The whole lock.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    #[serde(default, rename = "model")]
    pub models: Vec<LockedModel>,
    #[serde(default, rename = "repo")]
    pub repos: Vec<Repo>,
}

impl Lock {
    /// The entry of a catalog-resolved reference.
    pub fn model(&self, reference: &str) -> Option<&LockedModel> {
        let key = catalog::reference_key(reference);
        self.models
            .iter()
            .find(|m| catalog::reference_key(&m.reference) == key)
    }

    /// The entry of a repository, marked as read back from the lock.
    pub fn repo(&self, reference: &str) -> Option<Repo> {
        let key = catalog::reference_key(reference);
        self.repos.iter().find(|r| r.key() == key).map(|r| Repo {
            from_lock: true,
            ..r.clone()
        })
    }

    /// Whether the lock lists `reference` at all.
    pub fn lists(&self, reference: &str) -> bool {
        self.model(reference).is_some() || self.repo(reference).is_some()
    }

    /// Sorted and deduplicated, so the same facts always give the same file.
    pub fn normalize(&mut self) {
        self.version = VERSION;
        self.models
            .sort_by_key(|m| catalog::reference_key(&m.reference));
        self.models
            .dedup_by_key(|m| catalog::reference_key(&m.reference));
        for r in &mut self.repos {
            r.files.sort();
        }
        self.repos.sort_by_key(Repo::key);
        self.repos.dedup_by_key(|r| r.key());
    }

    /// The lock's text.
    pub fn to_toml(&self) -> Result<String> {
        let body = toml::to_string(self).map_err(|e| anyhow!("cannot write pick.lock: {e}"))?;
        Ok(format!(
            "# pick.lock: the facts each model reference resolved to, written by `pick lock`.\n# `pick gate` reads it: a reference missing here, or a Hugging Face cache that disagrees, fails.\n# Regenerate with `pick lock`; `pick lock --check` exits 1 when this file is stale.\n{body}"
        ))
    }

    /// Reads a lock; `Ok(None)` when there is no file. A lock pick cannot read is an error (exit 2):
    /// gating without it would not be what CI locked.
    pub fn read(path: &Path) -> Result<Option<Lock>> {
        let Some(text) = input::read_text_if_present(path, Kind::Lock)? else {
            return Ok(None);
        };
        Lock::parse(&path.display().to_string(), &text).map(Some)
    }

    pub fn parse(file: &str, text: &str) -> Result<Lock> {
        let lock: Lock = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    format!(
                        ":{}",
                        text[..s.start.min(text.len())].matches('\n').count() + 1
                    )
                })
                .unwrap_or_default();
            anyhow!(
                "{file}{at}: {} (regenerate it with `pick lock`)",
                e.message().trim()
            )
        })?;
        if lock.version != VERSION {
            return Err(anyhow!(
                "{file}: lock version {} is not {VERSION}; regenerate it with `pick lock`",
                lock.version
            ));
        }
        for r in &lock.repos {
            if !hf::is_repo_id(&r.id) || !hf::is_commit(&r.revision) {
                return Err(anyhow!(
                    "{file}: [[repo]] `{}` at `{}` is not a repo id at a commit; regenerate it with `pick lock`",
                    crate::suggest::elide(&r.id),
                    crate::suggest::elide(&r.revision)
                ));
            }
        }
        Ok(lock)
    }
}

/// The lock entry of a catalog model.
pub fn locked_model(reference: &str, m: &catalog::Model) -> LockedModel {
    let license: Vec<String> = m.license_ids().map(str::to_string).collect();
    let facts = format!(
        "{}\n{}\n{}\n",
        m.id,
        license.join(","),
        m.lineage
            .iter()
            .map(|l| format!("{} {}", l.relation.as_str(), l.upstream))
            .collect::<Vec<_>>()
            .join(";")
    );
    LockedModel {
        reference: reference.to_string(),
        source: Source::Catalog,
        id: m.id.to_string(),
        license,
        lineage: m.lineage.to_vec(),
        hash: format!("sha256:{}", hf::sha256(facts.as_bytes())),
    }
}

/// The lock of `references` as the catalog (with its resolved repositories) knows them: each
/// reference the catalog resolves, and every repository (gated ones and upstreams).
pub fn build(catalog: &Catalog, references: &[String]) -> Lock {
    let mut lock = Lock {
        version: VERSION,
        ..Lock::default()
    };
    for r in references {
        if let Some(m) = catalog.model(r) {
            lock.models.push(locked_model(r, m));
        }
    }
    lock.repos = catalog.repos.iter().map(as_locked).collect();
    lock.normalize();
    lock
}

/// A repository as the lock records it (without what is not locked: config.json's text, where this
/// run read it).
fn as_locked(r: &Repo) -> Repo {
    Repo {
        from_lock: false,
        config: None,
        ..r.clone()
    }
}

/// What differs between a lock on disk and a fresh one: one line per reference.
pub fn differences(old: &Lock, new: &Lock) -> Vec<String> {
    let mut out = Vec::new();
    let model_key = |m: &LockedModel| catalog::reference_key(&m.reference);
    for m in &new.models {
        match old.models.iter().find(|o| model_key(o) == model_key(m)) {
            None => out.push(format!("{}: not in the lock", m.reference)),
            Some(o) if o != m => out.push(format!(
                "{}: the catalog now says {} (locked: {})",
                m.reference,
                m.license.join(" AND "),
                o.license.join(" AND ")
            )),
            _ => {}
        }
    }
    for o in &old.models {
        if !new.models.iter().any(|m| model_key(m) == model_key(o)) {
            out.push(format!("{}: locked but no longer used", o.reference));
        }
    }
    for r in &new.repos {
        match old.repos.iter().find(|o| o.key() == r.key()) {
            None => out.push(format!("{}: not in the lock", r.id)),
            Some(o) if o.revision != r.revision => out.push(format!(
                "{}: revision {} (locked: {})",
                r.id,
                r.short_revision(),
                o.short_revision()
            )),
            Some(o) if o.hash != r.hash => out.push(format!(
                "{}: the files changed at revision {} (hash {}, locked {})",
                r.id,
                r.short_revision(),
                r.hash,
                o.hash
            )),
            Some(o) if as_locked(o) != as_locked(r) => {
                out.push(format!("{}: the recorded facts differ", r.id))
            }
            _ => {}
        }
    }
    for o in &old.repos {
        if !new.repos.iter().any(|r| r.key() == o.key()) {
            out.push(format!("{}: locked but no longer used", o.id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_what_was_written() {
        let c = Catalog::embedded();
        let lock = build(
            &c,
            &[
                "Qwen/Qwen3-8B".into(),
                "deepseek-r1-distill-llama-70b".into(),
            ],
        );
        let text = lock.to_toml().unwrap();
        let back = Lock::parse("pick.lock", &text).unwrap();
        assert_eq!(back, lock);
        assert!(differences(&lock, &back).is_empty());
        let distill = back.model("deepseek-r1-distill-llama-70b").unwrap();
        assert_eq!(distill.license, ["mit", "llama3.3"]);
        // A catalog that changed a license makes the lock stale.
        let mut changed = back.clone();
        changed.models[0].license = vec!["mit".into()];
        assert_eq!(differences(&changed, &lock).len(), 1);
    }

    #[test]
    fn a_broken_lock_is_an_error_with_its_line() {
        for (text, want) in [
            ("version = 2\n", "lock version 2"),
            ("version = 1\ncolour = 1\n", "pick.lock:2"),
            (
                "version = 1\n[[repo]]\nref = \"../x\"\nrevision = \"main\"\nsource = \"cache\"\nhash = \"x\"\n",
                "not a repo id at a commit",
            ),
        ] {
            let e = Lock::parse("pick.lock", text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
