//! `cargo xtask fuzz [--runs N]`: builds the libFuzzer targets in `fuzz/` with coverage
//! instrumentation (the flags cargo-fuzz passes, on the stable toolchain, without a sanitizer)
//! and runs each for N executions (default 1 000 000) from its committed seed corpus. New inputs
//! go to `target/fuzz-corpus/<target>`, crashes to `target/fuzz-artifacts/`; any crash fails.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::root;
use crate::process::run;

/// The fuzz targets, each a `fuzz_targets/<name>.rs` calling `uniws::fuzzing::<name>`.
pub const TARGETS: [&str; 6] = [
    "decode_frames",
    "parse_upgrade_response",
    "validate_utf8",
    "parse_close_payload",
    "accept_extensions",
    "deflate_round_trip",
];

/// libFuzzer's coverage instrumentation, as cargo-fuzz sets it (sanitizer `none`).
const RUSTFLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

/// Builds the targets and runs each for `runs` executions.
pub fn run_all(runs: u64) -> Result<()> {
    let root = root();
    let target_dir = root.join("target/fuzz");
    // With an explicit target, RUSTFLAGS reach only the targets' code, not build scripts and
    // proc macros (which would need libFuzzer's runtime to link).
    let host = host_triple()?;
    run(Command::new(env!("CARGO"))
        .args(["build", "--release", "--target", &host, "--manifest-path"])
        .arg(root.join("fuzz/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTFLAGS", RUSTFLAGS)
        .current_dir(&root))?;
    let binaries = target_dir.join(&host).join("release");
    for target in TARGETS {
        let scratch = root.join("target/fuzz-corpus").join(target);
        let artifacts = root.join("target/fuzz-artifacts");
        std::fs::create_dir_all(&scratch)?;
        std::fs::create_dir_all(&artifacts)?;
        let status = Command::new(binaries.join(target))
            .arg(format!("-runs={runs}"))
            .arg(format!(
                "-artifact_prefix={}/{target}-",
                artifacts.display()
            ))
            .arg("-print_final_stats=1")
            .arg(&scratch)
            .arg(root.join("fuzz/corpus").join(target))
            .status()
            .with_context(|| format!("cannot start the fuzz target {target}"))?;
        if !status.success() {
            bail!(
                "fuzz target {target} found a crash (see {})",
                artifacts.display()
            );
        }
        println!("fuzz: {target}: {runs} executions, no crash");
    }
    Ok(())
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String> {
    let output = Command::new("rustc").arg("-vV").output()?;
    let text = String::from_utf8(output.stdout)?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}
