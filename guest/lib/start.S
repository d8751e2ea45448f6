/*
 * guest/lib/start.S: where a guest begins, in ring 1, on the stack the host
 * built, with EAX = 'RUNG' and EBX = the boot information.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    cld
    pushl %ebx          /* const BootInfo * */
    pushl %eax          /* the magic, checked in C++ */
    call guest_entry
1:  jmp 1b              /* guest_entry never returns */
    .section .note.GNU-stack, "", @progbits
