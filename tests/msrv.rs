//! The declared minimum Rust version (`rust-version` in Cargo.toml, also in the README) is honest:
//! no locked dependency needs a newer compiler. Clippy's `incompatible_msrv` lint checks our own
//! use of std against the same number.

use serde_json::Value;
use std::process::Command;

/// "1.85", "1.85.0" → (1, 85, 0).
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_declared() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == env!("CARGO_PKG_NAME"))
        .expect("this package");
    let declared = ours["rust_version"]
        .as_str()
        .expect("Cargo.toml declares rust-version");
    assert_eq!(declared, env!("CARGO_PKG_RUST_VERSION"));
    let newer: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let rv = p["rust_version"].as_str()?;
            (version(rv) > version(declared))
                .then(|| format!("{} {} needs Rust {rv}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "Cargo.toml declares rust-version {declared}, but:\n{}\nraise rust-version (and the README) or pin older versions",
        newer.join("\n")
    );
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("Rust {declared} or newer")),
        "the README names another minimum Rust version than Cargo.toml ({declared})"
    );
}
