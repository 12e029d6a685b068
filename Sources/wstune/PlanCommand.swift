import ArgumentParser

// Placeholder: the lead replaces it on main.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune plan is not built yet")
    }
}
