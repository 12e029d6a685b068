// libFuzzer target for the nginx parser (Sources/FuzzTargets, Benchmarks/fuzz/run): with -DFUZZING
// -sanitize=fuzzer,address it runs libFuzzer; a plain build replays a corpus: FuzzNginx FILE|DIR...
import FuzzTargets

FuzzMain.run("nginx")
