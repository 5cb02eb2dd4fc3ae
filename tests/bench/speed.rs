//! `cargo bench --bench speed`: how fast `pick` is, against the targets in the README.
//!
//! Whole-process timings spawn the release binary (median of many runs, interleaved so machine
//! noise hits both sides alike); in-process timings call the library. Synthetic catalogs and the
//! 10,000-file scan tree are generated here, under the target directory, and removed afterwards
//! (with `PICK_BENCH_KEEP=1` the 100,000-model catalogs stay, for profiling).

use pick::catalog::{Catalog, Model};
use pick::recommend::{self, Hardware, Prefer, Query};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PICK: &str = env!("CARGO_BIN_EXE_pick");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn run(args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(PICK)
        .args(args)
        .env_remove("PICK_CATALOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run pick");
    let elapsed = start.elapsed();
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "pick {args:?} failed: {status}"
    );
    elapsed
}

/// Median wall time of each command, runs interleaved.
fn process_medians(commands: &[&[&str]], runs: usize) -> Vec<Duration> {
    for c in commands {
        run(c); // warm the page cache
    }
    let mut times = vec![Vec::with_capacity(runs); commands.len()];
    for _ in 0..runs {
        for (i, c) in commands.iter().enumerate() {
            times[i].push(run(c));
        }
    }
    times.into_iter().map(median).collect()
}

/// Peak resident memory of one run, KiB, as GNU time reports it (std has no rusage of children);
/// None where /usr/bin/time is missing.
fn peak_rss_kib(args: &[&str]) -> Option<u64> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "command -v /usr/bin/time >/dev/null && /usr/bin/time -f %M {PICK} {} 2>&1 >/dev/null",
            args.join(" ")
        ))
        .output()
        .ok()?;
    String::from_utf8_lossy(&status.stdout)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn query<'c>(catalog: &'c Catalog, gpu: &str, count: u64) -> Query<'c> {
    Query {
        allow: pick::license::Allow::parse(catalog, &["apache".to_string()]).unwrap(),
        usage: pick::license::Usage::default(),
        hardware: Hardware {
            gpu: catalog.gpu(gpu).unwrap(),
            count,
            given: true,
        },
        fit: pick::fit::Request::serve(pick::fit::DEFAULT_SERVE_CONTEXT),
        tokens_per_hour: recommend::DEFAULT_TOKENS_PER_HOUR,
        peak_factor: pick::economics::DEFAULT_PEAK_FACTOR,
        min_tokens_per_s: None,
        gpu_price: None,
        modality: None,
        class: None,
        checkpoint: None,
        engine: None,
        finetune_with: None,
        include_api: false,
        axis: pick::capability::Axis::General,
        min_capability: None,
        teacher: None,
        prefer: Prefer::Balanced,
        top: 5,
        all_reasons: false,
        today: pick::catalog::embedded_as_of().unwrap(),
    }
}

/// A catalog of `n` models: the embedded open models repeated with new ids and varied sizes.
fn synthetic(n: usize) -> Catalog {
    let base = Catalog::embedded();
    Catalog::from_parts(
        base.families.clone(),
        synthetic_models(&base, n, true),
        base.licenses.clone(),
        base.gpus.clone(),
    )
}

/// `n` copies of the embedded catalog's open models under new ids; with `vary`, classic layouts get
/// up to 6 more layers (sizes differ; such a model no longer passes `pick catalog check`).
fn synthetic_models(base: &Catalog, n: usize, vary: bool) -> Vec<Model> {
    let open: Vec<&Model> = base.models.iter().filter(|m| m.arch.is_some()).collect();
    (0..n)
        .map(|i| {
            let mut m = open[i % open.len()].clone();
            m.id = format!("{}-synthetic-{i}", m.id).into();
            m.aliases.clear(); // each alias names one model only
            if let Some(a) = m.arch.as_mut().filter(|a| vary && a.group.is_empty()) {
                a.layers = (a.layers + (i % 7) as u64).max(1);
            }
            m.checkpoints = vec![pick::catalog::Checkpoint {
                kind: pick::catalog::CheckpointKind::Base,
                hf_repo: format!("synthetic/{}", m.id).into(),
            }]
            .into();
            m
        })
        .collect()
}

