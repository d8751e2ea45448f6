// kernel/arch/trap_frame.h: the registers a trap stub saves, in the order it
// pushes them.  The host's own stubs and the switcher's guest stubs build the
// same frame, so a guest's saved state is a TrapFrame too.
#pragma once
#include "lib/types.h"

struct TrapFrame {
    u32 gs, fs, es, ds;                                // pushed by the stub, after pushal;
                                                       // only the low 16 bits are meaningful
    u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax; // pushal
    u32 vector, error;                               // stub (error: CPU or a 0)
    u32 eip, cs, eflags;                             // CPU
    u32 esp, ss;                                     // CPU, only on a privilege change
};
static_assert(sizeof(TrapFrame) == 19 * 4);

// Vectors for which the CPU pushes an error code.
constexpr bool vector_has_error_code(u32 v)
{
    constexpr u32 WITH_ERROR = 1u << 8 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 17;
    return v < 32 && (WITH_ERROR >> v) & 1; // one test, on the path of every reflected trap
}
