import ArgumentParser

/// The exit codes every subcommand uses; the README's table is the contract.
enum ExitStatus {
    /// Ready, or the command did what was asked.
    static let ok = ExitCode(0)
    /// Not ready: a check failed (or a warning with --fail-on warn), a target was not reached.
    static let notReady = ExitCode(1)
    /// Could not run: bad input, unreadable host facts, a missing tool, netlink unavailable.
    static let couldNotRun = ExitCode(2)
    /// A change failed half-way and was rolled back from the journal.
    static let rolledBack = ExitCode(3)
    /// The command changes the host and needs root.
    static let needsRoot = ExitCode(4)
}
