import Foundation
import Glibc
import HostFacts

/// The journal directory: entries by id (a monotonic sequence number, then the UTC time), written atomically
/// beneath the files root, and a lock so two runs of apply or rollback never interleave.
public struct JournalStore: Sendable {
    public static let relativeDirectory = "var/lib/wstune/journal"
    /// The directory beneath the files root.
    public let location: RootedPath
    /// Its absolute path, for messages.
    public var directory: String { location.absolute }

    public init(filesRoot: HostRoot) {
        location = RootedPath(
            root: filesRoot.path, constant: Self.relativeDirectory.split(separator: "/").map(String.init))
    }

    public enum StoreError: Error, CustomStringConvertible {
        case busy(String)
        case unknownEntry(String, known: [String])
        case unreadable(String, String)

        public var description: String {
            switch self {
            case .busy(let p): return "\(p): another wstune apply or rollback holds the journal lock"
            case .unknownEntry(let id, let known):
                return "no journal entry \(id)"
                    + (known.isEmpty ? " (the journal is empty)" : "; entries: \(known.joined(separator: ", "))")
            case .unreadable(let p, let why): return "\(p): \(why)"
            }
        }
    }

    /// Every entry, oldest first: by sequence number (entries of old versions, without one, first, by id).
    public func list() throws -> [JournalEntry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let entries = try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { name in
            let path = try location.appending(name)
            guard let state = try AtomicFileWriter.state(of: path) else {
                throw StoreError.unreadable(path.absolute, "vanished")
            }
            do {
                return try decoder.decode(JournalEntry.self, from: state.content)
            } catch {
                throw StoreError.unreadable(path.absolute, "not a wstune journal entry: \(error)")
            }
        }
        return entries.sorted { ($0.sequence ?? -1, $0.id) < ($1.sequence ?? -1, $1.id) }
    }

    /// Writes an entry durably (atomic write, fsync of file and directory); mode 0600, it holds file contents.
    public func save(_ entry: JournalEntry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFileWriter.write(
            try encoder.encode(entry), to: try location.appending("\(entry.id).json"), mode: 0o600)
    }

    /// The next sequence number and its id `NNNNNN-yyyyMMddTHHmmssZ`: one above every entry's, so ids are unique
    /// and sort in creation order whatever the wall clock did (the time is for people only).
    public func newID(now: Date) throws -> (sequence: Int, id: String) {
        let existing = try list()
        let seq = (existing.compactMap(\.sequence).max() ?? 0) + 1
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var id = String(format: "%06d-%@", seq, f.string(from: now))
        while existing.contains(where: { $0.id == id }) { id += "+" }
        return (seq, id)
    }

    /// Holds an exclusive lock on the journal for the duration of `body`.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        let lock = try location.appending(".lock")
        guard let dfd = try AtomicFileWriter.openDirectory(lock, location.components[...], create: true) else {
            throw WriterError.syscall(function: "openat", path: directory, errno: ENOENT)
        }
        defer { close(dfd) }
        let fd = try syscallRetrying("openat", lock.absolute) {
            openat(dfd, ".lock", O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 { throw StoreError.busy(lock.absolute) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
