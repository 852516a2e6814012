//! `sankore`: the command-line entry point. Parses arguments, opens the
//! workspace, calls the library crates, and turns errors into one line and a
//! non-zero exit code.

mod cli;
mod commands;
mod passphrase;

use clap::FromArgMatches;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::early_lang(&args);
    let matches = cli::localized_command(lang).get_matches_from(&args);
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(parsed) => parsed,
        Err(e) => e.exit(),
    };
    init_logging();
    match commands::run(parsed) {
        Ok(code) => code,
        Err(error) => {
            // One line: the error and its causes, joined.
            eprintln!("sankore: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error, warnings and up unless `SANKORE_LOG` says
/// otherwise. Nothing logged may contain personal data: log codes, never
/// text.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SANKORE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
