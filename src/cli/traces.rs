//! `tracetop traces`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop traces`.
#[derive(Debug, clap::Args)]
pub struct TracesArgs {}

/// Run `tracetop traces`.
pub async fn run(_args: TracesArgs) -> Result<()> {
    Err(Error::Other("`tracetop traces` is not built yet".into()))
}
