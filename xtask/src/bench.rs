//! `cargo xtask bench [--quick] [--save]`: every contender in one run, against one echo server.
//!
//! 1. Builds the release echo server, `bench-rust` and `libuniws` (staged for the Kotlin jar).
//! 2. Starts `bench-echo-server` on 127.0.0.1 (ws:// and wss:// with a fresh CA).
//! 3. Runs the Rust contenders (uniws vs tokio-tungstenite on a multi-threaded and on a
//!    current-thread runtime, in several processes, each multi-threaded one followed by a process
//!    of the Swift layer's benchmark, `bench/swift-layer`, in the Swift chroot; then idle memory
//!    for each), then the JVM contenders (uniws's Kotlin layer vs Ktor CIO vs OkHttp, `bench/jvm`).
//! 4. Writes every figure to `target/bench/results.jsonl` and has `bench/report.py` turn them into
//!    a table with ratios (`target/bench/report.md`) and a chart (`target/bench/throughput.png`).
//!
//! `--quick` divides every workload by 20 (CI runs it so the suite keeps working; no timing is
//! asserted anywhere). `--save` copies the results, table and chart to `docs/benchmarks/`, which
//! BENCHMARKS.md shows. `UNIWS_MAVEN_ARGS` adds Maven arguments (such as `-o`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::bindings::root;
use crate::kotlin::{jvm_command, stage_native_library};
use crate::process::run;
use crate::swift::{chroot_dir, ensure_chroot, Mounts, MOUNTED_ROOT};

/// Runs every contender and writes the report.
pub fn run_all(quick: bool, save: bool) -> Result<()> {
    let root = root();
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out)?;
    run(Command::new(env!("CARGO"))
        .args(["build", "--release", "--package", "uniws-bench"])
        .current_dir(&root))?;
    let resource = stage_native_library()?;
    let jar = build_jvm_contenders(&root, &resource)?;
    let chroot = chroot_dir();
    ensure_chroot(&chroot)?;
    let mounts = Mounts::new(&chroot, &root)?;
    build_swift_layer(&chroot)?;

    let server = EchoServer::start(&root, &out.join("ca.pem"))?;
    let quick_flag: &[&str] = if quick { &["--quick"] } else { &[] };
    let ports = [
        "--ws".to_owned(),
        server.ws.to_string(),
        "--wss".to_owned(),
        server.wss.to_string(),
    ];
    let mut results = Vec::new();

    let ca_inside = Path::new(MOUNTED_ROOT).join(server.ca.strip_prefix(&root)?);
    let swift_run = format!(
        "{SWIFT_SCRATCH}/release/uniws-bench-swift {} --ca {} {}",
        ports.join(" "),
        ca_inside.display(),
        quick_flag.join(" ")
    );
    let mut bench_swift = Command::new("chroot");
    bench_swift.arg(&chroot).args([
        "/usr/bin/env",
        "HOME=/root",
        &format!("LD_LIBRARY_PATH={MOUNTED_ROOT}/target/release"),
        "/bin/sh",
        "-c",
        &swift_run,
    ]);

    println!(
        "== Rust: uniws vs tokio-tungstenite, on a multi-threaded and a current-thread runtime; \
         the uniws Swift layer after each multi-threaded process"
    );
    let bench_rust = root.join("target/release/bench-rust");
    for (runtime_flag, processes) in [
        (&[][..], RUST_PROCESSES),
        (&["--current-thread"][..], RUST_PROCESSES_CURRENT_THREAD),
    ] {
        for _ in 0..if quick { 1 } else { processes } {
            results.extend(capture(
                Command::new(&bench_rust)
                    .args(&ports)
                    .arg("--ca")
                    .arg(&server.ca)
                    .args(runtime_flag)
                    .args(quick_flag),
            )?);
            if runtime_flag.is_empty() {
                // Right after the Rust API's rounds: the Swift layer is compared with them.
                results.extend(capture(&mut bench_swift)?);
            }
        }
    }
    for contender in ["uniws", "tungstenite"] {
        results.extend(capture(
            Command::new(&bench_rust)
                .args(["--ws", &server.ws.to_string(), "--memory", contender])
                .args(quick_flag),
        )?);
    }

    println!("== JVM: uniws Kotlin vs Ktor CIO vs OkHttp");
    results.extend(capture(
        jvm_command("java")
            .arg("-jar")
            .arg(&jar)
            .args(&ports)
            .arg("--ca")
            .arg(&server.ca)
            .args(quick_flag)
            .current_dir(&root),
    )?);
    for contender in ["uniws-kotlin", "ktor-cio", "okhttp"] {
        results.extend(capture(
            jvm_command("java")
                .arg("-jar")
                .arg(&jar)
                .args(["--ws", &server.ws.to_string(), "--memory", contender])
                .args(quick_flag)
                .current_dir(&root),
        )?);
    }

    drop(server);
    drop(mounts);

    let results_file = out.join("results.jsonl");
    std::fs::write(&results_file, results.join("\n") + "\n")?;
    report(&root, &out, quick)?;
    if save {
        let saved = root.join("docs/benchmarks");
        std::fs::create_dir_all(&saved)?;
        for file in ["results.jsonl", "report.md", "throughput.png"] {
            std::fs::copy(out.join(file), saved.join(file))?;
        }
        println!("saved the results, table and chart in {}", saved.display());
    }
    Ok(())
}

