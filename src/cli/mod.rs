//! Command-line interface: clap definitions and dispatch to one file per
//! subcommand.

/// Parse arguments, run the command, return the process exit code.
pub fn main() -> i32 {
    0
}
