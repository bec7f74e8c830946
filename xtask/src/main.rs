//! `cargo xtask <command>`: build tasks for uniws.
//!
//! - `bindings [--check]`: regenerate the Swift and Kotlin bindings from the built library, or
//!   fail if the committed ones are stale.
//! - `kotlin-test`: build the native library, package it into the Kotlin/JVM module and run
//!   `mvn -B verify` there.

mod bindings;
mod kotlin;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <bindings [--check] | kotlin-test>";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| arguments.iter().any(|argument| argument == name);
    let result = match arguments.first().map(String::as_str) {
        Some("bindings") => bindings::run(flag("--check")),
        Some("kotlin-test") => kotlin::test(),
        _ => {
            eprintln!("{USAGE}");
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
