//! Hugging Face repositories the catalog does not list: resolved from the fixture cache
//! (`tests/fixtures/hf-cache`, small files only, no weights), gated with their lineage, locked,
//! gated again from pick.lock alone, shown, sized, written as a CycloneDX BOM, and fetched from a
//! stub Hub on 127.0.0.1. No test here touches the network.

use super::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

const POLICY: &str = r#"[usage]
commercial = true
mau = 5_000_000

[allow]
tiers = ["permissive"]
licenses = ["llama3.2"]

[[model]]
ref = "unsloth/Llama-3.2-1B-Instruct-bnb-4bit"

[[model]]
ref = "TheBloke/Hermes-3-Llama-3.1-8B-GGUF"

[[model]]
ref = "acme/llama-apache-ft"

[[model]]
ref = "acme/from-scratch-1b"

[[model]]
ref = "acme/no-license"

[[model]]
ref = "acme/orphan-adapter"

[[model]]
ref = "Qwen/Qwen3-8B"
"#;

/// The verdict each reference of POLICY gets, with its license.
const VERDICTS: &[(&str, &str, &str)] = &[
    // Quantized from Llama 3.2 1B Instruct (relation inferred from quantization_config): Llama 3.2.
    (
        "unsloth/Llama-3.2-1B-Instruct-bnb-4bit",
        "allowed",
        "llama3.2",
    ),
    // A GGUF of a fine-tune of Llama 3.1 8B: bound by Llama 3.1, two levels up.
    ("TheBloke/Hermes-3-Llama-3.1-8B-GGUF", "denied", "llama3.1"),
    // A Llama 3.1 fine-tune declaring apache-2.0: still bound by Llama 3.1.
    ("acme/llama-apache-ft", "denied", "apache-2.0 AND llama3.1"),
    // From scratch, Apache-2.0.
    ("acme/from-scratch-1b", "allowed", "apache-2.0"),
    // No license: unknown, fails closed.
    ("acme/no-license", "unknown", ""),
    // An adapter whose base is nowhere: unknown.
    ("acme/orphan-adapter", "unknown", "mit"),
    ("Qwen/Qwen3-8B", "allowed", "apache-2.0"),
];

/// A project folder holding POLICY.
fn project(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("pick.toml"), POLICY).unwrap();
    dir
}

