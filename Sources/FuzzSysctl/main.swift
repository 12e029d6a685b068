// libFuzzer target for the sysctl parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzSysctl FILE|DIR...
import FuzzTargets

FuzzMain.run("sysctl")
