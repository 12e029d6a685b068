import CBuildInfo

/// Version of this build and the git commit it was built from (written by scripts/stamp-commit, which
/// scripts/setup, scripts/test and scripts/package run first; "unknown" for a plain `swift build`).
enum BuildInfo {
    static let version = "0.1.0"
    static var commit: String { String(cString: wst_build_commit()) }
    static var versionString: String { "wstune \(version) (commit \(commit))" }
}
