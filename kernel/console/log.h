// kernel/console/log.h: the host's console output, to COM1 and the VGA mirror.
//
//   print()  raw text, no prefix.
//   stable() a "rung: " line of the ABI's section 8: always shown.
//   info()   an informational "rung: " line: hidden by `quiet`.
#pragma once
#include "lib/format.h"

namespace console {

void init();
void set_quiet(bool quiet);
void write(const char* bytes, usize length);
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprint(const char* fmt, va_list args);
void stable(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Bytes sent to the console so far (the soak compares it with what guests wrote).
u64 bytes_written();

} // namespace console
