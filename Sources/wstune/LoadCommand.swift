import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune load`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune load is not built yet")
    }
}
