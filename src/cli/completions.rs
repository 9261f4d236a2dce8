//! `tracetop completions SHELL`: shell completion script on stdout
//! (bash, zsh, fish, elvish, powershell), generated from the clap tree.

use crate::error::Result;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `tracetop completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Run `tracetop completions`.
pub async fn run(args: CompletionsArgs) -> Result<()> {
    let mut out = crate::output::Sink::stdout();
    let mut command = super::Cli::command();
    clap_complete::generate(args.shell, &mut command, "tracetop", &mut out);
    out.flush()?;
    Ok(())
}
