import ArgumentParser
import Tuning

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the profiles, or show one resolved with each value's origin.",
        discussion: "Examples: wstune profiles; wstune profiles show gateway-1m",
        subcommands: [ListProfiles.self, ShowProfile.self],
        defaultSubcommand: ListProfiles.self)

    struct ListProfiles: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List profiles and the directory used.")
        @Option(help: ArgumentHelp("Directory of profile files.", valueName: "DIR")) var profiles: String?
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable {
            var name: String; var description: String; var connections: Int; var include: String?
        }
        struct Output: Encodable { var directory: String?; var profiles: [Entry] }

        func run() throws { try run(in: .live) }

        func run(in context: CommandContext) throws {
            let dirs = DataDirectories.candidates("profiles", explicit: profiles, in: context)
            let store = ProfileStore(directories: dirs)
            var entries: [Entry] = []
            for name in store.names() {
                do {
                    let p = try store.load(name)
                    entries.append(
                        Entry(
                            name: p.name, description: p.description, connections: p.connections.value,
                            include: p.includes.first))
                } catch {
                    context.printError("wstune: \(error)")
                    throw ExitStatus.couldNotRun
                }
            }
            if json { try context.printJSON(Output(directory: dirs.first, profiles: entries)); return }
            context.print("Profiles from \(dirs.first ?? "(no profile directory found)")")
            let w = entries.map(\.name.count).max() ?? 0
            for e in entries {
                context.print(
                    "  \(e.name.padding(toLength: w, withPad: " ", startingAt: 0))  \(grouped(e.connections).padding(toLength: 10, withPad: " ", startingAt: 0))  \(e.description)"
                )
            }
        }
    }

    struct ShowProfile: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print a resolved profile with each value's origin and the derived needs.")
        @Argument(help: "Profile name or path.") var name: String
        @Option(help: ArgumentHelp("Directory of profile files.", valueName: "DIR")) var profiles: String?
        @Option(help: "Override the connection target.") var connections: Int?
        @Flag(help: "Print JSON.") var json = false

        struct Value: Encodable { var key: String; var value: String; var origin: String }

        func run() throws { try run(in: .live) }

        func run(in context: CommandContext) throws {
            var opts = ProfileOptions()
            opts.profile = name
            opts.profiles = profiles
            opts.connections = connections
            try opts.validate()
            let p = try opts.load(in: context)
            let n = CapacityModel.needs(for: p)
            var values: [Value] = [
                Value(key: "connections", value: String(p.connections.value), origin: "\(p.connections.origin)"),
                Value(
                    key: "ping_interval_seconds", value: String(p.pingIntervalSeconds.value),
                    origin: "\(p.pingIntervalSeconds.origin)"),
                Value(
                    key: "reconnect_window_seconds", value: String(p.reconnectWindowSeconds.value),
                    origin: "\(p.reconnectWindowSeconds.origin)"),
                Value(
                    key: "per_connection_bytes", value: String(p.perConnectionBytes.value),
                    origin: "\(p.perConnectionBytes.origin)"),
                Value(key: "proxy.enabled", value: String(p.proxy.value), origin: "\(p.proxy.origin)"),
                Value(
                    key: "proxy.backends", value: String(p.backendAddresses.value),
                    origin: "\(p.backendAddresses.origin)"),
                Value(
                    key: "listen_ports", value: p.listenPorts.value.map(String.init).joined(separator: ","),
                    origin: "\(p.listenPorts.origin)"),
                Value(key: "conntrack", value: p.conntrack.value.rawValue, origin: "\(p.conntrack.origin)"),
            ]
            for k in p.settings.keys.sorted() {
                values.append(
                    Value(key: "settings.\(k)", value: String(p.settings[k]!.value), origin: "\(p.settings[k]!.origin)")
                )
            }
            func derived(_ k: String, _ v: Int) {
                if p.settings[k] == nil { values.append(Value(key: k, value: String(v), origin: "derived")) }
            }
            derived("nofile", n.serverNofile)
            if let pn = n.proxyNofile { derived("proxy_nofile", pn) }
            derived("fs.nr_open", n.nrOpen)
            derived("fs.file-max", n.fileMax)
            derived("net.core.somaxconn", n.somaxconn)
            derived("net.ipv4.tcp_max_syn_backlog", n.synBacklog)
            derived("net.netfilter.nf_conntrack_max", n.conntrackMax)
            derived("net.netfilter.nf_conntrack_buckets", n.conntrackBuckets)
            if n.ephemeralPortsPerBackend > 0 { derived("ephemeral_ports", n.ephemeralPortsPerBackend) }
            if json {
                struct Out: Encodable {
                    var name: String; var description: String; var includes: [String]; var file: String?;
                    var values: [Value]
                }
                try context.printJSON(
                    Out(
                        name: p.name, description: p.description, includes: p.includes, file: p.sourcePath,
                        values: values))
                return
            }
            context.print("\(p.name): \(p.description)")
            if let f = p.sourcePath { context.print("file: \(f)") }
            if !p.includes.isEmpty { context.print("includes: \(p.includes.joined(separator: " -> "))") }
            let w = values.map(\.key.count).max() ?? 0
            let vw = values.map(\.value.count).max() ?? 0
            for v in values {
                context.print(
                    "  \(v.key.padding(toLength: w, withPad: " ", startingAt: 0))  \(v.value.padding(toLength: vw, withPad: " ", startingAt: 0))  \(v.origin)"
                )
            }
        }
    }
}
