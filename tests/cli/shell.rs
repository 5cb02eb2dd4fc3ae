use super::*;
use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_pick()"),
        ("zsh", "#compdef pick"),
        ("fish", "complete -c pick"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = pick(&["completions", shell]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains(marker), "{shell}");
        assert!(
            r.stdout.contains("gate")
                && r.stdout.contains("license")
                && r.stdout.contains("tokens-per-hour"),
            "{shell} completes subcommands and flags"
        );
    }
    assert_eq!(pick(&["completions", "tcsh"]).code, 2);
}

#[test]
fn man_page() {
    let r = pick(&["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH pick"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("\\-\\-license"));
}

#[test]
fn plain_on_a_pipe_color_when_asked() {
    let plain = pick(&["--license", "apache", "--gpus", "4xH100"]);
    assert!(!plain.stdout.contains('\x1b'), "no escapes on a pipe");
    let forced = pick(&[
        "--license",
        "apache",
        "--gpus",
        "4xH100",
        "--color",
        "always",
    ]);
    assert!(forced.stdout.contains("\x1b["), "--color always styles");
    let never = pick_env(
        &[
            "--license",
            "apache",
            "--gpus",
            "4xH100",
            "--color",
            "never",
        ],
        &[("NO_COLOR", "1")],
    );
    assert!(!never.stdout.contains('\x1b'));
    // JSON is never styled.
    let json = pick(&["list", "--format", "json", "--color", "always"]);
    assert!(!json.stdout.contains('\x1b'));
}

#[test]
fn broken_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pick"))
        .args(["list"])
        .env_remove("PICK_CATALOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `head -c 16`
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn quiet_keeps_only_the_exit_code() {
    let ok = pick(&["--quiet", "--license", "apache", "--gpus", "4xH100"]);
    assert_eq!((ok.code, ok.stdout.as_str()), (0, ""));
    let none = pick(&[
        "-q",
        "--license",
        "apache",
        "--gpus",
        "L4",
        "--context",
        "1M",
    ]);
    assert_eq!((none.code, none.stdout.as_str()), (1, ""));
    let bad = pick(&["-q", "show", "nope"]);
    assert_eq!(bad.code, 2);
    assert!(!bad.stderr.is_empty(), "errors still reach stderr");
}

#[test]
fn help_and_version() {
    let h = pick(&["--help"]);
    assert_eq!(h.code, 0);
    assert!(h.stdout.contains("Exit codes") && h.stdout.contains("--tokens-per-hour"));
    let v = pick(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.starts_with("pick "));
    let bad = pick(&["--no-such-flag"]);
    assert_eq!(bad.code, 2);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, failure_persistence: None, ..Default::default() })]

    /// Whatever the arguments, the binary answers 0, 1 or 2 and never panics.
    #[test]
    fn any_arguments_exit_cleanly(
        flag in proptest::sample::select(vec!["--gpus", "--context", "--license", "--mau", "--top", "--tokens-per-hour", "--gpu-price", "--region", "--input-ratio", "--concurrency"]),
        value in "\\PC{0,12}",
        sub in proptest::sample::select(vec!["", "fit llama-3.1-8b", "list", "show"]),
    ) {
        let mut args: Vec<&str> = sub.split_whitespace().collect();
        if sub == "show" {
            args.push(&value);
        } else if sub == "list" {
            args.extend(["--license", &value]);
        } else {
            args.extend([flag, &value]);
        }
        if sub.starts_with("fit") && flag != "--gpus" {
            args.extend(["--gpus", "H100"]);
        }
        let r = pick(&args);
        proptest::prop_assert!((0..=2).contains(&r.code), "{args:?}: exit {} {}", r.code, r.stderr);
        proptest::prop_assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
}
