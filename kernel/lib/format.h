// kernel/lib/format.h: printf-style formatting with no libc, shared by the
// host kernel, the guest runtime and the unit tests.
//
// Conversions: %s %c %d %i %u %x %X %p %%, with '-' and '0' flags, a width
// (digits or '*') and an 'll' length for 64-bit values.  %p prints 0x and
// eight hex digits.  Unknown conversions are printed as they stand.
#pragma once
#include <stdarg.h> // a compiler-provided freestanding header
#include "lib/types.h"


using FormatSink = void (*)(void* context, char c);

void vformat(FormatSink sink, void* context, const char* fmt, va_list args);

// Formats into buf (always NUL-terminated when cap > 0); returns the length
// the whole result would have had, like snprintf.
usize vsnformat(char* buf, usize cap, const char* fmt, va_list args);
usize snformat(char* buf, usize cap, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
