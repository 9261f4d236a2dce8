//! `tracetop anomalies`: not built yet (see the open issues).

use crate::error::{Error, Result};

/// Arguments of `tracetop anomalies`.
#[derive(Debug, clap::Args)]
pub struct AnomaliesArgs {}

/// Run `tracetop anomalies`.
pub async fn run(_args: AnomaliesArgs) -> Result<()> {
    Err(Error::Other("`tracetop anomalies` is not built yet".into()))
}
