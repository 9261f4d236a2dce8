//! `tracetop replay`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

/// Run `tracetop replay`.
pub async fn run(_args: ReplayArgs) -> Result<()> {
    Err(Error::Other("`tracetop replay` is not built yet".into()))
}
