import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune check`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune check is not built yet")
    }
}
