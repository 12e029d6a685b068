import Foundation
import Glibc
import HostFacts

/// The journal directory: entries by id (sortable: time then sequence), written atomically, and a lock so two
/// runs of apply or rollback never interleave.
public struct JournalStore: Sendable {
    public static let relativeDirectory = "var/lib/wstune/journal"
    public let directory: String

    public init(filesRoot: HostRoot) {
        directory = filesRoot.resolve(Self.relativeDirectory)
    }

    public enum StoreError: Error, CustomStringConvertible {
        case busy(String)
        case unknownEntry(String, known: [String])
        case unreadable(String, String)

        public var description: String {
            switch self {
            case .busy(let p): return "\(p): another wstune apply or rollback holds the journal lock"
            case .unknownEntry(let id, let known):
                return "no journal entry \(id)" + (known.isEmpty ? " (the journal is empty)" : "; entries: \(known.joined(separator: ", "))")
            case .unreadable(let p, let why): return "\(p): \(why)"
            }
        }
    }

    /// Every entry, oldest first.
    public func list() throws -> [JournalEntry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { name in
            let path = "\(directory)/\(name)"
            guard let state = try AtomicFileWriter.state(of: path) else { throw StoreError.unreadable(path, "vanished") }
            do {
                return try decoder.decode(JournalEntry.self, from: state.content)
            } catch {
                throw StoreError.unreadable(path, "not a wstune journal entry: \(error)")
            }
        }
    }

    /// Writes an entry durably (atomic write, fsync of file and directory); mode 0600, it holds file contents.
    public func save(_ entry: JournalEntry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFileWriter.write(try encoder.encode(entry), to: "\(directory)/\(entry.id).json", mode: 0o600)
    }

    /// A new id: UTC time to the second and a sequence number, so ids sort in creation order.
    public func newID(now: Date) throws -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = f.string(from: now)
        let existing = try list().map(\.id)
        var seq = 1
        while existing.contains(String(format: "%@-%02d", stamp, seq)) { seq += 1 }
        // Never sort before an existing entry (a clock set back): fall back to after the last one.
        let id = String(format: "%@-%02d", stamp, seq)
        if let last = existing.last, last >= id { return last + "+" }
        return id
    }

    /// Holds an exclusive lock on the journal for the duration of `body`.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        for d in AtomicFileWriter.missingDirectories(for: "\(directory)/.lock") {
            try syscallRetrying("mkdir", d) { Int(mkdir(d, 0o755)) }
        }
        let path = "\(directory)/.lock"
        let fd = try syscallRetrying("open", path) { Int(open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)) }
        defer { close(Int32(fd)) }
        if flock(Int32(fd), LOCK_EX | LOCK_NB) != 0 { throw StoreError.busy(path) }
        defer { flock(Int32(fd), LOCK_UN) }
        return try body()
    }
}
