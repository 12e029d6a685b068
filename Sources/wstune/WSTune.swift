import ArgumentParser
import Foundation

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

    /// Runs the command line in the live context, then exits with its status (a failed write is exit 2).
    static func main() async {
        Output.prepareStandardStreams()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] { Output.exitProcess(printVersion()) }
        Output.exitProcess(await run(arguments, in: .live))
    }

    /// `wstune --version` alone, answered before the parser and the live context are built (start-up time,
    /// Benchmarks/startup): the parser's text and exit status, and a failed write is exit 2 as for any command.
    static func printVersion() -> Int32 {
        StandardStream.output.write(BuildInfo.versionString + "\n")
        return CommandContext.finish(0, stdout: StandardStream.output, stderr: StandardStream.error)
    }

    /// Parses, runs, and maps every outcome to an exit status in one place (`ErrorExit`), then flushes the
    /// context's output (`CommandContext.finish`: a failed write turns 0 or 1 into 2). Tests call this in-process.
    static func run(_ arguments: [String], in context: CommandContext) async -> Int32 {
        var status: Int32 = 0
        do {
            var command = try parseAsRoot(arguments)
            if var contextual = command as? ContextCommand {
                try contextual.run(in: context)
            } else if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let exit = ErrorExit(error)
            if let m = exit.message {
                if exit.toStandardOutput { context.stdout.write(m + "\n") } else { context.stderr.write(m + "\n") }
            }
            status = exit.status
        }
        return context.finish(status)
    }
}
