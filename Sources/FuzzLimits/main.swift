// libFuzzer target for the limits parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzLimits FILE|DIR...
import FuzzTargets

FuzzMain.run("limits")
