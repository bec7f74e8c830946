//! `cargo xtask <command>`: build tasks for uniws.
//!
//! - `bindings`: builds the library and regenerates the Swift and Kotlin bindings from it.
//! - `bindings --check`: fails if the committed bindings differ from freshly generated ones.

mod bindings;

use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let result = match arguments.first().map(String::as_str) {
        Some("bindings") => bindings::run(arguments.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask bindings [--check]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
