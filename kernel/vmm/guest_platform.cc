// kernel/vmm/guest_platform.cc
#include "vmm/guest_platform.h"
#include <new>
#include "devices/instruction.h"
#include "devices/pci.h"
#include "devices/virtio_console.h"
#include "arch/clock.h"
#include "console/input.h"
#include "console/log.h"
#include "lib/format.h"
#include "vmm/guest_access.h"
#include "vmm/interrupts.h"
#include "vmm/traps.h"

namespace platform {
namespace {

constexpr u32 MAX_GUESTS = 32;
constexpr u32 CONSOLE_SLOT = 1, CONSOLE_IRQ = 1; // 00:01.0, IRQ 1 (0 is the timer), as lguest had it
constexpr u32 BAR_SIZE = 4096;
u32 with_devices = 0; // lives begun with pci=on: once one has, the console has a focus to keep

u32 console_output(void* context, const u8* bytes, u32 length)
{
    Guest& g = *static_cast<Guest*>(context);
    return g.console.write(g.name(), bytes, length);
}

void raise_irq(void* context, u32 irq) { virtual_irq::raise(*static_cast<Guest*>(context), irq); }

// One guest's devices.  They point at each other and at the guest, so they
// live here, one set per guest slot, and are rebuilt in place at each life.
struct Devices {
    explicit Devices(Guest& g) : console(console_output, nullptr, &g) {}
    pci::Bus bus;
    virtio::Console console;
    virtio::PciTransport console_pci;
};
alignas(Devices) u8 storage[MAX_GUESTS][sizeof(Devices)];
Devices& of(const Guest& g) { return *reinterpret_cast<Devices*>(storage[g.slot]); }

// The guest's registers by number, in and out of its trap frame.
struct Registers {
    u32 r[8];
    explicit Registers(const TrapFrame& f) { registers_from_frame(f, r); }
};

// The instruction at the guest's EIP: as many bytes as its tables map.
struct Fetched {
    u8 bytes[MAX_INSTRUCTION_LENGTH];
    u32 count;
    Instruction instruction;
};
Fetched fetch(Guest& g)
{
    const TrapFrame& f = g.regs();
    Fetched x;
    u32 base = g.state_page->gdt[(f.cs & 0xFFFF) >> 3].base();
    x.count = guest_access::read_virtual(g, base + f.eip, x.bytes, sizeof x.bytes);
    x.instruction = decode_instruction(x.bytes, x.count);
    return x;
}

// Device output must fit the guest's share of the host's console before a
// write goes to a device: otherwise the instruction waits and runs again.
Outcome wait_for_console(Guest& g)
{
    g.state = GuestState::waiting;
    g.instruction_waited = true;
    return Outcome::yield;
}

} // namespace

void start(Guest& g)
{
    if (!g.pci) {
        g.devices = {};
        return;
    }
    with_devices++;
    // placement: a fresh set of devices each life (they hold no host memory)
    Devices* d = new (storage[g.slot]) Devices(g);
    u32 bar = (g.memory_size + 0xFFFFF) & ~0xFFFFFu; // the first MiB boundary above memory
    (void)d->console_pci.init(d->console, {g.host_address(0), g.memory_size}, bar, CONSOLE_IRQ, raise_irq, &g);
    (void)d->bus.attach(CONSOLE_SLOT, &d->console_pci);
    g.devices = {bar, bar + BAR_SIZE};
}

Outcome general_protection(Guest& g)
{
    TrapFrame& f = g.regs();
    if (f.error != 0 || (f.cs & 3) != 1) return traps::reflect(g, 13, f.error);
    Instruction in = fetch(g).instruction;
    Devices& d = of(g);
    Registers regs(f);
    const char* reason = nullptr;
    switch (in.kind) {
    case InstructionKind::cli:
        g.io_exits++;
        break;
    case InstructionKind::in: {
        g.io_exits++;
        u32 value = 0;
        reason = d.bus.io_read(instruction_port(in, regs.r), in.size, &value);
        complete_load(in, regs.r, value);
        registers_to_frame(regs.r, f);
        break;
    }
    case InstructionKind::out:
        g.io_exits++;
        if (!g.console.has_room()) return wait_for_console(g);
        reason = d.bus.io_write(instruction_port(in, regs.r), in.size, value_to_store(in, regs.r));
        break;
    default:
        return traps::reflect(g, 13, 0);
    }
    if (reason) return kill(g, "device: %s (at %x)", reason, f.eip);
    f.eip += in.length;
    return Outcome::resume;
}

Outcome device_access(Guest& g, u32 address, u32 gpa)
{
    g.device_exits++;
    TrapFrame& f = g.regs();
    Fetched x = fetch(g);
    const Instruction& in = x.instruction;
    if (!in.accesses_memory()) {
        char bytes[3 * MAX_INSTRUCTION_LENGTH + 1] = "";
        u32 shown = x.count < 6 ? x.count : 6; // enough to name it; the rest is operands
        for (u32 i = 0; i < shown; i++) snformat(bytes + 3 * i, 4, "%02x ", x.bytes[i]);
        if (shown) bytes[3 * shown - 1] = '\0';
        return kill(g, "device: %s instruction (%s) at %x touches the BAR at %x", instruction_kind_name(in.kind),
                    x.count ? bytes : "not mapped", f.eip, gpa);
    }
    Registers regs(f);
    // Segments are flat for the guests this serves; an instruction whose own
    // address is not the faulting one (a segment base, self-modified code)
    // is not emulated by guesswork.
    if (in.memory.address(regs.r) != address)
        return kill(g, "device: the instruction at %x does not address %x", f.eip, address);
    Devices& d = of(g);
    const char* reason;
    if (in.writes_memory()) {
        if (!g.console.has_room()) return wait_for_console(g);
        reason = d.bus.mmio_write(gpa, in.size, value_to_store(in, regs.r));
    } else {
        u32 value = 0;
        reason = d.bus.mmio_read(gpa, in.size, &value);
        complete_load(in, regs.r, value);
        registers_to_frame(regs.r, f);
    }
    if (reason) return kill(g, "device: %s (at %x)", reason, f.eip);
    f.eip += in.length;
    return Outcome::resume;
}

namespace {

constexpr u32 NO_FOCUS = ~0u;
constexpr u64 QUIET_NS = 300'000'000; // a prompt shows after 0.3 s without more output
u32 focus = NO_FOCUS;

bool takes_input(const Guest& g) { return g.pci && g.state != GuestState::dead && g.state != GuestState::unused; }

// The next guest after `from` that takes input (`from` itself last), or NO_FOCUS.
u32 next_taker(Guest* guests, u32 count, u32 from)
{
    for (u32 step = 1; step <= count; step++) {
        u32 i = (from + step) % count;
        if (takes_input(guests[i])) return i;
    }
    return NO_FOCUS;
}

} // namespace

void service_console(Guest* guests, u32 count)
{
    if (!with_devices) return; // no guest takes input: nothing to do, and nothing to pay

    u32 presses = console_input::focus_presses();
    if (focus == NO_FOCUS || !takes_input(guests[focus]) || presses) {
        u32 was = focus, at = focus == NO_FOCUS ? count - 1 : focus;
        for (u32 n = 0; n < (presses ? presses : 1) && at != NO_FOCUS; n++) at = next_taker(guests, count, at);
        focus = at;
        if (focus != was && focus != NO_FOCUS)
            console::stable("console: input goes to %s (Ctrl-T moves it)", guests[focus].name());
    }
    u64 now = clock::stamp();
    for (u32 i = 0; i < count; i++)
        if (guests[i].pci && guests[i].state != GuestState::dead) guests[i].console.flush_if_quiet(guests[i].name(), now, QUIET_NS);
    if (focus == NO_FOCUS || !console_input::waiting()) return;
    Guest& g = guests[focus];
    if (g.state == GuestState::restarting) return;
    u8 bytes[256];
    u32 n = console_input::peek(bytes, sizeof bytes);
    const char* error = nullptr;
    console_input::take(of(g).console.give_input(bytes, n, &error));
    if (error) (void)kill(g, "device: %s", error);
}

Outcome before_run(Guest& g)
{
    if (!g.pci || !of(g).console.output_held() || !g.console.has_room()) return Outcome::resume;
    if (const char* reason = of(g).console.resume_output()) return kill(g, "device: %s", reason);
    return Outcome::resume;
}

} // namespace platform
