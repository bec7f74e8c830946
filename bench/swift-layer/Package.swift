// swift-tools-version:5.9
// The uniws Swift layer (contender `uniws-swift`) against the shared echo server, mirroring
// bench/src/bin/rust_contenders.rs. Linux only in practice: it links the host's libuniws.so
// (see README.md for the commands).
//
// (The folder is not named `swift`: SwiftPM names a path dependency after its folder, and
// ../../bindings/swift would then look like a dependency on this package itself.)
import PackageDescription

let package = Package(
    name: "uniws-bench-swift",
    // ContinuousClock needs macOS 13 / iOS 16.
    platforms: [.macOS(.v13), .iOS(.v16)],
    dependencies: [
        .package(path: "../../bindings/swift"),
    ],
    targets: [
        .executableTarget(
            name: "uniws-bench-swift",
            dependencies: [.product(name: "UniWS", package: "swift")],
            path: "Sources/uniws-bench-swift"
        ),
    ],
    swiftLanguageVersions: [.v5]
)
