//! Model references resolved, in one order for every command (gate, lock, show, fit and the
//! recommender's user catalog): the embedded and user catalogs, then `pick.lock`, then the local
//! Hugging Face cache, then the Hub, only when asked (`--online` or `PICK_ONLINE=1`). Nothing else
//! touches the network.
//!
//! Each repository found is read (`hf::read_repo`) and put into the catalog with its facts, and its
//! upstreams (`base_model`) are resolved the same way, recursively, at most `lineage::MAX_DEPTH`
//! deep; each is read once. What cannot be resolved is recorded with the reason
//! (`Catalog::unresolved`), for the lineage's fail-closed findings to quote.
//!
//! When a lock is in use (`pick gate` beside a `pick.lock`) it is the whole truth for repositories:
//! a reference it lacks fails (`lock-missing`) and the cache is only compared with it
//! (`lock-mismatch`), never used instead of it. So the gate gives the same verdicts with or without
//! the cache.

use crate::catalog::{self, Catalog};
use crate::findings::{Code, Finding, Level};
use crate::gate::ResolutionFindings;
use crate::hf::{self, cache::Cache, hub::Hub, hub::HubError};
use crate::lineage::MAX_DEPTH;
use crate::lock::Lock;
use crate::suggest::elide;
use std::collections::HashSet;

/// Where references may be resolved, beyond the catalog.
#[derive(Debug, Default)]
pub struct Places {
    /// A lock in use: authoritative for repositories (the gate with a pick.lock).
    pub lock: Option<Lock>,
    /// The local Hugging Face cache.
    pub cache: Option<Cache>,
    /// The Hub, only with `--online` / `PICK_ONLINE=1`.
    pub hub: Option<Hub>,
    /// A lock consulted last, for what the cache and the Hub do not have (`pick lock` keeps what it
    /// locked before; `show` falls back on ./pick.lock).
    pub fallback: Option<Lock>,
}

/// Whether `PICK_ONLINE` asks for the Hub (`1`, `true`, `yes`).
pub fn online_from_env(get: impl Fn(&str) -> Option<String>) -> bool {
    get("PICK_ONLINE").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

impl Places {
    /// The cache the environment names and, when `online`, the Hub it names.
    pub fn from_env(
        online: bool,
        get: impl Fn(&str) -> Option<String> + Copy,
    ) -> Result<Places, String> {
        Ok(Places {
            cache: Cache::from_env(get),
            hub: if online {
                Some(Hub::from_env(get)?)
            } else {
                None
            },
            ..Places::default()
        })
    }
}

/// A reference to resolve, with the revision a policy pins.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub reference: String,
    pub revision: Option<String>,
}

/// Resolves `wanted` references and their upstreams into `catalog`; returns findings about how
/// the references themselves were resolved (`lock-missing`, `lock-mismatch`), by reference key.
pub fn resolve(catalog: &mut Catalog, wanted: &[Wanted], places: &Places) -> ResolutionFindings {
    let mut findings = ResolutionFindings::new();
    let mut seen: HashSet<String> = HashSet::new();
    // (reference, revision, depth, whether it is one of `wanted`)
    let mut queue: Vec<(String, Option<String>, usize, bool)> = wanted
        .iter()
        .rev()
        .map(|w| (w.reference.clone(), w.revision.clone(), 0, true))
        .collect();
    while let Some((reference, revision, depth, top)) = queue.pop() {
        let key = catalog::reference_key(&reference);
        // A reference gated twice (policy and scan) is resolved once; its lock findings apply to
        // every occurrence (they are looked up by key).
        if !seen.insert(format!("{key}@{}", revision.as_deref().unwrap_or(""))) {
            continue;
        }
        if let Some(m) = catalog.model(&reference) {
            if top {
                if let Some(lock) = &places.lock {
                    if !lock.lists(&reference) {
                        findings
                            .entry(key.clone())
                            .or_default()
                            .push(lock_missing(&reference));
                    }
                }
            }
            let links: Vec<String> = m.lineage.iter().map(|l| l.upstream.to_string()).collect();
            enqueue(&mut queue, links, depth);
            continue;
        }
        if catalog.repo(&reference).is_some() {
            continue;
        }
        let name = reference
            .trim()
            .split('@')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("huggingface.co/")
            .trim_start_matches("hf.co/")
            .trim_end_matches('/')
            .to_string();
        let revision =
            revision.or_else(|| catalog::reference_revision(&reference).map(str::to_string));
        if !hf::is_repo_id(&name) {
            catalog.unresolved.insert(
                key,
                "it is not a catalog id, and not a Hugging Face repo id (org/name)".into(),
            );
            continue;
        }
        match find(catalog, &name, revision.as_deref(), places) {
            Ok((repo, problems)) => {
                if top && !problems.is_empty() {
                    findings.entry(key.clone()).or_default().extend(problems);
                }
                let links: Vec<String> = repo
                    .lineage
                    .iter()
                    .map(|l| l.upstream.to_string())
                    .collect();
                catalog.add_repo(repo);
                enqueue(&mut queue, links, depth);
            }
            Err((why, lock_missing_too)) => {
                if top && lock_missing_too {
                    findings
                        .entry(key.clone())
                        .or_default()
                        .push(lock_missing(&reference));
                }
                catalog.unresolved.insert(key, why);
            }
        }
    }
    findings
}

