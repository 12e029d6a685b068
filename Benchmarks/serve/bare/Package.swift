// swift-tools-version:6.0
// The baseline for Benchmarks/serve: a bare SwiftNIO WebSocket echo server (NIOWebSocketServerUpgrader and an
// echo handler, nothing else), built from the same swift-nio version the wstune package resolves.
// `Benchmarks/serve/run` pins that version into this package before building it.
import PackageDescription

let package = Package(
    name: "bare-echo",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3")
    ],
    targets: [
        .executableTarget(
            name: "BareEcho",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ])
    ],
    swiftLanguageModes: [.v5]
)
