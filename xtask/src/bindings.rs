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
        let fresh = std::fs::read_to_string(scratch.join(generated))
            .with_context(|| format!("generated {generated}"))?;
        let fresh = if generated.ends_with(".kt") {
            internal_kotlin(&fresh)
        } else if generated.ends_with(".swift") {
            internal_swift(&fresh)
        } else {
            fresh
        }
        .into_bytes();
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

/// Kotlin declarations that start a top-level item; the generated code leaves most of them public.
const KOTLIN_DECLARATIONS: [&str; 12] = [
    "class ",
    "data class ",
    "enum class ",
    "sealed class ",
    "open class ",
    "abstract class ",
    "interface ",
    "object ",
    "fun ",
    "inline fun ",
    "val ",
    "typealias ",
];

/// The generated Kotlin with every top-level declaration `internal`: the idiomatic layer in the
/// same module uses it, and applications, compiled as other modules, cannot (issue #17: no
/// FFI-only or unsafe call is reachable from application code).
pub fn internal_kotlin(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 4096);
    for line in source.split_inclusive('\n') {
        // Top-level functions follow their doc comment on its closing line (`*/ fun ...`);
        // members are `override fun`.
        if let Some(function) = line.trim_start().strip_prefix("*/ fun ") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}*/ internal fun {function}"));
            continue;
        }
        let declaration = line.strip_prefix("public ").unwrap_or(line);
        if KOTLIN_DECLARATIONS
            .iter()
            .any(|keyword| declaration.starts_with(keyword))
        {
            out.push_str("internal ");
            out.push_str(declaration);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The generated Swift types that stay public: plain values (records, enums, errors) that the
/// idiomatic layer hands to applications as they are, and the headers object they contain.
const SWIFT_PUBLIC: [&str; 18] = [
    "CertificatePin",
    "CloseCode",
    "CloseReason",
    "DeflateConfig",
    "Frame",
    "Header",
    "Headers",
    "HeadersProtocol",
    "HttpCall",
    "HttpMethod",
    "HttpRequest",
    "HttpResponse",
    "TlsConfig",
    "TlsVersion",
    "Url",
    "WebSocketConfig",
    "WebSocketError",
    "WebSocketRequest",
];

/// The generated Swift with every declaration internal except the plain value types in
/// [`SWIFT_PUBLIC`] (issue #17: no FFI-only or unsafe call is reachable from application code).
/// A public object class (`Headers`) becomes `final`, and the members that forge or copy a raw
/// handle (`init(unsafeFromHandle:)`, `NoHandle`, `uniffiCloneHandle()`) become internal.
pub fn internal_swift(source: &str) -> String {
    // The generator puts some modifiers on a line of their own (`public \nenum WebSocketError`).
    let source = source.replace("public \n", "public ");
    let mut out = String::with_capacity(source.len());
    let mut depth = 0i64;
    let mut public = false;
    for line in source.split_inclusive('\n') {
        if depth == 0 {
            if let Some(name) = swift_declared_name(line) {
                public = SWIFT_PUBLIC.contains(&name);
            }
        }
        let rewritten = if public {
            line.replace("open class ", "public final class ")
                .replace("open func ", "public func ")
                .replace(
                    "required public init(unsafeFromHandle",
                    "init(unsafeFromHandle",
                )
                .replace("public init(noHandle", "init(noHandle")
                .replace("public struct NoHandle", "struct NoHandle")
                .replace("public func uniffiCloneHandle", "func uniffiCloneHandle")
        } else {
            without_access(line)
        };
        depth += swift_brace_balance(line);
        out.push_str(&rewritten);
    }
    out
}

/// The name a top-level Swift declaration line declares (`extension X` counts as X).
fn swift_declared_name(line: &str) -> Option<&str> {
    const KINDS: [&str; 9] = [
        "struct ",
        "class ",
        "enum ",
        "protocol ",
        "extension ",
        "func ",
        "typealias ",
        "let ",
        "var ",
    ];
    let mut rest = line.trim_start();
    for modifier in [
        "public ",
        "open ",
        "fileprivate ",
        "private ",
        "final ",
        "indirect ",
    ] {
        rest = rest.strip_prefix(modifier).unwrap_or(rest);
    }
    let kind = KINDS.iter().find(|kind| rest.starts_with(*kind))?;
    let name = &rest[kind.len()..];
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    Some(&name[..end])
}

/// `line` without the `public` and `open` modifiers.
fn without_access(line: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    let mut rest = &line[indent..];
    let mut modifiers = String::new();
    loop {
        if let Some(after) = rest
            .strip_prefix("public ")
            .or_else(|| rest.strip_prefix("open "))
        {
            rest = after;
        } else if let Some(after) = [
            "required ",
            "convenience ",
            "static ",
            "final ",
            "override ",
        ]
        .iter()
        .find_map(|modifier| rest.strip_prefix(modifier).map(|after| (modifier, after)))
        {
            modifiers.push_str(after.0);
            rest = after.1;
        } else {
            break;
        }
    }
    format!("{}{modifiers}{rest}", &line[..indent])
}

/// Opening less closing braces on a line of generated Swift, outside string literals.
fn swift_brace_balance(line: &str) -> i64 {
    let mut balance = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => balance += 1,
            '}' if !in_string => balance -= 1,
            _ => {}
        }
    }
    balance
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
