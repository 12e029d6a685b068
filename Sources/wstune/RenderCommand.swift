import ArgumentParser

// Placeholder until its issue lands: replaced whole by the owner of `wstune render`.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "(not built yet)")
    func run() throws {
        throw ValidationError("wstune render is not built yet")
    }
}
