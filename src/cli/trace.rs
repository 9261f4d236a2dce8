//! `tracetop trace`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {}

/// Run `tracetop trace`.
pub async fn run(_args: TraceArgs) -> Result<()> {
    Err(Error::Other("`tracetop trace` is not built yet".into()))
}
