//! End-to-end tests of the `pick` binary: one integration test binary, a module per command.

mod action;
mod catalog;
mod fit;
mod gate;
mod help;
mod hf;
mod hostile;
mod json;
mod readme;
mod recommend;
mod scenarios;
mod shell;
mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs pick with `args`, no PICK_CATALOG or NO_COLOR from the caller's environment, stdout piped;
/// the Hugging Face cache is the fixture one and nothing may go online (no PICK_ONLINE, HF_ENDPOINT
/// or HF_TOKEN from the caller).
pub fn pick(args: &[&str]) -> Run {
    pick_env(args, &[])
}

pub fn pick_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pick"));
    cmd.args(args)
        .env_remove("PICK_CATALOG")
        .env_remove("NO_COLOR")
        .env_remove("PICK_NVIDIA_SMI")
        // Answers as of the catalog's date, not the wall clock's: a deprecated model retires on
        // its shutdown date (tests that need another date set PICK_TODAY themselves).
        .env("PICK_TODAY", catalog_as_of())
        .env_remove("PICK_ONLINE")
        .env_remove("HF_HOME")
        .env_remove("HF_ENDPOINT")
        .env_remove("HF_TOKEN")
        .env_remove("XDG_CACHE_HOME")
        .env("HF_HUB_CACHE", fixtures().join("hf-cache"))
        // The staleness warning depends on the wall clock; its own test fakes the date.
        .env("PICK_STALE_OK", "1")
        .current_dir(fixtures());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.stdin(Stdio::null()).output().expect("run pick");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The embedded catalog's `as_of` date (YYYY-MM-DD).
pub fn catalog_as_of() -> String {
    pick::catalog::embedded_as_of()
        .expect("catalog/catalog.toml has as_of")
        .to_string()
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

pub fn json(r: &Run) -> serde_json::Value {
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout))
}

/// How pick shows a path in findings: relative to the repository root (this crate's folder), `/`
/// separators, no `./`.
pub fn repo_path(p: &std::path::Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The codes of the reasons an excluded model carries in a recommender JSON document.
/// The ids of a recommendation's candidates (JSON), in rank order.
pub fn candidate_ids(v: &serde_json::Value) -> Vec<&str> {
    v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

pub fn excluded_codes(v: &serde_json::Value, id: &str) -> Vec<String> {
    v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .map_or_else(Vec::new, |e| {
            e["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_string())
                .collect()
        })
}

/// A fresh empty folder under the target directory, inside this run's own folder (`cli-PID`).
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static RUN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        sweep_dead_runs(&root);
        root.join(format!("cli-{}", std::process::id()))
    });
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = run.join(format!("{name}-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the folders of earlier runs whose process has ended (`cli-PID`, and the older
/// `NAME-PID-N` ones), so that folders do not pile up run after run. A run still going (its PID
/// alive) keeps its folders; where there is no /proc to ask, nothing is removed.
fn sweep_dead_runs(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(run_pid) else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The PID in a test folder's name: `cli-PID`, or `NAME-PID-N` (the layout before `cli-PID`).
fn run_pid(name: &str) -> Option<u32> {
    if let Some(pid) = name.strip_prefix("cli-") {
        return pid.parse().ok();
    }
    let mut parts = name.rsplitn(3, '-');
    let (n, pid, base) = (parts.next()?, parts.next()?, parts.next()?);
    (!base.is_empty() && n.parse::<u64>().is_ok())
        .then(|| pid.parse().ok())
        .flatten()
}

#[test]
fn test_folders_name_their_run() {
    assert_eq!(run_pid("cli-4242"), Some(4242));
    assert_eq!(run_pid("hostile-fifo-index-4242-7"), Some(4242));
    assert_eq!(run_pid("gate-1-0"), Some(1));
    // Folders of other tools (the benchmark's catalogs) are not test runs.
    assert_eq!(run_pid("bench-100k"), None);
    assert_eq!(run_pid("cli-"), None);
    assert_eq!(run_pid("fixtures"), None);
    let dir = temp_dir("swept");
    assert!(
        dir.is_dir()
            && dir
                .parent()
                .unwrap()
                .ends_with(format!("cli-{}", std::process::id()))
    );
}
