//! `tracetop console`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop console`.
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {}

/// Run `tracetop console`.
pub async fn run(_args: ConsoleArgs) -> Result<()> {
    Err(Error::Other("`tracetop console` is not built yet".into()))
}
