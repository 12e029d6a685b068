import ArgumentParser
import Foundation
import HostFacts
import SocketDiag
import Tuning

struct ApplyCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Tune this host for a profile, live and persistently, atomically and reversibly (needs root).",
        discussion: """
            Prints the plan (live value, persisted value, target and action per setting, and a diff of each file), \
            asks on a terminal unless --yes, then records a journal entry under /var/lib/wstune/journal before \
            changing anything. Live: /proc/sys keys and the conntrack hashsize, each read back. Persistent: \
            /etc/sysctl.d/90-wstune.conf, /etc/security/limits.d/90-wstune.conf, with --unit a drop-in \
            /etc/systemd/system/UNIT.d/90-wstune.conf (LimitNOFILE=), /etc/modprobe.d/wstune-conntrack.conf and \
            /etc/modules-load.d/wstune-conntrack.conf. Values already above the need are kept unless --exact. \
            If any step fails, everything this run changed is restored and the exit code is 3. Not root on the live host: exit 4. \
            A second identical apply says "no changes" and writes nothing. Undo with `wstune rollback`.
            --root DIR puts everything under DIR (its proc/sys and sys are written as files: a copied tree). \
            --files-root DIR puts only the files and the journal under DIR while live values go to --root: \
            e.g. `ip netns exec NS wstune apply --files-root /tmp/t` tunes a namespace without touching /etc.
            Example: sudo wstune apply --profile server-100k --unit chat.service
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @OptionGroup var rootOption: RootOption

    @Option(
        name: .customLong("files-root"),
        help: ArgumentHelp(
            "Write persistent files and the journal under DIR instead of --root (live values still go to --root).",
            valueName: "DIR"))
    var filesRoot: String?

    @Option(help: ArgumentHelp("Give this systemd unit LimitNOFILE= with a drop-in.", valueName: "UNIT"))
    var unit: String?

    @Option(help: "Write the limits.d nofile lines for this user instead of `*`.")
    var user: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing (no root needed).")
    var dryRun = false

    @Flag(name: [.short, .long], help: "Apply without asking (needed when not on a terminal).")
    var yes = false

    @Flag(help: "Set every value to exactly the need, lowering values above it.")
    var exact = false

    @Flag(help: "Print the result as JSON, with `changed` per setting (for Ansible and similar tools).")
    var json = false

    func validate() throws {
        if let f = filesRoot {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--files-root \(f): no such directory")
            }
        }
        // Both end up in written files (the drop-in's path, the limits.d domain): only their documented characters.
        if let u = unit, let why = ProfileStrings.unitNameProblem(u) { throw ValidationError("--unit '\(u)': \(why)") }
        if let u = user, let why = ProfileStrings.limitsDomainProblem(u) {
            throw ValidationError("--user '\(u)': \(why)")
        }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        // Canonical roots: the journal records them and rollback compares them.
        let liveRoot = HostRoot(ApplyTarget.canonical(rootOption.hostRoot(in: context).path))
        let files = filesRoot.map { HostRoot(ApplyTarget.canonical($0)) } ?? liveRoot
        // On the live host (live values or files under "/"), refuse before reading or touching anything.
        // A copied tree under --root needs only the rights on that tree.
        if !dryRun && !context.isRoot && (liveRoot.isLiveRoot || files.isLiveRoot) {
            context.printError("apply needs root: run sudo wstune \(shellQuoted(context.arguments))")
            throw ExitStatus.needsRoot
        }
        let profile = try profileOptions.load(in: context)
        let options = ApplyOptions(
            liveRoot: liveRoot, filesRoot: files, unit: unit, user: user, exact: exact, now: context.now())
        let plan = try changing(in: context) {
            let host = try HostSnapshot.read(
                root: liveRoot,
                options: .init(
                    liveListenPorts: ListeningPorts.provider,
                    liveBoundPorts: BoundPortCensus.provider(proxy: profile.proxy.value)))
            return try PlanBuilder(host: host, profile: profile, options: options).build()
        }
        let renderer = ApplyRenderer(terminal: context.stdoutTerminal)
        if !json { context.print(renderer.render(plan)) }
        guard plan.hasChanges else {
            if json {
                try context.printJSON(ApplyReport(plan: plan, result: "no-changes"))
            } else {
                context.print("No changes: the host already matches profile \(plan.profile).")
            }
            return
        }
        if dryRun {
            if json {
                try context.printJSON(ApplyReport(plan: plan, result: "dry-run"))
            } else {
                context.print("Dry run: nothing was changed.")
            }
            return
        }
        if !yes { try confirm(in: context) }
        let target = ApplyTarget.current(liveRoot: liveRoot.path, filesRoot: files.path)
        let result = try changing(in: context) {
            try Applier.apply(
                plan, store: JournalStore(filesRoot: options.filesRoot), target: target, now: context.now())
        }
        for t in result.removedTemporaries {
            context.printError("wstune: removed a temporary file a killed run left: \(t)")
        }
        if json {
            try context.printJSON(
                ApplyReport(
                    plan: plan, result: result.failure == nil ? "applied" : result.entry.state.rawValue, outcome: result
                ))
        } else {
            context.print(
                renderer.render(result, plan: plan, undo: target.undoCommand(program: undoProgram(context.argv0))))
        }
        if let failure = result.failure {
            context.printError("wstune: apply failed at \(failure.step): \(failure.error)")
            if let problems = result.restore?.problems, !problems.isEmpty {
                context.printError("wstune: NOT restored: " + problems.joined(separator: "; "))
                context.printError(
                    "wstune: journal \(result.entry.id) keeps it undoable: "
                        + target.undoCommand(program: undoProgram(context.argv0))
                )
                throw ExitStatus.couldNotRun
            } else {
                context.printError("wstune: everything this run changed was restored (journal \(result.entry.id))")
            }
            throw ExitStatus.rolledBack
        }
    }

    /// Asks on the terminal; refuses when there is none (pass --yes).
    func confirm(in context: CommandContext) throws {
        guard context.input.isTerminal else {
            context.printError("wstune: not on a terminal: pass --yes to apply without confirmation")
            throw ExitStatus.couldNotRun
        }
        context.stderr.write("Apply these changes? [y/N] ")
        let answer = context.input.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            context.printError("wstune: nothing changed")
            throw ExitStatus.couldNotRun
        }
    }
}

/// Runs planning or applying, turning host-read, write and journal errors into one clear line and exit 2.
func changing<T>(in context: CommandContext, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as HostFactsError {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    } catch let e as WriterError {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    } catch let e as JournalStore.StoreError {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    } catch let e as Applier.ChangedSincePlan {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    } catch let e as ProfileError {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    } catch let e as Rollback.WrongTarget {
        context.printError("wstune: \(e)")
        throw ExitStatus.couldNotRun
    }
}

/// How to call this binary again: its path when started by path (`./wstune`, `/usr/local/bin/wstune`), else `wstune`.
func undoProgram(_ argv0: String) -> String {
    guard argv0.contains("/") else { return "wstune" }
    return ApplyTarget.canonical(argv0)
}

/// Arguments as a shell would need them typed.
func shellQuoted<S: Sequence>(_ args: S) -> String where S.Element == String {
    args.map { a in
        a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@+".contains($0) }) && !a.isEmpty
            ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}
