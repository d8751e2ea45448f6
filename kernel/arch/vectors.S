/*
 * kernel/arch/vectors.S: the host's 256 trap stubs.
 *
 * Each stub is 16 bytes, so the IDT can point at host_trap_stubs + 16 * v.
 * It makes the frame uniform (a 0 where the CPU pushed no error code), adds
 * the vector, and joins the common path, which saves the rest as a TrapFrame
 * and calls host_trap(TrapFrame *).
 */
#include "arch/selectors.h"
#include "arch/trap_stubs.h"

    .text
    .balign 16
    .globl host_trap_stubs
host_trap_stubs:
    trap_stubs host_trap_common

host_trap_common:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $SEL_HOST_DATA, %eax
    movw %ax, %ds
    movw %ax, %es
    cld
    pushl %esp
    call host_trap
    addl $4, %esp
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iret
