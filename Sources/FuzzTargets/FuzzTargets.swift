import Foundation
import HostFacts
import ProxyConfig
import Tuning

/// The parsers the fuzz targets drive, by name. Each takes raw bytes (decoded as UTF-8 the way the readers
/// decode files) and must return without trapping, overflowing the stack or hanging, whatever the bytes.
/// The same functions back the libFuzzer executables (`Fuzz*`, built with -DFUZZING) and their plain-build
/// replay mode, which `swift test` uses to replay the committed corpus.
public enum FuzzTargets {
    public static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "nginx": nginx, "nginx-dump": nginxDump, "haproxy": haproxy, "systemd": systemd, "sysctl": sysctl,
        "limits": limits, "profile": profile, "proc": proc,
    ]

    static let requirement: LintRequirement = {
        let p = Profile(
            name: "fuzz", connections: Sourced(10_000, .derived), pingIntervalSeconds: Sourced(30, .derived),
            reconnectWindowSeconds: Sourced(10, .derived))
        return LintRequirement(
            profile: p, cpuCount: 2, unitLimit: FileLimit(soft: 1024, hard: 524_288), unitLimitOrigin: "fuzz")
    }()

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// nginx parser, then every nginx check over what it parsed (their arithmetic sees the parsed values).
    @Sendable static func nginx(_ bytes: [UInt8]) {
        guard let d = try? NginxParser.parse(text(bytes), file: "fuzz.conf") else { return }
        _ = Lint.run(
            nginx: NginxConfig(mainFile: "fuzz.conf", directives: d, files: ["fuzz.conf"], errors: []), requirement)
    }

    /// `nginx -T` splitter and the include expansion inside a dump (cycles, globs, fan-out), then the checks.
    @Sendable static func nginxDump(_ bytes: [UInt8]) {
        var t = text(bytes)
        if !NginxConfigLoader.isDump(t) { t = "# configuration file /etc/nginx/nginx.conf:\n" + t }
        guard let c = try? NginxConfigLoader.load(dump: t) else { return }
        _ = Lint.run(nginx: c, requirement)
    }

    @Sendable static func haproxy(_ bytes: [UInt8]) {
        _ = Lint.run(
            haproxy: HAProxyConfig.parse(text(bytes), file: "fuzz.cfg", environment: ["WST_FUZZ": "1"]), requirement)
    }

    /// The lint unit parser and HostFacts' LimitNOFILE reader (through a scratch root holding the unit).
    @Sendable static func systemd(_ bytes: [UInt8]) {
        let unit = SystemdUnit.parse(text(bytes), file: "fuzz.service")
        _ = Lint.run(
            unit: SystemdUnit(name: "fuzz.service", files: [], settings: unit.settings, errors: unit.errors),
            requirement)
        withScratchFile("etc/systemd/system/fuzz.service", bytes) { root in
            _ = try? SystemdUnitLimits(root: root).fromFiles(unit: "fuzz.service")
        }
    }

    @Sendable static func sysctl(_ bytes: [UInt8]) { _ = try? SysctlPersistence.parse(text(bytes), path: "fuzz.conf") }

    @Sendable static func limits(_ bytes: [UInt8]) { _ = try? LimitsConf.parse(text(bytes), path: "fuzz.conf") }

    /// Profile YAML through the store (include: resolution stays inside the scratch directory).
    @Sendable static func profile(_ bytes: [UInt8]) {
        withScratchFile("profiles/fuzz.yaml", bytes) { root in
            _ = try? ProfileStore(directories: [root.resolve("profiles")]).load(root.resolve("profiles/fuzz.yaml"))
        }
    }

    /// Every /proc parser in HostFacts on the same bytes: meminfo, file-nr and tcp_mem (integer lists),
    /// netstat/snmp, sockstat, conntrack stats, /proc/PID/limits, listeners, ip_local_reserved_ports.
    @Sendable static func proc(_ bytes: [UInt8]) {
        let t = text(bytes)
        _ = try? MemoryInfo.parse(t)
        _ = SysctlValue(t).ints
        _ = try? KernelCounters.parsePairs(t, path: "netstat")
        _ = KernelCounters.parseSockstat(t)
        _ = try? ConntrackFacts.parseStats(t, path: "nf_conntrack")
        _ = try? ProcessLimits.parseNofile(t)
        _ = Listeners.parse(t)
        _ = EphemeralPorts.parseReserved(t)
    }

    /// Writes `bytes` to `path` under a scratch root made once per process, runs `body`, and removes the file.
    static func withScratchFile(_ path: String, _ bytes: [UInt8], _ body: (HostRoot) -> Void) {
        let root = HostRoot(scratch)
        let full = root.resolve(path)
        try? FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else { return }
        defer { unlink(full) }
        body(root)
    }

    static let scratch: String = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("wst-fuzz-\(getpid())").path
        atexit { try? FileManager.default.removeItem(atPath: FuzzTargets.scratch) }
        return d
    }()
}
