//! `cargo xtask autobahn <swift|kotlin>`: runs the Autobahn|Testsuite client driver written
//! against that binding, through the suite's `run-client.sh`. `autobahn/run.sh` calls it with the
//! suite's settings in the environment (`AUTOBAHN_SHARED`, `WSTEST`, `AGENT`, `WORKDIR`, `PORT`)
//! and grades the results; the drivers run against the release build of `libuniws`.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::root;
use crate::kotlin::{jvm_command, stage_native_library};
use crate::process::run;
use crate::swift::{chroot_dir, ensure_chroot, Mounts, MOUNTED_ROOT};

/// Where the Swift driver is built inside the chroot.
const SWIFT_SCRATCH: &str = "/root/build/autobahn-driver";

/// Builds the driver for `language` and runs the suite's client runner with it.
pub fn run_driver(language: Option<&str>) -> Result<()> {
    let root = root();
    let shared = std::env::var("AUTOBAHN_SHARED").context("AUTOBAHN_SHARED is not set")?;
    let runner = Path::new(&shared).join("run-client.sh");
    match language {
        Some("swift") => {
            run(Command::new(env!("CARGO"))
                .args(["build", "--package", "uniws", "--lib", "--release"])
                .current_dir(&root))?;
            let chroot = chroot_dir();
            ensure_chroot(&chroot)?;
            let _mounts = Mounts::new(&chroot, &root)?;
            let build = format!(
                "set -e; cd {MOUNTED_ROOT}/bindings/swift/AutobahnDriver; \
                 swift build -c release --scratch-path {SWIFT_SCRATCH} \
                 -Xlinker -L{MOUNTED_ROOT}/target/release"
            );
            run(Command::new("chroot").arg(&chroot).args([
                "/usr/bin/env",
                "HOME=/root",
                "/bin/sh",
                "-c",
                &build,
            ]))?;
            // The chroot shares the network: the driver reaches the suite on 127.0.0.1.
            run(Command::new("bash")
                .arg(&runner)
                .arg("chroot")
                .arg(&chroot)
                .args([
                    "/usr/bin/env",
                    &format!("LD_LIBRARY_PATH={MOUNTED_ROOT}/target/release"),
                    &format!("{SWIFT_SCRATCH}/release/uniws-autobahn"),
                ]))
        }
        Some("kotlin") => {
            let resource = stage_native_library()?;
            let module = root.join("bindings/kotlin");
            let classpath_file = module.join("target/autobahn-classpath.txt");
            let extra = std::env::var("UNIWS_MAVEN_ARGS").unwrap_or_default();
            run(jvm_command("mvn")
                .args(["-B", "-q", "test-compile", "dependency:build-classpath"])
                .arg(format!("-Duniws.native.resource={resource}"))
                .arg(format!("-Dmdep.outputFile={}", classpath_file.display()))
                .args(extra.split_whitespace())
                .current_dir(&module))?;
            let dependencies = std::fs::read_to_string(&classpath_file)
                .with_context(|| format!("reading {}", classpath_file.display()))?;
            let classpath = format!(
                "{}:{}:{}",
                module.join("target/test-classes").display(),
                module.join("target/classes").display(),
                dependencies.trim()
            );
            run(jvm_command("bash").arg(&runner).args([
                "java",
                "-cp",
                &classpath,
                "uniws.autobahn.AutobahnDriverKt",
            ]))
        }
        _ => bail!("usage: cargo xtask autobahn <swift|kotlin>"),
    }
}
