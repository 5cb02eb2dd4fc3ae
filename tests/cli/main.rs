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

use std::path::PathBuf;
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
        .env_remove("PICK_TODAY")
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

/// A fresh empty folder under the target directory.
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
