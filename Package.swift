// swift-tools-version:6.0
import PackageDescription

// Layout and dependency directions: ../shared/DESIGN.md (mirrored in README "Architecture").
// Only Reference imports NIO; only SocketDiag imports the C modules.
let package = Package(
    name: "wstune",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wstune", targets: ["wstune"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C: system libraries and the one shim for what Swift cannot import.
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(
            name: "CNetfilterConntrack", pkgConfig: "libnetfilter_conntrack",
            providers: [.apt(["libnetfilter-conntrack-dev"])]),
        .target(name: "CSockDiag", dependencies: ["CMnl"]),
        // zlib for serve's permessage-deflate: the one C module Reference uses (README, Architecture).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The live counter: libbpf, and the loader of the BPF program scripts/bpf-build compiles from bpf/.
        .systemLibrary(name: "CBpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        .target(name: "CLiveCount", dependencies: ["CBpf"], exclude: ["bpf", "live_count.bpf.inc"]),
        // The build's git commit, for `wstune --version` (a C define is the one way to pass a string in at build time).
        .target(name: "CBuildInfo"),

        .target(name: "HostFacts"),
        .target(name: "Tuning", dependencies: ["HostFacts", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "ProxyConfig",
            dependencies: ["Tuning", "HostFacts", .product(name: "Mustache", package: "swift-mustache")]),
        .target(
            name: "SocketDiag", dependencies: ["CMnl", "CNetfilterConntrack", "CSockDiag", "CLiveCount", "HostFacts"]),
        .target(
            name: "Reference",
            dependencies: [
                "SocketDiag", "Tuning", "HostFacts", "ProxyConfig", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),
        .executableTarget(
            name: "wstune",
            dependencies: [
                "HostFacts", "Tuning", "ProxyConfig", "SocketDiag", "Reference", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release: lld, packed relative relocations (fewer pages touched at start-up), unused sections
            // dropped, no symbol table exported to ld.so (Benchmarks/startup measures each).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker",
                        "--gc-sections", "-Xlinker", "--no-export-dynamic",
                    ], .when(configuration: .release))
            ]),

        // Fuzzing (Benchmarks/fuzz/run): one libFuzzer executable per parser over FuzzTargets; a plain build makes
        // them corpus replayers, which IntegrationTests' FuzzCorpusReplayTests run on every `swift test`.
        .target(name: "FuzzTargets", dependencies: ["ProxyConfig", "Tuning", "HostFacts", "CFuzzerDriver"]),
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzNginx", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzNginxDump", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzHAProxy", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzSystemd", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzSysctl", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzLimits", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzProfile", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "FuzzProc", dependencies: ["FuzzTargets"]),

        // Helpers several test targets share (free port, process stop, tree writer, fixture paths, raw HTTP).
        .target(name: "WSTTestSupport", path: "Tests/WSTTestSupport"),
        .testTarget(
            name: "HostFactsTests", dependencies: ["HostFacts", "WSTTestSupport"], path: "Tests/HostFactsTests"),
        .testTarget(
            name: "TuningTests", dependencies: ["Tuning", "HostFacts", "WSTTestSupport"], path: "Tests/TuningTests"),
        .testTarget(
            name: "ProxyConfigTests", dependencies: ["ProxyConfig", "Tuning", "WSTTestSupport"],
            path: "Tests/ProxyConfigTests"),
        .testTarget(
            name: "SocketDiagTests", dependencies: ["SocketDiag", "WSTTestSupport"], path: "Tests/SocketDiagTests"),
        .testTarget(
            name: "ReferenceTests", dependencies: ["Reference", "WSTTestSupport"], path: "Tests/ReferenceTests"),
        .testTarget(
            name: "IntegrationTests", dependencies: ["HostFacts", "Tuning", "WSTTestSupport"],
            path: "Tests/IntegrationTests",
            exclude: ["py"]),
        // Whole subcommands run in-process against fixture roots (a CommandContext with captured output), compared
        // with Tests/Golden: `@testable import wstune` (SwiftPM renames an executable's entry point for tests).
        .testTarget(name: "CLITests", dependencies: ["wstune", "WSTTestSupport"], path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v5]
)
