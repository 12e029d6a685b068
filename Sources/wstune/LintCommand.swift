import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune lint`.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune lint is not built yet")
    }
}
