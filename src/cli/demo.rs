//! `tracetop demo`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

/// Run `tracetop demo`.
pub async fn run(_args: DemoArgs) -> Result<()> {
    Err(Error::Other("`tracetop demo` is not built yet".into()))
}
