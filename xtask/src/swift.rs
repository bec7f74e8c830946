//! The Swift package's tests on Linux: Swift 6 from Debian trixie in a chroot (created once with
//! debootstrap and reused), against the host's libuniws.so and real peers on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};

use crate::bindings::root;
use crate::process::{on_path, run, Peer};

/// Where the package folders appear inside the chroot.
pub const MOUNTED_ROOT: &str = "/uniws";

/// The chroot holding Swift (`UNIWS_SWIFT_CHROOT`, default `/var/tmp/uniws-swift-trixie`).
pub fn chroot_dir() -> PathBuf {
    std::env::var_os("UNIWS_SWIFT_CHROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/uniws-swift-trixie"))
}

/// Builds the host library, starts the peers, and runs `swift test` for the UniWS package and
/// the iOS sample's view model inside the chroot.
pub fn test() -> Result<()> {
    let root = root();
    let chroot = chroot_dir();
    ensure_chroot(&chroot)?;
    run(Command::new(env!("CARGO"))
        .args(["build", "--package", "uniws", "--lib"])
        .current_dir(&root))?;
    let echo = Peer::python(&root, "echo_server.py")?;
    let raw = Peer::python(&root, "raw_server.py")?;
    let _mounts = Mounts::new(&chroot, &root)?;
    // The whole UniWS module, generated code included, must also build warning-free in the
    // Swift 6 language mode (complete concurrency checking).
    let swift6 = format!(
        "set -e; cd {MOUNTED_ROOT}/bindings/swift; \
         swift build --scratch-path /root/build/swift6 -Xswiftc -swift-version -Xswiftc 6 \
         -Xswiftc -warnings-as-errors -Xlinker -L{MOUNTED_ROOT}/target/debug"
    );
    run(Command::new("chroot").arg(&chroot).args([
        "/usr/bin/env",
        "HOME=/root",
        "/bin/sh",
        "-c",
        &swift6,
    ]))?;
    for package in ["bindings/swift", "ios-sample"] {
        let script = format!(
            "set -e; cd {MOUNTED_ROOT}/{package}; \
             swift build --build-tests --scratch-path /root/build/{package} -Xlinker -L{MOUNTED_ROOT}/target/debug; \
             swift test --skip-build --disable-swift-testing --scratch-path /root/build/{package}"
        );
        run(Command::new("chroot").arg(&chroot).args([
            "/usr/bin/env",
            &format!("UNIWS_ECHO_URL={}", echo.url),
            &format!("UNIWS_RAW_URL={}", raw.url),
            &format!("LD_LIBRARY_PATH={MOUNTED_ROOT}/target/debug"),
            "HOME=/root",
            "/bin/sh",
            "-c",
            &script,
        ]))?;
    }
    Ok(())
}

/// Creates the chroot with debootstrap and installs `swiftlang`, unless it is there already.
pub fn ensure_chroot(chroot: &Path) -> Result<()> {
    if chroot.join("usr/bin/swift").exists() {
        return Ok(());
    }
    if !on_path("debootstrap") {
        bail!("debootstrap is needed to create the Swift chroot: apt-get install debootstrap");
    }
    if !chroot.join("usr/bin/apt-get").exists() {
        run(Command::new("debootstrap")
            .args(["--variant=minbase", "trixie"])
            .arg(chroot))?;
    }
    std::fs::copy("/etc/resolv.conf", chroot.join("etc/resolv.conf"))?;
    run(Command::new("chroot").arg(chroot).args([
        "/bin/sh",
        "-c",
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq swiftlang",
    ]))
}

/// `/proc` and the repository mounted inside the chroot for as long as this value lives.
pub struct Mounts {
    points: Vec<PathBuf>,
}

impl Mounts {
    pub fn new(chroot: &Path, root: &Path) -> Result<Mounts> {
        let mut mounts = Mounts { points: Vec::new() };
        let proc = chroot.join("proc");
        mounts.mount(
            Command::new("mount")
                .args(["-t", "proc", "proc"])
                .arg(&proc),
            proc,
        )?;
        let repository = chroot.join(MOUNTED_ROOT.trim_start_matches('/'));
        std::fs::create_dir_all(&repository)?;
        mounts.mount(
            Command::new("mount")
                .arg("--bind")
                .arg(root)
                .arg(&repository),
            repository,
        )?;
        Ok(mounts)
    }

    fn mount(&mut self, command: &mut Command, point: PathBuf) -> Result<()> {
        let mounted = Command::new("mountpoint")
            .arg("-q")
            .arg(&point)
            .status()?
            .success();
        if !mounted {
            run(command)?;
            self.points.push(point);
        }
        Ok(())
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        for point in self.points.iter().rev() {
            let _ = Command::new("umount").arg(point).status();
        }
    }
}
