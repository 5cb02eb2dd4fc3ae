//! Hostile input ends within seconds: FIFOs and devices where files are expected, symlink loops, a
//! hanging nvidia-smi, huge policies and strings, numbers out of range, junk dates and places.
//! Each run is killed after `LIMIT`, failing the test, so a hang shows as a failure, not a stuck
//! test binary.

use super::*;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// Longer than any of these runs takes (a debug build on a busy 2-core machine included), far
/// shorter than a hang.
const LIMIT: Duration = Duration::from_secs(10);

/// Runs pick like `pick_env`, killing it (and failing) when it outlives `LIMIT`.
fn pick_within(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pick"));
    cmd.args(args)
        .env_remove("PICK_CATALOG")
        .env_remove("NO_COLOR")
        .env_remove("PICK_NVIDIA_SMI")
        .current_dir(fixtures());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pick");
    // Readers on their own threads, so a chatty child cannot block on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for pick") {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pick {args:?} did not end within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Exit 2, and the message names `what` (a path or a key) and says `why`.
fn refused(r: &Run, what: &str, why: &str) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(what) && r.stderr.contains(why),
        "want `{what}` and `{why}` in: {}",
        r.stderr
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

const POLICY: &str = "[usage]\ncommercial = true\n[allow]\ntiers = [\"permissive\"]\n";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A local model folder with a valid config.json (Llama 3.1 8B).
fn local_model(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::copy(
        fixtures().join("local-model/config.json"),
        dir.join("config.json"),
    )
    .unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn hostile_fifo_as_catalog_policy_scan_root_and_index() {
    let dir = temp_dir("hostile-fifo");
    let fifo = dir.join("pipe.toml");
    mkfifo(&fifo);

    let r = pick_within(&["list", "--catalog", s(&fifo)], &[]);
    refused(&r, s(&fifo), "is a FIFO");
    // Told as what the user gave, a catalog (it is opened as the compiled form it might be).
    assert!(r.stderr.contains("the catalog file"), "{}", r.stderr);
    let missing = dir.join("missing.toml");
    let r = pick_within(&["list", "--catalog", s(&missing)], &[]);
    refused(&r, s(&missing), "cannot read the catalog file");
    let r = pick_within(&["catalog", "check", s(&fifo)], &[]);
    refused(&r, s(&fifo), "is a FIFO");

    let r = pick_within(&["gate", "--policy", s(&fifo)], &[]);
    refused(&r, s(&fifo), "policy file");
    assert!(r.stderr.contains("is a FIFO"), "{}", r.stderr);

    let policy = dir.join("pick.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let r = pick_within(&["gate", "--policy", s(&policy), "--scan", s(&fifo)], &[]);
    refused(&r, s(&fifo), "is a FIFO");

    let model = local_model("hostile-fifo-index");
    let index = model.join("model.safetensors.index.json");
    mkfifo(&index);
    let r = pick_within(&["fit", s(&model), "--gpus", "H100"], &[]);
    refused(&r, s(&index), "is a FIFO");
}

#[cfg(unix)]
#[test]
fn hostile_dev_zero_behind_a_symlink() {
    let dir = temp_dir("hostile-zero");
    let link = dir.join("zero.toml");
    symlink(Path::new("/dev/zero"), &link);
    let r = pick_within(&["list", "--catalog", s(&link)], &[]);
    refused(
        &r,
        s(&link),
        "a symlink to /dev/zero, which is a character device",
    );

    let model = temp_dir("hostile-zero-config");
    let config = model.join("config.json");
    symlink(Path::new("/dev/zero"), &config);
    let r = pick_within(&["fit", s(&model), "--gpus", "H100"], &[]);
    refused(&r, s(&config), "character device");
}

#[cfg(unix)]
#[test]
fn hostile_folders_with_loops_and_fifos_are_walked_once() {
    // A catalog folder: one valid file, a symlink to the folder itself, a FIFO named like a catalog.
    let dir = temp_dir("hostile-loop");
    std::fs::copy(
        fixtures().join("catalogs/override.toml"),
        dir.join("override.toml"),
    )
    .unwrap();
    symlink(&dir, &dir.join("loop"));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    symlink(Path::new(".."), &dir.join("sub/up"));
    mkfifo(&dir.join("sub/pipe.toml"));
    let r = pick_within(&["list", "--catalog", s(&dir), "--format", "ids"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().any(|l| l == "acme-8b"), "{}", r.stdout);
    let r = pick_within(&["catalog", "check", s(&dir)], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A scan root holding the same traps and one reference.
    let tree = temp_dir("hostile-scan-loop");
    std::fs::write(tree.join("serve.sh"), "vllm serve Qwen/Qwen3-8B\n").unwrap();
    symlink(&tree, &tree.join("loop"));
    mkfifo(&tree.join("pipe.py"));
    let policy = tree.join("pick.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let r = pick_within(
        &[
            "gate",
            "--policy",
            s(&policy),
            "--scan",
            s(&tree),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["models"].as_array().unwrap().len(), 1, "{}", r.stdout);
}

#[test]
fn hostile_folder_where_a_file_is_expected() {
    let dir = temp_dir("hostile-folder");
    let r = pick_within(&["gate", "--policy", s(&dir)], &[]);
    refused(&r, s(&dir), "is a folder");
    let model = temp_dir("hostile-folder-config");
    std::fs::create_dir_all(model.join("config.json")).unwrap();
    let r = pick_within(&["fit", s(&model), "--gpus", "H100"], &[]);
    refused(&r, "config.json", "is a folder");
}

#[cfg(unix)]
#[test]
fn hostile_nvidia_smi_that_never_answers() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("hostile-smi");
    let script = dir.join("nvidia-smi");
    // `exec`, so stopping the process stops the sleep too (no stray process after the test).
    std::fs::write(&script, "#!/bin/sh\nexec sleep 60\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let start = Instant::now();
    let r = pick_within(
        &["fit", "llama-3.1-8b", "--gpus", "auto"],
        &[("PATH", &path)],
    );
    refused(&r, "nvidia-smi", "did not answer within 5 s");
    assert!(
        start.elapsed() < Duration::from_secs(9),
        "{:?}",
        start.elapsed()
    );
    let r = pick_within(&["--gpus", "auto"], &[("PATH", &path)]);
    refused(&r, "--gpus", "did not answer");
}

#[test]
fn hostile_zero_sizes_in_config_json() {
    let model = local_model("hostile-head-dim");
    let config = model.join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let (head, tail) = text.split_once('{').unwrap();
    std::fs::write(&config, format!("{head}{{\"head_dim\": 0,{tail}")).unwrap();
    let r = pick_within(&["fit", s(&model), "--gpus", "H100"], &[]);
    refused(&r, s(&config), "`head_dim` is 0");
    std::fs::write(
        &config,
        text.replace("\"num_hidden_layers\": 32", "\"num_hidden_layers\": 0"),
    )
    .unwrap();
    let r = pick_within(&["fit", s(&model), "--gpus", "H100"], &[]);
    refused(&r, s(&config), "`num_hidden_layers` is 0");
}

/// A user catalog with one API model priced `price_input_per_m = <price>`.
fn api_catalog(dir: &Path, price: &str) -> PathBuf {
    let file = dir.join("api.toml");
    std::fs::write(
        &file,
        format!(
            r#"[[model]]
id = "acme-api"
name = "ACME API"
vendor = "ACME"
family = "claude-4.5"
weights = "api"
released = 2025-11-24
license = "api-anthropic"
modalities = ["text"]
context_tokens = 200000
price_input_per_m = {price}
price_output_per_m = 25.00
price_as_of = 2026-11-28
[model.sources]
card = "https://example.org/acme-api"
price = "https://example.org/acme-api/pricing"
"#
        ),
    )
    .unwrap();
    file
}

#[test]
fn hostile_infinite_api_price() {
    let dir = temp_dir("hostile-price");
    let ok = api_catalog(&dir, "5.0");
    let r = pick_within(&["list", "--catalog", s(&ok), "--format", "ids"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for price in ["inf", "nan", "-1.0"] {
        let file = api_catalog(&dir, price);
        let r = pick_within(&["--include-api", "--catalog", s(&file)], &[]);
        // At the line of the price itself.
        refused(
            &r,
            &format!("{}:11:", s(&file)),
            "price_input_per_m must be a finite number >= 0",
        );
    }
}

#[test]
fn hostile_gpu_prices() {
    for price in ["0", "-1", "inf", "NaN", "1e400"] {
        let r = pick_within(&[&format!("--gpu-price={price}")], &[]);
        refused(&r, "--gpu-price", "above 0");
    }
    let r = pick_within(
        &["--gpu-price", "2.5", "--gpus", "8xH100", "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn hostile_junk_dates() {
    let dir = temp_dir("hostile-date");
    let policy = dir.join("pick.toml");
    // Nothing is gated here: only the dates matter.
    let exception =
        "[scan]\nallow_empty = true\n[[exception]]\nmodel = \"qwen2.5-72b\"\nreason = \"LR-118\"\ncodes = [\"license-not-allowed\"]\n";
    std::fs::write(
        &policy,
        format!("{POLICY}{exception}expires = \"2027-03-31 or so\"\n"),
    )
    .unwrap();
    let r = pick_within(&["gate", "--policy", s(&policy)], &[]);
    refused(
        &r,
        &format!("{}:11", repo_path(&policy)),
        "2027-03-31 or so",
    );
    // A TOML datetime is a date with a time: accepted (the time is ignored).
    std::fs::write(
        &policy,
        format!("{POLICY}{exception}expires = 2027-03-31T00:00:00Z\n"),
    )
    .unwrap();
    let r = pick_within(
        &["gate", "--policy", s(&policy), "--today", "2026-06-01"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = pick_within(
        &[
            "gate",
            "--policy",
            s(&policy),
            "--today",
            "2026-06-01 maybe",
        ],
        &[],
    );
    refused(&r, "--today", "2026-06-01 maybe");
}

#[test]
fn hostile_unknown_places() {
    let r = pick_within(&["--region", "mars"], &[]);
    refused(&r, "--region", "unknown region `mars`");
    let r = pick_within(&["--region", &"x".repeat(100_000)], &[]);
    refused(&r, "--region", "100000 characters");
    let dir = temp_dir("hostile-region");
    let policy = dir.join("pick.toml");
    std::fs::write(
        &policy,
        "[usage]\ncommercial = true\nregion = \"mars\"\n[allow]\n",
    )
    .unwrap();
    let r = pick_within(&["gate", "--policy", s(&policy)], &[]);
    refused(
        &r,
        &format!("{}:3", repo_path(&policy)),
        "unknown region `mars`",
    );
}

#[test]
fn eu_member_states_are_in_the_eu() {
    // Multimodal Llama is out for an entity in Germany, as for `eu`; not for one in Norway.
    for (region, excluded) in [("de", true), ("Germany", true), ("eu", true), ("no", false)] {
        let r = pick_within(
            &[
                "--region", region, "--gpus", "8xH100", "--format", "json", "--top", "200",
            ],
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let out = v["excluded"].as_array().unwrap().iter().any(|e| {
            e["id"] == "llama-4-scout"
                && e["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["code"] == "license-region")
        });
        assert_eq!(out, excluded, "{region}");
    }
    let dir = temp_dir("gate-region");
    let policy = dir.join("pick.toml");
    std::fs::write(
        &policy,
        "[usage]\ncommercial = true\nregion = \"FR\"\n[allow]\nlicenses = [\"llama4\"]\n[[model]]\nref = \"llama-4-scout\"\n",
    )
    .unwrap();
    let r = pick_within(&["gate", "--policy", s(&policy), "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("license-region"), "{}", r.stdout);
}

#[test]
fn hostile_policy_with_100000_models() {
    // Valid and large: every entry is a permissive model, so the gate passes. Counting lines from
    // the start for each entry made this take minutes. `--format github` keeps the rendering
    // cheap in this unoptimized test build; the gate's own work is what is timed.
    let dir = temp_dir("hostile-100k");
    let policy = dir.join("pick.toml");
    let mut text = String::from(POLICY);
    for _ in 0..100_000 {
        text.push_str("[[model]]\nref = \"Qwen/Qwen3-8B\"\n");
    }
    // One unknown reference at the end, its location computed like every other.
    text.push_str("[[model]]\nref = \"acme/privat-model\"\n");
    std::fs::write(&policy, text).unwrap();
    let r = pick_within(
        &[
            "gate",
            "--policy",
            s(&policy),
            "--format",
            "github",
            "--today",
            "2026-06-01",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let want = format!("::error file={},line=200005,", repo_path(&policy));
    assert!(
        r.stdout.contains(&want),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(500)..]
    );
    assert_eq!(r.stdout.matches("::error").count(), 1);
}

#[test]
fn hostile_ten_megabyte_strings() {
    let big = "a".repeat(10_000_000);
    // A policy reference.
    let dir = temp_dir("hostile-10mb");
    let policy = dir.join("pick.toml");
    std::fs::write(&policy, format!("{POLICY}[[model]]\nref = \"{big}\"\n")).unwrap();
    let r = pick_within(&["gate", "--policy", s(&policy)], &[]);
    refused(
        &r,
        &format!("{}:6", repo_path(&policy)),
        "`ref` is 10000000 characters long",
    );
    assert!(
        r.stderr.len() < 1000,
        "the message does not repeat the string"
    );

    // A catalog id: a problem, quoted shortened.
    let catalog = dir.join("big.toml");
    let text = std::fs::read_to_string(fixtures().join("catalogs/override.toml")).unwrap();
    std::fs::write(
        &catalog,
        text.replacen("id = \"acme-8b\"", &format!("id = \"{big}\""), 1),
    )
    .unwrap();
    for args in [
        &["list", "--catalog", s(&catalog)][..],
        &["catalog", "check", s(&catalog)],
        &["show", "acme-8b", "--catalog", s(&catalog)],
    ] {
        let r = pick_within(args, &[]);
        refused(
            &r,
            &format!("{}:8", s(&catalog)),
            "id is 10000000 characters long; at most 128",
        );
        assert!(
            r.stderr.len() < 1000,
            "{args:?}: the message does not repeat the id"
        );
    }
}
