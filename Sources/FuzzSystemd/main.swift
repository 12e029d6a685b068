// libFuzzer target for the systemd parser (see Sources/FuzzTargets and Benchmarks/fuzz/run). Built with
// -DFUZZING -sanitize=fuzzer,address it runs libFuzzer; a plain build is the corpus replayer: FuzzSystemd FILE|DIR...
import FuzzTargets

#if FUZZING
import CFuzzerDriver
import Glibc

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzReplay.one("systemd", data, size) })
#else
FuzzReplay.main("systemd")
#endif
