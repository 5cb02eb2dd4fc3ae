//! The README's example output is what the binary prints: every ```console block that runs
//! `pick` is run, and its lines must match the output in order. A line `...` stands for any
//! number of lines; a line ending in `...` matches an output line that starts with the rest.

use super::*;

/// (command line, expected lines) of each console block.
fn console_blocks(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let mut command = None;
        let mut expected = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            match l.strip_prefix("$ ") {
                Some(c) if command.is_none() => command = Some(c.to_string()),
                _ => expected.push(l.to_string()),
            }
        }
        if let Some(c) = command.filter(|c| c.starts_with("pick ")) {
            blocks.push((c, expected));
        }
    }
    blocks
}

/// Whether `expected` (with `...` elisions) matches `actual` in order.
fn matches(expected: &[String], actual: &[&str]) -> Result<(), String> {
    let mut at = 0;
    let mut skipping = false;
    for want in expected {
        if want.trim() == "..." {
            skipping = true;
            continue;
        }
        let (prefix, partial) = match want.strip_suffix("...") {
            Some(p) => (p.trim_end(), true),
            None => (want.trim_end(), false),
        };
        let ok = |line: &str| {
            let line = line.trim_end();
            if partial {
                line.starts_with(prefix)
            } else {
                line == prefix
            }
        };
        loop {
            let Some(line) = actual.get(at) else {
                return Err(format!("README line not printed: {want}"));
            };
            at += 1;
            if ok(line) {
                break;
            }
            if !skipping {
                return Err(format!("README line:\n{want}\nprinted:\n{line}"));
            }
        }
        skipping = false;
    }
    Ok(())
}

#[test]
fn readme_examples_are_what_pick_prints() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let blocks = console_blocks(&readme);
    assert!(!blocks.is_empty(), "the README shows pick's output");
    for (command, expected) in blocks {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let run = pick(&args);
        assert!(run.code == 0 || run.code == 1, "{command}: {}", run.stderr);
        let actual: Vec<&str> = run.stdout.lines().collect();
        if let Err(e) = matches(&expected, &actual) {
            panic!(
                "`{command}` in the README is out of date: {e}\n(the output:\n{})",
                run.stdout
            );
        }
    }
}
