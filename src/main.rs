use std::process::ExitCode;

use clap::Parser;
use loanguard::cli::{self, Args, Command};

fn main() -> ExitCode {
    // Settings may come from a .env file; real environment variables win.
    let _ = dotenvy::dotenv();
    let args = Args::parse();
    match args.command {
        Some(Command::Check(check)) => cli::check(check),
        Some(Command::Eval { files, row }) => cli::eval(&files, row.as_deref()),
        Some(Command::Train {
            corpus,
            out,
            folds,
            config,
        }) => cli::train(&corpus, &out, folds, config.as_deref()),
        Some(Command::Doctor) => cli::doctor(),
        Some(Command::Web) => cli::web(),
        Some(Command::Chat { lang }) => cli::chat(&lang),
        Some(Command::Feedback {
            action: cli::FeedbackAction::Export,
        }) => cli::feedback_export(),
        Some(Command::Known { action }) => cli::known(action),
        Some(Command::Run) | None => cli::run_bot(),
    }
}
