//! The Hugging Face Hub API, only when asked (`--online` or `PICK_ONLINE=1`): nothing else in pick
//! opens a connection. `HF_ENDPOINT` (default `https://huggingface.co`) and `HF_TOKEN` (for gated
//! and private repositories) are read as `huggingface_hub` reads them.
//!
//! One request for the repository's metadata (its commit and file list), then one per file of
//! `hf::FILES` the repository has: the same files the cache offers, never weights. Every request
//! has a timeout and a size limit; errors say what to do (a token for a gated repository, the
//! endpoint when it cannot be reached).

use super::{is_commit, is_repo_id, is_revision, Snapshot, FILES};
use crate::catalog::Source;
use std::time::Duration;

/// The default Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// The most one response may hold: metadata and cards are small; this bounds memory.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// A Hub to ask.
#[derive(Debug, Clone)]
pub struct Hub {
    pub endpoint: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// Why the Hub could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubError {
    /// No such repository or revision.
    NotFound(String),
    /// Anything else: unreachable, refused, gated without a token, a broken answer.
    Failed(String),
}

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HubError::NotFound(m) | HubError::Failed(m) => f.write_str(m),
        }
    }
}

impl Hub {
    /// A Hub at `endpoint` (an http or https URL), with an optional token.
    pub fn new(endpoint: &str, token: Option<String>, timeout: Duration) -> Result<Hub, String> {
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
            || endpoint.contains(char::is_whitespace)
        {
            return Err(format!(
                "HF_ENDPOINT `{endpoint}` is not an http(s) URL (e.g. {DEFAULT_ENDPOINT})"
            ));
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .http_status_as_error(false)
            .max_redirects(5)
            .user_agent(concat!("pick/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Hub {
            endpoint,
            token: token.filter(|t| !t.trim().is_empty()),
            agent: config.into(),
        })
    }

    /// The Hub the environment names (`HF_ENDPOINT`, `HF_TOKEN`), with a 30-second timeout per
    /// request.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Hub, String> {
        let endpoint = get("HF_ENDPOINT")
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        Hub::new(&endpoint, get("HF_TOKEN"), Duration::from_secs(30))
    }

    /// GET `url`: the status and the body (at most `MAX_BODY` bytes).
    fn get(&self, url: &str) -> Result<(u16, String), HubError> {
        let mut req = self.agent.get(url);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| {
            HubError::Failed(format!(
                "cannot reach {} ({e}); check HF_ENDPOINT and the network, or run offline",
                self.endpoint
            ))
        })?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| HubError::Failed(format!("{url}: cannot read the answer: {e}")))?;
        Ok((status, body))
    }

    fn check(&self, status: u16, what: &str) -> Result<(), HubError> {
        match status {
            200..=299 => Ok(()),
            401 | 403 => Err(HubError::Failed(format!(
                "{what}: the Hub refused access (HTTP {status}): a gated or private repository needs HF_TOKEN{}, and its terms accepted on the Hub",
                if self.token.is_some() { " with access to it" } else { "" }
            ))),
            404 => Err(HubError::NotFound(format!(
                "{what}: not found on {} (HTTP 404)",
                self.endpoint
            ))),
            _ => Err(HubError::Failed(format!(
                "{what}: the Hub answered HTTP {status}"
            ))),
        }
    }

    /// The repository's files at `revision` (`main` when None).
    pub fn read(&self, repo: &str, revision: Option<&str>) -> Result<Snapshot, HubError> {
        if !is_repo_id(repo) {
            return Err(HubError::Failed(format!(
                "`{repo}` is not a Hugging Face repo id (org/name)"
            )));
        }
        let rev = revision.unwrap_or("main");
        if !is_revision(rev) {
            return Err(HubError::Failed(format!("`{rev}` is not a revision")));
        }
        let rev_path = rev.replace('/', "%2F");
        let url = format!("{}/api/models/{repo}/revision/{rev_path}", self.endpoint);
        let (status, body) = self.get(&url)?;
        self.check(status, &format!("{repo}@{rev}"))?;
        let meta: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| HubError::Failed(format!("{url}: not the Hub's JSON ({e})")))?;
        let commit = meta
            .get("sha")
            .and_then(|s| s.as_str())
            .filter(|s| is_commit(s))
            .ok_or_else(|| HubError::Failed(format!("{url}: the answer names no commit (`sha`)")))?
            .to_ascii_lowercase();
        let id = meta
            .get("id")
            .and_then(|s| s.as_str())
            .filter(|s| is_repo_id(s) && s.eq_ignore_ascii_case(repo))
            .unwrap_or(repo)
            .to_string();
        let listing: Vec<String> = meta
            .get("siblings")
            .and_then(|s| s.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.get("rfilename")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut texts = Vec::new();
        for name in FILES.iter().filter(|n| listing.iter().any(|l| l == *n)) {
            // Pinned to the commit the metadata named, so every file is of one revision.
            let url = format!("{}/{id}/resolve/{commit}/{name}", self.endpoint);
            let (status, body) = self.get(&url)?;
            match status {
                404 => continue,
                _ => self.check(status, &format!("{id}/{name}"))?,
            }
            texts.push((name.to_string(), body));
        }
        Ok(Snapshot {
            id,
            revision: commit,
            source: Source::Hub,
            listing,
            texts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_urls() {
        assert!(Hub::new("ftp://x", None, Duration::from_secs(1)).is_err());
        assert!(Hub::new("huggingface.co", None, Duration::from_secs(1)).is_err());
        let h = Hub::new(
            "http://127.0.0.1:9/",
            Some(" ".into()),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(h.endpoint, "http://127.0.0.1:9");
        assert!(h.token.is_none());
    }
}
