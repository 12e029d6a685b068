// libFuzzer target for the systemd parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzSystemd FILE|DIR...
import FuzzTargets

FuzzMain.run("systemd")