/// Runs pick in `dir` with the fixture cache (or `cache`).
fn run_in(dir: &Path, args: &[&str], cache: Option<&Path>) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pick"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("PICK_CATALOG")
        .env_remove("PICK_ONLINE")
        .env_remove("HF_HOME")
        .env_remove("HF_ENDPOINT")
        .env_remove("HF_TOKEN")
        .env_remove("XDG_CACHE_HOME")
        .env("PICK_STALE_OK", "1")
        .env(
            "HF_HUB_CACHE",
            cache.map_or_else(|| fixtures().join("hf-cache"), Path::to_path_buf),
        );
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run pick");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn gate_json(dir: &Path, cache: Option<&Path>) -> Value {
    let r = run_in(
        dir,
        &["gate", "--today", "2026-06-01", "--format", "json"],
        cache,
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn verdicts(v: &Value) -> Vec<(String, String, String, String)> {
    v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["ref"].as_str().unwrap().to_string(),
                m["verdict"].as_str().unwrap().to_string(),
                m["license"].as_str().unwrap_or("").to_string(),
                m["source"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn codes(m: &Value) -> Vec<String> {
    m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "fail")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Copies a folder (symlinks as symlinks: the cache's snapshots link into blobs/).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&e.path(), &target);
        } else if ft.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), &target).unwrap();
            #[cfg(not(unix))]
            std::fs::copy(e.path(), &target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn cached_repositories_are_gated_by_their_upstream_terms() {
    let dir = project("hf-gate");
    let v = gate_json(&dir, None);
    assert_eq!(v["passed"], false);
    for ((r, verdict, license, source), (want_ref, want, want_license)) in
        verdicts(&v).iter().zip(VERDICTS)
    {
        assert_eq!((r.as_str(), verdict.as_str()), (*want_ref, *want));
        assert_eq!(license, want_license, "{r}");
        let want_source = if r.starts_with("Qwen/") {
            "catalog"
        } else {
            "cache"
        };
        assert_eq!(source, want_source, "{r}");
    }
    let models = v["models"].as_array().unwrap();
    // The lineage, with relations and where each upstream's facts came from.
    let gguf = &models[1]["lineage"];
    assert_eq!(gguf[0]["ref"], "NousResearch/Hermes-3-Llama-3.1-8B");
    assert_eq!(gguf[0]["relation"], "quantized");
    assert_eq!(gguf[0]["source"], "cache");
    assert_eq!(
        gguf[0]["revision"],
        "fcd544b64c7257605326bd8b35a223e5ce8f5967"
    );
    assert_eq!(gguf[1]["ref"], "meta-llama/Llama-3.1-8B");
    assert_eq!(gguf[1]["relation"], "finetune");
    assert_eq!(gguf[1]["source"], "catalog");
    assert_eq!(gguf[1]["license"], "llama3.1");
    assert_eq!(models[0]["lineage"][0]["relation"], "quantized");
    assert!(codes(&models[2]).contains(&"license-not-allowed".to_string()));
    assert_eq!(codes(&models[4]), ["license-missing"]);
    assert_eq!(codes(&models[5]), ["lineage-unresolved"]);
    let why = models[5]["findings"][0]["message"].as_str().unwrap();
    assert!(
        why.contains("not in the Hugging Face cache") && why.contains("--online"),
        "{why}"
    );
    // The human output names the lineage.
    let r = run_in(&dir, &["gate", "--today", "2026-06-01"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "acme/llama-apache-ft lineage: finetune of meta-llama/Llama-3.1-8B [llama3.1, catalog]"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn the_lock_gates_the_same_without_the_cache() {
    let dir = project("hf-lock");
    let cache = temp_dir("hf-lock-cache");
    copy_dir(&fixtures().join("hf-cache"), &cache);
    let before = gate_json(&dir, Some(&cache));
    let r = run_in(&dir, &["lock"], Some(&cache));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("wrote pick.lock"), "{}", r.stdout);
    let text = std::fs::read_to_string(dir.join("pick.lock")).unwrap();
    assert!(
        text.contains("[[repo]]") && text.contains("ref = \"NousResearch/Hermes-3-Llama-3.1-8B\"")
    );
    assert!(text.contains("relation = \"quantized\"") && text.contains("source = \"cache\""));
    assert!(text.contains("hash = \"sha256:"));
    let check = run_in(&dir, &["lock", "--check"], Some(&cache));
    assert_eq!(check.code, 0, "{}", check.stdout);

    // The cache gone: the same verdicts and licenses, from pick.lock.
    std::fs::remove_dir_all(&cache).unwrap();
    let after = gate_json(&dir, Some(&cache));
    let strip = |v: &Value| -> Vec<(String, String, String)> {
        verdicts(v)
            .into_iter()
            .map(|(r, v, l, _)| (r, v, l))
            .collect()
    };
    assert_eq!(strip(&before), strip(&after));
    for (r, _, _, source) in verdicts(&after) {
        let want = if r.starts_with("Qwen/") {
            "catalog"
        } else {
            "lock"
        };
        assert_eq!(source, want, "{r}");
    }
    // `--check` without the cache keeps what was locked: still up to date.
    let check = run_in(&dir, &["lock", "--check"], Some(&cache));
    assert_eq!(check.code, 0, "{}", check.stdout);

    // A reference the lock lacks fails closed, even one the cache has.
    std::fs::write(
        dir.join("pick.toml"),
        format!("{POLICY}\n[[model]]\nref = \"NousResearch/Hermes-3-Llama-3.1-8B\"\n[[model]]\nref = \"qwen3-32b\"\n"),
    )
    .unwrap();
    let v = gate_json(&dir, None);
    let models = v["models"].as_array().unwrap();
    let hermes = models
        .iter()
        .find(|m| m["ref"] == "NousResearch/Hermes-3-Llama-3.1-8B")
        .unwrap();
    // Its facts are in the lock (as an upstream), so it resolves, but it was not locked as gated?
    // It was: upstreams are locked with the references that need them.
    assert_eq!(hermes["source"], "lock");
    let qwen = models.iter().find(|m| m["ref"] == "qwen3-32b").unwrap();
    assert_eq!(qwen["verdict"], "unknown");
    assert_eq!(codes(qwen), ["lock-missing"]);
    let check = run_in(&dir, &["lock", "--check"], None);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains("qwen3-32b: not in the lock"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_cache_that_disagrees_with_the_lock_fails_closed() {
    let dir = project("hf-mismatch");
    let cache = temp_dir("hf-mismatch-cache");
    copy_dir(&fixtures().join("hf-cache"), &cache);
    assert_eq!(run_in(&dir, &["lock"], Some(&cache)).code, 0);
    // Someone edits the cached card of a locked repository (or it was re-downloaded).
    let card = cache.join(
        "models--acme--from-scratch-1b/snapshots/e14a7d3441cfa419a43dab0cb160fb130ec046b7/README.md",
    );
    std::fs::write(&card, "---\nlicense: mit\n---\n").unwrap();
    let v = gate_json(&dir, Some(&cache));
    let m = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["ref"] == "acme/from-scratch-1b")
        .unwrap();
    assert_eq!(m["verdict"], "unknown");
    assert_eq!(codes(m), ["lock-mismatch"]);
    // Another revision in the cache than the lock recorded: the same.
    let repo = cache.join("models--acme--from-scratch-1b");
    let other = "1111111111111111111111111111111111111111";
    std::fs::rename(
        repo.join("snapshots/e14a7d3441cfa419a43dab0cb160fb130ec046b7"),
        repo.join("snapshots").join(other),
    )
    .unwrap();
    std::fs::write(repo.join("refs/main"), other).unwrap();
    let v = gate_json(&dir, Some(&cache));
    let m = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["ref"] == "acme/from-scratch-1b")
        .unwrap();
    assert_eq!(codes(m), ["lock-mismatch"]);
    assert!(m["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("revision 1111111"));
    let check = run_in(&dir, &["lock", "--check"], Some(&cache));
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("acme/from-scratch-1b: revision 1111111"),
        "{}",
        check.stdout
    );
}

#[test]
fn show_and_fit_work_on_cached_repositories() {
    let dir = temp_dir("hf-show");
    let r = run_in(
        &dir,
        &["show", "unsloth/Llama-3.2-1B-Instruct-bnb-4bit"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "from the Hugging Face cache",
        "binding licenses       llama3.2",
        "quantized of meta-llama/Llama-3.2-1B-Instruct",
        "bitsandbytes 4-bit",
        "1027020800 bytes",
        "weight_bytes <- model.safetensors.index.json",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    let r = run_in(
        &dir,
        &[
            "show",
            "thebloke/hermes-3-llama-3.1-8b-gguf",
            "--format",
            "json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["ref"], "TheBloke/Hermes-3-Llama-3.1-8B-GGUF",
        "the cache's spelling"
    );
    assert_eq!(v["source"], "cache");
    assert_eq!(v["license"], "llama3.1");
    assert_eq!(v["lineage"][1]["ref"], "meta-llama/Llama-3.1-8B");
    // Sized from the cached config.json and safetensors index.
    let r = run_in(
        &dir,
        &[
            "fit",
            "NousResearch/Hermes-3-Llama-3.1-8B",
            "--gpus",
            "1xH100",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("facts: config.json and model.safetensors.index.json of NousResearch/Hermes-3-Llama-3.1-8B at revision fcd544b"),
        "{}",
        r.stdout
    );
    let r = run_in(
        &dir,
        &[
            "fit",
            "NousResearch/Hermes-3-Llama-3.1-8B",
            "--gpus",
            "1xH100",
            "--format",
            "json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["model"], "NousResearch/Hermes-3-Llama-3.1-8B@fcd544b");
    // The same sizes as the catalog's Llama 3.1 8B (the same config).
    let c = json(&pick(&[
        "fit",
        "llama-3.1-8b",
        "--gpus",
        "1xH100",
        "--format",
        "json",
    ]));
    assert_eq!(
        v["plans"][0]["weights_bytes_total"],
        c["plans"][0]["weights_bytes_total"]
    );
    // Not cached and offline: an error that says where pick looked and how to go online.
    let r = run_in(&dir, &["show", "acme/nowhere"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not in the Hugging Face cache") && r.stderr.contains("--online"),
        "{}",
        r.stderr
    );
}

// ---- pick lock --format cyclonedx, validated against the CycloneDX 1.6 schema ----

/// A JSON Schema (draft-07) validator for the keywords the CycloneDX 1.6 schema uses: `$ref`
/// (local, and the SPDX schema beside it), type, properties, required, additionalProperties,
/// items (list and tuple), additionalItems, enum, const, oneOf, anyOf, allOf, minItems, maxItems,
/// uniqueItems, minLength, maxLength, minimum, maximum, and its seven `pattern`s (checked by hand:
/// an unknown pattern fails the test rather than passing unchecked). `format` is an annotation in
/// draft-07 and is not checked.
struct Schema {
    bom: Value,
    spdx: Value,
}

impl Schema {
    fn load() -> Schema {
        let read = |n: &str| {
            serde_json::from_str(
                &std::fs::read_to_string(fixtures().join("cyclonedx").join(n)).unwrap(),
            )
            .unwrap()
        };
        Schema {
            bom: read("bom-1.6.schema.json"),
            spdx: read("spdx.schema.json"),
        }
    }

    fn resolve<'s>(&'s self, r: &str) -> &'s Value {
        if r == "spdx.schema.json" {
            return &self.spdx;
        }
        let path = r
            .strip_prefix("#/")
            .unwrap_or_else(|| panic!("unsupported $ref {r}"));
        let mut v = &self.bom;
        for part in path.split('/') {
            v = &v[part];
        }
        assert!(!v.is_null(), "dangling $ref {r}");
        v
    }

    fn errors(&self, schema: &Value, v: &Value, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        let Some(s) = schema.as_object() else {
            return out;
        };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return self.errors(self.resolve(r), v, at);
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(x) => vec![x.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let ok = types.iter().any(|t| match *t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "null" => v.is_null(),
                _ => false,
            });
            if !ok {
                out.push(format!("{at}: not of type {types:?}"));
                return out;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                out.push(format!("{at}: {v} not in the enum"));
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                out.push(format!("{at}: not {c}"));
            }
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            if let Some(text) = v.as_str() {
                if !pattern(p, text) {
                    out.push(format!("{at}: `{text}` does not match {p}"));
                }
            }
        }
        if let Some(text) = v.as_str() {
            let n = text.chars().count() as u64;
            if s.get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
                || s.get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n > m)
            {
                out.push(format!("{at}: length {n} out of bounds"));
            }
        }
        if let Some(x) = v.as_f64() {
            if s.get("minimum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x < m)
                || s.get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| x > m)
            {
                out.push(format!("{at}: {x} out of range"));
            }
        }
        if let Some(obj) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            for req in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let k = req.as_str().unwrap();
                if !obj.contains_key(k) {
                    out.push(format!("{at}: `{k}` is required"));
                }
            }
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => out.extend(self.errors(ps, val, &format!("{at}.{k}"))),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => out.push(format!("{at}: `{k}` is not allowed")),
                        Some(extra @ Value::Object(_)) => {
                            out.extend(self.errors(extra, val, &format!("{at}.{k}")))
                        }
                        _ => {}
                    },
                }
            }
        }
        if let Some(items) = v.as_array() {
            match s.get("items") {
                Some(Value::Array(tuple)) => {
                    for (i, item) in items.iter().enumerate() {
                        match tuple.get(i) {
                            Some(ts) => out.extend(self.errors(ts, item, &format!("{at}[{i}]"))),
                            None if s.get("additionalItems") == Some(&Value::Bool(false)) => {
                                out.push(format!("{at}[{i}]: additional item"))
                            }
                            None => {}
                        }
                    }
                }
                Some(one) => {
                    for (i, item) in items.iter().enumerate() {
                        out.extend(self.errors(one, item, &format!("{at}[{i}]")));
                    }
                }
                None => {}
            }
            let n = items.len() as u64;
            if s.get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
                || s.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n > m)
            {
                out.push(format!("{at}: {n} items out of bounds"));
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, a) in items.iter().enumerate() {
                    if items[..i].contains(a) {
                        out.push(format!("{at}[{i}]: repeated item"));
                    }
                }
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                out.extend(self.errors(sub, v, at));
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(|sub| self.errors(sub, v, at).is_empty()) {
                out.push(format!("{at}: matches none of anyOf"));
            }
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let n = one
                .iter()
                .filter(|sub| self.errors(sub, v, at).is_empty())
                .count();
            if n != 1 {
                out.push(format!("{at}: matches {n} of oneOf, not exactly 1"));
            }
        }
        out
    }
}

/// The CycloneDX 1.6 schema's patterns, by hand.
fn pattern(p: &str, s: &str) -> bool {
    let hex = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    let uuid = |t: &str| {
        let parts: Vec<&str> = t.split('-').collect();
        parts.len() == 5
            && parts
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(x, n)| x.len() == n && hex(x))
    };
    match p {
        "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" => {
            s.strip_prefix("urn:uuid:").is_some_and(uuid)
        }
        "^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$" => {
            [32, 40, 64, 96, 128].contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
        }
        "^[-+a-z0-9.]+/[-+a-z0-9.]+$" => s.split_once('/').is_some_and(|(a, b)| {
            let ok = |t: &str| {
                !t.is_empty()
                    && t.bytes().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || b"-+.".contains(&c)
                    })
            };
            ok(a) && ok(b)
        }),
        "^([a-z]{2})(-[A-Z]{2})?$" => {
            let b = s.as_bytes();
            (b.len() == 2 || b.len() == 5)
                && b[..2].iter().all(u8::is_ascii_lowercase)
                && (b.len() == 2 || (b[2] == b'-' && b[3..].iter().all(u8::is_ascii_uppercase)))
        }
        other => {
            panic!("pick's BOM reached a schema pattern this validator does not check: {other}")
        }
    }
}

