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
    /// `anomalies`: the audit queue of requests touched by open anomalies.
    Anomalies,
    /// `filter TEXT`: the feed filter (empty clears it).
    Filter(String),
    /// `theme NAME`: a built-in theme or a theme file.
    Theme(String),
    /// `window FROM..TO` (or `FROM..`, to now): every report answers for
    /// that window; `window` alone goes back to the rolling windows.
    Window(Option<(String, Option<String>)>),
    /// `goto TIME [SPAN]`: replay SPAN (default 1 h) from TIME.
    Goto(String),
    /// Nothing typed.
    Nothing,
}

/// What the palette offers, for the placeholder and errors.
pub const PALETTE_HINT: &str =
    "trace ID · audit PREFIX · costs · live · leaders · logs · theme NAME · q";

/// The verbs, for completion.
pub const VERBS: [&str; 13] = [
    "trace",
    "goto",
    "window",
    "audit",
    "anomalies",
    "costs",
    "live",
    "leaders",
    "logs",
    "filter",
    "theme",
    "help",
    "quit",
];

/// Complete the verb being typed: the completed text when one verb fits
/// (with a space after it when it takes an argument), else the verbs that
/// start so.
pub fn complete(text: &str) -> Result<String, Vec<&'static str>> {
    let typed = text.trim_start().trim_start_matches(':');
    if typed.contains(char::is_whitespace) {
        return Err(Vec::new());
    }
    let choices: Vec<&str> = VERBS
        .iter()
        .copied()
        .filter(|v| v.starts_with(typed))
        .collect();
    match choices.as_slice() {
        [one] => Ok(match *one {
            "trace" | "audit" | "filter" | "theme" | "window" | "goto" => format!("{one} "),
            other => other.to_string(),
        }),
        _ => Err(choices),
    }
}

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
        "anomalies" | "anomaly" => no_argument(Command::Anomalies),
        "filter" => Ok(Command::Filter(arg.to_string())),
        "window" | "w" if arg.is_empty() => Ok(Command::Window(None)),
        "window" | "w" => match arg.split_once("..") {
            Some((from, to)) if !from.trim().is_empty() => Ok(Command::Window(Some((
                from.trim().to_string(),
                (!to.trim().is_empty()).then(|| to.trim().to_string()),
            )))),
            _ => Err(
                "window needs FROM..TO (a date, a time or a duration back from now, e.g. \
                 window 2026-11-24..2026-11-25, window 2h..): window alone clears it"
                    .to_string(),
            ),
        },
        "goto" | "at" if arg.is_empty() => Err(
            "goto needs a time: goto 2026-11-24T03:00 [1h] (a date, a time or a duration back from now)"
                .to_string(),
        ),
        "goto" | "at" => Ok(Command::Goto(arg.to_string())),
        "theme" if arg.is_empty() => {
            Err("theme needs a name: theme dark|light|high-contrast|FILE".to_string())
        }
        "theme" => Ok(Command::Theme(arg.to_string())),
        _ => Err(format!(
            "unknown command {:?}: try trace ID, audit PREFIX, costs, live, leaders, logs, \
             anomalies, filter TEXT, theme NAME, window FROM..TO, goto TIME [SPAN], help, q",
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
        assert_eq!(
            parse("window 2026-11-24..2026-11-25T06:00"),
            Ok(Command::Window(Some((
                "2026-11-24".into(),
                Some("2026-11-25T06:00".into())
            ))))
        );
        assert_eq!(
            parse("window 2h.."),
            Ok(Command::Window(Some(("2h".into(), None))))
        );
        assert_eq!(parse("window"), Ok(Command::Window(None)));
        assert!(parse("window 2026-11-24").unwrap_err().contains("FROM..TO"));
        assert_eq!(parse(""), Ok(Command::Nothing));
    }

    #[test]
    fn tab_completes_the_verb() {
        assert_eq!(complete("tr"), Ok("trace ".to_string()));
        assert_eq!(complete(":co"), Ok("costs".to_string()));
        assert_eq!(complete("l"), Err(vec!["live", "leaders", "logs"]));
        assert_eq!(complete("zz"), Err(vec![]));
        assert_eq!(complete("trace ab"), Err(vec![]));
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
