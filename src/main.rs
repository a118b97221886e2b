//! Entry point: parse the command line, run the command, print errors with their whole cause
//! chain, set the exit code (0 success, 1 failure, 2 invalid dossier data).

use std::io::IsTerminal;
use std::process::ExitCode;

use cdm_render::cli::{Cli, Command};
use cdm_render::commands;
use cdm_render::diag::DataErrors;
use clap::Parser;

fn main() -> ExitCode {
    restore_sigpipe();
    // A child started to read an annex apart (see input::isolate), before any parsing.
    if std::env::args_os().nth(1).is_some_and(|a| a == cdm_render::input::isolate::CHILD_ARGUMENT) {
        return cdm_render::input::annex::serve_child();
    }
    cdm_render::input::isolate::enable();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli_error(&error),
    };
    // Only the default command writes a PDF (batch reports per dossier, watch keeps the last).
    let writes_pdf = cli.command.is_none();
    let result = match cli.command {
        Some(Command::Plan(args)) => commands::plan::run(args),
        Some(Command::Extract(args)) => commands::extract::run(args),
        Some(Command::Init(args)) => commands::init::run(args),
        Some(Command::Diff(args)) => commands::diff::run(args),
        Some(Command::Watch(args)) => args.into_config().and_then(commands::watch::run),
        Some(Command::Edit(args)) => commands::edit::run(args),
        Some(Command::Schema) => {
            let schema = cdm_render::model::schema::dossier_schema();
            serde_json::to_string_pretty(&schema).map(|s| println!("{s}")).map_err(Into::into)
        }
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
        Err(error) => report(&error, writes_pdf),
    }
}

/// Output piped into a command that stops reading (`cdm-render schema | head`) ends the
/// program quietly, as for other command-line tools, instead of a panic in `println!`: Rust
/// ignores SIGPIPE by default, which turns a closed pipe into a write error.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread starts; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Prints clap's errors in French (help and version are printed as they are).
fn cli_error(error: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let argument = context(ContextKind::InvalidArg);
    let message = match error.kind() {
        ErrorKind::UnknownArgument => format!("argument inconnu « {argument} »"),
        ErrorKind::InvalidSubcommand => format!("commande inconnue « {} »", context(ContextKind::InvalidSubcommand)),
        ErrorKind::MissingRequiredArgument if argument.contains("--serve") => {
            "--port, --host et --open vont avec --serve (aperçu dans le navigateur)".to_string()
        }
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {argument}"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = context(ContextKind::InvalidValue);
            let detail = std::error::Error::source(error).map(|e| format!(" ({e})")).unwrap_or_default();
            format!("valeur invalide « {value} » pour {argument}{detail}")
        }
        ErrorKind::ArgumentConflict => {
            "arguments en trop ou incompatibles : un seul dossier à la fois (pour plusieurs, « cdm-render batch »)".to_string()
        }
        ErrorKind::TooManyValues => format!("argument en trop : {argument}"),
        _ => format!("ligne de commande invalide ({:?})", error.kind()),
    };
    eprintln!("erreur : {message}");
    let suggestion =
        context(ContextKind::SuggestedArg) + &context(ContextKind::SuggestedSubcommand);
    if !suggestion.is_empty() {
        eprintln!("aide : vouliez-vous dire « {suggestion} » ?");
    }
    eprintln!("aide : cdm-render --help affiche toutes les options");
    ExitCode::from(2)
}

fn report(error: &anyhow::Error, writes_pdf: bool) -> ExitCode {
    if let Some(data) = error.downcast_ref::<DataErrors>() {
        eprint!("{}", data.render(std::io::stderr().is_terminal()));
        let n = data.error_count();
        let consequence = if writes_pdf { " : aucun PDF n'a été écrit" } else { "" };
        eprintln!("{n} erreur{} dans le dossier{consequence}", if n > 1 { "s" } else { "" });
        return ExitCode::from(2);
    }
    eprintln!("{}", cdm_render::diag::error_chain(error));
    ExitCode::FAILURE
}
