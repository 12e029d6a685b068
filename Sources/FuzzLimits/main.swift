// libFuzzer target for the limits parser (see Sources/FuzzTargets and Benchmarks/fuzz/run). Built with
// -DFUZZING -sanitize=fuzzer,address it runs libFuzzer; a plain build is the corpus replayer: FuzzLimits FILE|DIR...
import FuzzTargets

#if FUZZING
import CFuzzerDriver
import Glibc

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzReplay.one("limits", data, size) })
#else
FuzzReplay.main("limits")
#endif
