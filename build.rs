//! Embeds every `catalog/**/*.toml` file in the binary:
//! - the original text (for `pick catalog check` and error locations), and
//! - the parsed catalog as Rust statics (`build/statics.rs`): one table per type, strings in one
//!   string table, lists and strings as start and length, so that loading it costs nothing at run
//!   time and it is read in place.
//! - the capability ratings of the embedded catalog on every axis for every kind of checkpoint
//!   (`src/capability.rs`, compiled here too), so that the main query reads them instead of fitting
//!   them on every run.
//!
//! The files are read with the catalog's own reader (`src/catalog/schema.rs`), so syntax errors and
//! unknown keys fail the build with file, line and column: every problem of every file is listed,
//! without a panic trace. Semantic checks (references, parameter counts) are the unit test
//! `embedded_catalog_is_valid`. Adding a catalog file needs no edit here: the folder is walked.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The capability rating, rated here once for the embedded catalog (it names its types
/// `crate::catalog::*`, which the schema is here).
#[allow(dead_code)]
#[path = "src/capability.rs"]
mod capability;
#[path = "src/catalog/list.rs"]
mod list;
#[path = "src/catalog/plain.rs"]
mod plain;
#[allow(dead_code)]
#[path = "src/catalog/schema.rs"]
mod schema;
#[path = "build/statics.rs"]
mod statics;
#[allow(dead_code)]
#[path = "src/catalog/text.rs"]
mod text;
mod catalog {
    pub use crate::schema::*;
}

/// The string table `Text::table` reads: the build script makes no such `Text`.
static STATIC_STRINGS: &str = "";

/// The build script's catalog lists are all owned: every type's static table is empty.
impl<T: 'static> schema::Pooled for T {
    fn pool() -> &'static [T] {
        &[]
    }
}

fn main() {
    println!("cargo:rerun-if-changed=catalog");
    println!("cargo:rerun-if-changed=src/catalog/schema.rs");
    println!("cargo:rerun-if-changed=src/catalog/text.rs");
    println!("cargo:rerun-if-changed=src/catalog/plain.rs");
    println!("cargo:rerun-if-changed=src/catalog/list.rs");
    println!("cargo:rerun-if-changed=build/statics.rs");
    println!("cargo:rerun-if-changed=src/capability.rs");
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("catalog"), &mut files);
    files.sort();

    let mut sources = String::from("pub static SOURCES: &[(&str, &str)] = &[\n");
    let mut full: Vec<(String, schema::CatalogFile)> = Vec::new();
    let mut problems = Vec::new();
    let mut as_of = None;
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path
            .strip_prefix(&root)
            .expect("catalog file under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{rel}: cannot read: {e}"));
                continue;
            }
        };
        let (doc, found) = schema::read_catalog(&text);
        for p in found {
            problems.push(match p.span {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("{rel}:{line}:{column}: {}", p.message)
                }
                None => format!("{rel}: {}", p.message),
            });
        }
        as_of = as_of.max(doc.as_of);
        full.push((rel.clone(), doc));
        writeln!(
            sources,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    sources.push_str("];\n");
    match as_of {
        Some(d) => writeln!(sources, "pub static AS_OF: &str = \"{d}\";").unwrap(),
        None => {
            problems.push("catalog/: no file gives `as_of` (catalog/catalog.toml should)".into())
        }
    }
    if !problems.is_empty() {
        // Every problem, each on its own line, then a plain failure: a panic would bury them
        // under a backtrace.
        for p in &problems {
            println!("cargo:warning={p}");
            eprintln!("{p}");
        }
        eprintln!(
            "{} problem(s) in catalog/ (the format is in catalog/FORMAT.md)",
            problems.len()
        );
        std::process::exit(1);
    }

    // The capability ratings of the embedded catalog, every axis and kind of checkpoint, in the
    // order `capability::stored_slot` reads them.
    let models: Vec<schema::Model> = full.iter().flat_map(|(_, d)| d.model.clone()).collect();
    let families: Vec<schema::Family> = full.iter().flat_map(|(_, d)| d.family.clone()).collect();
    let mut ratings = Vec::new();
    let mut ranges = String::from("pub static RATING_RANGES: &[(usize, usize)] = &[\n");
    let mut slot = 0;
    for axis in capability::Axis::ALL {
        for on in capability::BUILDING_ON {
            assert_eq!(
                capability::stored_slot(axis, on),
                slot,
                "stored in slot order"
            );
            slot += 1;
            let r = capability::rate(&models, &families, axis, on);
            let stored = capability::Stored {
                strongest: r
                    .strongest
                    .and_then(|id| models.iter().position(|m| m.id == id))
                    .map(|i| i as u32),
                models: r.models,
            };
            let start = ratings.len();
            ratings.extend(postcard::to_allocvec(&stored).expect("encode ratings"));
            writeln!(ranges, "    ({start}, {}),", ratings.len()).unwrap();
        }
    }
    ranges.push_str("];\n");
    sources.push_str(&ranges);

    // The catalog itself, as Rust statics.
    let mut tables = statics::Tables::default();
    for (file, doc) in &full {
        doc.family.iter().for_each(|e| tables.add(file, e));
        doc.model.iter().for_each(|e| tables.add(file, e));
        doc.license.iter().for_each(|e| tables.add(file, e));
        doc.gpu.iter().for_each(|e| tables.add(file, e));
        doc.serverless.iter().for_each(|e| tables.add(file, e));
    }
    assert_eq!(
        tables.len("Model"),
        models.len(),
        "every model is in the static table"
    );
    let (statics, strings) = tables.finish(&[
        "Family",
        "Model",
        "License",
        "Gpu",
        "Serverless",
        "Checkpoint",
        "Evidence",
        "LayerGroup",
        "LineageLink",
        "Text",
        "Modality",
        "Grant",
        "Use",
        "Licensee",
        "Threshold",
        "Territory",
        "Party",
        "Duty",
        "Restriction",
        "Domain",
        "Version",
    ]);

    // The schema's hash (FNV-1a over the sources that say how entries are encoded: the schema,
    // `Text` and `List`) marks compiled catalogs: one encoded with another schema is refused, not
    // misread.
    let hash = [
        "src/catalog/schema.rs",
        "src/catalog/text.rs",
        "src/catalog/list.rs",
    ]
    .iter()
    .flat_map(|file| std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}")))
    .fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    println!("cargo:rustc-env=PICK_SCHEMA_HASH={hash:016x}");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("catalog_sources.rs"), sources).expect("write catalog_sources.rs");
    std::fs::write(out.join("catalog_static.rs"), statics).expect("write catalog_static.rs");
    std::fs::write(out.join("catalog_strings.txt"), strings).expect("write catalog_strings.txt");
    std::fs::write(out.join("catalog-ratings.bin"), ratings).expect("write catalog-ratings.bin");
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
