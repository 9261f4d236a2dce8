//! `tracetop completions`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {}

/// Run `tracetop completions`.
pub async fn run(_args: CompletionsArgs) -> Result<()> {
    Err(Error::Other("`tracetop completions` is not built yet".into()))
}
