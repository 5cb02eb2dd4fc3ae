//! `--help` of the top level and of every subcommand, compared exactly with the snapshots in
//! `tests/snapshots/help/`: the help is the CLI's documentation, so a changed flag, default or
//! wording shows in review as a diff of those files.
//!
//! `PICK_UPDATE_SNAPSHOTS=1 cargo test --test cli help` rewrites the snapshots instead of comparing
//! them; review the diff and commit it with the change that caused it.

use super::*;

/// Every command with its own help, as arguments before `--help`.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["list"],
    &["show"],
    &["fit"],
    &["gate"],
    &["lock"],
    &["catalog"],
    &["catalog", "check"],
    &["catalog", "compile"],
    &["licenses"],
    &["gpus"],
    &["completions"],
    &["man"],
];

fn snapshot_path(command: &[&str]) -> PathBuf {
    let name = std::iter::once("pick")
        .chain(command.iter().copied())
        .collect::<Vec<_>>()
        .join("-");
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/help")
        .join(format!("{name}.txt"))
}

#[test]
fn help_matches_the_snapshots() {
    let update = std::env::var_os("PICK_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut changed = Vec::new();
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        // clap wraps help to the terminal's width only with its `wrap_help` feature, which pick
        // does not enable; even with it, stdout is a pipe here and COLUMNS is pinned, so the help
        // never depends on the terminal the tests run in.
        let r = pick_env(&args, &[("COLUMNS", "100")]);
        assert_eq!(r.code, 0, "pick {args:?}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "pick {args:?}: {}", r.stderr);
        let path = snapshot_path(command);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &r.stdout).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; create it with PICK_UPDATE_SNAPSHOTS=1 cargo test --test cli help",
                path.display()
            )
        });
        if want != r.stdout {
            let line = want
                .lines()
                .zip(r.stdout.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| want.lines().count().min(r.stdout.lines().count()));
            changed.push(format!(
                "pick {}: {} differs from line {}:\n  snapshot: {:?}\n  now:      {:?}",
                args.join(" "),
                path.display(),
                line + 1,
                want.lines().nth(line).unwrap_or("<end>"),
                r.stdout.lines().nth(line).unwrap_or("<end>"),
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "{}\nif the change is intended: PICK_UPDATE_SNAPSHOTS=1 cargo test --test cli help, then review the diff",
        changed.join("\n")
    );
}

#[test]
fn every_command_has_examples_and_is_snapshotted() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let help = pick(&args).stdout;
        let examples = help
            .split_once("\nExamples:\n")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("pick {args:?} has no examples:\n{help}"));
        let first = examples.lines().next().unwrap_or("");
        assert!(
            first.trim_start().starts_with("pick ") || first.contains("pick "),
            "pick {args:?}: the examples start with {first:?}"
        );
        // Every subcommand this help lists has its own entry here (and so a snapshot).
        if let Some((_, listed)) = help.split_once("\nCommands:\n") {
            for line in listed.lines().take_while(|l| l.starts_with("  ")) {
                let name = line.split_whitespace().next().unwrap();
                if name == "help" {
                    continue;
                }
                let mut sub = command.to_vec();
                sub.push(name);
                assert!(
                    COMMANDS.contains(&sub.as_slice()),
                    "pick {} is not in COMMANDS",
                    sub.join(" ")
                );
            }
        }
    }
}
