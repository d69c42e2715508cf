//! Settings from the environment (and .env, read by dotenvy before this runs).

use std::time::Duration;

use regex::Regex;

/// A value that must never reach a log: `Debug` and `Display` print `<hidden>`; [`Secret::expose`]
/// is the one way to the value, easy to find in a review.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

/// What the bot needs to start, read once from the environment ([`Config::from_env`]). Every
/// field has a default except the token.
#[derive(Clone, Debug)]
pub struct Config {
    pub token: Secret,
    pub api_url: Option<url::Url>,
    pub batch_window: Duration,
    pub group_limit_per_minute: u32,
    pub user_limit_per_minute: u32,
    /// `sqlite://loanguard.db` by default; `postgres://…` (which may hold a password) to share
    /// state between instances.
    pub database_url: Secret,
    /// How often due reminders are looked for.
    pub reminder_interval: Duration,
    /// Webhook mode when WEBHOOK_URL is set; long polling otherwise.
    pub webhook: Option<super::webhook::WebhookConfig>,
    /// Screenshots read at once (the rest wait); the number of cores by default.
    pub ocr_workers: usize,
    /// How long one screenshot may take to read.
    pub ocr_timeout: Duration,
    /// Telegram users who may use /review and /known (`LOANGUARD_REVIEWERS`); none by default.
    pub reviewers: crate::confirmed::review::Reviewers,
    /// How often the confirmed examples other instances added or removed are read.
    pub known_refresh: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "TELOXIDE_TOKEN is not set. Get a bot token from @BotFather (https://t.me/BotFather), then put TELOXIDE_TOKEN=<token> in .env or the environment."
    )]
    MissingToken,
    #[error(
        "TELOXIDE_TOKEN does not look like a bot token (it should be like 123456789:AA…). Get one from @BotFather (https://t.me/BotFather)."
    )]
    MalformedToken,
    #[error("TELOXIDE_API_URL is not a valid URL.")]
    BadApiUrl,
    #[error("{0} must be a whole number.")]
    BadNumber(&'static str),
    #[error("{0}")]
    Webhook(String),
    #[error("LOANGUARD_REVIEWERS: {0}")]
    BadReviewers(String),
}

fn number(name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| ConfigError::BadNumber(name)),
        _ => Ok(default),
    }
}

pub fn token_is_well_formed(token: &str) -> bool {
    // "<bot id>:<secret>", as @BotFather hands them out.
    Regex::new(r"^[0-9]{3,}:[A-Za-z0-9_-]{20,}$")
        .map(|re| re.is_match(token))
        .unwrap_or(false)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let token = std::env::var("TELOXIDE_TOKEN").unwrap_or_default();
        let token = token.trim().to_string();
        if token.is_empty() {
            return Err(ConfigError::MissingToken);
        }
        if !token_is_well_formed(&token) {
            return Err(ConfigError::MalformedToken);
        }
        let api_url = match std::env::var("TELOXIDE_API_URL") {
            Ok(u) if !u.trim().is_empty() => {
                Some(u.trim().parse().map_err(|_| ConfigError::BadApiUrl)?)
            }
            _ => None,
        };
        Ok(Self {
            token: Secret::new(token),
            api_url,
            batch_window: Duration::from_millis(number("LOANGUARD_BATCH_MS", 1000)?),
            group_limit_per_minute: number("LOANGUARD_GROUP_LIMIT", 5)? as u32,
            user_limit_per_minute: number("LOANGUARD_USER_LIMIT", 10)? as u32,
            database_url: Secret::new(crate::storage::database_url_from_env()),
            reminder_interval: Duration::from_secs(number("LOANGUARD_REMINDER_SECS", 30)?.max(1)),
            webhook: super::webhook::WebhookConfig::from_env().map_err(ConfigError::Webhook)?,
            ocr_workers: match number("LOANGUARD_OCR_WORKERS", 0)? {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n as usize,
            },
            ocr_timeout: Duration::from_secs(
                number(
                    "LOANGUARD_OCR_TIMEOUT_SECS",
                    crate::ocr::DEFAULT_TIMEOUT.as_secs(),
                )?
                .max(1),
            ),
            reviewers: crate::confirmed::review::Reviewers::parse(
                &std::env::var("LOANGUARD_REVIEWERS").unwrap_or_default(),
            )
            .map_err(ConfigError::BadReviewers)?,
            known_refresh: Duration::from_secs(number("LOANGUARD_KNOWN_REFRESH_SECS", 30)?.max(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
        assert_eq!(format!("{secret} {secret:?}"), "<hidden> <hidden>");
        assert!(secret.expose().starts_with("123456789:"));
    }

    #[test]
    fn token_shapes() {
        assert!(token_is_well_formed(
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        ));
        assert!(!token_is_well_formed("not-a-token"));
        assert!(!token_is_well_formed("123456789:short"));
        assert!(!token_is_well_formed(""));
    }
}
