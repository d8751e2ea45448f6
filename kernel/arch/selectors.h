/* kernel/arch/selectors.h: the GDT layout the host and every guest share.
 * Plain #defines so the assembly can use them too.  The layout follows
 * Linux's i386 GDT (the guest ABI, section 6): the host owns entries 10 and 11
 * (its code and data, also the switcher's), 16 (the TSS) and 31. */
#pragma once

#define GDT_ENTRIES 32
#define GDT_TLS_FIRST 6
#define GDT_TLS_LAST 8
#define GDT_HOST_CODE 10
#define GDT_HOST_DATA 11
#define GDT_KERNEL_CODE 12
#define GDT_KERNEL_DATA 13
#define GDT_USER_CODE 14
#define GDT_USER_DATA 15
#define GDT_TSS 16
#define GDT_HOST_RESERVED 31

#define SEL_HOST_CODE (GDT_HOST_CODE * 8)       /* 0x50 */
#define SEL_HOST_DATA (GDT_HOST_DATA * 8)       /* 0x58 */
#define SEL_TSS (GDT_TSS * 8)                   /* 0x80 */
#define SEL_GUEST_CODE (GDT_KERNEL_CODE * 8 + 1) /* 0x61: ring 1 */
#define SEL_GUEST_DATA (GDT_KERNEL_DATA * 8 + 1) /* 0x69 */
#define SEL_USER_CODE (GDT_USER_CODE * 8 + 3)   /* 0x73: ring 3 */
#define SEL_USER_DATA (GDT_USER_DATA * 8 + 3)   /* 0x7B */

/* The hypercall vector: int $0x1F from ring 1. */
#define HYPERCALL_VECTOR 0x1F
