import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune apply`.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune apply is not built yet")
    }
}
