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

// From when guests start, output is queued and the UART fed from its
// interrupt (on_interrupt), the host tick and the idle loop (pump); flush()
// sends everything left, waiting for the UART (power-off, panic).
void start_queue();
void pump();
void on_interrupt();
void flush();

// Guest lines, charged to their guest (0..GUEST_OWNERS-1): each guest may
// have GUEST_SHARE bytes waiting at most.  write_line() refuses a line over
// the share unless `force` (a guest's last words as it ends).
constexpr u32 GUEST_OWNERS = 32, GUEST_SHARE = 4096, QUEUE_BYTES = 256 * 1024;
bool accepts(u32 owner, u32 length);
u32 pending(u32 owner);
bool write_line(u32 owner, const char* bytes, u32 length, bool force);

} // namespace console
