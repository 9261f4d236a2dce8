//! `tracetop simulate`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {}

/// Run `tracetop simulate`.
pub async fn run(_args: SimulateArgs) -> Result<()> {
    Err(Error::Other("`tracetop simulate` is not built yet".into()))
}
