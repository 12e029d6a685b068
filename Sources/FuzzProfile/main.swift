// libFuzzer target for the profile parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzProfile FILE|DIR...
import FuzzTargets

FuzzMain.run("profile")