/// How many `bench-rust` processes run on the multi-threaded runtime, the one issue #6's targets
/// are about (three rounds each; the report takes each contender's median over all of them). The
/// rounds of one process share a state that favours one contender or the other by up to 10% for
/// the whole process (measured: 64 KiB pipelined gave 0.90x in one nine-round process and 1.05x in
/// the next), and on 2026-11-26 single runs of three processes put figures that pooled runs show
/// at parity (0.99x to 1.05x over 36 rounds) anywhere from 0.88x to 1.18x: rounds from many
/// processes measure the ratio better than more rounds in one.
///
/// The Swift layer's benchmark runs after each of these processes (three rounds each), so its
/// figures come from as many processes, spread over the same minutes as the Rust API's they are
/// compared with: one Swift process's rounds scattered from 125 to 244 k msgs/s at 32 B on
/// 2026-11-26, and a figure measured minutes after the Rust API's mixed in the machine's drift.
const RUST_PROCESSES: usize = 10;

/// The same for the current-thread runtime, which no target is about.
const RUST_PROCESSES_CURRENT_THREAD: usize = 3;

/// Where the Swift layer's benchmark is built inside the chroot.
const SWIFT_SCRATCH: &str = "/root/build/bench-swift";

/// Installs the uniws Kotlin artifact (tests skipped: `kotlin-test` runs them) and packages the
/// JVM benchmark; returns its runnable jar.
fn build_jvm_contenders(root: &Path, resource: &str) -> Result<PathBuf> {
    let extra = std::env::var("UNIWS_MAVEN_ARGS").unwrap_or_default();
    run(jvm_command("mvn")
        .args(["-B", "-q", "install", "-DskipTests"])
        .arg(format!("-Duniws.native.resource={resource}"))
        .args(extra.split_whitespace())
        .current_dir(root.join("bindings/kotlin")))?;
    run(jvm_command("mvn")
        .args(["-B", "-q", "package"])
        .args(extra.split_whitespace())
        .current_dir(root.join("bench/jvm")))?;
    let jar = root.join("bench/jvm/target/uniws-bench-jvm.jar");
    if !jar.exists() {
        bail!("the JVM benchmark did not produce {}", jar.display());
    }
    Ok(jar)
}

/// Builds the Swift layer's benchmark in release mode against the release `libuniws`.
fn build_swift_layer(chroot: &Path) -> Result<()> {
    let script = format!(
        "set -e; cd {MOUNTED_ROOT}/bench/swift-layer; \
         swift build -c release --scratch-path {SWIFT_SCRATCH} -Xlinker -L{MOUNTED_ROOT}/target/release"
    );
    run(Command::new("chroot").arg(chroot).args([
        "/usr/bin/env",
        "HOME=/root",
        "/bin/sh",
        "-c",
        &script,
    ]))
}

/// Runs a contender and returns the JSON lines it printed (each is echoed as it is collected).
fn capture(command: &mut Command) -> Result<Vec<String>> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed ({})", output.status);
    }
    let lines: Vec<String> = String::from_utf8(output.stdout)?
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        bail!("{command:?} reported no figures");
    }
    for line in &lines {
        println!("{line}");
    }
    Ok(lines)
}

/// Turns the results into the table and the chart, in a Python venv with matplotlib.
fn report(root: &Path, out: &Path, quick: bool) -> Result<()> {
    let venv = root.join("target/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "matplotlib==3.10.7"]))?;
    }
    let mut command = Command::new(&python);
    command
        .arg(root.join("bench/report.py"))
        .arg(out.join("results.jsonl"))
        .arg(out);
    if quick {
        command.arg("--quick");
    }
    run(&mut command)?;
    println!("{}", std::fs::read_to_string(out.join("report.md"))?);
    Ok(())
}

/// The shared echo server, stopped (its stdin closed) when dropped.
struct EchoServer {
    child: Child,
    ws: u16,
    wss: u16,
    ca: PathBuf,
}

impl EchoServer {
    fn start(root: &Path, ca: &Path) -> Result<EchoServer> {
        let mut child = Command::new(root.join("target/release/bench-echo-server"))
            .arg(ca)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start bench-echo-server")?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut value = |key: &str| -> Result<String> {
            let line = lines.next().context("the echo server said nothing")??;
            line.strip_prefix(key)
                .map(|rest| rest.trim().to_owned())
                .with_context(|| format!("expected {key} from the echo server, got {line:?}"))
        };
        let ws = value("WS")?.parse()?;
        let wss = value("WSS")?.parse()?;
        let ca = PathBuf::from(value("CA")?);
        Ok(EchoServer { child, ws, wss, ca })
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
