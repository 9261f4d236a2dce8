//! Flags given before the subcommand name (`tracetop --database-url URL
//! traces`): honoured or refused, never silently dropped.
//!
//! `--database-url`, `--remote`, `--token-file` and `--prices` are clap
//! `global` flags of the top-level command, so they parse anywhere on the
//! line and clap hands their value to the subcommand's own flag of the same
//! name (a value typed on the command line beats one from `DATABASE_URL`).
//! A subcommand that has no use for one does not show it in its help
//! ([`crate::cli::command`] shadows it there with a hidden flag). What
//! clap cannot say is "this subcommand has no use for it", "you gave it
//! twice" or "that console option does nothing here"; [`check`] says so
//! in one line before anything runs.

use crate::error::{Error, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use std::ffi::OsString;

/// The top-level flags that parse anywhere on the line, as (id, long
/// name, value name).
pub const GLOBAL_SOURCE_FLAG_NAMES: [(&str, &str, &str); 4] = [
    ("database_url", "database-url", "URL"),
    ("remote", "remote", "URL"),
    ("token_file", "token-file", "FILE"),
    ("prices", "prices", "FILE"),
];

fn is_global_source_flag(id: &str) -> bool {
    GLOBAL_SOURCE_FLAG_NAMES
        .iter()
        .any(|(flag, _, _)| *flag == id)
}

/// Whether `command`, or a subcommand under it, has a flag `id` of its own
/// that it shows (the hidden stand-ins [`crate::cli::command`] adds do not
/// count): where a global flag works, and so where its help offers it.
pub fn uses_flag(command: &Command, id: &str) -> bool {
    command
        .get_arguments()
        .any(|a| a.get_id() == id && !a.is_hide_set())
        || command.get_subcommands().any(|sub| uses_flag(sub, id))
}

/// Refuse what the parse would otherwise drop without a word:
/// * a global source flag the chosen subcommand does not take;
/// * a global source flag given more than once (before and after the
///   subcommand, which clap would settle by silently keeping one);
/// * a console-only option (`--theme`, `--replay`, …) before a subcommand.
///
/// `definition` is the unbuilt command tree (`Cli::command()`), `matches`
/// the parse of `argv` (the arguments after the program name).
pub fn check(definition: &Command, matches: &ArgMatches, argv: &[OsString]) -> Result<()> {
    let Some((path, levels)) = chosen_subcommand(definition, matches) else {
        return Ok(());
    };
    let leaf = levels
        .last()
        .map(|(command, _)| *command)
        .unwrap_or(definition);
    // after the name of a subcommand none of whose leaves takes it, a global
    // source flag lands in the hidden flag of that name (see
    // `crate::cli::command`)
    for (id, long, _) in GLOBAL_SOURCE_FLAG_NAMES {
        let stray = levels.iter().any(|(command, level_matches)| {
            !uses_flag(command, id) && level_matches.try_get_raw(id).is_ok_and(|raw| raw.is_some())
        });
        if stray {
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
        if !is_global_source_flag(id) {
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

/// The chosen subcommand's path (`analytics overview`) and, from the first
/// subcommand down to the leaf, each one's own definition (without the
/// globals clap copies into it at build time) with its matches.
type Levels<'a, 'm> = Vec<(&'a Command, &'m ArgMatches)>;

fn chosen_subcommand<'a, 'm>(
    definition: &'a Command,
    matches: &'m ArgMatches,
) -> Option<(String, Levels<'a, 'm>)> {
    let mut path = Vec::new();
    let mut levels = Vec::new();
    let mut command = definition;
    let mut current = matches;
    while let Some((name, sub_matches)) = current.subcommand() {
        command = command.find_subcommand(name)?;
        path.push(name);
        current = sub_matches;
        levels.push((command, current));
    }
    (!path.is_empty()).then(|| (path.join(" "), levels))
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

    /// Every subcommand under `command`, with its path from the top.
    fn walk(command: &Command, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Command)>) {
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            path.push(sub.get_name().to_string());
            out.push((path.clone(), sub.clone()));
            walk(sub, path, out);
            path.pop();
        }
    }

    #[test]
    fn help_offers_a_global_flag_exactly_where_it_works() {
        let definition = Cli::command();
        let mut shown_tree = crate::cli::command();
        shown_tree.build();
        let mut commands = Vec::new();
        walk(&shown_tree, &mut Vec::new(), &mut commands);
        assert!(commands.len() > 20, "the whole tree is walked");
        let mut offered = 0;
        let mut refused = 0;
        for (path, mut shown) in commands {
            let own = path
                .iter()
                .try_fold(&definition, |c, name| c.find_subcommand(name))
                .expect("the same tree");
            let help = shown.render_long_help().to_string();
            for (id, long, _) in GLOBAL_SOURCE_FLAG_NAMES {
                let works = uses_flag(own, id);
                let in_help = help.contains(&format!("--{long} <"));
                assert_eq!(
                    in_help,
                    works,
                    "`tracetop {}`: --{long} {} in its help",
                    path.join(" "),
                    if works { "missing" } else { "offered" }
                );
                // and where it is not offered it is refused in one line,
                // given before or after the subcommand
                if path.len() == 1 || !own.has_subcommands() {
                    let mut before = vec!["tracetop".to_string(), format!("--{long}"), "x".into()];
                    before.extend(path.iter().cloned());
                    let mut after = vec!["tracetop".to_string()];
                    after.extend(path.iter().cloned());
                    after.extend([format!("--{long}"), "x".into()]);
                    for line in [before, after] {
                        let Ok(matches) = crate::cli::command().try_get_matches_from(&line) else {
                            continue; // a required argument is missing
                        };
                        let argv: Vec<OsString> = line[1..].iter().map(OsString::from).collect();
                        let verdict = check(&definition, &matches, &argv);
                        let chosen = chosen_subcommand(&definition, &matches).map(|(p, _)| p);
                        if chosen.as_deref() != Some(path.join(" ").as_str()) {
                            continue;
                        }
                        if works {
                            assert!(verdict.is_ok(), "{line:?}: {verdict:?}");
                            offered += 1;
                        } else {
                            let err = verdict.expect_err(&format!("{line:?} must be refused"));
                            assert!(
                                err.to_string()
                                    .starts_with(&format!("--{long} is not used by"))
                            );
                            refused += 1;
                        }
                    }
                }
            }
        }
        assert!(
            offered > 10 && refused > 10,
            "{offered} accepted, {refused} refused"
        );
    }

    #[test]
    fn prices_is_offered_by_the_console_and_costs_only() {
        let mut tree = crate::cli::command();
        tree.build();
        assert!(
            tree.render_long_help()
                .to_string()
                .contains("--prices <FILE>")
        );
        let costs = tree
            .find_subcommand("analytics")
            .and_then(|a| a.find_subcommand("costs"))
            .unwrap();
        assert!(
            costs
                .clone()
                .render_long_help()
                .to_string()
                .contains("--prices <FILE>")
        );
        for name in ["serve", "tail", "demo", "replay", "traces", "audit"] {
            let help = tree
                .find_subcommand(name)
                .unwrap()
                .clone()
                .render_long_help()
                .to_string();
            assert!(
                !help.contains("--prices"),
                "`tracetop {name} --help` offers --prices"
            );
        }
        check_line(&["--prices", "p.toml", "analytics", "costs", "--reprice"]).unwrap();
        check_line(&["analytics", "--prices", "p.toml", "costs", "--reprice"]).unwrap();
        for line in [
            &["--prices", "p.toml", "serve", "--token-file", "t"][..],
            &["serve", "--token-file", "t", "--prices", "p.toml"][..],
            &["analytics", "--prices", "p.toml", "overview"][..],
        ] {
            let err = check_line(line).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("--prices is not used by `tracetop "),
                "{line:?}: {err}"
            );
        }
    }
}
