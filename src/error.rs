//! The one error type shown to operators.
//!
//! Every variant renders as a single line that names the input at fault and
//! what to do about it. Secrets (passwords inside database URLs, tokens) are
//! redacted before they can reach a message: build messages with
//! [`redact_url`] whenever a URL is involved.

use std::error::Error as StdError;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Result alias used across tracetop.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The lower-level error an [`Error`] came from (a driver's, the OS's).
pub type Cause = Arc<dyn StdError + Send + Sync + 'static>;

/// An operator-facing line, with the error it came from kept beside it.
///
/// The line is what is shown; the cause is for programs (`source()`,
/// `downcast_ref`), never printed by tracetop itself: a driver's own text
/// may echo connection parameters, and the line already says what to do.
#[derive(Clone)]
pub struct Message {
    text: String,
    cause: Option<Cause>,
}

impl Message {
    /// The line, without a cause.
    pub fn new(text: impl Into<String>) -> Self {
        Message {
            text: text.into(),
            cause: None,
        }
    }

    /// The same line, remembering what caused it.
    ///
    /// When the cause is itself one of our [`Error`]s, its own cause is
    /// kept instead: its line is already part of this one, and a chain
    /// should not repeat it.
    pub fn with_cause(mut self, cause: impl StdError + Send + Sync + 'static) -> Self {
        let ours = (&cause as &dyn std::any::Any).downcast_ref::<Error>();
        self.cause = match ours {
            Some(inner) => inner.message().cause.clone(),
            None => Some(Arc::new(cause)),
        };
        self
    }

    /// The error this line was made from, if any.
    pub fn cause(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        self.cause.as_deref()
    }

    /// The line.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

// Debug shows whether there is a cause, not its text: a driver's text may
// echo connection parameters, and `{:?}` ends up in logs and test output.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("text", &self.text)
            .field("has_cause", &self.cause.is_some())
            .finish()
    }
}

impl Deref for Message {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::new(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::new(text)
    }
}

/// An operator-facing error: one line, input named, remedy given; the
/// variant says what kind of failure it is (so "not found" and "database
/// down" are told apart), and [`StdError::source`] gives its cause.
#[derive(Debug, Clone)]
pub enum Error {
    /// Bad command-line or config input (a flag value, an id, a duration).
    Input(Message),
    /// The database could not be reached or refused us.
    Database(Message),
    /// The schema we rely on is missing or incompatible.
    Schema(Message),
    /// An id or prefix that matches nothing.
    NotFound(Message),
    /// A remote stream or server problem.
    Remote(Message),
    /// Authentication refused (401/403, bad token).
    Auth(Message),
    /// Local I/O (files, terminal, pipes).
    Io(Message),
    /// Anything else, already phrased for the operator.
    Other(Message),
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(msg: impl fmt::Display) -> Self {
        Error::Input(msg.to_string().into())
    }

    /// Shorthand for a not-found error.
    pub fn not_found(msg: impl fmt::Display) -> Self {
        Error::NotFound(msg.to_string().into())
    }

    /// Shorthand for a database error.
    pub fn database(msg: impl fmt::Display) -> Self {
        Error::Database(msg.to_string().into())
    }

    /// Shorthand for a schema error.
    pub fn schema(msg: impl fmt::Display) -> Self {
        Error::Schema(msg.to_string().into())
    }

    /// Shorthand for a remote error.
    pub fn remote(msg: impl fmt::Display) -> Self {
        Error::Remote(msg.to_string().into())
    }

    /// Shorthand for a refused-credentials error.
    pub fn auth(msg: impl fmt::Display) -> Self {
        Error::Auth(msg.to_string().into())
    }

    /// Shorthand for a local I/O error.
    pub fn io(msg: impl fmt::Display) -> Self {
        Error::Io(msg.to_string().into())
    }

    /// Shorthand for any other error.
    pub fn other(msg: impl fmt::Display) -> Self {
        Error::Other(msg.to_string().into())
    }

    /// The same error, remembering the lower-level error it came from.
    pub fn caused_by(self, cause: impl StdError + Send + Sync + 'static) -> Self {
        self.map_message(|m| m.with_cause(cause))
    }

    /// The same kind of error with its line rewritten (the cause is kept),
    /// e.g. to name the flag an input error came from.
    pub fn map_text(self, rewrite: impl FnOnce(&str) -> String) -> Self {
        self.map_message(|m| {
            let text = rewrite(&m.text);
            Message { text, ..m }
        })
    }

    fn map_message(self, change: impl FnOnce(Message) -> Message) -> Self {
        match self {
            Error::Input(m) => Error::Input(change(m)),
            Error::Database(m) => Error::Database(change(m)),
            Error::Schema(m) => Error::Schema(change(m)),
            Error::NotFound(m) => Error::NotFound(change(m)),
            Error::Remote(m) => Error::Remote(change(m)),
            Error::Auth(m) => Error::Auth(change(m)),
            Error::Io(m) => Error::Io(change(m)),
            Error::Other(m) => Error::Other(change(m)),
        }
    }

    /// The operator-facing line and its cause.
    pub fn message(&self) -> &Message {
        match self {
            Error::Input(m)
            | Error::Database(m)
            | Error::Schema(m)
            | Error::NotFound(m)
            | Error::Remote(m)
            | Error::Auth(m)
            | Error::Io(m)
            | Error::Other(m) => m,
        }
    }

