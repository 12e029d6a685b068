import Foundation

#if FUZZING
    import CFuzzerDriver

    /// The parser this executable fuzzes (set by `FuzzMain.run` before libFuzzer starts).
    nonisolated(unsafe) private var fuzzTarget = ""

    /// The input callback; libFuzzer's own main (FuzzerMain.o, pulled in by the link) refers to it by this name.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        FuzzReplay.one(fuzzTarget, data, size)
    }
#endif

/// The whole body of each `Sources/Fuzz*/main.swift` (SwiftPM wants one executable target per fuzzer and points
/// its entry at that file). Built with -DFUZZING -sanitize=fuzzer,address (Benchmarks/fuzz/run) it hands over to
/// libFuzzer's driver; a plain build is the corpus replayer: `FuzzX FILE|DIR...` (FuzzReplay.main).
public enum FuzzMain {
    public static func run(_ target: String) -> Never {
        #if FUZZING
            fuzzTarget = target
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzReplay.one(fuzzTarget, data, size) })
        #else
            FuzzReplay.main(target)
            exit(0)
        #endif
    }
}
