/*
 * boot/multiboot.S: the first instructions rung runs.
 *
 * A Multiboot loader (GRUB, QEMU -kernel, Bochs via GRUB) leaves us in flat
 * 32-bit protected mode with paging off, EAX holding its magic and EBX the
 * physical address of its information block.  We give ourselves a stack,
 * clear BSS, run the C++ constructors and call kernel_main(magic, info).
 */
#define MB_MAGIC        0x1BADB002
#define MB_PAGE_ALIGN   (1 << 0)   /* modules on 4 KiB boundaries: guests map them */
#define MB_MEMORY_INFO  (1 << 1)   /* we want the BIOS memory map */
#define MB_FLAGS        (MB_PAGE_ALIGN | MB_MEMORY_INFO)

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
    .globl boot_stack_bottom
boot_stack_bottom:
    /* 64 KiB: the host's one stack.  A Guest is about 9 KiB and resetting
     * one (g = Guest{}) builds a temporary here; 16 KiB overflowed into the
     * data below without a sound once the Guest grew. */
    .skip 65536
    .globl boot_stack_top
boot_stack_top:

    .section .text.boot, "ax"
    .globl boot_entry
boot_entry:
    cli
    cld
    movl $boot_stack_top, %esp
    /* EAX and EBX survive in ESI and EBP: BSS is about to be cleared. */
    movl %eax, %esi
    movl %ebx, %ebp

    movl $bss_start, %edi
    movl $bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* A clean EFLAGS: no NT, IOPL 0, AC and DF off. */
    pushl $0
    popfl

    /* Global constructors, in link order. */
    movl $init_array_start, %ebx
1:  cmpl $init_array_end, %ebx
    jae 2f
    call *(%ebx)
    addl $4, %ebx
    jmp 1b

2:  pushl %ebp          /* struct multiboot_info * (physical = virtual) */
    pushl %esi          /* magic */
    call kernel_main
    /* kernel_main never returns; if it did, stop here for good. */
3:  cli
    hlt
    jmp 3b
