// libFuzzer target for the haproxy parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzHAProxy FILE|DIR...
import FuzzTargets

FuzzMain.run("haproxy")
