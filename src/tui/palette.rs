//! The command palette's language: `:` text parsed into a [`Command`]
//! before anything acts on it, so the parser is tested on its own and the
//! app only carries out typed commands.

/// A palette command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// `trace ID`: open a trace.
    Trace(String),
    /// `audit [PREFIX]`: the audit view, resolving the prefix if given.
    Audit(Option<String>),
    Costs,
    Live,
    Leaders,
    Logs,
    Help,
    /// `filter TEXT`: the feed filter (empty clears it).
    Filter(String),
    /// `theme NAME`: a built-in theme or a theme file.
    Theme(String),
    /// Nothing typed.
    Nothing,
}

/// What the palette offers, for the placeholder and errors.
pub const PALETTE_HINT: &str =
    "trace ID · audit PREFIX · costs · live · leaders · logs · theme NAME · q";

/// Parse palette text (a leading `:` is allowed).
pub fn parse(text: &str) -> Result<Command, String> {
    let text = text.trim().trim_start_matches(':').trim();
    let (verb, arg) = match text.split_once(char::is_whitespace) {
        Some((v, a)) => (v, a.trim()),
        None => (text, ""),
    };
    let no_argument = |command: Command| {
        if arg.is_empty() {
            Ok(command)
        } else {
            Err(format!("{verb} takes no argument"))
        }
    };
    match verb {
        "" => Ok(Command::Nothing),
        "q" | "quit" | "q!" => Ok(Command::Quit),
        "trace" | "t" if arg.is_empty() => Err("trace needs an id: trace ID".to_string()),
        "trace" | "t" => Ok(Command::Trace(arg.to_string())),
        "audit" | "a" => Ok(Command::Audit((!arg.is_empty()).then(|| arg.to_string()))),
        "costs" | "cost" => no_argument(Command::Costs),
        "live" | "feed" => no_argument(Command::Live),
        "leaders" | "leaderboards" | "top" => no_argument(Command::Leaders),
        "logs" | "log" => no_argument(Command::Logs),
        "help" => no_argument(Command::Help),
        "filter" => Ok(Command::Filter(arg.to_string())),
        "theme" if arg.is_empty() => {
            Err("theme needs a name: theme dark|light|high-contrast|FILE".to_string())
        }
        "theme" => Ok(Command::Theme(arg.to_string())),
        _ => Err(format!(
            "unknown command {:?}: try trace ID, audit PREFIX, costs, live, leaders, logs, \
             filter TEXT, theme NAME, help, q",
            crate::sanitize::clean(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_their_arguments() {
        assert_eq!(parse(":q"), Ok(Command::Quit));
        assert_eq!(parse("  trace  abc-1 "), Ok(Command::Trace("abc-1".into())));
        assert_eq!(parse("t abc"), Ok(Command::Trace("abc".into())));
        assert_eq!(parse("audit"), Ok(Command::Audit(None)));
        assert_eq!(parse("a 3f2a"), Ok(Command::Audit(Some("3f2a".into()))));
        assert_eq!(parse("top"), Ok(Command::Leaders));
        assert_eq!(
            parse("filter level:error"),
            Ok(Command::Filter("level:error".into()))
        );
        assert_eq!(parse("filter"), Ok(Command::Filter(String::new())));
        assert_eq!(parse("theme light"), Ok(Command::Theme("light".into())));
        assert_eq!(parse(""), Ok(Command::Nothing));
    }

    #[test]
    fn mistakes_say_what_to_type() {
        assert!(parse("trace").unwrap_err().contains("needs an id"));
        assert!(parse("theme").unwrap_err().contains("needs a name"));
        assert!(parse("costs 7d").unwrap_err().contains("no argument"));
        let unknown = parse("frobnicate\u{1b}[31m").unwrap_err();
        assert!(unknown.starts_with("unknown command"));
        assert!(!unknown.contains('\u{1b}'), "escapes are stripped");
    }
}
