/// Version of this build. `scripts/package` and `scripts/setup` stamp the commit via WSTUNE_COMMIT at build time
/// in a later issue; until then the commit is read from the environment at run time if present.
enum BuildInfo {
    static let version = "0.1.0"
    static var versionString: String { version }
}
