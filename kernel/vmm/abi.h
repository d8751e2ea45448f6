// kernel/vmm/abi.h: the guest ABI (shared/spec/guest-abi.md) as C++: the
// hypercall numbers, the boot information and the shared lguest_data block.
// The host and the guest runtime both include this one definition.
#pragma once
#include "lib/types.h"

namespace hcall {
enum : u32 {
    FLUSH_ASYNC = 0,
    LGUEST_INIT = 1,
    SHUTDOWN = 2,
    NEW_PGTABLE = 4,
    FLUSH_TLB = 5,
    LOAD_IDT_ENTRY = 6,
    SET_STACK = 7,
    TS = 8,
    SET_CLOCKEVENT = 9,
    HALT = 10,
    SET_PMD = 13,
    SET_PTE = 14,
    SET_PGD = 15,
    LOAD_TLS = 16,
    LOAD_GDT_ENTRY = 18,
    SEND_INTERRUPTS = 19,
    CONSOLE_WRITE = 64,
};
constexpr u32 SHUTDOWN_POWEROFF = 1, SHUTDOWN_RESTART = 2;
constexpr u32 CONSOLE_WRITE_MAX = 4096;
constexpr u32 SHUTDOWN_MESSAGE_MAX = 128;
} // namespace hcall

constexpr u32 RUNG_MAGIC = 0x52554E47; // 'RUNG'
constexpr u32 BOOT_INFO_VERSION = 1;
constexpr u32 BOOT_STACK_BYTES = 16 * 1024;

struct BootInfo {
    u32 magic;
    u32 version;
    u32 mem_bytes;
    u32 pgdir;
    u32 cmdline;
    u32 free_start;
    u32 guest_id;
    u32 tsc_khz;
    u32 boot_count;
};
static_assert(sizeof(BootInfo) == 36);

constexpr u32 ASYNC_SLOTS = 64;
constexpr u8 ASYNC_FREE = 0xFF, ASYNC_QUEUED = 0;
constexpr u32 IRQ_ENABLED = 512; // the value of irq_enabled (and irq_pending) when set

struct AsyncCall {
    u32 arg0, arg1, arg2, arg3, arg4; // arg0 is the call number
};

struct LguestData {
    u32 irq_enabled;
    u32 blocked_interrupts;
    u32 cr2;
    u32 time_sec;
    u32 time_nsec;
    u32 irq_pending;
    u8 hcall_status[ASYNC_SLOTS];
    AsyncCall hcalls[ASYNC_SLOTS];
    u32 reserve_mem;
    u32 tsc_khz;
    u32 noirq_iret;
    u32 kernel_address;
    u32 syscall_vec;
};
static_assert(__builtin_offsetof(LguestData, irq_pending) == 20);
static_assert(__builtin_offsetof(LguestData, hcall_status) == 24);
static_assert(__builtin_offsetof(LguestData, hcalls) == 88);
static_assert(__builtin_offsetof(LguestData, reserve_mem) == 1368);
static_assert(__builtin_offsetof(LguestData, syscall_vec) == 1384);
static_assert(sizeof(LguestData) == 1388);
