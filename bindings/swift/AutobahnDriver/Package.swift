// swift-tools-version:5.9
// The Autobahn|Testsuite client driver written against the UniWS package, as an application
// would use it (`bash autobahn/run.sh swift` builds and runs it in the Swift chroot).
import PackageDescription

let package = Package(
    name: "AutobahnDriver",
    platforms: [.macOS(.v10_15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "uniws-autobahn",
            dependencies: [.product(name: "UniWS", package: "swift")],
            path: "Sources/uniws-autobahn"
        ),
    ]
)