#[test]
fn the_cyclonedx_bom_is_valid_and_carries_the_lineage() {
    let dir = project("hf-bom");
    let r = run_in(&dir, &["lock", "--format", "cyclonedx"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!dir.join("pick.lock").exists(), "the BOM writes no lock");
    let bom: Value = serde_json::from_str(&r.stdout).unwrap();
    let schema = Schema::load();
    let errors = schema.errors(&schema.bom, &bom, "$");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The validator does reject what the schema forbids.
    let mut broken = bom.clone();
    broken["components"][0]["type"] = "model".into();
    broken["components"][0]["hashes"] = serde_json::json!([{"alg": "SHA-256", "content": "xyz"}]);
    assert_eq!(schema.errors(&schema.bom, &broken, "$").len(), 2);

    assert_eq!(
        (bom["bomFormat"].as_str(), bom["specVersion"].as_str()),
        (Some("CycloneDX"), Some("1.6"))
    );
    let components = bom["components"].as_array().unwrap();
    assert!(components
        .iter()
        .all(|c| c["type"] == "machine-learning-model"));
    let by_name = |n: &str| components.iter().find(|c| c["name"] == n).unwrap();
    let ft = by_name("llama-apache-ft");
    assert_eq!(ft["group"], "acme");
    assert_eq!(
        ft["licenses"][0]["expression"],
        "Apache-2.0 AND LicenseRef-llama-3.1"
    );
    assert_eq!(
        ft["purl"],
        "pkg:huggingface/acme/llama-apache-ft@9d4f10228f0fd270e36fafdd6ac4e790ed6950c5"
    );
    assert_eq!(ft["hashes"][0]["alg"], "SHA-256");
    let gguf = by_name("Hermes-3-Llama-3.1-8B-GGUF");
    let ancestors = gguf["pedigree"]["ancestors"].as_array().unwrap();
    assert_eq!(ancestors.len(), 2);
    let prop = |c: &Value, k: &str| {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == k)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        prop(&ancestors[0], "pick:relation").as_deref(),
        Some("quantized")
    );
    assert_eq!(ancestors[1]["name"], "llama-3.1-8b");
    assert_eq!(
        prop(&ancestors[1], "pick:relation").as_deref(),
        Some("finetune")
    );
    // The same lock gives the same BOM.
    let again = run_in(&dir, &["lock", "--format", "cyclonedx"], None);
    assert_eq!(again.stdout, r.stdout);
}

