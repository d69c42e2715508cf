//! The Telegram bot: everything that knows teloxide. It turns updates into calls of the
//! classifier, the planner and the store, and the [`crate::render::Reply`]s they produce into
//! Telegram messages.
//!
//! - [`run`] starts it: configuration ([`config`]), the database, the reminder loop, the
//!   dispatcher with long polling ([`listener`]) or a webhook ([`webhook`]).
//! - [`schema::schema`] builds the handler tree; [`command`] parses commands; the handlers in
//!   [`handlers`] stay thin.
//! - [`send`] sends replies (split to Telegram's limit, retried on Telegram's faults), and
//!   [`reply_claim`] makes each update answered once across restarts and instances.
//! - [`state`] holds bounded, in-memory state (batches, reply links, rate limits).
//! - The glue for each feature: [`plan`] (the planner dialogue), [`feedback`] (👍/👎),
//!   [`screenshot`] (reading images), [`group_settings`] (`/settings`), [`reminders`] (delivery).
//! - [`maintenance`]: the timed work (reminders, auto-deletions, pruning), from the database.

pub mod command;
pub mod config;
pub mod feedback;
pub mod group_settings;
pub mod handlers;
pub mod listener;
pub mod maintenance;
pub mod plan;
pub mod reminders;
pub mod reply_claim;
pub mod schema;
pub mod screenshot;
pub mod send;
pub mod state;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::Dispatcher;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope};

pub use config::{Config, ConfigError};
use handlers::HandlerError;
use state::{BotState, Limits};

use crate::confirmed::KnownStore;
use crate::responses::{Language, Responses};

/// The commands shown in Telegram's menu, with descriptions from responses/.
pub fn menu(texts: &Responses, group: bool) -> Vec<BotCommand> {
    let c = &texts.commands;
    if group {
        return vec![
            BotCommand::new("verify", &c.verify),
            BotCommand::new("help", &c.help),
        ];
    }
    vec![
        BotCommand::new("verify", &c.verify),
        BotCommand::new("plan", &c.plan),
        BotCommand::new("remind", &c.remind),
        BotCommand::new("legal", &c.legal),
        BotCommand::new("privacy", &c.privacy),
        BotCommand::new("forget", &c.forget),
        BotCommand::new("cancel", &c.cancel),
        BotCommand::new("help", &c.help),
        BotCommand::new("start", &c.start),
    ]
}

async fn register_commands(bot: &Bot) -> Result<(), teloxide::RequestError> {
    for (language, code) in [(Language::ZhCn, None), (Language::En, Some("en"))] {
        let texts = Responses::get(language);
        for (scope, group) in [
            (BotCommandScope::AllPrivateChats, false),
            (BotCommandScope::AllGroupChats, true),
        ] {
            let mut req = bot.set_my_commands(menu(texts, group)).scope(scope);
            if let Some(code) = code {
                req = req.language_code(code);
            }
            req.await?;
        }
    }
    Ok(())
}

/// Logs handler errors without the token (reqwest puts the request URL, token included, in its
/// error messages).
struct RedactingErrorHandler {
    token: config::Secret,
}

impl ErrorHandler<HandlerError> for RedactingErrorHandler {
    fn handle_error(
        self: Arc<Self>,
        error: HandlerError,
    ) -> futures_util::future::BoxFuture<'static, ()> {
        let message = redact_token(&error.to_string(), self.token.expose());
        Box::pin(async move { tracing::warn!(error = %message, "handler failed") })
    }
}

pub fn redact_token(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "<token>")
    }
}

/// Runs the bot with long polling until SIGINT or SIGTERM.
/// `known` is filled from the database here; a web page in the same process shares it.
pub async fn run(config: Config, known: Arc<KnownStore>) -> anyhow::Result<()> {
    // The default hook prints a panic's message, and a slicing panic quotes the string it
    // sliced: message text must never reach the log, so only the place is logged.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        tracing::error!(location, "panic");
    }));
    let mut bot = Bot::new(config.token.expose());
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    let me = bot
        .get_me()
        .await
        .map_err(|e| anyhow::anyhow!(redact_token(&e.to_string(), config.token.expose())))?;
    tracing::info!(username = me.username(), "connected to the Bot API");
    if let Err(e) = register_commands(&bot).await {
        tracing::warn!(error = %redact_token(&e.to_string(), config.token.expose()), "could not register the command menu");
    }

    let store = Arc::new(
        crate::storage::Store::connect(config.database_url.expose())
            .await
            .map_err(|e| anyhow::anyhow!("database: {e}"))?,
    );
    tracing::info!(backend = ?store.backend(), "database ready");
    known
        .load_into(&store)
        .await
        .map_err(|e| anyhow::anyhow!("database: {e}"))?;
    tracing::info!(examples = known.len(), "confirmed examples loaded");
    crate::confirmed::compact(&store, &known).await;
    let refresher = tokio::spawn(crate::confirmed::keep_fresh(
        store.clone(),
        known.clone(),
        config.known_refresh,
    ));
    let reminders = tokio::spawn(maintenance::run_loop(
        bot.clone(),
        store.clone(),
        config.reminder_interval,
    ));

    let state = Arc::new(
        BotState::new(Limits {
            batch_window: config.batch_window,
            group_limit_per_minute: config.group_limit_per_minute,
            user_limit_per_minute: config.user_limit_per_minute,
            ..Limits::default()
        })
        .with_known(known)
        .with_reviewers(config.reviewers.clone()),
    );
    let errors = Arc::new(RedactingErrorHandler {
        token: config.token.clone(),
    });
    let tracker = Arc::new(listener::Tracker::default());
    let mut dispatcher = Dispatcher::builder(bot.clone(), listener::tracked(schema::schema()))
        .dependencies(dptree::deps![state, store, tracker.clone()])
        .distribution_function(schema::distribution)
        .default_handler(|_| async {})
        .error_handler(errors.clone())
        .build();

    let shutdown = dispatcher.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("stopping: no new updates, finishing replies in flight");
        if let Ok(done) = shutdown.shutdown() {
            done.await;
        }
    });

    let quiet = teloxide::error_handlers::IgnoringErrorHandlerSafe::new();
    match &config.webhook {
        Some(wh) => {
            // Behind a load balancer, several instances share the database: the tracked
            // handler tree skips an update another instance already answered.
            tracing::info!(listen = %wh.listen, register = wh.register, "webhook mode");
            let listener =
                webhook::listener_with(bot.clone(), wh, wh.register, Some(tracker.completions()))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            dispatcher.dispatch_with_listener(listener, quiet).await;
        }
        None => {
            if let Err(e) = bot.delete_webhook().await {
                tracing::warn!(error = %redact_token(&e.to_string(), config.token.expose()), "deleteWebhook failed");
            }
            // The listener retries and logs its own errors; it never yields one.
            let listener = listener::polling(bot, tracker, Duration::from_secs(10));
            dispatcher.dispatch_with_listener(listener, quiet).await;
        }
    }
    reminders.abort();
    refresher.abort();
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
