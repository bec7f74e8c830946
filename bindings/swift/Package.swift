// swift-tools-version:5.9
// UniWS: the uniws WebSocket client for Swift. On Apple platforms the Rust core comes from
// UniWS.xcframework (built by `cargo xtask xcframework`); on Linux, where the tests run, from the
// host's libuniws.so (`cargo xtask swift-test` passes its folder to the linker).
import PackageDescription

#if os(Linux)
let core: Target = .systemLibrary(name: "uniwsFFI", path: "Headers/uniwsFFI")
#else
let core: Target = .binaryTarget(name: "uniwsFFI", path: "UniWS.xcframework")
#endif

let package = Package(
    name: "UniWS",
    platforms: [.iOS(.v13), .macOS(.v10_15)],
    products: [
        .library(name: "UniWS", targets: ["UniWS"]),
    ],
    targets: [
        core,
        .target(
            name: "UniWS",
            dependencies: ["uniwsFFI"],
            path: "Sources/UniWS",
            linkerSettings: [.linkedLibrary("uniws", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "UniWSTests",
            dependencies: ["UniWS"],
            path: "Tests/UniWSTests"
        ),
    ],
    swiftLanguageVersions: [.v5]
)
