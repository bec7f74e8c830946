//! Running commands and the test peers.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};

/// Runs `command`, failing with its name when it does not succeed.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// Whether `program` is on the PATH.
pub fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null")])
        .status()
        .is_ok_and(|status| status.success())
}

/// A test peer process (tests/peers/*) serving on 127.0.0.1; it exits when dropped.
pub struct Peer {
    child: Child,
    /// `ws://127.0.0.1:PORT`.
    pub url: String,
}

impl Peer {
    /// Starts `script` with the peers' Python venv (made by tests/peers/setup.sh).
    pub fn python(root: &Path, script: &str) -> Result<Peer> {
        let python = root.join("target/peers-venv/bin/python");
        if !python.exists() {
            bail!(
                "{} is missing: run `bash tests/peers/setup.sh`",
                python.display()
            );
        }
        let mut child = Command::new(python)
            .arg(root.join("tests/peers").join(script))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {script}"))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|port| port.parse().ok())
            .with_context(|| format!("{script} did not report its port (said {line:?})"))?;
        Ok(Peer {
            child,
            url: format!("ws://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
