#ifndef CBUILDINFO_H
#define CBUILDINFO_H
/// The git commit this binary was built from (scripts/stamp-commit writes it into commit.h before a build).
/// Swift cannot take a string from the build command line, hence this one-function C target.
const char *wst_build_commit(void);
#endif
