import Foundation

/// The one systemd command apply and rollback run: `systemctl daemon-reload`, only where systemd manages the
/// files written (see `ApplyOptions.systemdManagesFiles`).
public enum Systemctl {
    public struct Failed: Error, CustomStringConvertible {
        public var status: Int32
        public var description: String { "systemctl daemon-reload exited with \(status)" }
    }

    public static func daemonReload() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["systemctl", "daemon-reload"]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw Failed(status: p.terminationStatus) }
    }
}
