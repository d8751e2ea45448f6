// kernel/vmm/guest.h: one guest: its memory, its two switcher pages, its
// shadow page tables, and the ABI state the host keeps for it.
#pragma once
#include "arch/fpu.h"
#include "switcher/pages.h"
#include "vmm/abi.h"
#include "vmm/guest_console.h"
#include "vmm/guest_memory.h"
#include "vmm/guest_options.h"
#include "vmm/shadow.h"

enum class GuestState { unused, runnable, halted, dead };

// What a handler decided about the guest that trapped.
enum class [[nodiscard]] Outcome {
    resume, // back into the guest
    yield,  // alive, but let the scheduler choose (it halted)
    stop,   // it was killed or ended: not one more instruction
};

struct Guest {
    u32 id = 0;
    GuestOptions options;
    const char* name() const { return options.name; }
    const u8* image = nullptr; // the module, kept for restarts
    u32 image_size = 0;
    const char* module_string = "";
    GuestState state = GuestState::unused;
    u32 boot_count = 0;

    // Guest-physical 0 is host-physical memory_base; memory is contiguous.
    u32 memory_base = 0;
    u32 memory_size = 0;

    RegsPage* regs_page = nullptr;   // host (identity) addresses of its pages
    StatePage* state_page = nullptr;
    u32* slot_table = nullptr;       // its shadow directory's slot 1023
    ShadowMmu mmu;

    // ABI state.
    bool initialized = false;        // LGUEST_INIT done
    u32 lguest_data = 0;             // GPA of the shared block
    u32 async_next = 0;              // next slot of the asynchronous ring
    u32 pending_irqs = 0;            // bit n: virtual IRQ n waits for delivery
    u64 timer_deadline = 0;          // host uptime in ns; 0 = not armed
    Descriptor idt[256];             // the guest's gates as it set them (sanitized)
    u32 syscall_vector = 0x80;       // the vector that may be a direct trap
    // Checked when the GDT or the ring-1 stack changes, so traps need not:
    u32 kernel_code_limit = 0;       // of selector 0x61 (0: unusable)
    u32 kernel_data_base = 0;        // of selector 0x69, the usual ring-1 stack
    bool ring1_stack_ok = false;     // SET_STACK's SS:ESP can take a frame
    u32 fault_address = 0;           // of the #PF being reflected
    bool virtual_ts = false;         // the guest's CR0.TS
    bool fpu_used = false;           // fpu_state holds something of its own
    fpu::State fpu_state;

    GuestConsole console;
    bool powered_off = false;        // its last life ended by SHUTDOWN poweroff
    bool killed = false;             // its last life ended in a kill

    // Statistics of the current life (exits are world switches out of it;
    // async_calls are the ring's calls run, which cost no exit of their own).
    u32 exits = 0, hypercalls = 0, async_calls = 0, page_faults = 0, interrupts = 0, interrupts_delivered = 0,
        shadow_hits = 0;

    TrapFrame& regs() { return regs_page->frame; }
    bool range_ok(u32 gpa, u32 length) const { return gpa_range_ok(gpa, length, memory_size); }
    u8* host_address(u32 gpa) const { return reinterpret_cast<u8*>(memory_base + gpa); }
    LguestData& data() const { return *reinterpret_cast<LguestData*>(memory_base + lguest_data); }
};

// Ends the guest's life with a one-line reason (ABI section 8); restarts it
// if it asked for on_kill=restart.  The caller must return what this returns.
Outcome kill(Guest& guest, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
