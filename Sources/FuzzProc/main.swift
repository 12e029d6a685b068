// libFuzzer target for the proc parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzProc FILE|DIR...
import FuzzTargets

FuzzMain.run("proc")