/// Writes `n` synthetic models as a folder of TOML user catalog files (what `--catalog DIR` reads;
/// one file may hold at most 64 MiB).
fn write_user_catalog(dir: &Path, n: usize) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    // Without capability evidence and notes: a user's own catalog lists models, not benchmark
    // tables.
    let mut models = synthetic_models(&Catalog::embedded(), n, false);
    for m in &mut models {
        m.evidence.clear();
        m.notes = None;
    }
    // A thousand models a file: toml's serializer copies its whole buffer once per table, so one
    // document of 10,000 models takes minutes to write.
    for (file, part) in models.chunks(1000).enumerate() {
        let doc = pick::catalog::CatalogFile {
            model: part.to_vec(),
            ..Default::default()
        };
        let text = toml::to_string(&doc).expect("serialize the synthetic catalog");
        std::fs::write(dir.join(format!("part-{file:03}.toml")), text).unwrap();
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn scan_tree(root: &Path, files: usize) {
    let _ = std::fs::remove_dir_all(root);
    for i in 0..files {
        let dir = root.join(format!("pkg{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let body = match i % 4 {
            0 => format!("import os\n\ndef load():\n    return AutoModel.from_pretrained(\"Qwen/Qwen3-8B\")\n# file {i}\n"),
            1 => format!("engine: vllm\nmodel: meta-llama/Llama-3.1-8B-Instruct\nreplicas: {i}\n"),
            2 => format!("fn main() {{\n    let path = \"src/lib.rs\";\n    println!(\"{{}}\", {i});\n}}\n"),
            // A model the catalog does not know, a new name in every such file: the gate fails
            // closed on each and looks for a did-you-mean.
            _ => format!("engine: vllm\nmodel: acme-labs/internal-chat-{i}-instruct\n"),
        };
        std::fs::write(
            dir.join(format!("f{i}.{}", ["py", "yaml", "rs", "yml"][i % 4])),
            body,
        )
        .unwrap();
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would too: run only when benchmarking.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();

    let cmds: [&[&str]; 6] = [
        &["--version"],
        &["--license", "apache", "--gpus", "4xH100"],
        &["fit", "llama-3.1-70b", "--gpus", "4xH100"],
        &["list"],
        &[
            "--license",
            "apache",
            "--gpus",
            "4xH100",
            "--format",
            "json",
        ],
        &["show", "qwen3.5-27b"],
    ];
    let med = process_medians(&cmds, 200);
    let ratio = med[1].as_secs_f64() / med[0].as_secs_f64();
    let json_ratio = med[4].as_secs_f64() / med[0].as_secs_f64();
    rows.push((
        "pick --version (process)".into(),
        ms(med[0]),
        "baseline".into(),
        true,
    ));
    rows.push((
        "pick --license apache --gpus 4xH100 (process)".into(),
        format!("{} = {ratio:.2}x --version", ms(med[1])),
        "<= 1.2x".into(),
        ratio <= 1.2,
    ));
    rows.push((
        "pick --license apache --gpus 4xH100 --format json (process)".into(),
        format!("{} = {json_ratio:.2}x --version", ms(med[4])),
        "<= 1.2x".into(),
        json_ratio <= 1.2,
    ));
    rows.push((
        "pick fit llama-3.1-70b --gpus 4xH100 (process)".into(),
        ms(med[2]),
        "-".into(),
        true,
    ));
    rows.push(("pick list (process)".into(), ms(med[3]), "-".into(), true));
    rows.push((
        "pick show qwen3.5-27b (process)".into(),
        ms(med[5]),
        "-".into(),
        true,
    ));

    let catalog = Catalog::embedded();
    let q = query(&catalog, "h100-sxm", 4);
    let ranks: Vec<Duration> = (0..50)
        .map(|_| time(|| recommend::recommend(&catalog, &q)).1)
        .collect();
    rows.push((
        "rank embedded catalog (in process)".into(),
        ms(median(ranks)),
        "-".into(),
        true,
    ));

    for n in [10_000, 100_000] {
        let big = synthetic(n);
        let q = query(&big, "h100-sxm", 4);
        let (report, t) = time(|| recommend::recommend(&big, &q));
        assert_eq!(report.candidates_total + report.excluded.len(), n);
        let ok = n != 100_000 || t < Duration::from_secs(1);
        rows.push((
            format!("rank a synthetic catalog of {n} models (in process)"),
            ms(t),
            if n == 100_000 {
                "< 1 s".into()
            } else {
                "-".into()
            },
            ok,
        ));
    }

    // A user catalog of 100,000 models, as users run it: from TOML, and compiled.
    let big_toml = target.join("bench-100k");
    let big_bin = target.join("bench-100k.pickcat");
    write_user_catalog(&big_toml, 100_000);
    let (toml_path, bin_path) = (big_toml.to_str().unwrap(), big_bin.to_str().unwrap());
    run(&["catalog", "compile", toml_path, "-o", bin_path]);
    let user = process_medians(
        &[
            &["--catalog", toml_path, "list", "--format", "ids"],
            &["--catalog", bin_path, "list", "--format", "ids"],
        ],
        3,
    );
    let rss = peak_rss_kib(&["--catalog", toml_path, "list", "--format", "ids"]);
    rows.push((
        "100,000-model user catalog from TOML (process)".into(),
        format!(
            "{}, {}",
            ms(user[0]),
            rss.map_or("RSS unmeasured".into(), |k| format!(
                "{:.0} MiB",
                k as f64 / 1024.0
            ))
        ),
        "<= 2 s, 1 GiB".into(),
        user[0] <= Duration::from_secs(2) && rss.is_none_or(|k| k <= 1024 * 1024),
    ));
    rows.push((
        "100,000-model compiled catalog (process)".into(),
        ms(user[1]),
        "<= 0.3 s".into(),
        user[1] <= Duration::from_millis(300),
    ));
    // PICK_BENCH_KEEP=1 keeps the generated catalogs for profiling (`valgrind`, `perf`).
    if std::env::var_os("PICK_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&big_toml);
        let _ = std::fs::remove_file(&big_bin);
    }

    let tree = target.join("bench-scan-tree");
    scan_tree(&tree, 10_000);
    let policy = target.join("bench-pick.toml");
    std::fs::write(
        &policy,
        "[usage]\ncommercial = true\n[allow]\ntiers = [\"permissive\", \"conditional\"]\n",
    )
    .unwrap();
    let (p, t) = (policy.to_str().unwrap(), tree.to_str().unwrap());
    let scan = process_medians(
        &[&["gate", "--policy", p, "--scan", t, "--format", "json"]],
        5,
    )[0];
    rows.push((
        "pick gate --scan over 10,000 files, 2,500 unknown models (process)".into(),
        ms(scan),
        "< 1 s".into(),
        scan < Duration::from_secs(1),
    ));
    scan_tree(&tree, 50_000);
    let scan_50k = run(&["gate", "--policy", p, "--scan", t, "--format", "json"]);
    let rss = peak_rss_kib(&["gate", "--policy", p, "--scan", t, "--format", "json"]);
    rows.push((
        "pick gate --scan over 50,000 files (process)".into(),
        format!(
            "{}, {}",
            ms(scan_50k),
            rss.map_or("RSS unmeasured".into(), |k| format!(
                "{:.0} MiB",
                k as f64 / 1024.0
            ))
        ),
        "<= 100 MiB".into(),
        rss.is_none_or(|k| k <= 100 * 1024),
    ));
    let _ = std::fs::remove_dir_all(&tree);

    match peak_rss_kib(&["--license", "apache", "--gpus", "4xH100"]) {
        Some(kib) => rows.push((
            "peak RSS of the query".into(),
            format!("{:.1} MiB", kib as f64 / 1024.0),
            "< 30 MiB".into(),
            kib < 30 * 1024,
        )),
        None => rows.push((
            "peak RSS of the query".into(),
            "unmeasured (/usr/bin/time missing)".into(),
            "< 30 MiB".into(),
            true,
        )),
    }

    println!(
        "{:<56} {:<28} {:<10} status",
        "benchmark", "result", "target"
    );
    for (name, result, target, ok) in &rows {
        println!(
            "{name:<56} {result:<28} {target:<10} {}",
            if *ok { "ok" } else { "MISS" }
        );
    }
}
