/*
 * guest/lib/entry.S: the guest's side of traps.
 *
 * rung_trap_stubs: 256 stubs of 16 bytes, like the host's: a 0 where the CPU
 * (or the host, reflecting) pushed no error code, the vector, then the
 * common path, which saves the general registers and calls
 * rung_trap_dispatch(GuestFrame *).  Every return goes out through rung_iret.
 *
 * rung_iret: the guest's interrupt flag is lguest_data.irq_enabled, not
 * EFLAGS.IF (which ring 1 cannot change).  So before iret, copy the frame's
 * IF into irq_enabled.  Between that store and the iret itself an interrupt
 * must not be delivered, or it would find interrupts on with our frame still
 * on the stack: the host is told the iret's address (noirq_iret) and holds
 * interrupts while the guest stands exactly there.
 */
#include "arch/trap_stubs.h"

    .text
    .balign 16
    .globl rung_trap_stubs
rung_trap_stubs:
    trap_stubs trap_common

trap_common:
    pushal
    cld
    pushl %esp
    call rung_trap_dispatch
    addl $4, %esp
    popal
    addl $8, %esp
    /* fall through */

    .globl rung_iret, rung_noirq_iret
rung_iret:
    pushl %eax
    movl 12(%esp), %eax          /* the frame's EFLAGS */
    andl $0x200, %eax            /* IF: 512 or 0, the values of irq_enabled */
    movl %eax, _ZN4rung11lguest_dataE /* rung::lguest_data.irq_enabled, its first word */
    popl %eax
rung_noirq_iret:
    iret
    .section .note.GNU-stack, "", @progbits
