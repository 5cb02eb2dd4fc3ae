//! The `pick` binary: parse arguments, run, write the output, map the outcome to an exit code.
//! Exit codes: 0 success, 1 no candidate / gate failed / nothing fits, 2 bad input or error.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = pick::cli::main(std::env::args_os());
    let mut stdout = std::io::stdout().lock();
    if !outcome.stdout.is_empty() {
        // A closed pipe (`pick list | head -1`) is not an error: the reader has what it wanted.
        if let Err(e) = stdout
            .write_all(outcome.stdout.as_bytes())
            .and_then(|()| stdout.flush())
        {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let _ = writeln!(std::io::stderr(), "pick: error: cannot write output: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if !outcome.stderr.is_empty() {
        let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    }
    ExitCode::from(outcome.code)
}
