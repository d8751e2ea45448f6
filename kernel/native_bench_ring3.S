/*
 * kernel/native_bench_ring3.S: the host's own ring-3 round trip, the native floor
 * that `make bench` sets a guest's hypercall against.
 *
 * native_user_roundtrips(samples, count) drops to ring 3, where a loop times
 * `int $0x81` (a full trip through the host's trap path and back) with
 * rdtsc, writing one sample per trip; then `int $0x82` climbs back to ring 0
 * and we return to the caller as if from an ordinary call.
 */
#include "arch/selectors.h"

    .text
    .globl native_user_roundtrips, native_user_touches, native_bench_return
native_user_roundtrips:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl %esp, saved_esp
    movl 20(%esp), %edi          /* samples (u32[count]), user-accessible */
    movl 24(%esp), %ecx          /* count */
    movl $user_stack_top, %eax
    pushl $SEL_USER_DATA         /* SS */
    pushl %eax                   /* ESP */
    pushl $0x2                   /* EFLAGS: interrupts off, as in the trap path */
    pushl $SEL_USER_CODE         /* CS */
    pushl $user_loop             /* EIP */
    movl $SEL_USER_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    iret

user_loop:                       /* ring 3 */
    rdtsc
    movl %eax, %esi
    int $0x81
    rdtsc
    subl %esi, %eax
    movl %eax, (%edi)
    addl $4, %edi
    decl %ecx
    jnz user_loop
    int $0x82                    /* home */

/*
 * native_user_touches(samples, count, base): the same descent to ring 3,
 * where the loop times a read of each page from `base` up: a demand fault
 * that the host's ring-0 handler serves by mapping the page.
 */
native_user_touches:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl %esp, saved_esp
    movl 20(%esp), %edi          /* samples */
    movl 24(%esp), %ecx          /* count */
    movl 28(%esp), %ebx          /* base */
    movl $user_stack_top, %eax
    pushl $SEL_USER_DATA
    pushl %eax
    pushl $0x2
    pushl $SEL_USER_CODE
    pushl $user_touch_loop
    movl $SEL_USER_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    iret

user_touch_loop:                 /* ring 3 */
    rdtsc
    movl %eax, %esi
    movl (%ebx), %eax
    rdtsc
    subl %esi, %eax
    movl %eax, (%edi)
    addl $4, %edi
    addl $4096, %ebx
    decl %ecx
    jnz user_touch_loop
    int $0x82

native_bench_return:             /* the vector 0x82 gate lands here, ring 0 */
    movl $SEL_HOST_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl saved_esp, %esp
    popl %ebx
    popl %esi
    popl %edi
    popl %ebp
    ret

    .bss
    .balign 16
saved_esp:
    .long 0
    .balign 16
    .skip 4096
user_stack_top:
    .section .note.GNU-stack, "", @progbits
