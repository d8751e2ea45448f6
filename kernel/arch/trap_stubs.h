/* kernel/arch/trap_stubs.h: the 256 trap stubs, as a GNU as macro shared by
 * the host's IDT (kernel/arch/vectors.S), the switcher's (switcher/
 * world_switch.S) and the guest runtime's (guest/lib/entry.S).
 *
 * Each stub is 16 bytes, so a table's gate for vector v points at its start
 * + 16 * v.  A stub makes every frame alike (a 0 where the CPU pushed no error
 * code), pushes its vector and jumps to `common`; with `nmi`, vector 2 jumps
 * there instead, untouched; with `exception`, the CPU's exception vectors
 * (0-31 but 2 and the hypercall's 0x1F) join `exception` instead of `common`. */
#pragma once
#include "arch/trap_stub_size.h"

.macro trap_stub_body common
    .if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17)
    .else
    pushl $0
    .endif
    pushl $vector
    jmp \common
.endm

.macro trap_stubs common, nmi, exception
    .set vector, 0
    .rept 256
    .balign TRAP_STUB_SIZE
    .ifnb \nmi
    .if vector == 2
    jmp \nmi
    .elseif (vector < 32) && (vector != 0x1F)
    .ifnb \exception
    trap_stub_body \exception
    .else
    trap_stub_body \common
    .endif
    .else
    trap_stub_body \common
    .endif
    .else
    trap_stub_body \common
    .endif
    .set vector, vector + 1
    .endr
.endm