// ---- --online against a stub Hub on 127.0.0.1 ----

/// Serves the fixture cache's `acme/from-scratch-1b` (under another name, so the cache cannot
/// answer) as the Hub API does, and `acme/gated` only with the right token. Answers at most
/// `max` requests, then stops; the listener closes when the thread ends.
fn stub_hub(max: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let snap = fixtures().join(
        "hf-cache/models--acme--from-scratch-1b/snapshots/e14a7d3441cfa419a43dab0cb160fb130ec046b7",
    );
    let handle = std::thread::spawn(move || {
        let commit = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
        let mut seen = Vec::new();
        listener.set_nonblocking(false).unwrap();
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { break };
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some((name, value)) = h.split_once(':') {
                    if name.eq_ignore_ascii_case("authorization") {
                        auth = value.trim().to_string();
                    }
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            seen.push(path.clone());
            let meta = |id: &str| {
                format!(
                    "{{\"id\":\"{id}\",\"sha\":\"{commit}\",\"siblings\":[{{\"rfilename\":\"config.json\"}},{{\"rfilename\":\"README.md\"}},{{\"rfilename\":\"LICENSE\"}},{{\"rfilename\":\"model-00001-of-00002.safetensors\"}}]}}"
                )
            };
            let (status, body) = if path == "/api/models/remote/scratch-1b/revision/main" {
                (200, meta("remote/scratch-1b"))
            } else if path == "/api/models/remote/gated/revision/main" {
                if auth == "Bearer hf_test_token" {
                    (200, meta("remote/gated"))
                } else {
                    (
                        401,
                        "{\"error\":\"Access to model remote/gated is restricted.\"}".into(),
                    )
                }
            } else if let Some(file) = path
                .strip_prefix(&format!("/remote/scratch-1b/resolve/{commit}/"))
                .or_else(|| path.strip_prefix(&format!("/remote/gated/resolve/{commit}/")))
            {
                match std::fs::read_to_string(snap.join(file)) {
                    Ok(t) => (200, t),
                    Err(_) => (404, String::new()),
                }
            } else {
                (404, "{\"error\":\"Repository not found\"}".into())
            };
            let reason = match status {
                200 => "OK",
                401 => "Unauthorized",
                _ => "Not Found",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
        seen
    });
    (addr, handle)
}

#[test]
fn online_resolution_asks_the_hub_and_only_when_asked() {
    let dir = temp_dir("hf-online");
    std::fs::write(
        dir.join("pick.toml"),
        "[usage]\ncommercial = true\n[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"remote/scratch-1b\"\n",
    )
    .unwrap();
    let empty = temp_dir("hf-online-cache");
    // Offline (no flag): nothing is asked, the reference is unknown.
    let (endpoint, server) = stub_hub(9);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pick"));
        cmd.args(args)
            .current_dir(&dir)
            .env_remove("PICK_ONLINE")
            .env_remove("HF_TOKEN")
            .env_remove("HF_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy")
            .env("PICK_STALE_OK", "1")
            .env("HF_HUB_CACHE", &empty)
            .env("HF_ENDPOINT", &endpoint);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = run(&["gate", "--format", "json"], &[]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["models"][0]["verdict"], "unknown");
    // --online: metadata, then config.json, README.md and LICENSE at the commit it named.
    let (code, out, err) = run(&["gate", "--format", "json", "--online"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["models"][0]["verdict"], "allowed");
    assert_eq!(v["models"][0]["source"], "hub");
    assert_eq!(v["models"][0]["license"], "apache-2.0");
    // PICK_ONLINE=1 too; a gated repository needs HF_TOKEN, and the error says so.
    let (code, _, err) = run(&["show", "remote/gated"], &[("PICK_ONLINE", "1")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("HTTP 401") && err.contains("HF_TOKEN"),
        "{err}"
    );
    let (code, out, err) = run(
        &["show", "remote/gated", "--format", "json"],
        &[("PICK_ONLINE", "1"), ("HF_TOKEN", "hf_test_token")],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"], "hub");
    assert_eq!(v["revision"], "abcdefabcdefabcdefabcdefabcdefabcdefabcd");
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        [
            "/api/models/remote/scratch-1b/revision/main",
            "/remote/scratch-1b/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/config.json",
            "/remote/scratch-1b/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/README.md",
            "/remote/scratch-1b/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/LICENSE",
            "/api/models/remote/gated/revision/main",
            "/api/models/remote/gated/revision/main",
            "/remote/gated/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/config.json",
            "/remote/gated/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/README.md",
            "/remote/gated/resolve/abcdefabcdefabcdefabcdefabcdefabcdefabcd/LICENSE",
        ],
        "the offline run asked nothing; weights are never fetched"
    );
    // An endpoint that does not answer: a clear error, not a hang.
    let (code, _, err) = run(
        &["show", "remote/scratch-1b", "--online"],
        &[("HF_ENDPOINT", "http://127.0.0.1:9")],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach http://127.0.0.1:9"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_hostile_cache_fails_closed_without_hanging() {
    let dir = temp_dir("hf-hostile");
    std::fs::write(
        dir.join("pick.toml"),
        "[usage]\ncommercial = true\n[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"evil/zero\"\n[[model]]\nref = \"evil/badref\"\n[[model]]\nref = \"evil/escape@../../etc\"\n",
    )
    .unwrap();
    let cache = temp_dir("hf-hostile-cache");
    // A card that is /dev/zero behind the snapshot's symlink.
    let commit = "2222222222222222222222222222222222222222";
    let zero = cache.join("models--evil--zero");
    std::fs::create_dir_all(zero.join("refs")).unwrap();
    std::fs::create_dir_all(zero.join("snapshots").join(commit)).unwrap();
    std::fs::write(zero.join("refs/main"), commit).unwrap();
    std::os::unix::fs::symlink(
        "/dev/zero",
        zero.join("snapshots").join(commit).join("README.md"),
    )
    .unwrap();
    // refs/main that holds no commit.
    let bad = cache.join("models--evil--badref");
    std::fs::create_dir_all(bad.join("refs")).unwrap();
    std::fs::write(bad.join("refs/main"), "../../../../etc/passwd").unwrap();
    let r = run_in(&dir, &["gate", "--format", "json"], Some(&cache));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let models = v["models"].as_array().unwrap();
    assert!(
        models.iter().all(|m| m["verdict"] == "unknown"),
        "{models:?}"
    );
    let message = |i: usize| {
        models[i]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message(0).contains("character device"), "{}", message(0));
    assert!(
        message(1).contains("does not hold a commit id"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("not in the Hugging Face cache")
            || message(2).contains("not a revision"),
        "{}",
        message(2)
    );
}
