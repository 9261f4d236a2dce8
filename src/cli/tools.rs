//! `tracetop tools`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop tools`.
#[derive(Debug, clap::Args)]
pub struct ToolsArgs {}

/// Run `tracetop tools`.
pub async fn run(_args: ToolsArgs) -> Result<()> {
    Err(Error::Other("`tracetop tools` is not built yet".into()))
}
