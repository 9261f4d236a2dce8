//! The token file of `tracetop serve` and the scope each token grants.
//!
//! Format, one token per line (blank lines and `#` comments ignored):
//!
//! ```text
//! # all users: every event and every query
//! 3b9f0c…a1
//! # one user: only that user's events, traces and requests
//! 77e2d1…9c  user:u_alice
//! # either form may expire (RFC 3339); an expired token gets 401
//! 5c1a44…0e  user:u_bob  expires:2026-12-31T00:00:00Z
//! ```
//!
//! The file is re-read when it changes (and its text at least every
//! second), without restarting the server. Each change is applied as a
//! whole: deleting a line revokes that token; a file that is emptied,
//! deleted, left with only comments or saved with a typo revokes *every*
//! token until it is fixed, and `serve` says so on stderr. Open streams of a
//! token that stops being valid (revoked or expired) are closed within a
//! second or two (see [`super::server`]).

use crate::error::{Error, Result};
use crate::model::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// What a token may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every user.
    AllUsers,
    /// One user's events and queries only.
    User(String),
}

/// One line of the token file.
#[derive(Debug, Clone)]
pub struct TokenEntry {
    pub token: String,
    pub scope: Scope,
    pub expires: Option<Timestamp>,
}

/// Parse a token file's text. Errors name the line, never the token.
pub fn parse_tokens(text: &str, path: &Path) -> Result<Vec<TokenEntry>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let token = parts.next().unwrap_or_default().to_string();
        if token.len() < 16 {
            return Err(Error::input(format!(
                "{} line {}: token is shorter than 16 characters; use a long random token (e.g. `openssl rand -hex 32`)",
                path.display(),
                n + 1
            )));
        }
        let mut scope = Scope::AllUsers;
        let mut expires = None;
        for attr in parts {
            if let Some(user) = attr.strip_prefix("user:").filter(|u| !u.is_empty()) {
                scope = Scope::User(user.to_string());
            } else if let Some(when) = attr.strip_prefix("expires:") {
                let t = chrono::DateTime::parse_from_rfc3339(when).map_err(|_| {
                    Error::input(format!(
                        "{} line {}: the expires: value is not an RFC 3339 time (e.g. expires:2026-12-31T00:00:00Z)",
                        path.display(),
                        n + 1
                    ))
                })?;
                expires = Some(t.with_timezone(&chrono::Utc));
            } else {
                // Never echo the word: it may be a second token (two
                // pasted on one line). A short `name:` is safe to show.
                let shown = match attr.split_once(':') {
                    Some((name, _)) if name.len() <= 12 => {
                        format!("unknown attribute `{name}:…`")
                    }
                    _ => "unexpected word after the token (not shown: it may be a secret)"
                        .to_string(),
                };
                return Err(Error::input(format!(
                    "{} line {}: {shown}; expected `TOKEN [user:USER_ID] [expires:RFC3339]`",
                    path.display(),
                    n + 1
                )));
            }
        }
        out.push(TokenEntry {
            token,
            scope,
            expires,
        });
    }
    if out.is_empty() {
        return Err(Error::input(format!(
            "token file {} holds no token: add one per line (`TOKEN` or `TOKEN user:USER_ID`)",
            path.display()
        )));
    }
    Ok(out)
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Unknown,
    Expired,
}

impl Refusal {
    /// The message sent with the 401.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Missing => {
                "missing token: send `Authorization: Bearer TOKEN` (tracetop: --token-file or TRACETOP_TOKEN)"
            }
            Refusal::Unknown => "invalid token: it is not in the server's token file",
            Refusal::Expired => "expired token: ask the operator for a new one",
        }
    }
}

/// How the file looked when it was last read: a change of any of these
/// (or of its text, read again at least every [`REREAD_EVERY`]) reloads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

/// The text is read again at least this often even when the file's stamp
/// looks unchanged (an edit within one timestamp tick keeping its size).
const REREAD_EVERY: Duration = Duration::from_secs(1);

