// kernel/vmm/guest.h: one guest: its memory, its two switcher pages, its
// shadow page tables, and the ABI state the host keeps for it.
#pragma once
#include "arch/fpu.h"
#include "switcher/pages.h"
#include "vmm/abi.h"
#include "vmm/bzimage.h"
#include "vmm/guest_console.h"
#include "vmm/guest_memory.h"
#include "vmm/guest_options.h"
#include "vmm/shadow.h"

// waiting: inside a hypercall that cannot finish yet (a CONSOLE_WRITE over
// its share of the output queue); the host finishes it before the guest runs.
// restarting: its memory is being zeroed for the next life, a step a turn.
enum class GuestState { unused, runnable, halted, waiting, restarting, dead };

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
    // A Linux guest (a bzImage module): what it boots with, kept for restarts.
    bool linux_guest = false;
    BzImageInfo bzimage;
    const u8* initrd = nullptr;        // its initrd_for= module, if any
    u32 initrd_size = 0;
    const char* command_line = "";     // the words after the module string's "--"
    u32 command_line_length = 0;
    bool pci = false;                  // the platform of the addendum's section 3
    DeviceWindow devices;              // its PCI BARs, which its PTEs may name (empty without pci)
    u32 slot = 0;                      // its index in the host's table of guests
    GuestState state = GuestState::unused;
    u32 boot_count = 0;

    // Guest-physical 0 is host-physical memory_base; memory is contiguous.
    u32 memory_base = 0;
    u32 memory_size = 0;
    u32 zeroed = 0; // bytes of memory zeroed so far for the next life (restarts)

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
    u32 kernel_code_end = 0;         // of selector 0x61, every gate's target (0: unusable)
    u32 kernel_data_base = 0;        // of selector 0x69, the usual ring-1 stack
    bool ring1_stack_ok = false;     // SET_STACK's SS:ESP can take a frame
    u32 fault_address = 0;           // of the #PF being reflected
    bool call_waited = false;        // finish the hypercall that waited before running on
    bool instruction_waited = false; // the waiting was for an emulated instruction: just retry it
    u32 console_done = 0;            // bytes of a waiting CONSOLE_WRITE already taken
    bool virtual_ts = false;         // the guest's CR0.TS
    bool fpu_used = false;           // fpu_state holds something of its own
    fpu::State fpu_state;

    GuestConsole console;
    bool powered_off = false;        // its last life ended by SHUTDOWN poweroff
    bool killed = false;             // its last life ended in a kill

    // Statistics of the current life (exits are world switches out of it;
    // async_calls are the ring's calls run, which cost no exit of their own).
    // Of the exits, io_exits are the #GPs emulated as in, out or cli, and
    // device_exits the page faults on a device's BAR (also in page_faults).
    u32 exits = 0, hypercalls = 0, async_calls = 0, page_faults = 0, interrupts = 0, interrupts_delivered = 0,
        shadow_hits = 0, io_exits = 0, device_exits = 0;

    TrapFrame& regs() { return regs_page->frame; }
    bool range_ok(u32 gpa, u32 length) const { return gpa_range_ok(gpa, length, memory_size); }
    u8* host_address(u32 gpa) const { return reinterpret_cast<u8*>(memory_base + gpa); }
    LguestData& data() const { return *reinterpret_cast<LguestData*>(memory_base + lguest_data); }
};

// Ends the guest's life with a one-line reason (ABI section 8); restarts it
// if it asked for on_kill=restart.  The caller must return what this returns.
Outcome kill(Guest& guest, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
