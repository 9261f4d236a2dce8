//! tracetop's entry point: parse the command line and dispatch, nothing else.

fn main() {
    std::process::exit(tracetop::cli::main());
}
