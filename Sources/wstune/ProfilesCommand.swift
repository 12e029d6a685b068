import ArgumentParser

// Placeholder: the lead replaces it on main.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profiles", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune profiles is not built yet")
    }
}
