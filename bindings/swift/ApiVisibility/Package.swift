// swift-tools-version:5.9
// Small applications compiled against UniWS as modules of their own, as apps are: `PublicAPI`
// must build, and every file of `Forbidden` must fail, each on one generated or FFI-only symbol
// (`cargo xtask swift-test` checks both).
import PackageDescription

let package = Package(
    name: "ApiVisibility",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "PublicAPI", dependencies: [.product(name: "UniWS", package: "swift")]),
        .target(name: "Forbidden", dependencies: [.product(name: "UniWS", package: "swift")]),
    ]
)
