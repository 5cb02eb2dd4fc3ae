//! Where CI users meet pick: the GitHub Action (`action.yml`, whose work is `ci/gate-action.sh`)
//! and the pre-commit hook (`.pre-commit-hooks.yaml`), both run here as CI would run them.

use super::*;
use std::path::Path;
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small repository of its own: `.git`, a policy and one Python file using `model`.
fn project(model: &str, tiers: &str) -> PathBuf {
    let dir = temp_dir("action");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/app.py"),
        format!("m = AutoModelForCausalLM.from_pretrained(\"{model}\")\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("pick.toml"),
        format!("[usage]\nuse = \"production\"\n[allow]\ntiers = [{tiers}]\n"),
    )
    .unwrap();
    dir
}

/// Runs the action's script in `dir` as the action's "Run the gate" step does.
fn run_action(dir: &Path) -> (Run, String, String) {
    let summary = dir.join("summary.md");
    let output = dir.join("github-output");
    let out = Command::new("bash")
        .arg(repo_root().join("ci/gate-action.sh"))
        .current_dir(dir)
        .env("PICK", env!("CARGO_BIN_EXE_pick"))
        .env("PICK_POLICY", "pick.toml")
        .env("PICK_SCAN", ".")
        .env("PICK_ARGS", "--today 2026-06-01")
        .env("PICK_SARIF", "pick.sarif")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("PICK_STALE_OK", "1")
        .env_remove("PICK_CATALOG")
        .output()
        .expect("bash runs the action's script");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (
        run,
        std::fs::read_to_string(summary).unwrap_or_default(),
        std::fs::read_to_string(output).unwrap_or_default(),
    )
}

#[test]
fn the_action_script_annotates_summarizes_and_writes_sarif() {
    // A non-commercial model in a commercial project: the gate fails.
    let dir = project("mistralai/Mistral-Large-Instruct-2407", "\"permissive\"");
    let (r, summary, output) = run_action(&dir);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // Annotations on the file and line, relative to the repository root.
    assert!(
        r.stdout
            .contains("::error file=src/app.py,line=1,title=license-non-commercial::"),
        "{}",
        r.stdout
    );
    assert!(
        summary.starts_with("## pick license gate: failed"),
        "{summary}"
    );
    assert!(summary.contains("src/app.py:1"), "{summary}");
    assert!(
        output.contains("exit-code=1") && output.contains("passed=false"),
        "{output}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pick.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "src/app.py"
    );
    // A permitted model passes (the unpinned-revision warning does not fail it).
    let dir = project("Qwen/Qwen3-8B", "\"permissive\"");
    let (r, summary, output) = run_action(&dir);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        summary.starts_with("## pick license gate: passed"),
        "{summary}"
    );
    assert!(output.contains("passed=true"), "{output}");
    // A broken policy is an error (exit 2), said as such.
    std::fs::write(dir.join("pick.toml"), "[usage]\nuse = \"sometimes\"\n").unwrap();
    let (r, _, output) = run_action(&dir);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("could not run"), "{}", r.stderr);
    assert!(output.contains("exit-code=2"), "{output}");
}

#[test]
fn the_action_runs_that_script() {
    let action = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    for want in [
        "using: composite",
        "cargo install --locked",
        "--path \"$GITHUB_ACTION_PATH\"",
        "bash \"$GITHUB_ACTION_PATH/ci/gate-action.sh\"",
        "PICK_POLICY: ${{ inputs.policy }}",
        "PICK_SCAN: ${{ inputs.scan }}",
        "PICK_SARIF: ${{ inputs.sarif }}",
        "github/codeql-action/upload-sarif@v3",
        "steps.gate.outputs.passed != 'true'",
    ] {
        assert!(action.contains(want), "action.yml lacks {want}");
    }
}

/// The value of `key:` in the pre-commit hook file.
fn hook_field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix(&format!("{key}:"))
        })
        .unwrap_or_else(|| panic!("no {key} in .pre-commit-hooks.yaml"))
        .trim()
        .to_string()
}

#[test]
fn the_pre_commit_hook_runs_the_gate_over_the_repository() {
    let hooks = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    assert_eq!(hook_field(&hooks, "id"), "pick-gate");
    assert_eq!(hook_field(&hooks, "language"), "rust");
    assert_eq!(hook_field(&hooks, "pass_filenames"), "false");
    // Run `entry` + `args` in a repository, as pre-commit does from its root.
    let entry = hook_field(&hooks, "entry");
    let args: Vec<String> = serde_json::from_str(&hook_field(&hooks, "args")).unwrap();
    let mut words: Vec<String> = entry.split_whitespace().map(String::from).collect();
    assert_eq!(words.remove(0), "pick");
    words.extend(args);
    let run_in = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_pick"))
            .args(&words)
            .current_dir(dir)
            .env("PICK_STALE_OK", "1")
            .env_remove("PICK_CATALOG")
            .output()
            .unwrap()
    };
    let pass = run_in(&project("Qwen/Qwen3-8B", "\"permissive\""));
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stdout)
    );
    let fail = run_in(&project(
        "mistralai/Mistral-Large-Instruct-2407",
        "\"permissive\"",
    ));
    assert_eq!(fail.status.code(), Some(1));
    let report = String::from_utf8_lossy(&fail.stdout);
    assert!(
        report.contains("src/app.py:1") && report.contains("gate failed"),
        "{report}"
    );
}
