//! [`StorageError`]: what can go wrong in the storage layer, described without user text.
//!
//! Database drivers put values into some of their messages (a PostgreSQL "invalid input syntax"
//! error quotes the value, a JSON error quotes the offending string). None of that is kept here:
//! an error carries the operation that failed, a fixed description of the kind of failure and,
//! for database errors, the database's own error code (SQLSTATE on PostgreSQL, the extended
//! result code on SQLite). It is safe to log in full.

use std::fmt;

/// Result of every storage operation.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A storage failure. Never contains message text, labels, plans, URLs or passwords.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The URL is neither `sqlite:…` nor `postgres://…` / `postgresql://…`.
    #[error("unsupported database URL: expected sqlite:… or postgres://…")]
    UnsupportedUrl,
    /// The URL could not be parsed (its text is not repeated: it may hold a password).
    #[error("invalid database URL")]
    InvalidUrl,
    /// Creating the SQLite database file failed.
    #[error("could not create the SQLite database file: {0}")]
    CreateFile(std::io::ErrorKind),
    /// Applying the embedded migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(&'static str),
    /// A database operation failed.
    #[error("database error in {op}: {kind}{}", Code(.code))]
    Database {
        /// The storage operation, such as `"claim_due"`.
        op: &'static str,
        /// A fixed description of the failure, such as `"unique violation"` or `"pool timed out"`.
        kind: &'static str,
        /// The database's error code, if it gave one (SQLSTATE or SQLite extended code).
        code: Option<String>,
    },
    /// A stored or given JSON value could not be (de)serialised.
    #[error("JSON error in {op}: {category} at line {line} column {column}")]
    Json {
        /// The storage operation.
        op: &'static str,
        /// `"syntax"`, `"data"`, `"eof"` or `"io"`.
        category: &'static str,
        /// Position in the JSON text.
        line: usize,
        /// Position in the JSON text.
        column: usize,
    },
    /// An argument was out of range (day of month, hour, label length, id).
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),
    /// `remove_dialogue` of the teloxide [`Storage`](teloxide::dispatching::dialogue::Storage)
    /// found no dialogue (the trait's contract, as in teloxide's own storages).
    #[error("dialogue not found")]
    DialogueNotFound,
}

struct Code<'a>(&'a Option<String>);

impl fmt::Display for Code<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(code) => write!(f, " (code {code})"),
            None => Ok(()),
        }
    }
}

impl StorageError {
    /// Maps a sqlx error to a [`StorageError::Database`] without its message.
    pub(crate) fn db(op: &'static str, err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        let (kind, code) = match &err {
            sqlx::Error::Database(e) => {
                let kind = match e.kind() {
                    ErrorKind::UniqueViolation => "unique violation",
                    ErrorKind::ForeignKeyViolation => "foreign key violation",
                    ErrorKind::NotNullViolation => "not-null violation",
                    ErrorKind::CheckViolation => "check violation",
                    _ => "database error",
                };
                // Codes are short identifiers; keep only their safe characters just in case.
                let code = e.code().map(|c| {
                    c.chars()
                        .filter(|ch| ch.is_ascii_alphanumeric())
                        .take(16)
                        .collect::<String>()
                });
                (kind, code)
            }
            sqlx::Error::Configuration(_) => ("configuration error", None),
            sqlx::Error::InvalidArgument(_) => ("invalid argument", None),
            sqlx::Error::Encode(_) => ("encode error", None),
            sqlx::Error::Io(e) => (io_kind(e.kind()), None),
            sqlx::Error::Tls(_) => ("TLS error", None),
            sqlx::Error::Protocol(_) => ("protocol error", None),
            sqlx::Error::RowNotFound => ("row not found", None),
            sqlx::Error::TypeNotFound { .. } => ("type not found", None),
            sqlx::Error::ColumnIndexOutOfBounds { .. } => ("column index out of bounds", None),
            sqlx::Error::ColumnNotFound(_) => ("column not found", None),
            sqlx::Error::ColumnDecode { .. } => ("column decode error", None),
            sqlx::Error::Decode(_) => ("decode error", None),
            sqlx::Error::AnyDriverError(_) => ("driver error", None),
            sqlx::Error::PoolTimedOut => ("pool timed out", None),
            sqlx::Error::PoolClosed => ("pool closed", None),
            sqlx::Error::WorkerCrashed => ("worker crashed", None),
            sqlx::Error::Migrate(_) => ("migration error", None),
            sqlx::Error::InvalidSavePointStatement => ("invalid savepoint statement", None),
            sqlx::Error::BeginFailed => ("begin failed", None),
            _ => ("other error", None),
        };
        StorageError::Database { op, kind, code }
    }

    /// Maps a serde_json error to a [`StorageError::Json`] without the JSON text.
    pub(crate) fn json(op: &'static str, err: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let category = match err.classify() {
            Category::Io => "io",
            Category::Syntax => "syntax",
            Category::Data => "data",
            Category::Eof => "eof",
        };
        StorageError::Json {
            op,
            category,
            line: err.line(),
            column: err.column(),
        }
    }

    /// Maps a migration error to a fixed description.
    pub(crate) fn migrate(err: &sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError as M;
        StorageError::Migrate(match err {
            M::Execute(_) | M::ExecuteMigration(..) => "a migration failed to execute",
            M::Source(_) => "the embedded migrations could not be read",
            M::VersionMissing(_) => {
                "the database has a migration this build does not know (a newer version ran)"
            }
            M::VersionMismatch(_) => "an applied migration was changed after it ran",
            M::VersionNotPresent(_) => "a migration version is not present",
            M::VersionTooOld(..) | M::VersionTooNew(..) => "a migration version is out of range",
            M::ForceNotSupported => "forced migration is not supported",
            M::Dirty(_) => "a migration was left partially applied",
            _ => "unknown migration error",
        })
    }
}

fn io_kind(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => "I/O error: not found",
        K::PermissionDenied => "I/O error: permission denied",
        K::ConnectionRefused => "I/O error: connection refused",
        K::ConnectionReset => "I/O error: connection reset",
        K::ConnectionAborted => "I/O error: connection aborted",
        K::TimedOut => "I/O error: timed out",
        K::UnexpectedEof => "I/O error: unexpected end of stream",
        _ => "I/O error",
    }
}
