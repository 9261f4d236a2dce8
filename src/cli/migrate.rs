//! `tracetop migrate`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {}

/// Run `tracetop migrate`.
pub async fn run(_args: MigrateArgs) -> Result<()> {
    Err(Error::Other("`tracetop migrate` is not built yet".into()))
}
