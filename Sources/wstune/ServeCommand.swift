import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune serve`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune serve is not built yet")
    }
}
