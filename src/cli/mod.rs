//! The command line: `loanguard check`, `loanguard eval`, and the entry points of the bot and
//! the web page.

pub mod chat;
pub mod check;
pub mod eval;
pub mod json;
pub mod known;
pub mod train;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::classifier::{Classifier, Context, ForwardOrigin};
use crate::render::{View, verdict_doc};
use crate::responses::{Language, Responses};

#[derive(Debug, Parser)]
#[command(
    name = "loanguard",
    version,
    about = "网贷催收鉴别助手：分辨真催收和诈骗的 Telegram 机器人与命令行"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Telegram bot (the default).
    Run,
    /// Try the bot in a terminal: the same replies, as plain text.
    Chat {
        /// Reply language: zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Say which optional tools (Tesseract for screenshots) are available.
    Doctor,
    /// Serve the web page and the JSON API on WEB_ADDR (127.0.0.1:8080); no Telegram token
    /// needed.
    Web,
    /// Check a message: from the arguments, or from stdin.
    Check(CheckArgs),
    /// Work with stored verdict feedback.
    Feedback {
        #[command(subcommand)]
        action: FeedbackAction,
    },
    /// Confirmed examples in the database of DATABASE_URL: near-copies of them are flagged.
    Known {
        #[command(subcommand)]
        action: KnownAction,
    },
    /// Score the classifier on labelled JSON Lines files ({"id", "text", "label"}).
    /// Rebuild the learned stage from the labelled corpus (deterministic), or cross-validate it.
    Train {
        /// Folder of labelled JSON Lines files; rows need a `family`.
        #[arg(long, default_value = "tests/corpus")]
        corpus: PathBuf,
        /// Where to write the model.
        #[arg(long, default_value = "src/classifier/data/learned.bin")]
        out: PathBuf,
        /// Instead of writing the model, report K-fold cross-validated scores.
        #[arg(long, value_name = "K")]
        folds: Option<usize>,
        /// Another learned.toml to try (experiments); the embedded one by default.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    Eval {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also print the scores as a row of tests/holdout/SCORES.md, under this set name.
        #[arg(long, value_name = "SET")]
        row: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KnownAction {
    /// Store messages, JSON Lines {"id", "text"} from FILE or stdin, redacted, under a label.
    Add {
        /// scam, suspicious or legit.
        #[arg(long)]
        label: String,
        /// The kind of message, such as court_police (see `loanguard known add --help`).
        #[arg(long)]
        family: Option<String>,
        /// JSON Lines file; stdin when absent.
        file: Option<PathBuf>,
    },
    /// One line per example: id, label, family, date, reviewer, the start of the text.
    List,
    /// Every example as JSON Lines.
    Export,
    /// Remove an example; every running bot drops it within a minute.
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum FeedbackAction {
    /// Write submitted (redacted) texts with their corrected labels as JSON Lines, in the format
    /// `loanguard eval` reads, for an operator to review and add to the corpus.
    Export,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The message; read from stdin when absent.
    pub text: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The number the message came from, if you know it.
    #[arg(long)]
    pub sender: Option<String>,
    /// Where a forwarded message came from.
    #[arg(long, value_enum)]
    pub forwarded_from: Option<Origin>,
    /// Read the message from a screenshot (PNG, JPEG, WebP…) with Tesseract.
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    pub image: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A readable report in Chinese.
    Text,
    /// One JSON object.
    Json,
    /// JSON Lines {"id", "text"} on stdin, one result per line on stdout.
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Origin {
    User,
    HiddenUser,
    Chat,
    Channel,
}

impl From<Origin> for ForwardOrigin {
    fn from(o: Origin) -> Self {
        match o {
            Origin::User => ForwardOrigin::User,
            Origin::HiddenUser => ForwardOrigin::HiddenUser,
            Origin::Chat => ForwardOrigin::Chat,
            Origin::Channel => ForwardOrigin::Channel,
        }
    }
}

/// `loanguard check`.
pub fn check(args: CheckArgs) -> ExitCode {
    let classifier = Classifier::shared();
    let context = Context {
        forwarded: args.forwarded_from.is_some(),
        forward_origin: args.forwarded_from.map(Into::into),
        sender_number: args.sender,
    };
    // The confirmed examples of DATABASE_URL, so a batch check and the bot agree.
    let known = known::store_for_check();
    if let Format::Jsonl = args.format {
        let stdin = io::stdin();
        let stdout = io::stdout();
        return match known.with_index(|index| {
            check::run_jsonl(
                classifier,
                &context,
                index,
                stdin.lock(),
                io::BufWriter::new(stdout.lock()),
            )
        }) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => fail(&format!("读写失败：{e}")),
        };
    }
    let text = if let Some(path) = &args.image {
        match read_image(path) {
            Ok(t) => t,
            Err(message) => return fail(&message),
        }
    } else if args.text.is_empty() {
        let mut bytes = Vec::new();
        if let Err(e) = io::stdin().read_to_end(&mut bytes) {
            return fail(&format!("读取输入失败：{e}"));
        }
        match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => return fail("输入不是有效的 UTF-8 文本（input is not valid UTF-8）"),
        }
    } else {
        args.text.join(" ")
    };
    let report = known.classify(classifier, &text, &context);
    let out = match args.format {
        Format::Json => {
            let json = json::ReportJson::with_notes(serde_json::Value::Null, &report);
            serde_json::to_string_pretty(&json).unwrap_or_default()
        }
        _ => {
            let texts = Responses::get(Language::ZhCn);
            verdict_doc(&report, &context, texts, View::FULL).to_plain()
        }
    };
    let mut stdout = io::stdout().lock();
    let _ = writeln!(stdout, "{out}");
    ExitCode::SUCCESS
}

/// The text of a screenshot, as the bot would read it.
fn read_image(path: &std::path::Path) -> Result<String, String> {
    let ocr = crate::ocr::Ocr::global()
        .ok_or("未找到带中文语言包（chi_sim）的 tesseract，无法识别图片（tesseract with chi_sim not found）")?;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = runtime()?
        .block_on(ocr.read(bytes))
        .map_err(|e| format!("图片识别失败（{e}）"))?;
    if text.trim().is_empty() {
        return Err("图片里没有读到文字（no text found in the image）".into());
    }
    Ok(text)
}

/// `loanguard known …`.
pub fn known(action: KnownAction) -> ExitCode {
    match action {
        KnownAction::Add {
            label,
            family,
            file,
        } => match file {
            Some(path) => match std::fs::File::open(&path) {
                Ok(f) => known::add(&label, family.as_deref(), io::BufReader::new(f)),
                Err(e) => fail(&format!("{}: {e}", path.display())),
            },
            None => known::add(&label, family.as_deref(), io::stdin().lock()),
        },
        KnownAction::List => known::list(),
        KnownAction::Export => known::export(),
        KnownAction::Remove { id } => known::remove(id),
    }
}

/// `loanguard train`.
pub fn train(
    corpus: &std::path::Path,
    out: &std::path::Path,
    folds: Option<usize>,
    config: Option<&std::path::Path>,
) -> ExitCode {
    let config = match config {
        None => match Classifier::rules_only() {
            Ok(c) => c.learned_config().clone(),
            Err(e) => return fail(&e),
        },
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => return fail(&format!("{}: {e}", path.display())),
        },
    };
    let (rows, skipped) = match train::read_corpus(corpus) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    eprintln!(
        "loanguard: {} labelled rows, {} without a family skipped",
        rows.len(),
        skipped.len()
    );
    if let Some(k) = folds {
        return match train::cross_validate(&rows, k, &config) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let model = match train::train_model_with(&rows, &config.train) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let bytes = model.to_bytes();
    if let Err(e) = std::fs::write(out, &bytes) {
        return fail(&format!("{}: {e}", out.display()));
    }
    eprintln!("loanguard: wrote {} ({} bytes)", out.display(), bytes.len());
    ExitCode::SUCCESS
}

/// `loanguard eval`.
pub fn eval(files: &[PathBuf], row: Option<&str>) -> ExitCode {
    let classifier = Classifier::shared();
    let mut evaluation = eval::Evaluation::default();
    for path in files {
        match std::fs::File::open(path) {
            Ok(f) => eval::evaluate(classifier, io::BufReader::new(f), &mut evaluation),
            Err(e) => return fail(&format!("{}: {e}", path.display())),
        }
    }
    print!("{}", evaluation.render());
    if let Some(set) = row {
        let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
        println!("\n{}", evaluation.scores_row(&date, set));
    }
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("loanguard: {message}");
    ExitCode::from(1)
}

/// `loanguard` / `loanguard run`: the bot.
pub fn run_bot() -> ExitCode {
    init_logging();
    let config = match crate::bot::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("loanguard: {e}");
            return ExitCode::from(2);
        }
    };
    let ocr =
        crate::ocr::Ocr::detect().map(|o| o.with_limits(config.ocr_workers, config.ocr_timeout));
    match &ocr {
        Some(o) => {
            tracing::info!(ocr = %o.describe(), workers = o.concurrency(), "screenshot reading on")
        }
        None => tracing::warn!("screenshot reading off: tesseract with chi_sim not found"),
    }
    crate::ocr::Ocr::install_global(ocr);
    let runtime = match server_runtime() {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    // With WEB_ADDR set, the web page runs in the bot's process too, until the bot stops.
    let web = match crate::web::WebConfig::from_env_if_set() {
        Ok(web) => web,
        Err(e) => {
            eprintln!("loanguard: {e}");
            return ExitCode::from(2);
        }
    };
    // Filled by the bot from its database, and shared with the web page.
    let known = std::sync::Arc::new(crate::confirmed::KnownStore::empty());
    if let Some(web) = web {
        let tcp = match runtime.block_on(start_web(&web)) {
            Ok(tcp) => tcp,
            Err(e) => return fail(&e),
        };
        runtime.spawn(crate::web::serve(
            tcp,
            web_state(&web, known.clone()),
            crate::http::ServeLimits::default(),
            std::future::pending(),
        ));
    }
    match runtime.block_on(crate::bot::run(config, known)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the bot stopped");
            eprintln!("loanguard: {e}");
            ExitCode::from(1)
        }
    }
}

