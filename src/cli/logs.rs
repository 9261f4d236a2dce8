//! `tracetop logs`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop logs`.
#[derive(Debug, clap::Args)]
pub struct LogsArgs {}

/// Run `tracetop logs`.
pub async fn run(_args: LogsArgs) -> Result<()> {
    Err(Error::Other("`tracetop logs` is not built yet".into()))
}
