//! `cargo xtask <command>`: build tasks for uniws.
//!
//! - `bindings [--check]`: regenerate the Swift and Kotlin bindings from the built library, or
//!   fail if the committed ones are stale.
//! - `kotlin-test`: build the native library, package it into the Kotlin/JVM module and run
//!   `mvn -B verify` there.
//! - `ios`: cross-build the `x86_64-apple-ios` static library and check its objects and symbols.
//! - `xcframework`: `ios`, then assemble `bindings/swift/UniWS.xcframework`.
//! - `swift-test`: run the Swift package's tests on Linux (Swift 6 in a Debian trixie chroot).
//! - `autobahn <swift|kotlin>`: run the Autobahn client driver of that binding (for
//!   `autobahn/run.sh`, which grades the results).
//! - `fuzz [--runs N]`: run every libFuzzer target in `fuzz/` N times (default 1 000 000).
//! - `bench [--quick] [--save]`: run every benchmark contender against one echo server and report
//!   the figures with their ratios (see `bench.rs`).

mod autobahn;
mod bench;
mod bindings;
mod fuzz;
mod ios;
mod kotlin;
mod process;
mod swift;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <bindings [--check] | kotlin-test | ios | xcframework | swift-test | autobahn <swift|kotlin> | fuzz [--runs N] | bench [--quick] [--save]>";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| arguments.iter().any(|argument| argument == name);
    let result = match arguments.first().map(String::as_str) {
        Some("bindings") => bindings::run(flag("--check")),
        Some("kotlin-test") => kotlin::test(),
        Some("ios") => ios::build().map(|_| ()),
        Some("xcframework") => ios::xcframework(),
        Some("swift-test") => swift::test(),
        Some("autobahn") => autobahn::run_driver(arguments.get(1).map(String::as_str)),
        Some("fuzz") => {
            let runs = arguments
                .iter()
                .position(|argument| argument == "--runs")
                .and_then(|at| arguments.get(at + 1))
                .map_or(Ok(1_000_000), |runs| runs.parse())
                .map_err(|error| anyhow::anyhow!("--runs: {error}"));
            runs.and_then(fuzz::run_all)
        }
        Some("bench") => bench::run_all(flag("--quick"), flag("--save")),
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
