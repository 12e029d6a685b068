import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune top`.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune top is not built yet")
    }
}
