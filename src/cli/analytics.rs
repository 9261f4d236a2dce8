//! `tracetop analytics`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop analytics`.
#[derive(Debug, clap::Args)]
pub struct AnalyticsArgs {}

/// Run `tracetop analytics`.
pub async fn run(_args: AnalyticsArgs) -> Result<()> {
    Err(Error::Other("`tracetop analytics` is not built yet".into()))
}
