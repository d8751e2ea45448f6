/*
 * guest/lib/call_user.S: call_user's way into ring 3 and back (probe.h).
 *
 * rung_call_user(fn, stack_top) saves the callee-saved registers and the
 * data segments on the ring-1 stack, notes ESP, and irets to fn in ring 3
 * with rung_user_exit as fn's return address.  There `int $USER_EXIT_VECTOR`
 * reaches the library's handler in ring 1 (on the SET_STACK stack), which
 * points the frame at rung_user_resume: that takes back the noted ESP and
 * returns from rung_call_user.
 */
#include "arch/selectors.h"

#define USER_EXIT_VECTOR 0x8F   /* rung::USER_EXIT_VECTOR */

    .text
    .globl rung_call_user, rung_user_exit, rung_user_resume
rung_call_user:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %ds, %eax
    pushl %eax
    movl %es, %eax
    pushl %eax
    movl %fs, %eax
    pushl %eax
    movl %gs, %eax
    pushl %eax
    movl %esp, rung_user_saved_esp
    movl 36(%esp), %ecx          /* fn */
    movl 40(%esp), %edx          /* the top of the user stack */
    subl $4, %edx
    movl $rung_user_exit, (%edx) /* fn returns into the way back */
    pushl $SEL_USER_DATA
    pushl %edx
    pushl $0x202                 /* IF, as the CPU always has it in a guest */
    pushl $SEL_USER_CODE
    pushl %ecx
    movl $SEL_USER_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    iret

rung_user_exit:                  /* ring 3: fn returned */
    int $USER_EXIT_VECTOR
    ud2                          /* never comes back here */

rung_user_resume:                /* ring 1, on the SET_STACK stack */
    movl %ss:rung_user_saved_esp, %esp
    popl %eax
    movl %eax, %gs
    popl %eax
    movl %eax, %fs
    popl %eax
    movl %eax, %es
    popl %eax
    movl %eax, %ds
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .section .note.GNU-stack, "", @progbits
