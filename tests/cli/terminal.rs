//! Output on a real terminal: the binary runs in a pseudo-terminal (util-linux `script`) of 80
//! and 120 columns, colour on and off, and no line may be wider than the terminal or split an id.

use super::*;

/// Runs pick in a pseudo-terminal `columns` wide; the screen text without colour escapes.
fn on_terminal(args: &[&str], columns: u16, no_color: bool) -> String {
    let line = std::iter::once(env!("CARGO_BIN_EXE_pick").to_string())
        .chain(args.iter().map(|a| (*a).to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env("COLUMNS", columns.to_string())
        .env("PICK_STALE_OK", "1")
        .env_remove("PICK_CATALOG")
        .current_dir(fixtures());
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR").env("TERM", "xterm-256color");
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .expect("util-linux `script` runs the binary in a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    strip_escapes(&text)
}

fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// No line wider than the terminal (with `urls_may_exceed`, lines holding a URL, a word no
/// wrapping can split, are let through).
fn assert_fits(screen: &str, columns: u16, urls_may_exceed: bool, what: &str) {
    for line in screen
        .lines()
        .filter(|l| !(urls_may_exceed && l.contains("http")))
    {
        assert!(
            line.chars().count() <= usize::from(columns),
            "{what} on {columns} columns: a line of {} > {columns}:\n{line}",
            line.chars().count()
        );
    }
}

/// Every id appears whole on the screen (a split id would be missing as a token).
fn assert_whole(screen: &str, ids: &[String], columns: u16) {
    for id in ids {
        assert!(
            screen
                .split(|c: char| c.is_whitespace() || c == '│' || c == '┆')
                .any(|t| t == id),
            "{columns} columns: `{id}` is split:\n{screen}"
        );
    }
}

#[test]
fn tables_fit_the_terminal_and_keep_ids_whole() {
    let ids: Vec<String> = pick(&["list", "--format", "ids"])
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    for columns in [80u16, 120] {
        for no_color in [false, true] {
            let screen = on_terminal(&["list"], columns, no_color);
            assert!(screen.lines().count() > ids.len(), "{screen}");
            assert_fits(
                &screen,
                columns,
                false,
                &format!("list, no_color {no_color}"),
            );
            assert_whole(&screen, &ids, columns);
        }
    }
}

#[test]
fn the_ranking_fits_the_terminal_and_keeps_model_ids_whole() {
    let ids: Vec<String> = pick(&["--license", "apache", "--gpus", "4xH100", "--format", "ids"])
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!ids.is_empty());
    for columns in [80u16, 120] {
        for no_color in [false, true] {
            let screen = on_terminal(
                &["--license", "apache", "--gpus", "4xH100"],
                columns,
                no_color,
            );
            // The table and the rationale wrapped with a hanging indent.
            assert_fits(&screen, columns, true, "the ranking");
            assert_whole(&screen, &ids, columns);
        }
    }
}

#[test]
fn pipes_are_unchanged_by_the_terminal_width() {
    let narrow = pick_env(&["list"], &[("COLUMNS", "40")]);
    let wide = pick_env(&["list"], &[("COLUMNS", "300")]);
    assert_eq!(narrow.stdout, wide.stdout);
}

#[test]
fn the_gate_report_fits_the_terminal() {
    for columns in [80u16, 120] {
        for no_color in [false, true] {
            let screen = on_terminal(&["gate", "--policy", "gate/fail.toml"], columns, no_color);
            assert!(screen.contains("acme/secret-model"), "{screen}");
            assert_fits(&screen, columns, true, "the gate report");
        }
    }
}
