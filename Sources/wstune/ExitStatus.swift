import ArgumentParser
import HostFacts
import ProxyConfig
import Reference
import SocketDiag
import Tuning

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
    /// The command line itself is wrong (swift-argument-parser's EX_USAGE).
    static let usage = ExitCode(64)
}

/// An error meant for the user: one line of message and the exit status it ends with. The top level
/// (`WSTune.main`) prints and maps every error once; an error type that is not one of these still ends with 2
/// ("could not run"), never with swift-argument-parser's default 1, which this CLI reserves for "not ready".
protocol UserFacingError: Error {
    var exitStatus: ExitCode { get }
    var message: String { get }
}

extension UserFacingError where Self: CustomStringConvertible {
    var message: String { description }
}

// Library errors name their file, line or key in `description`; all of them mean "could not run".
extension HostFactsError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension ProfileError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension ConfigParseError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension RenderError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension WriterError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension JournalStore.StoreError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension Applier.ChangedSincePlan: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension Systemctl.Failed: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension SocketDiagError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension LoadError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension CheckError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }
extension ReferenceServerError: UserFacingError { var exitStatus: ExitCode { ExitStatus.couldNotRun } }

/// How an error that reached the top level ends the process: the message to print (and where) and the status.
struct ErrorExit {
    var message: String?
    var toStandardOutput = false
    var status: Int32

    init(_ error: Error) {
        if let e = error as? ExitCode {
            // Thrown after the command printed its own report or message.
            status = e.rawValue
        } else if let e = error as? UserFacingError {
            message = "wstune: " + e.message
            status = e.exitStatus.rawValue
        } else {
            // swift-argument-parser's own errors: help and --version (0, stdout), usage and validation (64).
            let code = WSTune.exitCode(for: error).rawValue
            let text = WSTune.fullMessage(for: error)
            if code == ExitCode.success.rawValue {
                message = text.isEmpty ? nil : text
                toStandardOutput = true
                status = code
            } else if code == ExitCode.failure.rawValue {
                // Any other error: the run could not complete. Never 1 ("not ready").
                message = "wstune: \(error)"
                status = ExitStatus.couldNotRun.rawValue
            } else {
                message = text.isEmpty ? nil : text
                status = code
            }
        }
    }
}
