//! `tracetop audit`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {}

/// Run `tracetop audit`.
pub async fn run(_args: AuditArgs) -> Result<()> {
    Err(Error::Other("`tracetop audit` is not built yet".into()))
}
