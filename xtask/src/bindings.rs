//! Generating the Swift and Kotlin bindings from the built library (UniFFI library mode).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use uniffi::{generate_swift_bindings, GenerateOptions, SwiftBindingsOptions, TargetLanguage};

/// UniFFI reads `uniffi.toml` from the crate root (found through cargo metadata).
/// Where each generated file is committed, relative to the repository root.
const OUTPUTS: [(&str, &str); 4] = [
    (
        "swift/uniws.swift",
        "bindings/swift/Sources/UniWS/uniws.swift",
    ),
    (
        "swift/uniwsFFI.h",
        "bindings/swift/Headers/uniwsFFI/uniwsFFI.h",
    ),
    (
        "swift/uniwsFFI.modulemap",
        "bindings/swift/Headers/uniwsFFI/module.modulemap",
    ),
    (
        "kotlin/uniws/ffi/uniws.kt",
        "bindings/kotlin/src/main/kotlin/uniws/ffi/uniws.kt",
    ),
];

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

/// Regenerates the bindings, or with `check` compares them with the committed ones.
pub fn run(check: bool) -> Result<()> {
    let root = root();
    let library = build_library(&root)?;
    let scratch = root.join("target/xtask-bindings");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    generate(&library, &scratch)?;
    let mut stale = Vec::new();
    for (generated, committed) in OUTPUTS {
        let fresh = std::fs::read(scratch.join(generated))
            .with_context(|| format!("generated {generated}"))?;
        let target = root.join(committed);
        if check {
            if std::fs::read(&target).ok().as_deref() != Some(fresh.as_slice()) {
                stale.push(committed);
            }
        } else {
            std::fs::create_dir_all(target.parent().expect("a file has a folder"))?;
            std::fs::write(&target, fresh)?;
            println!("wrote {committed}");
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated bindings are stale: {}; run `cargo xtask bindings`",
            stale.join(", ")
        );
    }
    if check {
        println!("bindings are up to date");
    }
    Ok(())
}

/// Builds the cdylib and returns its path.
fn build_library(root: &Path) -> Result<PathBuf> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--package", "uniws", "--lib"])
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let name = if cfg!(target_os = "macos") {
        "libuniws.dylib"
    } else {
        "libuniws.so"
    };
    Ok(root.join("target/debug").join(name))
}

fn generate(library: &Path, out: &Path) -> Result<()> {
    let library = Utf8PathBuf::from_path_buf(library.to_path_buf())
        .map_err(|p| anyhow::anyhow!("non-UTF-8 path {p:?}"))?;
    let out = Utf8PathBuf::from_path_buf(out.to_path_buf())
        .map_err(|p| anyhow::anyhow!("non-UTF-8 path {p:?}"))?;
    generate_swift_bindings(SwiftBindingsOptions {
        generate_swift_sources: true,
        generate_headers: true,
        generate_modulemap: true,
        source: library.clone(),
        out_dir: out.join("swift"),
        module_name: Some("uniwsFFI".into()),
        modulemap_filename: Some("uniwsFFI.modulemap".into()),
        ..Default::default()
    })?;
    uniffi::generate(GenerateOptions {
        languages: vec![TargetLanguage::Kotlin],
        source: library,
        out_dir: out.join("kotlin"),
        format: false,
        ..Default::default()
    })?;
    Ok(())
}
