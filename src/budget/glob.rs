//! The `match` of a budget: an exact name, or a glob with `*` (any run of
//! characters, also none) and `?` (exactly one character). Nothing else is
//! special (no classes, no escapes), so a name with `[` or `{` matches
//! itself. Hand-written because two wildcards do not justify a regex
//! engine; matching is linear-time backtracking over chars. A user
//! budget's `match` ignores case ([`Pattern::matches_ignoring_case`]), as
//! the console's `user:` filter does.

/// A compiled `match` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    chars: Vec<char>,
    /// `chars` lower-cased, for [`Pattern::matches_ignoring_case`].
    lower: Vec<char>,
    wild: bool,
}

impl Pattern {
    /// Compile `text` (any text is valid).
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.to_string(),
            chars: text.chars().collect(),
            lower: text.to_lowercase().chars().collect(),
            wild: text.contains(['*', '?']),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern has a wildcard (else it is an exact name).
    pub fn is_glob(&self) -> bool {
        self.wild
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        if !self.wild {
            return name == self.text;
        }
        glob_match(&self.chars, &name.chars().collect::<Vec<char>>())
    }

    /// Whether `name` matches the whole pattern, both lower-cased (a user
    /// budget, as the console's `user:` filter: `Alice*` takes `alice-k`).
    pub fn matches_ignoring_case(&self, name: &str) -> bool {
        let name: Vec<char> = name.to_lowercase().chars().collect();
        if !self.wild {
            return name == self.lower;
        }
        glob_match(&self.lower, &name)
    }
}

/// `*` and `?` matching of a whole name.
fn glob_match(p: &[char], name: &[char]) -> bool {
    let (mut pi, mut ni) = (0usize, 0usize);
    // where the last `*` was and which name char it has taken up to
    let mut star: Option<(usize, usize)> = None;
    while ni < name.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == name[ni])) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            // let the last `*` take one more char and retry
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn m(p: &str, n: &str) -> bool {
        Pattern::new(p).matches(n)
    }

    #[test]
    fn exact_names_match_only_themselves() {
        assert!(m("research-bot", "research-bot"));
        assert!(!m("research-bot", "research-bot2"));
        assert!(!m("research-bot", "Research-bot"));
        assert!(m("a[1]", "a[1]"));
        assert!(!m("a[1]", "a1"));
    }

    #[test]
    fn star_and_question_mark() {
        assert!(m("research-*", "research-"));
        assert!(m("research-*", "research-summarizer"));
        assert!(!m("research-*", "xresearch-a"));
        assert!(m("*-bot", "alpha-bot"));
        assert!(!m("*-bot", "alpha-bots"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abbbc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("gpt-4?", "gpt-4o"));
        assert!(!m("gpt-4?", "gpt-4"));
        assert!(!m("gpt-4?", "gpt-4oo"));
        assert!(m("*", ""));
        assert!(m("**", "anything"));
        assert!(m("é?", "éü"));
    }

    #[test]
    fn ignoring_case_lowers_both_sides() {
        let p = Pattern::new("Alice*");
        assert!(!p.matches("alice-k"));
        assert!(p.matches_ignoring_case("alice-k"));
        assert!(p.matches_ignoring_case("ALICE"));
        assert!(!p.matches_ignoring_case("bob-alice"));
        let exact = Pattern::new("Ada Lovelace");
        assert!(exact.matches_ignoring_case("ada lovelace"));
        assert!(!exact.matches_ignoring_case("ada lovelace2"));
        assert!(Pattern::new("Ä?").matches_ignoring_case("äx"));
    }
}
