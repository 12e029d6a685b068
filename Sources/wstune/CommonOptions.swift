import ArgumentParser
import Foundation
import HostFacts
import Tuning

/// `--root DIR`: read the host through this directory instead of "/".
struct RootOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read /proc, /sys and /etc under DIR instead of /.", valueName: "DIR"))
    var root: String = "/"

    var hostRoot: HostRoot { HostRoot(root) }

    /// The root this run reads: --root when given, else the context's ("/" live).
    func hostRoot(in context: CommandContext) -> HostRoot { root == "/" ? context.root : HostRoot(root) }

    func validate() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw ValidationError("--root \(root): no such directory")
        }
    }
}

/// `--profile NAME|PATH`, `--connections N`, `--profiles DIR`.
struct ProfileOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Profile name (see `wstune profiles`) or path to a YAML file.", valueName: "NAME|PATH"))
    var profile: String = "dev"

    @Option(name: .long, help: "Override the profile's connection target.")
    var connections: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Directory of profile files (default: $WSTUNE_DATA/profiles, /usr/share/wstune/profiles, the source checkout).",
            valueName: "DIR"))
    var profiles: String?

    func validate() throws {
        if let c = connections, c <= 0 || c > Profile.maximumConnections {
            throw ValidationError(
                "--connections must be between 1 and \(grouped(Profile.maximumConnections)), got \(c)")
        }
    }

    /// The profile store the live process sees (check, which has no context yet).
    var store: ProfileStore { store(in: .live) }

    func store(in context: CommandContext) -> ProfileStore {
        ProfileStore(directories: DataDirectories.candidates("profiles", explicit: profiles, in: context))
    }

    /// The resolved profile with the --connections override; a load error becomes one clear line and exit 2.
    func load(in context: CommandContext) throws -> Profile {
        do {
            let p = try store(in: context).load(profile)
            return connections.map { p.withConnections($0) } ?? p
        } catch let e as ProfileError {
            context.printError("wstune: \(e)")
            throw ExitStatus.couldNotRun
        }
    }
}

/// Runs a host read, turning a HostFactsError into one clear line and exit 2.
func readingHost<T>(in context: CommandContext, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as HostFactsError {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    }
}

/// `--fail-on fail|warn`: the severity from which audit and lint exit 1. The parser rejects other words (exit 64).
enum FailOn: String, CaseIterable, ExpressibleByArgument {
    case fail, warn

    var threshold: Severity { self == .warn ? .warn : .fail }

    static let help = ArgumentHelp("Exit 1 on this severity or worse: fail (default) or warn.", valueName: "fail|warn")
}
