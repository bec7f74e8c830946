//! The iOS simulator build: the Rust static library for `x86_64-apple-ios`, a check of its
//! objects and symbols, and `UniWS.xcframework` for the Swift package.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::root;
use crate::process::{on_path, run};

/// The simulator target.
const TARGET: &str = "x86_64-apple-ios";

/// Builds `libuniws.a` for the iOS simulator and returns its path.
///
/// On macOS this is a plain cross build (`rustup target add x86_64-apple-ios` first). Elsewhere
/// the standard library is built from source (`rustup component add rust-src`, unlocked with
/// `RUSTC_BOOTSTRAP=1`), clang compiles ring's C code, and `SDKROOT` points at the stand-in
/// headers in `xtask/ios-sdk-stub`.
pub fn build() -> Result<PathBuf> {
    let root = root();
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(&root)
        .args([
            "rustc",
            "--package",
            "uniws",
            "--lib",
            "--release",
            "--target",
            TARGET,
        ])
        .args(["--crate-type", "staticlib"])
        .env("IPHONEOS_DEPLOYMENT_TARGET", "13.0");
    if !cfg!(target_os = "macos") {
        for tool in ["clang", "llvm-ar"] {
            if !on_path(tool) {
                bail!(
                    "`{tool}` is needed to cross-compile ring for iOS: apt-get install clang llvm"
                );
            }
        }
        cargo
            .args(["-Zbuild-std=std,panic_abort"])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CC_x86_64_apple_ios", "clang")
            .env("AR_x86_64_apple_ios", "llvm-ar")
            .env("SDKROOT", root.join("xtask/ios-sdk-stub"));
    }
    run(&mut cargo)?;
    let library = root.join("target").join(TARGET).join("release/libuniws.a");
    check(
        &library,
        &root.join("bindings/swift/Headers/uniwsFFI/uniwsFFI.h"),
    )?;
    Ok(library)
}

/// Checks that every object in `library` is x86_64 Mach-O and that every `uniffi_uniws_*` and
/// `ffi_uniws_*` function declared in the bindings' header is defined.
pub fn check(library: &Path, header: &Path) -> Result<()> {
    let bytes = std::fs::read(library).with_context(|| format!("reading {}", library.display()))?;
    let archive =
        goblin::archive::Archive::parse(&bytes).context("libuniws.a is not an ar archive")?;
    let mut defined = BTreeSet::new();
    let mut objects = 0;
    for member in archive.members() {
        if member.starts_with("__.SYMDEF") || member == "/" || member == "//" {
            continue;
        }
        let data = archive.extract(member, &bytes)?;
        let object = goblin::mach::MachO::parse(data, 0)
            .with_context(|| format!("archive member {member} is not a Mach-O object"))?;
        if object.header.cputype != goblin::mach::cputype::CPU_TYPE_X86_64 {
            bail!(
                "archive member {member} is not x86_64 (cputype {})",
                object.header.cputype
            );
        }
        objects += 1;
        for symbol in object.symbols() {
            let (name, entry) = symbol?;
            if entry.is_global() && !entry.is_undefined() {
                defined.insert(name.trim_start_matches('_').to_owned());
            }
        }
    }
    let required = declared_functions(&std::fs::read_to_string(header)?);
    let missing: Vec<&String> = required
        .iter()
        .filter(|name| !defined.contains(*name))
        .collect();
    if !missing.is_empty() {
        bail!("libuniws.a lacks symbols the Swift bindings call: {missing:?}");
    }
    if required.is_empty() {
        bail!("no uniffi functions found in {}", header.display());
    }
    println!(
        "{}: {objects} x86_64 Mach-O objects; all {} uniffi functions of uniwsFFI.h defined",
        library.display(),
        required.len()
    );
    Ok(())
}

/// The `uniffi_uniws_*` / `ffi_uniws_*` functions a header declares.
fn declared_functions(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (index, _) in header.match_indices("uniws_") {
        let start = header[..index]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let end = index
            + header[index..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(0);
        let name = &header[start..end];
        let declared = header[end..].trim_start().starts_with('(');
        if declared && (name.starts_with("uniffi_uniws_") || name.starts_with("ffi_uniws_")) {
            names.insert(name.to_owned());
        }
    }
    names
}

/// Builds the library and assembles `bindings/swift/UniWS.xcframework` with one
/// `ios-x86_64-simulator` slice and the `uniwsFFI` headers under `Headers/uniwsFFI/`.
pub fn xcframework() -> Result<()> {
    let root = root();
    let library = build()?;
    let framework = root.join("bindings/swift/UniWS.xcframework");
    if framework.exists() {
        std::fs::remove_dir_all(&framework)?;
    }
    let slice = framework.join("ios-x86_64-simulator");
    let headers = slice.join("Headers/uniwsFFI");
    std::fs::create_dir_all(&headers)?;
    std::fs::copy(&library, slice.join("libuniws.a"))?;
    for file in ["uniwsFFI.h", "module.modulemap"] {
        std::fs::copy(
            root.join("bindings/swift/Headers/uniwsFFI").join(file),
            headers.join(file),
        )?;
    }
    std::fs::write(framework.join("Info.plist"), INFO_PLIST)?;
    println!("wrote {}", framework.display());
    Ok(())
}

const INFO_PLIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>AvailableLibraries</key>
	<array>
		<dict>
			<key>HeadersPath</key>
			<string>Headers</string>
			<key>LibraryIdentifier</key>
			<string>ios-x86_64-simulator</string>
			<key>LibraryPath</key>
			<string>libuniws.a</string>
			<key>SupportedArchitectures</key>
			<array>
				<string>x86_64</string>
			</array>
			<key>SupportedPlatform</key>
			<string>ios</string>
			<key>SupportedPlatformVariant</key>
			<string>simulator</string>
		</dict>
	</array>
	<key>CFBundlePackageType</key>
	<string>XFWK</string>
	<key>XCFrameworkFormatVersion</key>
	<string>1.0</string>
</dict>
</plist>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_functions_are_found_across_lines() {
        let header = "#ifndef UNIFFI_FFIDEF_UNIFFI_UNIWS_FN_X\nuint64_t uniffi_uniws_fn_x(uint64_t a\n);\nvoid ffi_uniws_rust_future_free_u8(uint64_t h);\ntypedef void (*UniffiCallback)(uint64_t);\n";
        let names: Vec<String> = declared_functions(header).into_iter().collect();
        assert_eq!(
            names,
            vec!["ffi_uniws_rust_future_free_u8", "uniffi_uniws_fn_x"]
        );
    }
}
