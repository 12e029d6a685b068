import Foundation

/// The plain-build mode of a fuzz executable: `FuzzX FILE|DIR…` feeds each file to the parser once and prints
/// `ok MILLISECONDS FILE` (the parse time measured in-process), so a test can replay the corpus and see a crash
/// as this process's exit status instead of its own.
public enum FuzzReplay {
    public static func main(_ target: String) {
        guard let run = FuzzTargets.all[target] else {
            FileHandle.standardError.write(Data("unknown fuzz target \(target)\n".utf8))
            exit(64)
        }
        var files: [String] = []
        for a in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: a, isDirectory: &isDir), isDir.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: a)) ?? []
                files += names.sorted().map { a + "/" + $0 }
            } else {
                files.append(a)
            }
        }
        if files.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "usage: \(CommandLine.arguments[0]) FILE|DIR...  (replays inputs through the \(target) parser)\n"
                        .utf8))
            exit(64)
        }
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else {
                FileHandle.standardError.write(Data("\(f): cannot read\n".utf8))
                exit(2)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            run([UInt8](data))
            let ms = (DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            print("ok \(ms) \(f)")
        }
        exit(0)
    }

    /// The libFuzzer entry's body: one input, then 0 (libFuzzer's "keep going").
    public static func one(_ target: String, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard let run = FuzzTargets.all[target] else { return 0 }
        run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
