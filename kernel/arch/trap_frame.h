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
    return v == 8 || (v >= 10 && v <= 14) || v == 17;
}
