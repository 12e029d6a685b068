import ArgumentParser

@main
struct WSTune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wstune",
        abstract: "Get a Linux host ready to hold many WebSocket connections, prove it, and watch it live.",
        discussion: """
            Exit codes: 0 ready / success; 1 not ready (a check failed, a target was not reached); \
            2 could not run (bad input, unreadable host facts, netlink unavailable); 3 a change was \
            rolled back after a failure; 4 needs root.
            """,
        version: BuildInfo.versionString,
        subcommands: [
            AuditCommand.self, PlanCommand.self, ProfilesCommand.self,
            ApplyCommand.self, RollbackCommand.self,
            RenderCommand.self, LintCommand.self,
            CountCommand.self, TopCommand.self, RenderTextfileCommand.self,
            ServeCommand.self, LoadCommand.self, CheckCommand.self,
        ]
    )
}
