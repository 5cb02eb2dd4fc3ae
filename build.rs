//! Embeds every `catalog/**/*.toml` file in the binary, twice over:
//! - the original text (for `pick catalog check` and error locations), and
//! - a JSON rendering of the same documents, which the binary deserializes at start-up with
//!   serde_json (an order of magnitude faster than parsing TOML on every run).
//!
//! Adding a catalog file needs no edit here: the folder is walked. TOML syntax errors fail the build
//! with the file name; schema errors are caught by the unit test `embedded_catalog_is_valid`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=catalog");
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("catalog"), &mut files);
    files.sort();

    let mut sources = String::from("pub static SOURCES: &[(&str, &str)] = &[\n");
    let mut docs = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path
            .strip_prefix(&root)
            .expect("catalog file under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        docs.push(serde_json::json!({ "file": rel, "doc": to_json(value) }));
        writeln!(
            sources,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    sources.push_str("];\n");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("catalog_sources.rs"), sources).expect("write catalog_sources.rs");
    std::fs::write(
        out.join("catalog.json"),
        serde_json::to_vec(&docs).expect("json"),
    )
    .expect("write catalog.json");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// TOML → JSON, with dates as "YYYY-MM-DD" strings (the form `catalog::Date` reads).
fn to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => J::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
    }
}
