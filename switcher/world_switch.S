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
     *  From the lidt on, every trap comes through the guest's gates: an NMI
     *  finds us in ring 0 and only leaves a note (nmi_stub below), and a
     *  fault finds us in ring 0 and goes home as a fault of the switch,
     *  never as a guest exit (switcher_exception below).
     *
     *  What can fault from here to the iret, and why it does not:
     *  - lgdt, lidt, ltr: the tables are in the state page, mapped in both
     *    worlds; the TSS descriptor is the host's own and its busy bit was
     *    just cleared.
     *  - mov to CR3: a shadow directory the host built; it maps this text,
     *    the register page and the state page at the same addresses.
     *  - the pops and popal: the register page, mapped writable in both.
     *  - the segment pops: each selector was checked when it, or its GDT
     *    entry, last changed (kernel/vmm/segments.cc); the LDT is null on
     *    every CPU, so no selector can reach guest memory for a descriptor.
     *  - iret: CS, EIP and SS were checked when the host last set them
     *    (kernel/vmm/traps.cc) or when the GDT last changed; EFLAGS.NT is
     *    clear here (the host never sets it), so iret is never a task return.
     *  If one of these reasons ever fails, the CPU's fault lands on the
     *  stubs below in ring 0, and the host kills the guest with the
     *  instruction's name: nothing is replayed, and the host goes on.
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
     *
     * The labels name each reload for the host's report of a fault.
     */
    .globl switcher_load_gs, switcher_load_fs, switcher_load_es, switcher_load_ds, switcher_iret
switcher_load_gs:
    popl %gs
switcher_load_fs:
    popl %fs
switcher_load_es:
    popl %es
switcher_load_ds:
    popl %ds
    popal
    addl $8, %esp
switcher_iret:
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
    trap_stubs switcher_exit, nmi_stub, switcher_exception

/*
 * load_host_world: the host's page tables, tables of gates, task and stack,
 * and nothing of the guest's left in a segment register.  Both ways home
 * (switcher_exit and switcher_fault) end with it; it leaves EAX 0 and does
 * not touch EBX, ECX or EDX.
 */
.macro load_host_world
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
.endm

/*
 * switcher_exception: where the CPU's exceptions arrive.  From ring 1 or 3
 * they are the guest's, and go home like any trap.  From ring 0 they are
 * the switcher's own: a reload above failed, and the frame the CPU pushed
 * sits below the guest's half-popped registers, not in them.  Taking that
 * for a guest exit would hand the host the last exit's registers again,
 * and again, forever; so it goes home by its own door.
 *
 *      A stumble on the stair is not a guest's knock:
 *      look at the ring the stumble came from first.
 */
switcher_exception:
    testb $3, 12(%esp)           /* the CS the CPU pushed */
    jz switcher_fault

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
    load_host_world
    popl %ebx
    popl %esi
    popl %edi
    popl %ebp
    ret                          /* EAX is 0: an ordinary exit */

/*
 * switcher_fault: a fault of the switch itself.  Keep its vector, error code
 * and the switcher address that faulted, go home, and write them in the
 * state page where only the host can (SS is the host's data segment here;
 * DS may still be the guest's).  The run loop finds SWITCH_FAULTED in the
 * notes and ends the guest with the reason; the register page is not read.
 *
 *      The door jammed shut with the guest half inside:
 *      the keeper says where, and the host will decide.
 */
switcher_fault:
    popl %ebx                    /* vector */
    popl %ecx                    /* error code, or the stub's 0 */
    popl %edx                    /* the switcher's faulting instruction */
    movl $SEL_HOST_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    load_host_world
    movl %ebx, STATE(STATE_FAULT_VECTOR)
    movl %ecx, STATE(STATE_FAULT_ERROR)
    movl %edx, STATE(STATE_FAULT_EIP)
    orl $(1 << SWITCH_FAULTED_BIT), STATE(STATE_NOTES)
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
    incl %ss:STATE(STATE_NOTES)
2:  popl %eax
    iret                         /* and EFLAGS come back as they were */
