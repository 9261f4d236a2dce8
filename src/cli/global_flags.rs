//! Flags given before the subcommand name (`tracetop --database-url URL
//! traces`): honoured or refused, never silently dropped.
//!
//! `--database-url`, `--remote` and `--token-file` are clap `global` flags
//! of the top-level command, so they parse anywhere on the line and clap
//! hands their value to the subcommand's own flag of the same name (a
//! value typed on the command line beats one from `DATABASE_URL`). What
//! clap cannot say is "this subcommand has no use for it", "you gave it
//! twice" or "that console option does nothing here"; [`check`] says so
//! in one line before anything runs.

use crate::error::{Error, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use std::ffi::OsString;

/// Ids of the top-level flags that reach every subcommand.
pub const GLOBAL_SOURCE_FLAGS: [&str; 4] = ["database_url", "remote", "token_file", "prices"];

/// The global source flags as (id, long name, value name).
pub const GLOBAL_SOURCE_FLAG_NAMES: [(&str, &str, &str); 3] = [
    ("database_url", "database-url", "URL"),
    ("remote", "remote", "URL"),
    ("token_file", "token-file", "FILE"),
];

/// Refuse what the parse would otherwise drop without a word:
/// * a global source flag the chosen subcommand does not take;
/// * a global source flag given more than once (before and after the
///   subcommand, which clap would settle by silently keeping one);
/// * a console-only option (`--theme`, `--replay`, …) before a subcommand.
///
/// `definition` is the unbuilt command tree (`Cli::command()`), `matches`
/// the parse of `argv` (the arguments after the program name).
pub fn check(definition: &Command, matches: &ArgMatches, argv: &[OsString]) -> Result<()> {
    let Some((path, leaf, leaf_matches)) = chosen_subcommand(definition, matches) else {
        return Ok(());
    };
    // after the name of a leaf that does not take it, a global source flag
    // lands in the hidden flag of that name (see `crate::cli::command`)
    for (id, long, _) in GLOBAL_SOURCE_FLAG_NAMES {
        let taken = leaf.get_arguments().any(|a| a.get_id() == id);
        if !taken && leaf_matches.try_get_raw(id).is_ok_and(|raw| raw.is_some()) {
            return Err(Error::input(format!(
                "--{long} is not used by `tracetop {path}`: leave it out"
            )));
        }
    }
    for arg in definition.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let flag = format!("--{}", arg.get_long().unwrap_or(id));
        if !GLOBAL_SOURCE_FLAGS.contains(&id) {
            return Err(Error::input(format!(
                "{flag} is an option of the console (tracetop without a subcommand), not of `tracetop {path}`: \
                 leave it out, or give the subcommand's own options after its name"
            )));
        }
        if !leaf.get_arguments().any(|a| a.get_id() == id) {
            return Err(Error::input(format!(
                "{flag} is not used by `tracetop {path}`: leave it out"
            )));
        }
        if occurrences(argv, &flag) > 1 {
            return Err(Error::input(format!(
                "{flag} is given more than once: give it once, before or after `{path}`"
            )));
        }
    }
    Ok(())
}

/// The chosen subcommand's path (`analytics overview`) and its own
/// definition (without the globals clap copies into it at build time).
fn chosen_subcommand<'a, 'm>(
    definition: &'a Command,
    matches: &'m ArgMatches,
) -> Option<(String, &'a Command, &'m ArgMatches)> {
    let mut path = Vec::new();
    let mut command = definition;
    let mut current = matches;
    while let Some((name, sub_matches)) = current.subcommand() {
        command = command.find_subcommand(name)?;
        path.push(name);
        current = sub_matches;
    }
    (!path.is_empty()).then(|| (path.join(" "), command, current))
}

/// How often `flag` (as `--flag VALUE` or `--flag=VALUE`) appears before a
/// `--` that ends the options.
fn occurrences(argv: &[OsString], flag: &str) -> usize {
    let with_value = format!("{flag}=");
    argv.iter()
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--")
        .filter(|a| a == flag || a.starts_with(&with_value))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn check_line(line: &[&str]) -> Result<()> {
        let argv: Vec<OsString> = line.iter().map(OsString::from).collect();
        let definition = Cli::command();
        let matches = crate::cli::command()
            .try_get_matches_from(std::iter::once(OsString::from("tracetop")).chain(argv.clone()))
            .expect("parses");
        check(&definition, &matches, &argv)
    }

    #[test]
    fn a_source_flag_before_a_subcommand_that_takes_it_is_accepted() {
        check_line(&["--database-url", "postgres://a/b", "traces"]).unwrap();
        check_line(&["--database-url=postgres://a/b", "analytics", "overview"]).unwrap();
        check_line(&["--remote", "https://x/api/v1/stream", "tail"]).unwrap();
        check_line(&["traces", "--database-url", "postgres://a/b"]).unwrap();
        check_line(&["--theme", "dark"]).unwrap();
    }

    #[test]
    fn what_would_be_dropped_is_refused_in_one_line() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["anomalies", "--remote", "https://x/api/v1/stream"],
                "--remote is not used by `tracetop anomalies`: leave it out",
            ),
            (
                &["--database-url", "postgres://a/b", "demo"],
                "--database-url is not used by `tracetop demo`: leave it out",
            ),
            (
                &["completions", "bash", "--remote", "https://x"],
                "--remote is not used by `tracetop completions`: leave it out",
            ),
            (
                &[
                    "--database-url",
                    "postgres://a/b",
                    "traces",
                    "--database-url",
                    "postgres://c/d",
                ],
                "--database-url is given more than once: give it once, before or after `traces`",
            ),
            (
                &["--theme", "dark", "analytics", "costs"],
                "--theme is an option of the console (tracetop without a subcommand), not of `tracetop analytics costs`: leave it out, or give the subcommand's own options after its name",
            ),
            (
                &["--replay", "f.jsonl", "tail"],
                "--replay is an option of the console (tracetop without a subcommand), not of `tracetop tail`: leave it out, or give the subcommand's own options after its name",
            ),
        ];
        for (line, expected) in cases {
            let err = check_line(line).unwrap_err();
            assert_eq!(err.to_string(), expected, "{line:?}");
            assert_eq!(err.exit_code(), 2);
        }
    }

    #[test]
    fn a_value_after_double_dash_is_not_a_flag() {
        let argv: Vec<OsString> = ["--database-url", "x", "--", "--database-url"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(occurrences(&argv, "--database-url"), 1);
    }
}
