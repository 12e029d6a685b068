// libFuzzer target for the systemd parser (see Sources/FuzzTargets and Benchmarks/fuzz/run). Built with
// -DFUZZING -sanitize=fuzzer,address it runs libFuzzer; a plain build is the corpus replayer: FuzzSystemd FILE|DIR...
import FuzzTargets

#if FUZZING
    import CFuzzerDriver
    import Glibc

    /// The input callback; libFuzzer's own main (FuzzerMain.o, pulled in by the link) refers to it by this name.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        FuzzReplay.one("systemd", data, size)
    }

    // SwiftPM points the entry at this file's code (--defsym main=FuzzSystemd_main): hand over to libFuzzer's driver.
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzReplay.one("systemd", data, size) })
#else
    FuzzReplay.main("systemd")
#endif
