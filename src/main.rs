//! Entry point: parse the command line, run the command, print errors with their whole cause
//! chain, set the exit code (0 success, 1 failure, 2 invalid dossier data).

use std::io::IsTerminal;
use std::process::ExitCode;

use cdm_render::cli::{Cli, Command};
use cdm_render::commands;
use cdm_render::diag::DataErrors;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Plan(args)) => commands::plan::run(args),
        Some(Command::Extract(args)) => commands::extract::run(args),
        Some(Command::Batch(args)) => match commands::batch::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some(Command::Check(args)) => match commands::check::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        None => cli.render.into_config().and_then(commands::render::run),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

fn report(error: &anyhow::Error) -> ExitCode {
    if let Some(data) = error.downcast_ref::<DataErrors>() {
        eprint!("{}", data.render(std::io::stderr().is_terminal()));
        let n = data.error_count();
        eprintln!(
            "{n} erreur{} dans le dossier : aucun PDF n'a été écrit",
            if n > 1 { "s" } else { "" }
        );
        return ExitCode::from(2);
    }
    eprintln!("erreur : {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  cause : {cause}");
    }
    ExitCode::FAILURE
}
