#include "CBuildInfo.h"
// scripts/stamp-commit writes commit.h (git-ignored) before release builds; a plain `swift build` has none.
#if __has_include("commit.h")
#include "commit.h"
#endif
#ifndef WSTUNE_COMMIT
#define WSTUNE_COMMIT "unknown"
#endif
const char *wst_build_commit(void) { return WSTUNE_COMMIT; }
