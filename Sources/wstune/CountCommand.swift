import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune count`.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "count", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune count is not built yet")
    }
}
