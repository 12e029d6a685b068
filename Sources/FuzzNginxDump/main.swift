// libFuzzer target for the nginx-dump parser (see Sources/FuzzTargets and Benchmarks/fuzz/run). Built with
// -DFUZZING -parse-as-library -sanitize=fuzzer,address it exports LLVMFuzzerTestOneInput; a plain build is the
// corpus replayer: FuzzNginxDump FILE|DIR...
import FuzzTargets

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { FuzzReplay.one("nginx-dump", data, size) }
#else
// A declaration, not a statement, so the file also parses with -parse-as-library (inactive #if branches are parsed).
let replay: Void = FuzzReplay.main("nginx-dump")
#endif
