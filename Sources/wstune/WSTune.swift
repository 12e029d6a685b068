import ArgumentParser

@main
struct WSTune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wstune",
        abstract: "Get a Linux host ready to hold many WebSocket connections, prove it, and watch it live.",
        discussion: """
            Exit codes: 0 ready / success; 1 not ready (a check failed, a target was not reached); \
            2 could not run (bad input, unreadable host facts, netlink unavailable, output could not be \
            written); 3 a change was rolled back after a failure; 4 needs root; 64 usage error.
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

    /// Parses, runs, and maps every outcome to an exit status in one place (`ErrorExit`), then leaves through
    /// `Output.finish`, which flushes standard output and turns a failed write into exit 2.
    static func main() async {
        Output.prepareStandardStreams()
        var status: Int32 = 0
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let exit = ErrorExit(error)
            if let m = exit.message {
                if exit.toStandardOutput { Output.out(m + "\n") } else { Output.err(m + "\n") }
            }
            status = exit.status
        }
        Output.finish(status)
    }
}
