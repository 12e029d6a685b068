#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer). The fuzz executables call it from their own
// main because SwiftPM points an executable's entry at its Swift main, so libFuzzer's main is never used.
// Only referenced under #if FUZZING, so plain builds need no libFuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
