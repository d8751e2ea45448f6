// guest/lib/test.cc
#include "test.h"

namespace test {
namespace {

Verdict verdict = Verdict::success;

void worsen(Verdict v, const char* label, const char* fmt, va_list args)
{
    if (static_cast<int>(v) > static_cast<int>(verdict)) verdict = v;
    char text[200];
    vsnformat(text, sizeof text, fmt, args);
    rung::print("%s: %s\n", label, text);
}

} // namespace

void fail(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    worsen(Verdict::failure, "FAILURE", fmt, args);
    va_end(args);
}

void error(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    worsen(Verdict::error, "ERROR", fmt, args);
    va_end(args);
}

void skip(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    worsen(Verdict::skip, "SKIP", fmt, args);
    va_end(args);
}

bool check(bool condition, const char* what)
{
    if (!condition) fail("%s", what);
    return condition;
}

void finish()
{
    const char* names[] = {"SUCCESS", "SKIP", "ERROR", "FAILURE"};
    rung::print("Test result: %s\n", names[static_cast<int>(verdict)]);
    rung::shutdown(names[static_cast<int>(verdict)]);
}

} // namespace test
