// swift-tools-version:5.9
// The chat sample's logic, kept free of SwiftUI so the Linux tests compile and exercise it.
// The SwiftUI app in App/ (opened on a Mac through project.yml) depends on this package.
import PackageDescription

let package = Package(
    name: "UniWSChat",
    platforms: [.iOS(.v13), .macOS(.v10_15)],
    products: [
        .library(name: "ChatModel", targets: ["ChatModel"]),
    ],
    dependencies: [
        .package(name: "UniWS", path: "../bindings/swift"),
    ],
    targets: [
        .target(name: "ChatModel", dependencies: [.product(name: "UniWS", package: "UniWS")]),
        .testTarget(name: "ChatModelTests", dependencies: ["ChatModel"]),
    ],
    swiftLanguageVersions: [.v5]
)
