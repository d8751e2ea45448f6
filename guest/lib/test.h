// guest/lib/test.h: XTF-style verdicts.  A test guest reports problems as it
// goes; the verdict can only get worse; the last console line is
// "Test result: SUCCESS|SKIP|ERROR|FAILURE", then the guest powers off.
#pragma once
#include "rung.h"

namespace test {

enum class Verdict { success, skip, error, failure };

void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));   // the host misbehaved
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));  // the test itself went wrong
void skip(const char* fmt, ...) __attribute__((format(printf, 1, 2)));   // cannot be tested here
// Checks a condition; on false reports a failure with the text.
bool check(bool condition, const char* what);
[[noreturn]] void finish();

} // namespace test
