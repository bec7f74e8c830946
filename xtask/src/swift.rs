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
    // Its CA and pins are in target/tls-peer/details.json, which the chroot sees under /uniws.
    let tls = Peer::python(&root, "tls_server.py")?;
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
    check_api_visibility(&chroot, &root)?;
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
            &format!("UNIWS_TLS_URL={}", tls.url.replacen("ws://", "wss://", 1)),
            &format!("UNIWS_TLS_DETAILS={MOUNTED_ROOT}/target/tls-peer/details.json"),
            &format!("LD_LIBRARY_PATH={MOUNTED_ROOT}/target/debug"),
            "HOME=/root",
            "/bin/sh",
            "-c",
            &script,
        ]))?;
    }
    Ok(())
}

/// Where the visibility probes live: a package of small applications that depend on UniWS.
const PROBES: &str = "bindings/swift/ApiVisibility";

/// Applications see the idiomatic layer only: the probe package's `PublicAPI` target builds, and
/// each file of its `Forbidden` target fails to build on the one symbol it reaches for. Each of
/// those symbols exists in the UniWS module, so the failure means it is hidden, not misspelled.
fn check_api_visibility(chroot: &Path, root: &Path) -> Result<()> {
    let build = |target: &str| {
        let script = format!(
            "cd {MOUNTED_ROOT}/{PROBES}; \
             swift build --target {target} --scratch-path /root/build/api-visibility 2>&1"
        );
        Command::new("chroot")
            .arg(chroot)
            .args(["/usr/bin/env", "HOME=/root", "/bin/sh", "-c", &script])
            .output()
    };
    let public = build("PublicAPI")?;
    if !public.status.success() {
        bail!(
            "an application using the public API does not build:\n{}",
            String::from_utf8_lossy(&public.stdout)
        );
    }
    let forbidden = build("Forbidden")?;
    let messages = String::from_utf8_lossy(&forbidden.stdout);
    if forbidden.status.success() {
        bail!("an application reached FFI-only symbols:\n{messages}");
    }
    let module = std::fs::read_dir(root.join("bindings/swift/Sources/UniWS"))?
        .map(|entry| std::fs::read_to_string(entry?.path()).map_err(anyhow::Error::from))
        .collect::<Result<String>>()?;
    let mut probes = 0;
    for entry in std::fs::read_dir(root.join(PROBES).join("Sources/Forbidden"))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let probe = std::fs::read_to_string(&path)?;
        let symbol = probe_symbol(&probe)
            .ok_or_else(|| anyhow::anyhow!("{name} names no symbol to reach for"))?;
        if !module.contains(symbol) {
            bail!("{name} reaches for `{symbol}`, which UniWS does not declare: fix the probe");
        }
        let hidden = messages.lines().any(|line| {
            line.contains(name)
                && line.contains("error:")
                && [
                    "cannot find",
                    "inaccessible",
                    "has no member",
                    "incorrect argument label",
                ]
                .iter()
                .any(|reason| line.contains(reason))
        });
        if !hidden {
            bail!("{name}: `{symbol}` is reachable from an application:\n{messages}");
        }
        probes += 1;
    }
    println!("API visibility: the public API builds; {probes} FFI-only symbols are out of reach");
    Ok(())
}

/// The symbol a probe reaches for, from its first line (`// Reaches for: SYMBOL`).
fn probe_symbol(probe: &str) -> Option<&str> {
    probe.lines().next()?.strip_prefix("// Reaches for: ")
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
