use std::process::ExitCode;

use clap::Parser;
use virtperf::model::exit::{EXIT_BAD_INPUT, EXIT_FATAL};

fn main() -> ExitCode {
    let opts = virtperf::cli::Opts::parse();
    match virtperf::commands::run(opts) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`virtperf ... | head`) is not a failure.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("virtperf: error: {err:#}");
            // Reading nothing is bad input (1), not a usage error (2).
            if err.chain().any(|e| e.is::<virtperf::error::NoInput>()) {
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            ExitCode::from(EXIT_FATAL)
        }
    }
}
