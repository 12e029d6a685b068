import ArgumentParser

// Placeholder: the lead replaces it on main.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune audit is not built yet")
    }
}
