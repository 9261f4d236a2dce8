//! The console's user directory: user ids to names, so every view shows a
//! user the same way (the name; the name with a short id when two users
//! share it; the id when the name is unknown) and `user:` filters match a
//! name as well as an id.
//!
//! Filled from the source's `user_seen` events and from the history
//! engine's [`crate::query::QueryEngine::users`] answer; names are cleaned
//! of terminal escapes before they are kept. The maps are persistent
//! ([`imbl`]), so a copy (a replay checkpoint of the feed) shares them.

use crate::sanitize::clean;
use imbl::HashMap;
use std::borrow::Cow;

/// Most users the directory keeps (a bigger platform shows ids for the
/// rest rather than growing without bound).
pub const MAX_USERS: usize = 50_000;

/// Characters of the id shown beside a name two users share.
const SHORT_ID: usize = 6;

/// Ids to names, with how many users carry each name.
#[derive(Debug, Clone, Default)]
pub struct UserDirectory {
    names: HashMap<String, String>,
    /// Lower-cased name → number of users with it.
    holders: HashMap<String, usize>,
}

impl UserDirectory {
    /// Learn (or rename) one user. Empty names are not kept.
    pub fn insert(&mut self, id: &str, name: &str) {
        let name = clean(name.trim());
        if name.is_empty() {
            return;
        }
        if let Some(old) = self.names.get(id) {
            if *old == name {
                return;
            }
            let old_key = old.to_lowercase();
            self.forget_holder(&old_key);
        } else if self.names.len() >= MAX_USERS {
            return;
        }
        *self.holders.entry(name.to_lowercase()).or_default() += 1;
        self.names.insert(id.to_string(), name);
    }

    fn forget_holder(&mut self, key: &str) {
        if let Some(n) = self.holders.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.holders.remove(key);
            }
        }
    }

    /// How many users the directory knows.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no user is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The user's name, if known.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.names.get(id).map(String::as_str)
    }

    /// How a user is shown: `name`, `name·1a2b3c` when another user has the
    /// same name, else the id itself (cleaned for the terminal, as names are).
    pub fn label<'a>(&'a self, id: &'a str) -> Cow<'a, str> {
        match self.names.get(id) {
            None => Cow::Owned(clean(id)),
            Some(name) if self.holders.get(&name.to_lowercase()).copied() > Some(1) => {
                let short: String = id.chars().take(SHORT_ID).collect();
                Cow::Owned(format!("{name}·{short}"))
            }
            Some(name) => Cow::Borrowed(name),
        }
    }

    /// Whether a `user:` term (lower case) names this user: a substring of
    /// its id or of its name.
    pub fn matches(&self, id: &str, needle_lower: &str) -> bool {
        id.to_lowercase().contains(needle_lower)
            || self
                .names
                .get(id)
                .is_some_and(|name| name.to_lowercase().contains(needle_lower))
    }

    /// The ids whose name or id a `user:` term matches, for questions asked
    /// of an engine by id (at most `limit`, sorted).
    pub fn ids_matching(&self, needle: &str, limit: usize) -> Vec<String> {
        let needle = needle.to_lowercase();
        let mut ids: Vec<String> = self
            .names
            .keys()
            .filter(|id| self.matches(id, &needle))
            .cloned()
            .collect();
        ids.sort();
        ids.truncate(limit);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_show_alone_unless_two_users_share_one() {
        let mut d = UserDirectory::default();
        d.insert("u-1a2b3c4d", "Ada");
        d.insert("u-9f8e7d6c", "Bob");
        assert_eq!(d.label("u-1a2b3c4d"), "Ada");
        assert_eq!(d.label("u-unknown"), "u-unknown");
        d.insert("u-77777777", "ada");
        assert_eq!(d.label("u-1a2b3c4d"), "Ada·u-1a2b");
        assert_eq!(d.label("u-77777777"), "ada·u-7777");
        // a rename ends the collision
        d.insert("u-77777777", "Cy");
        assert_eq!(d.label("u-1a2b3c4d"), "Ada");
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn user_terms_match_names_and_ids_and_names_are_cleaned() {
        let mut d = UserDirectory::default();
        d.insert("u1", "Ada \u{1b}[31mLovelace");
        assert_eq!(d.name("u1"), Some("Ada Lovelace"));
        assert!(d.matches("u1", "lovelace"));
        assert!(d.matches("u1", "u1"));
        assert!(!d.matches("u1", "bob"));
        assert_eq!(d.ids_matching("ADA", 10), ["u1"]);
        d.insert("u2", "   ");
        assert!(d.name("u2").is_none());
    }
}
