/// Every lint check, in report order. Adding a check = one file in Checks/ + one line here.
public enum LintRegistry {
    public static let nginx: [any NginxLintCheck] = [
        NginxProxyHttpVersionCheck(), NginxUpgradeHeadersCheck(), NginxHeaderInheritanceCheck(),
        NginxReadTimeoutCheck(),
        NginxConnectionHardcodedCheck(), NginxMapCloseKeepaliveCheck(), NginxWorkerCapacityCheck(),
        NginxRlimitMissingCheck(), NginxRlimitAboveUnitCheck(), NginxShutdownTimeoutCheck(),
        NginxUpstreamStickinessCheck(),
    ]
    public static let haproxy: [any HAProxyLintCheck] = [
        HAProxyTunnelTimeoutCheck(), HAProxyTunnelInFrontendCheck(), HAProxyClientFinCheck(), HAProxyFdLimitCheck(),
        HAProxyMaxconnCheck(), HAProxyHashTypeCheck(), HAProxyHardStopCheck(), HAProxyHealthCheckPathCheck(),
    ]
    public static let systemd: [any UnitLintCheck] = [
        UnitLimitNofileCheck(), UnitRestartCheck(), UnitStopTimeoutCheck(),
    ]

    public static var ids: [String] {
        nginx.map(\.id) + haproxy.map(\.id) + systemd.map(\.id) + [Lint.parseErrorID]
    }
}
