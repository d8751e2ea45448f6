// kernel/arch/ports.h: the x86 I/O port instructions.
#pragma once
#include "lib/types.h"

namespace port {

inline void out8(u16 port, u8 value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
inline void out16(u16 port, u16 value) { asm volatile("outw %0, %1" ::"a"(value), "Nd"(port)); }
inline void out32(u16 port, u32 value) { asm volatile("outl %0, %1" ::"a"(value), "Nd"(port)); }

inline u8 in8(u16 port)
{
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

// A write to an unused port: roughly a microsecond on ISA-era hardware.
inline void io_delay() { out8(0x80, 0); }

} // namespace port
