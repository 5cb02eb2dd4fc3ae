use super::*;
use serde_json::Value;

const USAGE: &str = "[usage]\ncommercial = true\nmau = 5_000_000\n";

/// Writes a policy into a fresh folder and runs `pick gate` there.
fn gate(policy: &str, extra: &[&str]) -> (Run, PathBuf) {
    let dir = temp_dir("gate");
    std::fs::write(dir.join("pick.toml"), policy).unwrap();
    let policy_path = dir.join("pick.toml");
    let mut args = vec![
        "gate",
        "--policy",
        policy_path.to_str().unwrap(),
        "--today",
        "2026-06-01",
    ];
    args.extend(extra);
    (pick(&args), dir)
}

fn gate_json(policy: &str) -> Value {
    let (r, _) = gate(policy, &["--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn one(policy_tail: &str, usage: &str) -> (i32, Value) {
    let policy = format!("{usage}[allow]\ntiers = [\"permissive\", \"conditional\", \"non-commercial\"]\n{policy_tail}");
    let (r, _) = gate(&policy, &["--format", "json"]);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or(Value::Null),
    )
}

fn codes(v: &Value) -> Vec<String> {
    v["models"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "fail")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn allowed_model_passes() {
    let v = gate_json(&format!("{USAGE}[allow]\ntiers = [\"permissive\"]\nlicenses = [\"llama3.1\"]\n[[model]]\nref = \"meta-llama/Llama-3.1-8B-Instruct\"\nrevision = \"0e9e39f\"\n"));
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["passed"], true);
    let m = &v["models"][0];
    assert_eq!(m["id"], "llama-3.1-8b");
    assert_eq!(m["verdict"], "allowed");
    assert_eq!(m["ref"], "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(m["revision"], "0e9e39f");
    assert_eq!(m["location"]["line"], 7, "the [[model]] header line");
}

#[test]
fn each_clause_violation_denies() {
    let cases = [
        (
            "mistral-large-2407",
            "[usage]\ncommercial = true\n",
            "license-non-commercial",
        ),
        (
            "llama-3.1-70b",
            "[usage]\ncommercial = true\nmau = 800_000_000\n",
            "license-mau-limit",
        ),
        (
            "llama-3.2-90b-vision",
            "[usage]\ncommercial = true\nregion = \"eu\"\n",
            "license-region",
        ),
        (
            "falcon-180b",
            "[usage]\ncommercial = true\nhosted = true\n",
            "license-hosting",
        ),
        (
            "pixtral-large",
            "[usage]\ncommercial = true\nredistribute = true\n",
            "license-redistribution",
        ),
        (
            "dbrx",
            "[usage]\ncommercial = true\ndistill = true\n",
            "license-distill-forbidden",
        ),
    ];
    for (model, usage, code) in cases {
        let (exit, v) = one(&format!("[[model]]\nref = \"{model}\"\n"), usage);
        assert_eq!(exit, 1, "{model}");
        assert_eq!(v["passed"], false);
        assert_eq!(v["models"][0]["verdict"], "denied", "{model}");
        assert!(
            codes(&v).contains(&code.to_string()),
            "{model}: {:?}",
            codes(&v)
        );
    }
    // Not in the allow-list at all.
    let v = gate_json(&format!(
        "{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"google/gemma-2-9b-it\"\n"
    ));
    assert!(codes(&v).contains(&"license-not-allowed".to_string()));
}

#[test]
fn derived_models_carry_upstream_licenses() {
    let v = gate_json(&format!("{USAGE}[allow]\nlicenses = [\"mit\"]\n[[model]]\nref = \"deepseek-ai/DeepSeek-R1-Distill-Llama-70B\"\n"));
    assert_eq!(v["models"][0]["verdict"], "denied");
    assert!(v["models"][0]["license"]
        .as_str()
        .unwrap()
        .contains("llama3.3"));
}

#[test]
fn unknown_model_and_unknown_license_fail_closed() {
    let v = gate_json(&format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"acme/secret-model\"\nlicense = \"other\"\n"));
    assert_eq!(v["passed"], false);
    assert_eq!(v["models"][0]["verdict"], "unknown");
    let c = codes(&v);
    assert!(
        c.contains(&"model-unknown".to_string()) && c.contains(&"license-unknown".to_string()),
        "{c:?}"
    );
    // A user catalog entry whose license has no terms is refused at load (exit 2), never passed.
    let dir = temp_dir("badlicense");
    std::fs::write(
        dir.join("cat.toml"),
        std::fs::read_to_string(fixtures().join("catalogs/override.toml"))
            .unwrap()
            .replace("license = \"llama3.1\"", "license = \"other\""),
    )
    .unwrap();
    std::fs::write(
        dir.join("pick.toml"),
        format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"acme-8b\"\n"),
    )
    .unwrap();
    let r = pick(&[
        "--catalog",
        dir.join("cat.toml").to_str().unwrap(),
        "gate",
        "--policy",
        dir.join("pick.toml").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("license `other` is not in the catalog"),
        "{}",
        r.stderr
    );
}

#[test]
fn exceptions_valid_expired_and_unused() {
    let policy = |expires: &str| {
        format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"qwen2.5-72b\"\n[[exception]]\nmodel = \"qwen2.5-72b\"\nreason = \"legal review LR-118\"\nexpires = {expires}\ncodes = [\"license-not-allowed\"]\n[[exception]]\nmodel = \"gemma-2-9b\"\nreason = \"old\"\nexpires = 2030-01-01\ncodes = [\"license-not-allowed\"]\n")
    };
    let (r, _) = gate(&policy("2027-03-31"), &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["models"][0]["verdict"], "excepted");
    assert!(v["policy_findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "exception-unused" && f["location"]["line"] == 13));
    let (r, _) = gate(&policy("2026-05-31"), &["--format", "json"]);
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["models"][0]["verdict"], "denied");
    let expired = v["models"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "exception-expired")
        .unwrap();
    assert_eq!(
        expired["location"]["line"], 8,
        "the [[exception]] header line"
    );
}

#[test]
fn malformed_policies_exit_2_with_file_and_line() {
    for (policy, line, what) in [
        (format!("{USAGE}colour = \"red\"\n[allow]\n"), 4, "colour"),
        ("[usage]\ncommercial = \"yes\"\n[allow]\n".to_string(), 2, "commercial"),
        (format!("{USAGE}[allow]\ntiers = [\"permisive\"]\n"), 5, "permisive"),
        (format!("{USAGE}[allow]\nlicenses = [\"apache-3.0\"]\n"), 5, "apache-3.0"),
        (format!("{USAGE}[allow]\n[[exception]]\nmodel = \"x\"\nreason = \"y\"\nexpires = \"soon\"\ncodes = [\"license-mau-limit\"]\n"), 8, "date"),
        (format!("{USAGE}[allow]\n[[model]]\nrefs = \"x\"\n"), 6, "refs"),
    ] {
        let (r, dir) = gate(&policy, &[]);
        assert_eq!(r.code, 2, "{policy}");
        let want = format!("{}:{line}", repo_path(&dir.join("pick.toml")));
        assert!(r.stderr.contains(&want) && r.stderr.contains(what), "want {want} / {what}: {}", r.stderr);
    }
    let r = pick(&["gate", "--policy", "no-such-policy.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-policy.toml"));
}

#[test]
fn a_policy_reports_every_problem_at_its_line() {
    // An unknown key, a misspelt tier and a malformed date: all three, each at its own line.
    let policy = format!(
        "{USAGE}colour = \"red\"\n[allow]\ntiers = [\"permisive\"]\n[[exception]]\nmodel = \"x\"\nreason = \"y\"\nexpires = \"2027-13-01\"\ncodes = [\"license-mau-limit\"]\n"
    );
    let (r, dir) = gate(&policy, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let file = repo_path(&dir.join("pick.toml"));
    for (line, what) in [(4, "colour"), (6, "permisive"), (10, "2027-13-01")] {
        assert!(
            r.stderr.contains(&format!("{file}:{line}: ")) && r.stderr.contains(what),
            "want {file}:{line} / {what}: {}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("3 problem(s)"), "{}", r.stderr);
}

#[test]
fn policy_licenses_use_the_license_flag_words() {
    // `--license apache` and `licenses = ["apache"]` are one grammar.
    let policy = format!(
        "{USAGE}[allow]\nlicenses = [\"apache\", \"mit\"]\n[[model]]\nref = \"Qwen/Qwen3-8B\"\n"
    );
    let (r, _) = gate(&policy, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn scan_finds_references_with_lines() {
    let dir = temp_dir("scan");
    let src = fixtures().join("scan");
    for rel in ["src/train.py", "configs/serve.yaml", "configs/deploy.sh"] {
        std::fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(src.join(rel), dir.join(rel)).unwrap();
    }
    // Binary files and .git are skipped.
    std::fs::write(dir.join("src/blob.bin"), b"\0\0 meta-llama/Llama-3.1-70B").unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/config"), "model: google/gemma-2-9b").unwrap();
    std::fs::write(
        dir.join("pick.toml"),
        format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n"),
    )
    .unwrap();
    let r = pick(&[
        "gate",
        "--policy",
        dir.join("pick.toml").to_str().unwrap(),
        "--scan",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let found: Vec<(String, String, u64)> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["ref"].as_str().unwrap().to_string(),
                m["location"]["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                m["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "someorg/private-model-v2".to_string(),
                "deploy.sh".to_string(),
                2
            ),
            ("Qwen/Qwen3-8B".into(), "serve.yaml".into(), 3),
            (
                "meta-llama/Llama-3.1-8B-Instruct".into(),
                "train.py".into(),
                4
            ),
            (
                "mistralai/Mistral-Large-Instruct-2407".into(),
                "train.py".into(),
                5
            ),
        ]
    );
    let verdict = |r: &str| {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["ref"] == r)
            .unwrap()["verdict"]
            .clone()
    };
    assert_eq!(verdict("Qwen/Qwen3-8B"), "allowed");
    assert_eq!(verdict("someorg/private-model-v2"), "unknown");
    assert_eq!(verdict("mistralai/Mistral-Large-Instruct-2407"), "denied");
}

#[test]
fn output_formats() {
    let policy = format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"google/gemma-2-9b-it\"\n[[model]]\nref = \"Qwen/Qwen3-8B\"\n");
    let (sarif, _) = gate(&policy, &["--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let s: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("pick.toml"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        let rule = res["ruleId"].as_str().unwrap();
        assert!(s["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == rule));
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    let (gh, dir) = gate(&policy, &["--format", "github"]);
    let first = gh.stdout.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "::error file={},line=6,title=license-not-allowed::google/gemma-2-9b-it: ",
            repo_path(&dir.join("pick.toml"))
        )),
        "{first}"
    );
    let (md, _) = gate(&policy, &["--format", "markdown"]);
    assert!(
        md.stdout.starts_with("## pick license gate: failed")
            && md
                .stdout
                .contains("| `Qwen/Qwen3-8B` | qwen3-8b | apache-2.0 | **allowed** |"),
        "{}",
        md.stdout
    );
    let (human, _) = gate(&policy, &[]);
    assert!(
        human.stdout.contains("gate failed: 1 of 2")
            && human.stdout.contains("license-not-allowed"),
        "{}",
        human.stdout
    );
}

#[test]
fn user_catalog_lineage_binds_and_is_required_for_restrictive_families() {
    let policy = format!(
        "{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"acme-llama-ft\"\n[[model]]\nref = \"acme-llama-ft-2\"\n[[model]]\nref = \"acme-merge\"\n"
    );
    let (r, _) = gate(
        &policy,
        &["--format", "json", "--catalog", "catalogs/lineage.toml"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let m = |i: usize| &v["models"][i];
    // A Llama fine-tune declaring apache-2.0 without lineage: denied.
    assert_eq!(m(0)["verdict"], "denied");
    assert!(m(0)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "lineage-missing"));
    // With its lineage stated, it is bound by Llama 3.1 too (apache-2.0 adds, never replaces).
    assert_eq!(m(1)["verdict"], "denied");
    assert_eq!(m(1)["license"], "apache-2.0 AND llama3.1");
    assert_eq!(m(1)["lineage"][0]["ref"], "llama-3.1-8b");
    assert_eq!(m(1)["lineage"][0]["relation"], "finetune");
    assert_eq!(m(1)["lineage"][0]["source"], "catalog");
    // An upstream named by Hugging Face repo id, resolved from the (fixture) cache, and its own
    // upstream from the catalog: bound by MIT and Llama 3.1.
    assert_eq!(m(2)["verdict"], "denied");
    assert_eq!(m(2)["license"], "mit AND llama3.1");
    assert_eq!(m(2)["lineage"][0]["source"], "cache");
    assert_eq!(m(2)["lineage"][1]["ref"], "meta-llama/Llama-3.1-8B");
    // Without the cache it cannot be resolved: unknown.
    let dir = temp_dir("lineage-nocache");
    std::fs::write(dir.join("pick.toml"), &policy).unwrap();
    let r = pick_env(
        &[
            "--catalog",
            "catalogs/lineage.toml",
            "gate",
            "--policy",
            dir.join("pick.toml").to_str().unwrap(),
            "--format",
            "json",
        ],
        &[("HF_HUB_CACHE", dir.to_str().unwrap())],
    );
    let v2: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v2["models"][2]["verdict"], "unknown");
    assert_eq!(v2["models"][2]["lineage"][0]["source"], Value::Null);
    // Allowing Llama 3.1 lets the stated lineage pass; the missing one still fails.
    let policy = format!(
        "{USAGE}[allow]\ntiers = [\"permissive\"]\nlicenses = [\"llama3.1\"]\n[[model]]\nref = \"acme-llama-ft\"\n[[model]]\nref = \"acme-llama-ft-2\"\n"
    );
    let (r, _) = gate(
        &policy,
        &["--format", "json", "--catalog", "catalogs/lineage.toml"],
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["models"][0]["verdict"], "denied");
    assert_eq!(v["models"][1]["verdict"], "allowed");
    // The recommender agrees: the entry without lineage is excluded for the same reason.
    let r = pick(&[
        "--catalog",
        "catalogs/lineage.toml",
        "--license",
        "permissive,llama3.1",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let excluded = v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "acme-llama-ft")
        .expect("excluded");
    assert!(excluded["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "lineage-missing"));
}

#[test]
fn a_scan_that_finds_nothing_fails_unless_allowed() {
    // A mistyped --scan path that exists (an empty docs folder) must not go green.
    let dir = temp_dir("scan-empty");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/README.md"), "no models here\n").unwrap();
    let policy =
        format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"Qwen/Qwen3-8B\"\n");
    std::fs::write(dir.join("pick.toml"), &policy).unwrap();
    let run = |p: &std::path::Path| {
        pick(&[
            "gate",
            "--policy",
            p.to_str().unwrap(),
            "--scan",
            dir.join("docs").to_str().unwrap(),
            "--format",
            "json",
        ])
    };
    let r = run(&dir.join("pick.toml"));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let f = &v["policy_findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["level"].as_str()),
        (Some("scan-empty"), Some("fail"))
    );
    assert_eq!(
        v["models"][0]["verdict"], "allowed",
        "the listed model itself passes"
    );
    assert_eq!(v["scan"]["files"], 1);
    // Declared as expected: a warning.
    std::fs::write(
        dir.join("pick.toml"),
        format!("{policy}[scan]\nallow_empty = true\n"),
    )
    .unwrap();
    let r = run(&dir.join("pick.toml"));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["policy_findings"][0]["level"], "warn");
    // A policy listing nothing, and no scan: nothing was gated, which fails too.
    let (r, _) = gate(&format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n"), &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("no-models") && r.stdout.contains("gate failed: no-models"),
        "{}",
        r.stdout
    );
    let (r, _) = gate(
        &format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n[scan]\nallow_empty = true\n"),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    // [scan] takes only known keys.
    let (r, _) = gate(
        &format!("{USAGE}[allow]\n[scan]\nallow_emtpy = true\n"),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `allow_empty`"),
        "{}",
        r.stderr
    );
}

/// A small repository: a .gitignore, ignored and unignored build folders, a binary, .git.
fn scan_repo() -> PathBuf {
    let dir = temp_dir("scan-repo");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "model: google/gemma-2-9b\n").unwrap();
    std::fs::write(dir.join(".gitignore"), "# build output\n/out/\n*.log\n").unwrap();
    for (path, text) in [
        (
            "out/serve.sh",
            "vllm serve mistralai/Mistral-Large-Instruct-2407\n",
        ),
        (
            "run.log",
            "vllm serve mistralai/Mistral-Large-Instruct-2407\n",
        ),
        (
            "build/Dockerfile",
            "FROM vllm/vllm-openai\nCMD vllm serve Qwen/Qwen3-8B\n",
        ),
        ("dist/config.yaml", "model: Qwen/Qwen3-8B\n"),
        ("sub/.gitignore", "secret/\n"),
        (
            "sub/secret/x.py",
            "from_pretrained(\"mistralai/Mistral-Large-Instruct-2407\")\n",
        ),
        ("sub/app.py", "m = from_pretrained(\"Qwen/Qwen3-8B\")\n"),
    ] {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.join(path), text).unwrap();
    }
    std::fs::write(
        dir.join("logo.png"),
        b"\x89PNG\0\0 meta-llama/Llama-3.1-70B",
    )
    .unwrap();
    std::fs::write(
        dir.join("pick.toml"),
        format!("{USAGE}[allow]\ntiers = [\"permissive\"]\n"),
    )
    .unwrap();
    dir
}

#[test]
fn the_scan_follows_gitignore_and_lists_what_it_skips() {
    let dir = scan_repo();
    let r = pick(&[
        "gate",
        "--policy",
        dir.join("pick.toml").to_str().unwrap(),
        "--scan",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["location"]["file"].as_str().unwrap())
        .collect();
    // A repository of its own: paths are relative to it.
    assert_eq!(
        files,
        ["build/Dockerfile", "dist/config.yaml", "sub/app.py"]
    );
    let skipped: Vec<(String, String, String)> = v["scan"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_string();
            (f("path"), f("reason"), f("detail"))
        })
        .collect();
    let want = [
        (".git/", "tool-folder", "version control or tool folder"),
        ("logo.png", "binary", "NUL bytes in the first 8 KiB"),
        ("out/", "gitignored", ".gitignore:2"),
        ("run.log", "gitignored", ".gitignore:3"),
        ("sub/secret/", "gitignored", "sub/.gitignore:1"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(skipped, want);
    // The human report lists them too.
    let r = pick(&[
        "gate",
        "--policy",
        dir.join("pick.toml").to_str().unwrap(),
        "--scan",
        dir.to_str().unwrap(),
    ]);
    assert!(
        r.stdout.contains("3 reference(s) found, 5 entries skipped")
            && r.stdout.contains("skipped out/ (gitignored: .gitignore:2)"),
        "{}",
        r.stdout
    );
}

#[test]
fn paths_are_relative_to_the_repository_root_in_every_format() {
    // Run from the fixtures folder with `./`-prefixed paths: every format names files from the
    // repository root, without `./`, as GitHub needs to attach annotations in a pull request.
    let args = |format: &str| {
        pick(&[
            "gate",
            "--policy",
            "./gate/fail.toml",
            "--scan",
            "./scan",
            "--today",
            "2026-06-01",
            "--format",
            format,
        ])
    };
    let v: Value = serde_json::from_str(&args("json").stdout).unwrap();
    for m in v["models"].as_array().unwrap() {
        let f = m["location"]["file"].as_str().unwrap();
        assert!(f.starts_with("tests/fixtures/"), "{f}");
    }
    let gh = args("github").stdout;
    assert!(
        gh.contains("file=tests/fixtures/gate/fail.toml,line="),
        "{gh}"
    );
    assert!(gh.contains("file=tests/fixtures/scan/"), "{gh}");
    let sarif: Value = serde_json::from_str(&args("sarif").stdout).unwrap();
    for res in sarif["runs"][0]["results"].as_array().unwrap() {
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("tests/fixtures/"), "{uri}");
    }
    for format in ["human", "markdown"] {
        let out = args(format).stdout;
        assert!(!out.contains("./"), "{format}: {out}");
        assert!(
            out.contains("tests/fixtures/scan/configs/deploy.sh"),
            "{format}: {out}"
        );
    }
}

#[test]
fn an_exception_waives_only_the_codes_it_names() {
    // Qwen2.5-72B under the Qwen license: not in the allowed tiers, and above its 100M MAU clause.
    // "If you are commercially using the Materials, and your product or service has more than 100
    // million monthly active users, you shall request a license from us."
    // (https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE)
    let usage = "[usage]\ncommercial = true\nmau = 150_000_000\n";
    let policy = |codes: &str| {
        format!("{usage}[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"qwen2.5-72b\"\nrevision = \"d149729\"\n[[exception]]\nmodel = \"qwen2.5-72b\"\nreason = \"LR-118: conditional license accepted\"\nexpires = 2027-03-31\ncodes = [{codes}]\n")
    };
    // Waiving the allow-list does not waive the MAU clause.
    let v = gate_json(&policy("\"license-not-allowed\""));
    assert_eq!(v["passed"], false);
    assert_eq!(v["models"][0]["verdict"], "denied");
    assert_eq!(codes(&v), ["license-mau-limit"]);
    let waived: Vec<&str> = v["models"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "warn")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(waived, ["license-not-allowed"]);
    // Both named: excepted.
    let v = gate_json(&policy("\"license-not-allowed\", \"license-mau-limit\""));
    assert_eq!(v["models"][0]["verdict"], "excepted");
    // A code that does not fail: the exception is not needed.
    let v = gate_json(&policy("\"license-hosting\""));
    assert!(v["models"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "exception-not-needed"));
    // Codes are checked: unknown, unwaivable and missing ones are policy errors.
    for (codes, want) in [
        ("\"license-mau-limt\"", "did you mean `license-mau-limit`"),
        ("\"model-unknown\"", "cannot waive `model-unknown`"),
        ("\"license-unknown\"", "cannot waive `license-unknown`"),
        ("", "`codes` is empty"),
    ] {
        let (r, _) = gate(&policy(codes), &[]);
        assert_eq!(r.code, 2, "{codes}");
        assert!(r.stderr.contains(want), "{codes}: {}", r.stderr);
    }
    let (r, _) = gate(
        &format!(
            "{usage}[allow]\n[[exception]]\nmodel = \"x\"\nreason = \"y\"\nexpires = 2027-01-01\n"
        ),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs `codes`"), "{}", r.stderr);
}

/// Every reference form in `tests/fixtures/scan-all`, as (file, line, reference).
const SCAN_ALL: [(&str, u64, &str); 23] = [
    ("Dockerfile", 3, "mistralai/Mistral-7B-Instruct-v0.3"),
    ("Makefile", 1, "meta-llama/Llama-3.3-70B-Instruct"),
    ("Makefile", 4, "mistralai/Mistral-7B-v0.3"),
    ("Modelfile", 1, "ollama:llama3.3:70b"),
    ("build/serve.sh", 1, "Qwen/Qwen2.5-3B-Instruct"),
    ("config/app.json", 3, "Qwen/Qwen2.5-32B-Instruct"),
    ("config/train.toml", 2, "Qwen/Qwen2.5-14B"),
    ("dist/model.yaml", 1, "Qwen/Qwen2.5-1.5B-Instruct"),
    ("docker-compose.yml", 4, "Qwen/Qwen2.5-7B-Instruct"),
    ("docker-compose.yml", 8, "google/gemma-2-2b-it"),
    ("docs/weights.md", 1, "meta-llama/Llama-3.1-8B"),
    ("docs/weights.md", 2, "google/gemma-2-2b"),
    ("helm/values.yaml", 2, "microsoft/phi-4"),
    (
        "k8s/deployment.yaml",
        10,
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    ),
    ("k8s/deployment.yaml", 13, "Qwen/Qwen3-32B"),
    ("notebooks/eval.ipynb", 11, "Qwen/Qwen2.5-0.5B-Instruct"),
    ("scripts/fetch.sh", 2, "Qwen/Qwen2.5-72B"),
    ("scripts/fetch.sh", 3, "ollama:llama3.1"),
    ("scripts/fetch.sh", 4, "google/gemma-2-9b"),
    ("src/serve.py", 4, "Qwen/Qwen3-8B"),
    ("src/serve.py", 6, "meta-llama/Llama-3.1-8B-Instruct"),
    ("src/serve.py", 9, "google/gemma-2-9b-it"),
    ("src/serve.py", 10, "meta-llama/Meta-Llama-3.1-70B-Instruct"),
];

#[test]
fn the_scan_finds_every_form_in_every_format() {
    // vLLM's LLM("..."), a call split over lines, a variable not named "model", a legacy repo
    // name, Dockerfile exec-form CMD, compose command lists and environment, Kubernetes args and
    // env pairs, Helm camelCase keys, Makefile ?=, huggingface-cli / hf download, ollama run, a
    // Modelfile, TGI --model-id, TOML and JSON configs, Hub /resolve/ and /tree/ URLs, a notebook,
    // and build/ and dist/ folders. A policy that allows nothing makes each one a failing finding,
    // so every format has to name it.
    let dir = temp_dir("scan-all");
    let policy = dir.join("pick.toml");
    std::fs::write(
        &policy,
        "[usage]\ncommercial = true\n[allow]\ntiers = [\"proprietary\"]\n",
    )
    .unwrap();
    let run = |format: &str| {
        pick(&[
            "gate",
            "--policy",
            policy.to_str().unwrap(),
            "--scan",
            "scan-all",
            "--format",
            format,
        ])
    };
    let r = run("json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let base = "tests/fixtures/scan-all/";
    let found: Vec<(String, u64, String)> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(m["id"].is_string(), "resolved in the catalog: {m}");
            (
                m["location"]["file"].as_str().unwrap().to_string(),
                m["location"]["line"].as_u64().unwrap(),
                m["ref"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String)> = SCAN_ALL
        .iter()
        .map(|(f, l, r)| (format!("{base}{f}"), *l, r.to_string()))
        .collect();
    assert_eq!(found, want);
    assert_eq!(
        v["scan"]["skipped"].as_array().unwrap().len(),
        0,
        "{}",
        v["scan"]
    );
    let gh = run("github").stdout;
    let sarif: Value = serde_json::from_str(&run("sarif").stdout).unwrap();
    let sarif_at: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    let md = run("markdown").stdout;
    let human = run("human").stdout;
    for (f, l, r) in SCAN_ALL {
        let file = format!("{base}{f}");
        assert!(
            gh.contains(&format!("file={file},line={l},")),
            "github: {file}:{l}\n{gh}"
        );
        assert!(sarif_at.contains(&(file.clone(), l)), "sarif: {file}:{l}");
        assert!(
            md.contains(&format!("| `{r}` |")) && md.contains(&format!("{file}:{l}")),
            "markdown: {r} {file}:{l}"
        );
        assert!(human.contains(&format!("{file}:{l}")), "human: {file}:{l}");
    }
}

#[test]
fn the_policy_declares_use_places_and_domains() {
    let head = |usage: &str| {
        format!("[usage]\n{usage}[allow]\ntiers = [\"permissive\", \"conditional\", \"non-commercial\"]\n[[model]]\nref = \"hunyuan-a13b\"\nrevision = \"a728865\"\n")
    };
    // Tencent Hunyuan §5(c): "You must not use, reproduce, modify, distribute, or display the
    // Tencent Hunyuan Works, Output or results of the Tencent Hunyuan Works outside the Territory."
    let v = gate_json(&head("use = \"production\"\nregion = \"us\"\nusers_in = [\"us\", \"kr\"]\nhosted_in = [\"us\"]\n"));
    assert_eq!(codes(&v,), ["license-region"]);
    let v = gate_json(&head(
        "use = \"production\"\nregion = \"us\"\nusers_in = [\"us\"]\nhosted_in = [\"us\"]\n",
    ));
    assert_eq!(
        v["models"][0]["verdict"], "allowed",
        "{}",
        v["models"][0]["findings"]
    );
    // Tencent Exhibit A 19: "For military purposes;".
    let v = gate_json(&head("use = \"production\"\nregion = \"us\"\nusers_in = [\"us\"]\nhosted_in = [\"us\"]\ndomains = [\"military\"]\n"));
    assert_eq!(codes(&v), ["license-use-restricted"]);
    let msg = v["models"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "license-use-restricted")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("\"For military purposes;\""), "{msg}");
    // Every problem at its line: unknown places, domains, use; a contradiction; no use at all.
    for (usage, line, want) in [
        (
            "use = \"production\"\nusers_in = [\"us\", \"mars\"]\n",
            3,
            "usage.users_in: unknown region `mars`",
        ),
        (
            "use = \"production\"\nhosted_in = [\"atlantis\"]\n",
            3,
            "usage.hosted_in: unknown region `atlantis`",
        ),
        (
            "use = \"production\"\ndomains = [\"militery\"]\n",
            3,
            "did you mean `military`",
        ),
        ("use = \"prod\"\n", 2, "usage.use: unknown value `prod`"),
        (
            "use = \"research\"\ncommercial = true\n",
            2,
            "contradicts commercial = true",
        ),
        (
            "licensee = \"startup\"\nuse = \"poc\"\n",
            2,
            "usage.licensee: unknown value `startup`",
        ),
        (
            "use = \"poc\"\ndistill = \"tiny\"\n",
            3,
            "usage.distill: unknown value `tiny`",
        ),
    ] {
        let (r, dir) = gate(&head(usage), &[]);
        assert_eq!(r.code, 2, "{usage}");
        let at = format!("{}:{line}", repo_path(&dir.join("pick.toml")));
        assert!(
            r.stderr.contains(&at) && r.stderr.contains(want),
            "{usage}: want {at} {want}\n{}",
            r.stderr
        );
    }
    let (r, _) = gate(&head("mau = 5\n"), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[usage] needs `use`"), "{}", r.stderr);
}

#[test]
fn pinned_revisions_are_read_in_the_license_version_in_force() {
    // MiniMax-M2's LICENSE (github.com/MiniMax-AI/MiniMax-M2): plain MIT at e27aac4 (release day,
    // 2025-10-27); from 8bbd67e (2025-11-13) "you shall prominently display “MiniMax M2” on the
    // user interface" above 100 million monthly active users.
    let policy = |revision: &str| {
        let rev = if revision.is_empty() {
            String::new()
        } else {
            format!("revision = \"{revision}\"\n")
        };
        format!("[usage]\nuse = \"production\"\nmau = 150_000_000\n[allow]\ntiers = [\"permissive\", \"conditional\"]\n[[model]]\nref = \"MiniMaxAI/MiniMax-M2\"\n{rev}")
    };
    let findings = |v: &Value| -> Vec<(String, String, String)> {
        v["models"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap().to_string();
                (s("code"), s("level"), s("message"))
            })
            .collect()
    };
    let old = findings(&gate_json(&policy("e27aac4")));
    assert!(
        old.iter()
            .any(|(c, l, m)| c == "license-version" && l == "info" && m.contains("2025-10-27")),
        "{old:?}"
    );
    assert!(
        !old.iter().any(|(c, _, _)| c == "license-attribution"),
        "plain MIT: no display duty"
    );
    let new = findings(&gate_json(&policy("8bbd67e8")));
    assert!(new
        .iter()
        .any(|(c, _, m)| c == "license-attribution" && m.contains("MiniMax M2")));
    // Unpinned: the current text, and a warning that says texts change in place.
    let none = findings(&gate_json(&policy("")));
    let w = none
        .iter()
        .find(|(c, _, _)| c == "license-unpinned")
        .unwrap();
    assert_eq!(w.1, "warn");
    assert!(
        w.2.contains("minimax-m2-modified-mit has changed before"),
        "{}",
        w.2
    );
    // An exception reviewed against one version waives nothing under another.
    let exception = |version: &str| {
        format!("{}[[exception]]\nmodel = \"minimax-m2\"\nreason = \"LR-7\"\nexpires = 2027-01-01\ncodes = [\"license-not-allowed\"]\nlicense_version = {version}\n", policy("8bbd67e").replace("\"permissive\", \"conditional\"", "\"permissive\""))
    };
    let v = gate_json(&exception("2025-11-13"));
    assert_eq!(
        v["models"][0]["verdict"], "excepted",
        "{}",
        v["models"][0]["findings"]
    );
    let v = gate_json(&exception("2025-10-27"));
    assert_eq!(v["models"][0]["verdict"], "denied");
    assert!(findings(&v)
        .iter()
        .any(|(c, _, _)| c == "exception-version"));
}
