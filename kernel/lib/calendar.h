// kernel/lib/calendar.h: civil date to Unix time.  Pure.
#pragma once
#include "lib/types.h"

// year >= 1970, month 1-12, day 1-31.
u64 unix_time(u32 year, u32 month, u32 day, u32 hour, u32 minute, u32 second);
// A CMOS BCD byte to binary.
constexpr u32 from_bcd(u32 v) { return (v & 0x0F) + ((v >> 4) * 10); }
