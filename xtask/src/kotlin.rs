//! The Kotlin/JVM module: native library packaging and the Maven build.
//!
//! `cargo xtask kotlin-test` builds `libuniws` in release mode, stages it where the pom packages it
//! as a JNA resource (`bindings/kotlin/target/native/<jna-prefix>/`, never committed), installs the
//! test peers (`tests/peers/setup.sh`) and runs `mvn -B verify` in `bindings/kotlin`. Extra Maven
//! arguments (for example `-o` once the dependencies are downloaded) come from `UNIWS_MAVEN_ARGS`.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::root;
use crate::process::run;

/// Builds the native library, stages it for the jar and runs `mvn -B verify`.
pub fn test() -> Result<()> {
    let root = root();
    let module = root.join("bindings/kotlin");
    let resource = stage_native_library()?;

    run(Command::new("bash")
        .arg(root.join("tests/peers/setup.sh"))
        .current_dir(&root))?;

    let extra = std::env::var("UNIWS_MAVEN_ARGS").unwrap_or_default();
    run(jvm_command("mvn")
        .args(["-B", "verify"])
        .arg(format!("-Duniws.native.resource={resource}"))
        .args(extra.split_whitespace())
        .current_dir(&module))
}

/// A command that runs a JVM (or Maven) so that JNA loads the `libuniws` packaged in the jar.
///
/// `cargo run` (and so `cargo xtask`) puts `target/debug` and `target/debug/deps` on the dynamic
/// library path, and JNA tries the system's library search before the jar's resource: a JVM
/// started from here would silently load the debug build of `libuniws` lying there (the benchmark
/// measured it 5x slower than the release build that ships).
pub fn jvm_command(program: &str) -> Command {
    let mut command = Command::new(program);
    for variable in [
        "LD_LIBRARY_PATH",
        "DYLD_LIBRARY_PATH",
        "DYLD_FALLBACK_LIBRARY_PATH",
    ] {
        command.env_remove(variable);
    }
    command
}

/// Builds `libuniws` in release mode and copies it to where the pom packages it as a JNA
/// resource; returns the resource path (such as `linux-x86-64/libuniws.so`).
pub fn stage_native_library() -> Result<String> {
    let root = root();
    run(Command::new(env!("CARGO"))
        .args(["build", "--package", "uniws", "--lib", "--release"])
        .current_dir(&root))?;
    let library = library_file_name();
    let resource = format!("{}/{library}", jna_prefix()?);
    let built = root.join("target/release").join(library);
    let staged = root.join("bindings/kotlin/target/native").join(&resource);
    std::fs::create_dir_all(staged.parent().expect("a file has a folder"))?;
    std::fs::copy(&built, &staged)
        .with_context(|| format!("staging {} as {}", built.display(), staged.display()))?;
    println!("staged {} as the JNA resource {resource}", built.display());
    Ok(resource)
}

/// The file name of the cdylib on this platform.
fn library_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libuniws.dylib"
    } else {
        "libuniws.so"
    }
}

/// The folder JNA looks in for this platform's native libraries (`Platform.RESOURCE_PREFIX`).
fn jna_prefix() -> Result<String> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        other => bail!("no JNA resource prefix known for {other}"),
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x86-64",
        "aarch64" => "aarch64",
        other => bail!("no JNA resource prefix known for {other}"),
    };
    Ok(format!("{os}-{arch}"))
}
