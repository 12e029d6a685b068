import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune rollback`.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune rollback is not built yet")
    }
}
