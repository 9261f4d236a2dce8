//! `tracetop replay FILE [--speed N]`: print a file written by `tracetop
//! record` as if it were live (same output as `tail`), at real time, N times
//! faster, or as fast as possible (`--speed 0`). Pauses longer than
//! [`crate::source::MAX_REPLAY_PAUSE`] are shortened to it. The console
//! replays the same file through `SourceSpec::Replay`. Bad lines are skipped
//! and counted, and said once at the end on stderr; a file with no valid
//! event is refused with exit 2 (see [`crate::source::recording`]).

use super::tail::{PrintArgs, print_stream};
use crate::error::Result;
use crate::source::SourceSpec;
use std::path::PathBuf;

/// Arguments of `tracetop replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A JSON-lines file written by `tracetop record`.
    pub file: PathBuf,
    /// 1 = real time, 10 = ten times faster, 0 = as fast as possible.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    #[command(flatten)]
    pub print: PrintArgs,
}

/// Run `tracetop replay`.
pub async fn run(args: ReplayArgs) -> Result<()> {
    if !args.file.is_file() {
        return Err(crate::error::Error::input(format!(
            "replay file {} not found: give a file written by `tracetop record --out FILE`",
            args.file.display()
        )));
    }
    let spec = SourceSpec::Replay {
        path: args.file,
        speed: args.speed,
    };
    print_stream(spec, &args.print).await
}