fn enqueue(
    queue: &mut Vec<(String, Option<String>, usize, bool)>,
    links: Vec<String>,
    depth: usize,
) {
    // Deeper than the lineage walk follows is not read (the walk reports it).
    if depth < MAX_DEPTH {
        queue.extend(links.into_iter().rev().map(|l| (l, None, depth + 1, false)));
    }
}

fn lock_missing(reference: &str) -> Finding {
    Finding::new(
        Code::LockMissing,
        Level::Fail,
        format!(
            "`{}` is not in pick.lock: run `pick lock` (and review the change) so CI gates what was locked",
            elide(reference)
        ),
    )
}

/// One repository from the places, in order: the lock when in use (compared with the cache),
/// else the cache, the Hub, the fallback lock. `Err((why, lock_missing))` when none has it.
fn find(
    catalog: &Catalog,
    name: &str,
    revision: Option<&str>,
    places: &Places,
) -> Result<(catalog::Repo, Vec<Finding>), (String, bool)> {
    if let Some(lock) = &places.lock {
        let Some(locked) = lock.repo(name) else {
            return Err(("it is not in pick.lock (run `pick lock`)".into(), true));
        };
        let mut problems = Vec::new();
        if let Some(pin) = revision {
            let commit_pin = pin.len() >= 7 && pin.bytes().all(|b| b.is_ascii_hexdigit());
            if commit_pin && !locked.revision.starts_with(&pin.to_ascii_lowercase()) {
                problems.push(Finding::new(
                    Code::LockMismatch,
                    Level::Fail,
                    format!(
                        "the policy pins `{}` at {pin}, pick.lock has revision {}: run `pick lock`",
                        elide(name),
                        locked.short_revision()
                    ),
                ));
            }
        }
        if let Some(cache) = &places.cache {
            if let Some(p) = compare_with_cache(catalog, cache, &locked) {
                problems.push(p);
            }
        }
        return Ok((locked, problems));
    }
    let mut why: Vec<String> = Vec::new();
    match &places.cache {
        Some(cache) => match cache.read(name, revision) {
            Ok(Some(snap)) => return Ok((hf::read_repo(catalog, snap), Vec::new())),
            Ok(None) => why.push(format!(
                "not in the Hugging Face cache at {}",
                cache.describe()
            )),
            Err(e) => why.push(format!("the Hugging Face cache: {e}")),
        },
        None => why.push("no Hugging Face cache (set HF_HUB_CACHE or HF_HOME)".into()),
    }
    match &places.hub {
        Some(hub) => match hub.read(name, revision) {
            Ok(snap) => return Ok((hf::read_repo(catalog, snap), Vec::new())),
            Err(HubError::NotFound(e) | HubError::Failed(e)) => why.push(format!("the Hub: {e}")),
        },
        None => why.push("offline (pass --online or set PICK_ONLINE=1 to ask the Hub)".into()),
    }
    if let Some(old) = places.fallback.as_ref().and_then(|l| l.repo(name)) {
        return Ok((old, Vec::new()));
    }
    Err((why.join("; "), false))
}

/// A lock-mismatch finding when the cache holds the repository with other files or at another
/// revision than the lock recorded; None when it agrees or does not hold it.
fn compare_with_cache(catalog: &Catalog, cache: &Cache, locked: &catalog::Repo) -> Option<Finding> {
    let mismatch = |msg: String| Some(Finding::new(Code::LockMismatch, Level::Fail, msg));
    match cache.read(&locked.id, Some(&locked.revision)) {
        Ok(None) => None,
        Ok(Some(snap)) => {
            let cached = hf::read_repo(catalog, snap);
            if cached.hash == locked.hash {
                return None;
            }
            mismatch(format!(
                    "the Hugging Face cache holds other files for `{}` at revision {} than pick.lock recorded (hash {}, locked {}): run `pick lock` and review the change",
                    elide(&locked.id),
                    locked.short_revision(),
                    cached.hash,
                    locked.hash
                ))
        }
        // The cache has the repository, but not the locked revision.
        Err(_) => {
            let current = cache
                .locate(&locked.id, None)
                .ok()
                .flatten()
                .map_or("another revision".to_string(), |(_, c, _)| {
                    format!("revision {}", &c[..7])
                });
            mismatch(format!(
                "the Hugging Face cache holds `{}` at {current}, pick.lock recorded revision {}: run `pick lock` and review the change",
                elide(&locked.id),
                locked.short_revision()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_online_words() {
        let env = |v: &'static str| move |_: &str| Some(v.to_string());
        assert!(online_from_env(env("1")) && online_from_env(env("true")));
        assert!(!online_from_env(env("0")) && !online_from_env(env("")));
        assert!(!online_from_env(|_: &str| None));
    }
}