/// What the store currently believes, and what it last told the operator.
struct TokenState {
    stamp: Option<FileStamp>,
    /// The text last read (None: unreadable or missing).
    text: Option<String>,
    read_at: Instant,
    entries: Vec<TokenEntry>,
}

/// The token file, re-read when it changes. Every change is applied as a
/// whole: a file that is empty, missing, unreadable or has any bad line
/// means no token is valid until it is fixed (fail closed), and the reason
/// goes to stderr once per change.
pub struct TokenStore {
    path: PathBuf,
    state: Mutex<TokenState>,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl TokenStore {
    /// Load the file; an unreadable or invalid file is an error (the server
    /// does not start without a valid token file).
    pub fn load(path: &Path) -> Result<TokenStore> {
        let stamp = FileStamp::of(path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(format!("cannot read token file {}: {e}", path.display())).caused_by(e)
        })?;
        let entries = parse_tokens(&text, path)?;
        Ok(TokenStore {
            path: path.to_path_buf(),
            state: Mutex::new(TokenState {
                stamp,
                text: Some(text),
                read_at: Instant::now(),
                entries,
            }),
        })
    }

    /// Re-read the file if it may have changed; a changed file replaces
    /// every token at once.
    fn refresh(&self, state: &mut TokenState) {
        let stamp = FileStamp::of(&self.path);
        if stamp == state.stamp && state.read_at.elapsed() < REREAD_EVERY {
            return;
        }
        state.stamp = stamp;
        state.read_at = Instant::now();
        let text = std::fs::read_to_string(&self.path);
        let text = match text {
            Ok(t) => Some(t),
            Err(e) => {
                if state.text.is_some() {
                    eprintln!(
                        "tracetop serve: cannot read token file {}: {e}; no token is valid until it is restored",
                        self.path.display()
                    );
                }
                None
            }
        };
        if text == state.text {
            return;
        }
        state.entries = match text.as_deref().map(|t| parse_tokens(t, &self.path)) {
            None => Vec::new(),
            Some(Ok(entries)) => {
                eprintln!(
                    "tracetop serve: token file {} reloaded: {} token(s)",
                    self.path.display(),
                    entries.len()
                );
                entries
            }
            Some(Err(e)) => {
                eprintln!("tracetop serve: {e}; no token is valid until it is fixed");
                Vec::new()
            }
        };
        state.text = text;
    }

    /// Check a presented token; returns it and its scope.
    pub fn check(&self, presented: Option<&str>) -> std::result::Result<(String, Scope), Refusal> {
        let presented = presented.ok_or(Refusal::Missing)?;
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        self.refresh(&mut state);
        let entry = state
            .entries
            .iter()
            .find(|e| constant_time_eq(e.token.as_bytes(), presented.as_bytes()))
            .ok_or(Refusal::Unknown)?;
        if entry.expires.is_some_and(|t| t <= chrono::Utc::now()) {
            return Err(Refusal::Expired);
        }
        Ok((entry.token.clone(), entry.scope.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scopes_and_expiry_and_names_bad_lines() {
        let p = Path::new("tokens");
        let t = parse_tokens(
            "# c\n0123456789abcdef\n\nfedcba9876543210 user:u1 expires:2030-01-01T00:00:00Z\n",
            p,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].scope, Scope::AllUsers);
        assert_eq!(t[1].scope, Scope::User("u1".into()));
        assert!(t[1].expires.is_some());
        let err = parse_tokens("tiny9\n", p).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(!err.contains("tiny9"), "token echoed: {err}");
        let err = parse_tokens("0123456789abcdef usr:x\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown attribute `usr:…`"), "{err}");
        // two tokens pasted on one line: the second is never echoed
        let err = parse_tokens("0123456789abcdef fedcba9876543210fedcba\n", p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unexpected word") && !err.contains("fedcba98"),
            "{err}"
        );
    }
}
