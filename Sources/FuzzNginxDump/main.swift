// libFuzzer target for the nginx-dump parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzNginxDump FILE|DIR...
import FuzzTargets

FuzzMain.run("nginx-dump")
