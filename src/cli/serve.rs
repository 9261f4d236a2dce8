//! `tracetop serve`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Run `tracetop serve`.
pub async fn run(_args: ServeArgs) -> Result<()> {
    Err(Error::Other("`tracetop serve` is not built yet".into()))
}
