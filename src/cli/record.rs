//! `tracetop record`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {}

/// Run `tracetop record`.
pub async fn run(_args: RecordArgs) -> Result<()> {
    Err(Error::Other("`tracetop record` is not built yet".into()))
}
