// kernel/lib/panic.h: the host's last words.
#pragma once
#include "lib/format.h"

struct TrapFrame;

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Prints the registers of a frame (used by panic and the exception report).
void dump_frame(const TrapFrame& frame);

#define ASSERT(condition)                                                                \
    do {                                                                                 \
        if (!(condition)) panic("assertion failed: %s at %s:%d", #condition, __FILE__, __LINE__); \
    } while (0)
