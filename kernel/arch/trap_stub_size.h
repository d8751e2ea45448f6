/* kernel/arch/trap_stub_size.h: the size of one trap stub (arch/trap_stubs.h),
 * for the C++ that points IDT gates at them. */
#pragma once
#define TRAP_STUB_SIZE 16
