use std::fs::File;
use std::io::{self, BufReader};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use loanguard::classifier::Classifier;
use loanguard::cli::eval::{Evaluation, evaluate};

#[derive(Parser)]
#[command(name = "loanguard", version, about = "网贷催收鉴别助手")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Score the classifier on labelled JSON Lines files.
    Eval { files: Vec<String> },
    /// Check JSON Lines from stdin.
    Check,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Eval { files }) => {
            let c = Classifier::shared();
            let mut e = Evaluation::default();
            for f in files {
                let file = match File::open(&f) {
                    Ok(f) => f,
                    Err(err) => {
                        eprintln!("loanguard eval: {f}: {err}");
                        return ExitCode::from(2);
                    }
                };
                evaluate(c, BufReader::new(file), &mut e);
            }
            print!("{}", e.render());
            ExitCode::SUCCESS
        }
        Some(Command::Check) => {
            let stdin = io::stdin();
            let _ = loanguard::cli::check::run_jsonl(Classifier::shared(), &Default::default(), stdin.lock(), io::stdout().lock());
            ExitCode::SUCCESS
        }
        None => {
            let _ = io::stdout();
            ExitCode::SUCCESS
        }
    }
}
