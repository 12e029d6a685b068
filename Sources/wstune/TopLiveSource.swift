import ArgumentParser
import SocketDiag

/// Where `top` and `count --live` read their counts: the BPF live counter, or a sock_diag dump per refresh.
enum LiveSourceChoice: String, CaseIterable, ExpressibleByArgument {
    /// The live counter where it loads, else netlink (and the reason is shown).
    case auto
    /// The live counter, or exit (4 without the privilege, 2 otherwise).
    case bpf
    case netlink
}

/// The opened source: a live counter, or nil with the reason it is not used.
struct LiveSource {
    let counter: LiveCounter?
    /// Why netlink is used although the live counter was allowed (nil when it was not asked for).
    let fallbackReason: String?

    var name: LiveSample.Source { counter == nil ? .netlink : .bpf }

    /// One line for the screen and for stderr.
    var description: String {
        if let counter { return "source bpf (program \(counter.programID), \(counter.seededSockets) seeded)" }
        return fallbackReason.map { "source netlink (bpf unavailable: \($0))" } ?? "source netlink"
    }

    static func open(
        _ choice: LiveSourceChoice, query: SocketQuery, command: String, in context: CommandContext
    ) throws -> LiveSource {
        if choice == .netlink { return LiveSource(counter: nil, fallbackReason: nil) }
        let failure: LiveCounter.Unavailable
        if Set(query.families) != Set(SocketQuery.Family.allCases) {
            failure = LiveCounter.Unavailable(
                reason: "the live counter counts both families (-4/-6 need netlink)", needsPrivilege: false)
        } else {
            do {
                return LiveSource(counter: try LiveCounter(), fallbackReason: nil)
            } catch let e as LiveCounter.Unavailable {
                failure = e
            } catch {
                failure = LiveCounter.Unavailable(reason: "seed dump: \(error)", needsPrivilege: false)
            }
        }
        if choice == .bpf {
            context.printError("wstune \(command): --source bpf: \(failure.reason)")
            throw failure.needsPrivilege ? ExitStatus.needsRoot : ExitStatus.couldNotRun
        }
        return LiveSource(counter: nil, fallbackReason: failure.reason)
    }
}