/// `loanguard web`: the web page and API until SIGINT or SIGTERM.
pub fn web() -> ExitCode {
    init_logging();
    let config = match crate::web::WebConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("loanguard: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match server_runtime() {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    runtime.block_on(async {
        let tcp = match start_web(&config).await {
            Ok(tcp) => tcp,
            Err(e) => return fail(&e),
        };
        let known = known::store_for_server().await;
        crate::web::serve(
            tcp,
            web_state(&config, known),
            crate::http::ServeLimits::default(),
            wait_for_signal(),
        )
        .await;
        tracing::info!("web server stopped");
        ExitCode::SUCCESS
    })
}

/// Binds the web server's address and logs where it listens.
async fn start_web(config: &crate::web::WebConfig) -> Result<tokio::net::TcpListener, String> {
    let tcp = crate::web::bind(config)
        .await
        .map_err(|e| format!("cannot listen on {} (WEB_ADDR): {e}", config.addr))?;
    let local = tcp.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        listen = %local,
        rate_per_minute = config.rate_per_minute,
        screenshots = crate::ocr::Ocr::global().is_some(),
        "web server listening"
    );
    Ok(tcp)
}

fn web_state(
    config: &crate::web::WebConfig,
    known: std::sync::Arc<crate::confirmed::KnownStore>,
) -> std::sync::Arc<crate::web::Web> {
    std::sync::Arc::new(crate::web::Web::new(config, crate::ocr::Ocr::global()).with_known(known))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `loanguard doctor`: which optional tools this machine has.
pub fn doctor() -> ExitCode {
    match crate::ocr::Ocr::detect() {
        Some(ocr) => println!("截图识别：可用（{}）", ocr.describe()),
        None => println!(
            "截图识别：未启用（找不到带 chi_sim 语言包的 tesseract；Debian/Ubuntu：apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng）"
        ),
    }
    ExitCode::SUCCESS
}

/// `loanguard chat`.
pub fn chat(lang: &str) -> ExitCode {
    let language = Language::from_code(Some(lang));
    match chat::run(language) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// Logs go to stderr through `tracing`, filtered by RUST_LOG (default `info`). Handlers log
/// verdicts and counts, never message text, numbers or the token.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only on a terminal: journald and log files would show them raw.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

/// `loanguard feedback export`: JSON Lines `{"id", "text", "label"}` from feedback whose text the
/// user agreed to submit. The label is the user's correction, or the bot's verdict after 👍.
pub fn feedback_export() -> ExitCode {
    let rows = match with_store(|store| async move { store.export_feedback().await }) {
        Ok(rows) => rows,
        Err(e) => return fail(&e),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for row in rows {
        let Some(text) = &row.redacted_text else {
            continue;
        };
        let label = match (&row.corrected_verdict, row.vote.accurate) {
            (Some(v), _) => v.clone(),
            (None, true) => row.vote.verdict.clone(),
            (None, false) => continue,
        };
        let line = serde_json::json!({"id": format!("feedback-{}", row.id), "text": text, "label": label, "rules": row.vote.rule_ids});
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// A single-threaded runtime for the short async work of a command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    started(tokio::runtime::Builder::new_current_thread().enable_all())
}

/// A runtime on every core, for the bot and the web server.
fn server_runtime() -> Result<tokio::runtime::Runtime, String> {
    started(tokio::runtime::Builder::new_multi_thread().enable_all())
}

fn started(builder: &mut tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, String> {
    builder
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Runs `op` on the store of `DATABASE_URL` (created if missing), then closes it.
pub(crate) fn with_store<T, F, Fut>(op: F) -> Result<T, String>
where
    F: FnOnce(std::sync::Arc<crate::storage::Store>) -> Fut,
    Fut: std::future::Future<Output = crate::storage::Result<T>>,
{
    let url = crate::storage::database_url_from_env();
    runtime()?.block_on(async {
        let store = std::sync::Arc::new(
            crate::storage::Store::connect(&url)
                .await
                .map_err(|e| format!("database: {e}"))?,
        );
        let result = op(store.clone())
            .await
            .map_err(|e| format!("database: {e}"));
        store.close().await;
        result
    })
}
