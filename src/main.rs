use std::process::ExitCode;

use clap::Parser;
use loanguard::cli::{self, Args, Command};

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Check(check)) => cli::check(check),
        Some(Command::Eval { files }) => cli::eval(&files),
        Some(Command::Run) | None => {
            eprintln!(
                "loanguard: 机器人功能还在开发中。现在可以用命令行检查消息：\n  echo '消息内容' | loanguard check\n  loanguard check --format json '消息内容'"
            );
            ExitCode::from(2)
        }
    }
}
