//! The one error type shown to operators.
//!
//! Every variant renders as a single line that names the input at fault and
//! what to do about it. Secrets (passwords inside database URLs, tokens) are
//! redacted before they can reach a message: build messages with
//! [`redact_url`] whenever a URL is involved.

use std::fmt;

/// Result alias used across tracetop.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An operator-facing error: one line, input named, remedy given.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line or config input (a flag value, an id, a duration).
    #[error("{0}")]
    Input(String),
    /// The database could not be reached or refused us.
    #[error("{0}")]
    Database(String),
    /// The schema we rely on is missing or incompatible.
    #[error("{0}")]
    Schema(String),
    /// An id or prefix that matches nothing.
    #[error("{0}")]
    NotFound(String),
    /// A remote stream or server problem.
    #[error("{0}")]
    Remote(String),
    /// Authentication refused (401/403, bad token).
    #[error("{0}")]
    Auth(String),
    /// Local I/O (files, terminal, pipes).
    #[error("{0}")]
    Io(String),
    /// Anything else, already phrased for the operator.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(msg: impl fmt::Display) -> Self {
        Error::Input(msg.to_string())
    }

    /// Shorthand for a not-found error.
    pub fn not_found(msg: impl fmt::Display) -> Self {
        Error::NotFound(msg.to_string())
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

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(format!("I/O error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Other(format!("JSON error: {e}"))
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
