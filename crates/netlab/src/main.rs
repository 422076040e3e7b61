//! `netlab`: the thin binary. Parses the command line, hands the work to the
//! library crates, writes outputs and maps errors to the exit statuses in
//! `exit.rs`.

mod cli;
mod commands;
mod engines;
mod exit;
mod export;
mod interrupt;
mod out_folder;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netlab: error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INFRA);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{}", failure.message());
            failure.code()
        }
    }
}
