/*
 * switcher/world_switch.S: the world switch.
 *
 * This is the only code that exists in two worlds at once.  It is mapped at
 * 0xFFC00000 in the host's page tables and in every guest's, at the same
 * address and read-only, so it can change CR3 under its own feet and keep
 * running.  Beside it sit the current guest's register page (read-write)
 * and state page (read-only to the guest): switcher/layout.h draws the map.
 *
 * Every address below is either relative (jumps within this page) or one of
 * the fixed switcher addresses, so the same bytes run wherever the host's
 * linker happened to put them.
 *
 *      Two rooms, one door, and a keeper in it:
 *      the host hands over, the guest takes the key;
 *      one trap, and the rooms swap round in a minute,
 *      each none the wiser what the other could see.
 */
#include "arch/selectors.h"
#include "arch/trap_stubs.h"
#include "switcher/layout.h"
#include "offsets.h"

#define STATE(field) (SWITCHER_STATE_PAGE + field)
#define REGS(field) (SWITCHER_REGS_PAGE + field)
#define TSS_TYPE_BYTE (GDT_TSS * 8 + 5)   /* bit 1 of it: the TSS is busy */

    .section .switcher.text, "ax"
    .globl switcher_enter, switcher_stubs

/*
 * switcher_enter: the host's run loop calls this, interrupts off, once it has
 * put the guest's pages behind 0xFFC02000 and 0xFFC03000.  It returns when
 * the guest traps, with the trap's vector in the register page.
 *
 *      The host steps out and leaves its coat:
 *      four registers pushed, the stack's place in a note.
 */
switcher_enter:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl %esp, STATE(STATE_HOST_SP)

    /*
     *  The guest's tables go up while the host's house stands:
     *  in the host's own page tables the state page is writable, and ltr
     *  must mark the guest's TSS busy in it.  So: clear the bit last time
     *  left set, load the guest's GDT and IDT, then its task register.
     *  From the lidt on, an NMI comes through the guest's gate; it finds
     *  us in ring 0 and only leaves a note (see nmi_stub below).
     */
    andb $0xFD, STATE(STATE_GDT + TSS_TYPE_BYTE)
    lgdt STATE(STATE_GUEST_GDT)
    lidt STATE(STATE_GUEST_IDT)
    movl $SEL_TSS, %eax
    ltr %ax

    /*
     *  Stand on the guest's registers, then change the world: the same
     *  addresses hold the same pages on both sides of this mov.
     */
    movl STATE(STATE_GUEST_CR3), %eax
    movl $REGS(REGS_FRAME), %esp
    movl %eax, %cr3

    /*      Now pop the guest back into its skin,
     *      segments first, then the eight within;
     *      drop the vector and the error code,
     *      and iret takes it home down ring 1's road.
     */
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iret

/*
 * switcher_stubs: one 16-byte stub per vector; the guest's IDT points here.
 * A trap from ring 1 or 3 has switched to the TSS's ring-0 stack, the end of
 * the register page, so the CPU has already saved SS, ESP, EFLAGS, CS, EIP
 * and perhaps an error code there.  The stub evens the frame (a 0 where the
 * CPU pushed no error code), adds the vector and joins switcher_exit.
 */
    .balign TRAP_STUB_SIZE
switcher_stubs:
    trap_stubs switcher_exit, nmi_stub

/*
 * switcher_exit: back to the host.
 *
 *      The guest is stopped mid-stride, its state
 *      all written down; the host is made to wait
 *      no longer: its page tables, its tables of gates,
 *      its task, its stack, and back where it awaits.
 */
switcher_exit:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    /* The guest's DS may have any base it liked: use our own before reading. */
    movl $SEL_HOST_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    cld

    movl STATE(STATE_HOST_CR3), %eax
    movl %eax, %cr3
    lgdt STATE(STATE_HOST_GDT)
    lidt STATE(STATE_HOST_IDT)
    /* The host's TSS was left marked busy when we last came home. */
    movl STATE(STATE_HOST_GDT_BASE), %eax
    andb $0xFD, TSS_TYPE_BYTE(%eax)
    movl $SEL_TSS, %eax
    ltr %ax
    /* FS and GS still name the guest's descriptors: nothing of ours. */
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs

    movl STATE(STATE_HOST_SP), %esp
    popl %ebx
    popl %esi
    popl %edi
    popl %ebp
    ret

/*
 * nmi_stub: an NMI is the host's.  If it arrived while the guest ran, it
 * leaves like any trap and the host's run loop counts it.  If it arrived in
 * ring 0, it caught us inside the switch, between one world and the other:
 * then we return at once to finish the switch, touching nothing but, when
 * the host's page tables are loaded, a count in the state page (through SS,
 * the one segment always ours here).  In the guest's tables that page is
 * read-only, and anything writable there the guest could forge: an NMI in
 * those few instructions is dropped, as lguest dropped them all.
 *
 *      A knock at the door while the keeper's mid-stride:
 *      he notes it if his own book is at hand,
 *      or lets it pass, and the rooms on each side
 *      never learn that the bell had been rung.
 */
nmi_stub:
    testl $3, 4(%esp)            /* the interrupted CS: ring 0 is us */
    jz 1f
    pushl $0
    pushl $2
    jmp switcher_exit
1:  pushl %eax
    movl %cr3, %eax
    cmpl %ss:STATE(STATE_HOST_CR3), %eax
    jne 2f
    incl %ss:STATE(STATE_NMI_NOTES)
2:  popl %eax
    iret                         /* and EFLAGS come back as they were */
