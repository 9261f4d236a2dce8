//! `tracetop tail`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop tail`.
#[derive(Debug, clap::Args)]
pub struct TailArgs {}

/// Run `tracetop tail`.
pub async fn run(_args: TailArgs) -> Result<()> {
    Err(Error::Other("`tracetop tail` is not built yet".into()))
}
