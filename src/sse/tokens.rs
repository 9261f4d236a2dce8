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
//! The file is re-read when its modification time changes, so a token is
//! revoked by deleting its line, without restarting the server.

use crate::error::{Error, Result};
use crate::model::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

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
                        "{} line {}: expires:{when} is not an RFC 3339 time (e.g. expires:2026-12-31T00:00:00Z)",
                        path.display(),
                        n + 1
                    ))
                })?;
                expires = Some(t.with_timezone(&chrono::Utc));
            } else {
                return Err(Error::input(format!(
                    "{} line {}: unknown attribute {attr:?}; expected `TOKEN [user:USER_ID] [expires:RFC3339]`",
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

/// The token file, re-read when it changes.
pub struct TokenStore {
    path: PathBuf,
    state: Mutex<(Option<SystemTime>, Vec<TokenEntry>)>,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl TokenStore {
    /// Load the file; an unreadable or invalid file is an error.
    pub fn load(path: &Path) -> Result<TokenStore> {
        let (mtime, entries) = Self::read(path)?;
        Ok(TokenStore {
            path: path.to_path_buf(),
            state: Mutex::new((mtime, entries)),
        })
    }

    fn read(path: &Path) -> Result<(Option<SystemTime>, Vec<TokenEntry>)> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(format!("cannot read token file {}: {e}", path.display())))?;
        let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        Ok((mtime, parse_tokens(&text, path)?))
    }

    /// Check a presented token; returns its scope.
    pub fn check(&self, presented: Option<&str>) -> std::result::Result<(String, Scope), Refusal> {
        let presented = presented.ok_or(Refusal::Missing)?;
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let mtime = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if mtime != state.0 {
            // Keep the old tokens if the new file is broken mid-edit.
            if let Ok(fresh) = Self::read(&self.path) {
                *state = fresh;
            }
        }
        let entry = state
            .1
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
        let err = parse_tokens("0123456789abcdef bogus\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown attribute"), "{err}");
    }
}