    /// The process exit code for this error: 2 for bad input, 3 for an id
    /// that matches nothing, 4 for refused credentials, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::NotFound(_) => 3,
            Error::Auth(_) => 4,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.message()
            .cause()
            .map(|c| c as &(dyn StdError + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::io(format!("I/O error: {e}")).caused_by(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::other(format!("JSON error: {e}")).caused_by(e)
    }
}

/// Mask the credentials of a URL-like string: everything between `://`
/// and the *last* `@` is hidden except a plain user name (`user:***@host`),
/// so a password holding an unencoded `/`, `#`, `?` or `@` is hidden whole;
/// `password=`, `sslpassword=` and `token=` parameters become `***` too.
/// (The placeholder `user:password` of our own messages is left alone.)
/// Works on strings that are not valid URLs, so it is safe on anything a
/// user typed; messages that may hold a URL among other words go through
/// [`redact_urls_in`].
pub fn redact_url(raw: &str) -> String {
    let mut out = raw.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        if let Some(at) = out[rest_start..].rfind('@') {
            let at = rest_start + at;
            let userinfo = &out[rest_start..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            let plain_user = !user.contains(['/', '?', '#']);
            let masked = match (userinfo.contains(':'), plain_user) {
                // the placeholder of our own help texts is no secret
                _ if userinfo == "user:password" => userinfo.to_string(),
                (true, true) => format!("{user}:***"),
                (false, true) => user.to_string(),
                (_, false) => "***".to_string(),
            };
            out.replace_range(rest_start..at, &masked);
        }
    }
    for key in ["password=", "sslpassword=", "token="] {
        let mut search_from = 0;
        while let Some(pos) = out[search_from..].to_ascii_lowercase().find(key) {
            let value_start = search_from + pos + key.len();
            let value_end = out[value_start..]
                .find(['&', ' ', '#'])
                .map(|i| value_start + i)
                .unwrap_or(out.len());
            out.replace_range(value_start..value_end, "***");
            search_from = value_start + 3;
        }
    }
    out
}

/// [`redact_url`] applied to every URL-looking word (`scheme://…` up to the
/// next whitespace) of a free-text message, e.g. a driver's error.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let scheme_start = rest[..pos]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map(|i| i + rest[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        let word_end = rest[pos..]
            .find(char::is_whitespace)
            .map(|i| pos + i)
            .unwrap_or(rest.len());
        out.push_str(&rest[..scheme_start]);
        out.push_str(&redact_url(&rest[scheme_start..word_end]));
        rest = &rest[word_end..];
    }
    out.push_str(rest);
    out
}

/// Remove every occurrence of `secret` from `text` (used on driver errors
/// that may echo connection parameters).
pub fn scrub_secret(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "***"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_keep_their_cause_through_rewording() {
        let os = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = Error::from(os).map_text(|m| format!("--output {m}"));
        assert!(matches!(err, Error::Io(_)));
        assert_eq!(err.to_string(), "--output I/O error: denied");
        let cause = err.source().expect("cause kept");
        let io = cause
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
        // a plain line has none, and Debug never prints a cause's text
        assert!(Error::input("bad --since").source().is_none());
        let debug = format!(
            "{:?}",
            Error::other("x").caused_by(std::io::Error::other("pw=s3cr3t"))
        );
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("has_cause: true"), "{debug}");
        // wrapping one of ours keeps its cause, not its (repeated) line
        let inner = Error::from(std::io::Error::other("disk gone"));
        let outer = Error::other(format!("saving failed: {inner}")).caused_by(inner);
        let cause = outer.source().expect("the inner cause");
        assert!(cause.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn redacts_password_in_authority() {
        assert_eq!(
            redact_url("postgres://ro:s3cr3t@db:5432/prod"),
            "postgres://ro:***@db:5432/prod"
        );
    }

    #[test]
    fn redacts_password_query_parameter() {
        assert_eq!(
            redact_url("postgres:///prod?host=/tmp&password=hunter2&sslmode=disable"),
            "postgres:///prod?host=/tmp&password=***&sslmode=disable"
        );
    }

    #[test]
    fn leaves_urls_without_password_alone() {
        assert_eq!(redact_url("postgres://ro@db/prod"), "postgres://ro@db/prod");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn password_with_slash_hash_or_question_mark_is_fully_hidden() {
        for password in [
            "pa/ss",
            "pa#ss",
            "pa?ss",
            "p/a#s?s@x",
            "/leading",
            "trailing/",
        ] {
            let url = format!("postgres://ro:{password}@db:5432/prod");
            let r = redact_url(&url);
            assert_eq!(r, "postgres://ro:***@db:5432/prod", "{url}");
            let msg = format!("invalid database URL {url}: bad port");
            let r = redact_urls_in(&msg);
            assert!(!r.contains(password), "{r}");
            assert!(r.contains("postgres://ro:***@db:5432/prod"), "{r}");
        }
        // a user name that cannot be one is hidden with the password
        assert_eq!(redact_url("postgres://a/b:c@h/d"), "postgres://***@h/d");
        assert_eq!(
            redact_urls_in("x postgres://u:p/w@h/d, y https://t:k@e/s"),
            "x postgres://u:***@h/d, y https://t:***@e/s"
        );
        assert_eq!(redact_urls_in("no url here"), "no url here");
    }

    #[test]
    fn password_with_at_sign_is_fully_hidden() {
        let r = redact_url("postgres://u:p@ss@h/d");
        assert!(!r.contains("p@ss"), "{r}");
        assert!(!r.contains("ss@"), "{r}");
    }
}
