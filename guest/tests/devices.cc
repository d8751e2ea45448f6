// guest/tests/devices.cc: attacks on the device model (Linux guests, section
// 3) from a small ELF guest given the platform with `pci=on`.  XTF style,
// like hostile.cc: one image, one attack per guest, chosen by the guest's
// name (docs/hostile.md, "Device attacks", lists them with their outcomes).
// Each attack expects exactly one outcome:
//   - a kill: `rung: guest NAME killed: device: REASON (at EIP)` or another
//     reason the case file pins; if the attack comes back, the guest says
//     "attack NAME: survived" and ends with FAILURE;
//   - a fault the guest sees (#GP, #PF), caught by the probe library:
//     "attack NAME: WHAT: got #GP (error E) as expected", SUCCESS;
//   - something harmless the guest checks (an ignored write, a value read
//     back, a refused status bit, a line on the console): "attack NAME: ...
//     as expected", SUCCESS.
//
// The driver side lives here too: configuration mechanism 1 through in/out,
// the BAR mapped by a PTE of the guest's own tables at BAR_VA, and split
// virtqueues built in frames of free memory.
#include "attack.h"
#include "lib/string.h"
#include "paging.h"
#include "probe.h"
#include "test.h"
#include "traps.h"

namespace {

using paging::P;
using paging::PAGE;
using paging::W;

u32 mem() { return rung::boot_info->mem_bytes; }
u32 dir() { return paging::boot_directory(); }
// Where the host puts BAR0 of 00:01.0: the first MiB boundary above memory.
u32 bar_gpa() { return (mem() + 0xFFFFF) & ~0xFFFFFu; }

using rung::attack;
using rung::expect_fault;
using rung::ok;

bool expect(bool condition, const char* fmt, u32 got, u32 want)
{
    if (!condition) test::fail(fmt, got, want);
    return condition;
}

// ============================================================================
// Ports.
// ============================================================================
u32 port_in(u16 port, u32 size)
{
    u32 v = 0;
    if (size == 1) asm volatile("inb %%dx, %%al" : "+a"(v) : "d"(port));
    else if (size == 2) asm volatile("inw %%dx, %%ax" : "+a"(v) : "d"(port));
    else asm volatile("inl %%dx, %%eax" : "=a"(v) : "d"(port));
    return v;
}

void port_out(u16 port, u32 size, u32 v)
{
    if (size == 1) asm volatile("outb %%al, %%dx" : : "a"(v), "d"(port));
    else if (size == 2) asm volatile("outw %%ax, %%dx" : : "a"(v), "d"(port));
    else asm volatile("outl %%eax, %%dx" : : "a"(v), "d"(port));
}

constexpr u32 ONES[5] = {0, 0xFF, 0xFFFF, 0, 0xFFFFFFFF};

// ============================================================================
// PCI configuration mechanism 1.  An access of `size` at `offset` goes to
// data port 0xCFC + (offset & 3); one that runs past 0xCFF is not PCI.
// ============================================================================
constexpr u32 BRIDGE = 0, CONSOLE = 1;
u32 cfg_address(u32 slot, u32 offset, u32 function = 0, u32 bus = 0)
{
    return 0x80000000u | bus << 16 | slot << 11 | function << 8 | (offset & 0xFC);
}
u32 cfg_read(u32 slot, u32 offset, u32 size)
{
    port_out(0xCF8, 4, cfg_address(slot, offset));
    return port_in(static_cast<u16>(0xCFC + (offset & 3)), size);
}
void cfg_write(u32 slot, u32 offset, u32 size, u32 value)
{
    port_out(0xCF8, 4, cfg_address(slot, offset));
    port_out(static_cast<u16>(0xCFC + (offset & 3)), size, value);
}
void cfg_snapshot(u32 slot, u8 (&out)[256])
{
    for (u32 i = 0; i < 256; i += 4) {
        u32 v = cfg_read(slot, i, 4);
        for (u32 b = 0; b < 4; b++) out[i + b] = static_cast<u8>(v >> (8 * b));
    }
}

// The virtio capability offsets and registers (kernel/devices/virtio_pci.h).
constexpr u32 CAP_PCI_CFG = 0x84;
constexpr u32 WIN_BAR = CAP_PCI_CFG + 4, WIN_OFFSET = CAP_PCI_CFG + 8, WIN_LENGTH = CAP_PCI_CFG + 12,
              WIN_DATA = CAP_PCI_CFG + 16;

// ============================================================================
// The BAR, mapped at BAR_VA by the guest's own page tables.  Plain movs in
// asm, so the compiler cannot pick another instruction (a cmp with a memory
// operand would kill).
// ============================================================================
constexpr u32 BAR_VA = 0x40000000;
void map_bar(u32 flags = P | W) { paging::map(dir(), BAR_VA, bar_gpa(), flags); }

u32 mmio_read(u32 offset, u32 size)
{
    u32 v, a = BAR_VA + offset;
    if (size == 1) asm volatile("movzbl (%1), %0" : "=r"(v) : "r"(a) : "memory");
    else if (size == 2) asm volatile("movzwl (%1), %0" : "=r"(v) : "r"(a) : "memory");
    else asm volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
    return v;
}
void mmio_write(u32 offset, u32 size, u32 v)
{
    u32 a = BAR_VA + offset;
    if (size == 1) asm volatile("movb %b0, (%1)" : : "q"(v), "r"(a) : "memory");
    else if (size == 2) asm volatile("movw %w0, (%1)" : : "r"(v), "r"(a) : "memory");
    else asm volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

// Common configuration, ISR, notify, device configuration.
constexpr u32 DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08,
              DRIVER_FEATURE = 0x0C, MSIX_CONFIG = 0x10, NUM_QUEUES = 0x12, DEVICE_STATUS = 0x14,
              CONFIG_GENERATION = 0x15, QUEUE_SELECT = 0x16, QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1A,
              QUEUE_ENABLE = 0x1C, QUEUE_NOTIFY_OFF = 0x1E, QUEUE_DESC = 0x20, QUEUE_DRIVER = 0x28,
              QUEUE_DEVICE = 0x30;
constexpr u32 ISR = 0x40, NOTIFY = 0x80, DEVICE_CFG = 0x100, EMERG_WR = DEVICE_CFG + 8;
constexpr u32 ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8;
constexpr u32 F_EMERG_WRITE = 1u << 2, F_VERSION_1_HI = 1u; // bit 32: bit 0 of the high half
constexpr u32 RX = 0, TX = 1, QUEUE_MAX = 64;

// Reset, ACKNOWLEDGE | DRIVER, the features, FEATURES_OK: the status read back.
u32 negotiate(u32 low, u32 high)
{
    mmio_write(DEVICE_STATUS, 1, 0);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER);
    mmio_write(DRIVER_FEATURE_SELECT, 4, 0);
    mmio_write(DRIVER_FEATURE, 4, low);
    mmio_write(DRIVER_FEATURE_SELECT, 4, 1);
    mmio_write(DRIVER_FEATURE, 4, high);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    return mmio_read(DEVICE_STATUS, 1);
}

// ============================================================================
// Split virtqueues in guest memory (identity-mapped: virtual == physical).
// ============================================================================
struct __attribute__((packed)) Desc {
    u32 addr_lo, addr_hi, len;
    u16 flags, next;
};
constexpr u16 NEXT = 1, WRITE = 2, INDIRECT = 4;

struct Ring {
    u32 index, size;
    u32 desc, avail, used; // guest-physical
    Desc* d() const { return reinterpret_cast<Desc*>(desc); }
    volatile u16* avail16() const { return reinterpret_cast<volatile u16*>(avail); }
    volatile u16* used16() const { return reinterpret_cast<volatile u16*>(used); }
    volatile u32* used32() const { return reinterpret_cast<volatile u32*>(used); }
};

// Frames for the three areas, and the queue's registers written (not enabled).
Ring ring_setup(u32 index, u32 size = QUEUE_MAX)
{
    Ring r{index, size, paging::alloc_frame(), paging::alloc_frame(), paging::alloc_frame()};
    mmio_write(QUEUE_SELECT, 2, index);
    mmio_write(QUEUE_SIZE, 2, size);
    mmio_write(QUEUE_DESC, 4, r.desc);
    mmio_write(QUEUE_DESC + 4, 4, 0);
    mmio_write(QUEUE_DRIVER, 4, r.avail);
    mmio_write(QUEUE_DRIVER + 4, 4, 0);
    mmio_write(QUEUE_DEVICE, 4, r.used);
    mmio_write(QUEUE_DEVICE + 4, 4, 0);
    return r;
}
void ring_enable(const Ring& r)
{
    mmio_write(QUEUE_SELECT, 2, r.index);
    mmio_write(QUEUE_ENABLE, 2, 1);
}
void set_desc(const Ring& r, u32 i, u32 addr, u32 len, u16 flags = 0, u16 next = 0)
{
    r.d()[i] = Desc{addr, 0, len, flags, next};
}
// Makes chain `head` available (avail idx + 1).
void publish(const Ring& r, u16 head)
{
    u16 idx = r.avail16()[1];
    r.avail16()[2 + (idx % r.size)] = head;
    asm volatile("" ::: "memory");
    r.avail16()[1] = static_cast<u16>(idx + 1);
}
void notify(u32 queue) { mmio_write(NOTIFY + 2 * queue, 2, queue); }

// A driver up to the transmit queue: negotiated, TX enabled, DRIVER_OK.
Ring tx_ready()
{
    map_bar();
    u32 status = negotiate(F_EMERG_WRITE, F_VERSION_1_HI);
    if (!(status & FEATURES_OK)) test::fail("FEATURES_OK refused for VERSION_1 | EMERG_WRITE (status %x)", status);
    Ring r = ring_setup(TX);
    ring_enable(r);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    return r;
}

// A bad chain on the transmit queue, then notify: the host must kill.
void tx_attack(void (*build)(const Ring& r))
{
    Ring r = tx_ready();
    build(r);
    rung::flush();
    notify(TX);
}

alignas(16) char text_buffer[256];
volatile u32 irq_count = 0;
void on_console_irq(rung::GuestFrame&) { irq_count = irq_count + 1; }
u32 buffer_gpa() { return rung::address_of(text_buffer); }

// ============================================================================
// Discovery: the bus, the capabilities, BAR sizing.
// ============================================================================
void probe_bus()
{
    u32 id0 = cfg_read(BRIDGE, 0, 4), id1 = cfg_read(CONSOLE, 0, 4);
    expect(id0 == 0x12378086, "00:00.0 id %x, want %x", id0, 0x12378086);
    expect(id1 == 0x10431AF4, "00:01.0 id %x, want %x", id1, 0x10431AF4);
    expect(cfg_read(BRIDGE, 8, 4) >> 8 == 0x060000, "host bridge class %x, want %x", cfg_read(BRIDGE, 8, 4) >> 8,
           0x060000);
    expect(cfg_read(CONSOLE, 8, 4) == 0x07800001, "console class/revision %x, want %x", cfg_read(CONSOLE, 8, 4),
           0x07800001);
    expect(cfg_read(CONSOLE, 0x2C, 4) == 0x00431AF4, "console subsystem %x, want %x", cfg_read(CONSOLE, 0x2C, 4),
           0x00431AF4);
    expect(cfg_read(CONSOLE, 0x3C, 1) == 1, "console interrupt line %u, want %u", cfg_read(CONSOLE, 0x3C, 1), 1);
    expect(cfg_read(CONSOLE, 6, 2) & 0x10, "console status %x lacks %x (capabilities)", cfg_read(CONSOLE, 6, 2), 0x10);
    u32 present = 0;
    for (u32 slot = 0; slot < 32; slot++)
        if (cfg_read(slot, 0, 4) != 0xFFFFFFFF) present |= 1u << slot;
    expect(present == 3, "slots present %x, want %x", present, 3);
    // Function 1, bus 1, the enable bit clear: nothing there.
    port_out(0xCF8, 4, cfg_address(CONSOLE, 0, 1));
    expect(port_in(0xCFC, 4) == 0xFFFFFFFF, "00:01.1 reads %x, want %x", port_in(0xCFC, 4), 0xFFFFFFFF);
    port_out(0xCF8, 4, cfg_address(0, 0, 0, 1));
    expect(port_in(0xCFC, 4) == 0xFFFFFFFF, "01:00.0 reads %x, want %x", port_in(0xCFC, 4), 0xFFFFFFFF);
    port_out(0xCF8, 4, cfg_address(CONSOLE, 0) & 0x7FFFFFFF);
    expect(port_in(0xCFC, 4) == 0xFFFFFFFF, "with enable clear reads %x, want %x", port_in(0xCFC, 4), 0xFFFFFFFF);
    // The address register keeps bit 31 and bits 23-2.
    port_out(0xCF8, 4, 0xFFFFFFFF);
    expect(port_in(0xCF8, 4) == 0x80FFFFFC, "0xcf8 reads back %x, want %x", port_in(0xCF8, 4), 0x80FFFFFC);
    // Accesses that run past 0xCFF, and byte/word accesses at 0xCF8: not PCI.
    port_out(0xCF8, 4, cfg_address(CONSOLE, 0));
    expect(port_in(0xCFD, 4) == 0xFFFFFFFF, "inl 0xcfd reads %x, want %x", port_in(0xCFD, 4), 0xFFFFFFFF);
    expect(port_in(0xCFF, 2) == 0xFFFF, "inw 0xcff reads %x, want %x", port_in(0xCFF, 2), 0xFFFF);
    expect(port_in(0xCFE, 2) == 0x1043, "inw 0xcfe reads %x, want %x", port_in(0xCFE, 2), 0x1043);
    expect(port_in(0xCF8, 1) == 0xFF, "inb 0xcf8 reads %x, want %x", port_in(0xCF8, 1), 0xFF);
    expect(port_in(0xCFA, 2) == 0xFFFF, "inw 0xcfa reads %x, want %x", port_in(0xCFA, 2), 0xFFFF);
    ok("bus 0: 00:00.0 8086:1237 host bridge, 00:01.0 1af4:1043 line 1, nothing else");

    // The capability chain.
    struct Want {
        u32 at, type, offset, length;
    } const want[] = {{0x40, 1, 0x000, 0x38}, {0x50, 2, 0x080, 4}, {0x64, 3, 0x040, 1}, {0x74, 4, 0x100, 12},
                      {0x84, 5, 0, 0}};
    u32 at = cfg_read(CONSOLE, 0x34, 1), n = 0;
    while (at && n < 8) {
        u32 head = cfg_read(CONSOLE, at, 4);
        if (n >= 5 || at != want[n].at) {
            test::fail("capability %u at %x, want %x", n, at, n < 5 ? want[n].at : 0);
            break;
        }
        expect((head & 0xFF) == 9, "capability id %x, want %x", head & 0xFF, 9);
        expect(((head >> 24) & 0xFF) == want[n].type, "cfg_type %u, want %u", (head >> 24) & 0xFF, want[n].type);
        expect(cfg_read(CONSOLE, at + 4, 1) == 0, "capability bar %u, want %u", cfg_read(CONSOLE, at + 4, 1), 0);
        expect(cfg_read(CONSOLE, at + 8, 4) == want[n].offset, "capability offset %x, want %x",
               cfg_read(CONSOLE, at + 8, 4), want[n].offset);
        expect(cfg_read(CONSOLE, at + 12, 4) == want[n].length, "capability length %x, want %x",
               cfg_read(CONSOLE, at + 12, 4), want[n].length);
        at = (head >> 8) & 0xFF;
        n++;
    }
    expect(n == 5, "%u capabilities, want %u", n, 5);
    expect(cfg_read(CONSOLE, 0x50 + 16, 4) == 2, "notify_off_multiplier %u, want %u", cfg_read(CONSOLE, 0x50 + 16, 4),
           2);
    ok("capabilities common 0x0+56, notify 0x80+4 (x2), ISR 0x40+1, device 0x100+12, PCI_CFG");

    // BAR0: sizing, then the address back.
    u32 bar = cfg_read(CONSOLE, 0x10, 4);
    expect(bar == bar_gpa(), "BAR0 %x, want %x", bar, bar_gpa());
    cfg_write(CONSOLE, 0x10, 4, 0xFFFFFFFF);
    u32 mask = cfg_read(CONSOLE, 0x10, 4);
    expect(mask == 0xFFFFF000, "BAR0 size mask %x, want %x", mask, 0xFFFFF000);
    cfg_write(CONSOLE, 0x10, 4, bar);
    expect(cfg_read(CONSOLE, 0x10, 4) == bar, "BAR0 after restore %x, want %x", cfg_read(CONSOLE, 0x10, 4), bar);
    for (u32 r = 0x14; r <= 0x30; r += 4)
        if (r != 0x2C) expect(cfg_read(CONSOLE, r, 4) == 0, "BAR/ROM register reads %x, want %x", cfg_read(CONSOLE, r, 4), 0);
    // The bridge has no BAR: all ones stays 0.
    cfg_write(BRIDGE, 0x10, 4, 0xFFFFFFFF);
    expect(cfg_read(BRIDGE, 0x10, 4) == 0, "bridge BAR0 after all ones %x, want %x", cfg_read(BRIDGE, 0x10, 4), 0);
    map_bar();
    expect(mmio_read(NUM_QUEUES, 2) == 2, "num_queues %u after sizing, want %u", mmio_read(NUM_QUEUES, 2), 2);
    rung::print("attack %s: BAR0 at %x, size 4096 (mask fffff000), works after sizing as expected\n", attack, bar);
}

// Ports other than PCI's, cli, sti, hlt, string I/O, and ring 3.
void probe_ports()
{
    const u16 ports[] = {0x60, 0x3F8, 0x80, 0x70, 0xF4};
    for (u16 p : ports)
        for (u32 size = 1; size <= 4; size *= 2)
            if (port_in(p, size) != ONES[size]) test::fail("in%u from %x reads %x", size, p, port_in(p, size));
    ok("in from 0x60, 0x3f8, 0x80, 0x70, 0xf4 (1, 2, 4 bytes) reads all ones");
    // QEMU's isa-debug-exit is at 0xF4: the write must stay in the host.
    port_out(0xF4, 1, 0);
    port_out(0xF4, 4, 1);
    port_out(0xF4, 2, 0x11);
    port_out(0x3F8, 1, 'X');
    port_out(0x80, 1, 0x55);
    port_out(0x64, 1, 0xFE); // the keyboard controller's reset
    ok("out to 0xf4, 0x3f8, 0x80, 0x64 dropped, the run goes on");
    // cli: skipped (no trap, the guest's flag unchanged).
    u32 before = rung::lguest_data.irq_enabled;
    RUNG_PROBE("", "cli", "");
    if (rung::check_no_trap("cli") && rung::lguest_data.irq_enabled == before) ok("cli skipped");
    RUNG_PROBE("", "sti", "");
    expect_fault("sti in ring 1", 13, 0);
    RUNG_PROBE("", "hlt", "");
    expect_fault("hlt in ring 1", 13, 0);
    // String I/O faults before its first iteration: EDI and ESI stay.
    static u8 sink[4];
    RUNG_PROBE("movl $2, %%ecx; movl $0x60, %%edx; cld", "rep insb", "", "D"(sink));
    expect_fault("rep insb from 0x60 in ring 1", 13, 0);
    RUNG_PROBE("movl $0xCFC, %%edx; cld", "outsl", "", "S"(sink));
    expect_fault("outsl to 0xcfc in ring 1", 13, 0);
    rung::call_user([] { RUNG_PROBE("movl $0xCF8, %%edx", "inl %%dx, %%eax", ""); });
    expect_fault("inl 0xcf8 in ring 3", 13, 0);
    rung::call_user([] { RUNG_PROBE("movl $0xF4, %%edx; xorl %%eax, %%eax", "outb %%al, %%dx", ""); });
    expect_fault("outb 0xf4 in ring 3", 13, 0);
    rung::call_user([] { RUNG_PROBE("", "cli", ""); });
    expect_fault("cli in ring 3", 13, 0);
}

// Without pci=on: version 1, every in/out is the guest's own #GP.
void nopci_io()
{
    RUNG_PROBE("movl $0xCF8, %%edx", "inl %%dx, %%eax", "");
    expect_fault("inl 0xcf8 without pci=on", 13, 0);
    RUNG_PROBE("movl $0xCFC, %%edx; xorl %%eax, %%eax", "outl %%eax, %%dx", "");
    expect_fault("outl 0xcfc without pci=on", 13, 0);
    RUNG_PROBE("", "inb $0x60, %%al", "");
    expect_fault("inb 0x60 without pci=on", 13, 0);
    RUNG_PROBE("", "cli", "");
    expect_fault("cli without pci=on", 13, 0);
}

// ============================================================================
// Configuration writes of every width at every offset.
// ============================================================================
void sweep(u32 slot)
{
    for (u32 size = 1; size <= 4; size *= 2)
        for (u32 offset = 0; offset < 256; offset++) {
            cfg_write(slot, offset, size, 0xFFFFFFFF);
            cfg_write(slot, offset, size, 0);
        }
}

// The bridge: nothing is writable.
void cfg_bridge()
{
    u8 before[256], after[256];
    cfg_snapshot(BRIDGE, before);
    sweep(BRIDGE);
    cfg_snapshot(BRIDGE, after);
    u32 changed = 0;
    for (u32 i = 0; i < 256; i++)
        if (before[i] != after[i] && changed++ < 4) test::fail("bridge byte %x: %x became %x", i, before[i], after[i]);
    // Empty slots and function 1 take writes and still read all ones.
    cfg_write(7, 0x04, 2, 0xFFFF);
    port_out(0xCF8, 4, cfg_address(CONSOLE, 0x3C, 1));
    port_out(0xCFC, 4, 0);
    if (cfg_read(7, 0, 4) != 0xFFFFFFFF) test::fail("slot 7 appeared");
    if (cfg_read(CONSOLE, 0x3C, 1) != 1) test::fail("a write to 00:01.1 reached 00:01.0");
    if (!changed) ok("writes of 1, 2, 4 bytes at every offset of 00:00.0 changed nothing");
}

// The console: only the documented bits move; the device still works.
bool transmit_text(const char* text);
void cfg_console()
{
    u8 before[256], after[256], writable[256] = {};
    cfg_snapshot(CONSOLE, before);
    writable[0x04] = 0x06;          // Memory Space, Bus Master
    writable[0x05] = 0x04;          // INTx Disable
    writable[0x0C] = writable[0x0D] = 0xFF;
    writable[0x11] = 0xF0;          // BAR0's address bits
    writable[0x12] = writable[0x13] = 0xFF;
    writable[0x3C] = 0xFF;          // interrupt line
    writable[WIN_BAR] = 0xFF;
    for (u32 i = WIN_OFFSET; i < WIN_DATA + 4; i++) writable[i] = 0xFF;
    sweep(CONSOLE);
    cfg_snapshot(CONSOLE, after);
    u32 wrong = 0;
    for (u32 i = 0; i < 256; i++) {
        u8 want = static_cast<u8>(before[i] & ~writable[i]); // the last write was 0
        if (after[i] != want && wrong++ < 4) test::fail("console byte %x: %x, want %x", i, after[i], want);
    }
    if (!wrong) ok("writes of 1, 2, 4 bytes at every offset of 00:01.0 moved only the writable bits");
    // Memory Space off and BAR0 0 now: the BAR reads all ones, writes drop.
    map_bar();
    u32 off = mmio_read(NUM_QUEUES, 2);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE);
    cfg_write(CONSOLE, 0x04, 2, 0x0006);
    u32 moved = mmio_read(NUM_QUEUES, 2);     // BAR0 is 0: moved, not decoded
    cfg_write(CONSOLE, 0x10, 4, bar_gpa());
    u32 back = mmio_read(NUM_QUEUES, 2);
    u32 status = mmio_read(DEVICE_STATUS, 1); // the write while off was dropped
    if (off == 0xFFFF && moved == 0xFFFF && back == 2 && status == 0)
        ok("BAR reads all ones with Memory Space off and with BAR0 moved, the device again once restored");
    else test::fail("num_queues %x (off), %x (moved), %x (back), status %x", off, moved, back, status);
    cfg_write(CONSOLE, 0x3C, 1, 1);
    if (transmit_text("the device still works\n")) ok("transmit after the sweep");
}

// The PCI_CFG window: emerg_wr, a register read, an invalid window.
void cfg_window()
{
    rung::flush();
    cfg_write(CONSOLE, WIN_BAR, 1, 0);
    cfg_write(CONSOLE, WIN_OFFSET, 4, EMERG_WR);
    cfg_write(CONSOLE, WIN_LENGTH, 4, 1);
    for (const char* p = "hello through the window\n"; *p; p++) cfg_write(CONSOLE, WIN_DATA, 1, static_cast<u8>(*p));
    cfg_write(CONSOLE, WIN_OFFSET, 4, NUM_QUEUES);
    cfg_write(CONSOLE, WIN_LENGTH, 4, 2);
    u32 queues = cfg_read(CONSOLE, WIN_DATA, 2);
    expect(queues == 2, "num_queues through the window %u, want %u", queues, 2);
    // Invalid windows (bar 1; length 3; offset not a multiple of length;
    // past the BAR): data writes are plain stores, reads read them back.
    cfg_write(CONSOLE, WIN_OFFSET, 4, EMERG_WR);
    cfg_write(CONSOLE, WIN_LENGTH, 4, 1);
    cfg_write(CONSOLE, WIN_BAR, 1, 1);
    cfg_write(CONSOLE, WIN_DATA, 4, 'Z');
    cfg_write(CONSOLE, WIN_BAR, 1, 0);
    cfg_write(CONSOLE, WIN_LENGTH, 4, 3);
    cfg_write(CONSOLE, WIN_DATA, 4, 'Y');
    cfg_write(CONSOLE, WIN_LENGTH, 4, 2);
    cfg_write(CONSOLE, WIN_OFFSET, 4, 0x109);
    cfg_write(CONSOLE, WIN_DATA, 4, 'X');
    cfg_write(CONSOLE, WIN_LENGTH, 4, 4);
    cfg_write(CONSOLE, WIN_OFFSET, 4, 0x1000);
    cfg_write(CONSOLE, WIN_DATA, 4, 'W');
    expect(cfg_read(CONSOLE, WIN_DATA, 4) == 'W', "invalid window data reads %x, want %x", cfg_read(CONSOLE, WIN_DATA, 4),
           'W');
    ok("emerg_wr and num_queues through the window; invalid windows reach nothing");
}

// A valid window onto half a common-configuration field: the BAR's rule.
void cfg_window_bad()
{
    cfg_write(CONSOLE, WIN_BAR, 1, 0);
    cfg_write(CONSOLE, WIN_OFFSET, 4, 0x01);
    cfg_write(CONSOLE, WIN_LENGTH, 4, 1);
    cfg_read(CONSOLE, WIN_DATA, 4);
}

// ============================================================================
// The BAR: every legal access, then one illegal access per attack.
// ============================================================================
void bar_sweep()
{
    map_bar();
    u32 bad = 0;
    auto check = [&](u32 offset, u32 size, u32 got, u32 want) {
        if (got != want && bad++ < 6) test::fail("BAR %x (%u bytes) reads %x, want %x", offset, size, got, want);
    };
    // Padding: any width at any offset reads 0; writes are ignored.
    struct Gap {
        u32 from, to;
    } const gaps[] = {{0x38, 0x40}, {0x41, 0x80}, {0x84, 0x100}, {0x10C, 0x1000}};
    for (const Gap& g : gaps)
        for (u32 size = 1; size <= 4; size *= 2)
            for (u32 o = g.from; o + size <= g.to; o++) {
                mmio_write(o, size, 0xFFFFFFFF);
                check(o, size, mmio_read(o, size), 0);
            }
    // Device configuration: any width at any offset inside its 12 bytes;
    // only max_nr_ports (byte 4) is not zero.  Writes: only a write that
    // starts at emerg_wr outputs (its low byte), the rest are ignored.
    for (u32 size = 1; size <= 4; size *= 2)
        for (u32 o = 0; o + size <= 12; o++) {
            u32 want = o <= 4 && 4 < o + size ? 1u << (8 * (4 - o)) : 0;
            check(DEVICE_CFG + o, size, mmio_read(DEVICE_CFG + o, size), want);
            if (o != 8) mmio_write(DEVICE_CFG + o, size, 0x41414141);
        }
    rung::flush();
    mmio_write(EMERG_WR, 1, 'o');
    mmio_write(EMERG_WR, 2, 0x6B00 | 'k');
    mmio_write(EMERG_WR, 4, 0x21212100 | '\n');
    // ISR: one byte, reads 0 now; writes ignored.  Notify: 2 bytes at 0x80
    // and 0x82 read 0; writes to disabled queues are ignored.
    mmio_write(ISR, 1, 0xFF);
    check(ISR, 1, mmio_read(ISR, 1), 0);
    for (u32 q = 0; q < 2; q++) {
        check(NOTIFY + 2 * q, 2, mmio_read(NOTIFY + 2 * q, 2), 0);
        mmio_write(NOTIFY + 2 * q, 2, q);
    }
    // Common configuration, each field at its width.
    struct Field {
        u32 offset, size, value;
    } const fields[] = {{DEVICE_FEATURE_SELECT, 4, 0}, {DEVICE_FEATURE, 4, F_EMERG_WRITE}, {DRIVER_FEATURE_SELECT, 4, 0},
                        {DRIVER_FEATURE, 4, 0},        {MSIX_CONFIG, 2, 0xFFFF},         {NUM_QUEUES, 2, 2},
                        {DEVICE_STATUS, 1, 0},         {CONFIG_GENERATION, 1, 0},        {QUEUE_SELECT, 2, 0},
                        {QUEUE_SIZE, 2, 64},           {QUEUE_MSIX_VECTOR, 2, 0xFFFF},   {QUEUE_ENABLE, 2, 0},
                        {QUEUE_NOTIFY_OFF, 2, 0},      {0x20, 4, 0}, {0x24, 4, 0}, {0x28, 4, 0}, {0x2C, 4, 0},
                        {0x30, 4, 0}, {0x34, 4, 0}};
    for (const Field& f : fields) check(f.offset, f.size, mmio_read(f.offset, f.size), f.value);
    mmio_write(DEVICE_FEATURE_SELECT, 4, 1);
    check(DEVICE_FEATURE, 4, mmio_read(DEVICE_FEATURE, 4), 1);
    mmio_write(DEVICE_FEATURE_SELECT, 4, 2);
    check(DEVICE_FEATURE, 4, mmio_read(DEVICE_FEATURE, 4), 0);
    // Read-only fields ignore writes.
    mmio_write(DEVICE_FEATURE, 4, 0xFFFFFFFF);
    mmio_write(NUM_QUEUES, 2, 7);
    mmio_write(CONFIG_GENERATION, 1, 9);
    mmio_write(QUEUE_NOTIFY_OFF, 2, 5);
    mmio_write(MSIX_CONFIG, 2, 1);
    mmio_write(QUEUE_MSIX_VECTOR, 2, 1);
    check(NUM_QUEUES, 2, mmio_read(NUM_QUEUES, 2), 2);
    check(CONFIG_GENERATION, 1, mmio_read(CONFIG_GENERATION, 1), 0);
    check(QUEUE_NOTIFY_OFF, 2, mmio_read(QUEUE_NOTIFY_OFF, 2), 0);
    check(MSIX_CONFIG, 2, mmio_read(MSIX_CONFIG, 2), 0xFFFF);
    check(QUEUE_MSIX_VECTOR, 2, mmio_read(QUEUE_MSIX_VECTOR, 2), 0xFFFF);
    mmio_write(QUEUE_SELECT, 2, 1);
    check(QUEUE_NOTIFY_OFF, 2, mmio_read(QUEUE_NOTIFY_OFF, 2), 1);
    if (!bad) ok("every legal access to padding, ISR, notify, device and common configuration");
}

// One illegal access each.  The register named in the reason is pinned by
// the case file.
void bar_field_part() { map_bar(); mmio_read(0x01, 1); }          // device_feature_select's byte 1
void bar_field_wide() { map_bar(); mmio_read(MSIX_CONFIG, 4); }   // msix_config is 2 bytes
void bar_field_half() { map_bar(); mmio_write(QUEUE_DESC, 2, 0); } // queue_desc is 4 bytes
void bar_common_end() { map_bar(); mmio_read(0x36, 4); }          // runs past common (0x38)
void bar_isr_word() { map_bar(); mmio_read(ISR, 2); }
void bar_notify_byte() { map_bar(); mmio_write(NOTIFY, 1, 1); }
void bar_notify_odd() { map_bar(); mmio_write(NOTIFY + 1, 2, 1); }
void bar_notify_4() { map_bar(); mmio_write(NOTIFY, 4, 1); }
void bar_notify_end() { map_bar(); mmio_write(NOTIFY + 2, 4, 1); } // 0x82..0x86 leaves notify
void bar_dev_end() { map_bar(); mmio_read(DEVICE_CFG + 10, 4); }
void bar_pad_into() { map_bar(); mmio_read(0xFE, 4); } // padding into the device configuration
void bar_page_end() { map_bar(); mmio_read(0xFFE, 4); } // the next page is unmapped
// The last page of memory at BAR_VA - 4096, the BAR at BAR_VA: a dword
// across the boundary.  The fault is on the BAR page, whose address is not
// the instruction's.
void bar_from_ram()
{
    map_bar();
    paging::map(dir(), BAR_VA - PAGE, mem() - PAGE);
    u32 v;
    asm volatile("movl (%1), %0" : "=r"(v) : "r"(BAR_VA - 2) : "memory");
}
void bar_add()
{
    map_bar();
    asm volatile("addl %%eax, (%0)" : : "r"(BAR_VA + QUEUE_SELECT), "a"(0) : "memory", "cc");
}
void bar_movsb()
{
    map_bar();
    static u8 dst[4];
    asm volatile("cld; movsb" : : "S"(BAR_VA + NUM_QUEUES), "D"(dst) : "memory");
}
void bar_push()
{
    map_bar();
    asm volatile("pushl (%0); popl %%eax" : : "r"(BAR_VA + NUM_QUEUES) : "eax", "memory");
}
void bar_xchg()
{
    map_bar();
    asm volatile("xchgl %%eax, (%0)" : : "r"(BAR_VA + DEVICE_STATUS), "a"(0) : "memory");
}
void bar_exec()
{
    map_bar();
    asm volatile("call *%0" : : "r"(BAR_VA) : "memory");
}
void bar_movsx()
{
    map_bar();
    asm volatile("movsbl (%0), %%eax" : : "r"(BAR_VA + NUM_QUEUES) : "eax", "memory");
}

// The BAR mapped read-only, and without U from ring 3: the guest's own #PF.
void bar_perms()
{
    map_bar(P);
    RUNG_PROBE("movl %[a], %%ecx", "movl %%eax, (%%ecx)", "", [a] "i"(BAR_VA + DEVICE_STATUS));
    expect_fault("write to a read-only BAR mapping", 14, 3, BAR_VA + DEVICE_STATUS);
    rung::call_user([] { RUNG_PROBE("movl %[a], %%ecx", "movl (%%ecx), %%eax", "", [a] "i"(BAR_VA + NUM_QUEUES)); });
    expect_fault("ring 3 read of a supervisor BAR mapping", 14, 5, BAR_VA + NUM_QUEUES);
    u32 q = mmio_read(NUM_QUEUES, 2);
    if (q == 2) ok("reads still work through the read-only mapping");
    else test::fail("num_queues %u", q);
}

// ============================================================================
// Features and queue registers.
// ============================================================================
void vq_features()
{
    map_bar();
    u32 s = negotiate(F_EMERG_WRITE, 0);
    if (s & FEATURES_OK) test::fail("FEATURES_OK stuck without VERSION_1 (status %x)", s);
    s = negotiate(F_EMERG_WRITE | 1u /* SIZE: not offered */, F_VERSION_1_HI);
    if (s & FEATURES_OK) test::fail("FEATURES_OK stuck with an unoffered feature (status %x)", s);
    s = negotiate(0, F_VERSION_1_HI | 2u /* bit 33: not offered */);
    if (s & FEATURES_OK) test::fail("FEATURES_OK stuck with unoffered bit 33 (status %x)", s);
    s = negotiate(0, F_VERSION_1_HI);
    if (!(s & FEATURES_OK)) test::fail("FEATURES_OK refused for VERSION_1 alone (status %x)", s);
    // After FEATURES_OK the driver's features are frozen.
    mmio_write(DRIVER_FEATURE_SELECT, 4, 0);
    mmio_write(DRIVER_FEATURE, 4, 0xFFFFFFFF);
    expect(mmio_read(DRIVER_FEATURE, 4) == 0, "driver_feature after FEATURES_OK %x, want %x",
           mmio_read(DRIVER_FEATURE, 4), 0);
    // Selects beyond 1 read 0 and keep nothing.
    mmio_write(DRIVER_FEATURE_SELECT, 4, 5);
    mmio_write(DRIVER_FEATURE, 4, 0xFFFFFFFF);
    expect(mmio_read(DRIVER_FEATURE, 4) == 0, "driver_feature select 5 %x, want %x", mmio_read(DRIVER_FEATURE, 4), 0);
    ok("FEATURES_OK refused without VERSION_1 and with unoffered bits, accepted with VERSION_1");
}

// Queue 5 does not exist; queue 0 exists but is disabled.
void vq_noqueue()
{
    map_bar();
    negotiate(0, F_VERSION_1_HI);
    mmio_write(QUEUE_SELECT, 2, 5);
    mmio_write(QUEUE_SIZE, 2, 3);
    mmio_write(QUEUE_DESC, 4, 0x12345);
    mmio_write(QUEUE_ENABLE, 2, 1); // ignored: no such queue
    u32 size = mmio_read(QUEUE_SIZE, 2), en = mmio_read(QUEUE_ENABLE, 2), desc = mmio_read(QUEUE_DESC, 4);
    if (size || en || desc) test::fail("queue 5 reads size %u enable %u desc %x (want 0)", size, en, desc);
    mmio_write(QUEUE_SELECT, 2, 0);
    expect(mmio_read(QUEUE_DESC, 4) == 0, "queue 0 desc %x, want %x", mmio_read(QUEUE_DESC, 4), 0);
    mmio_write(NOTIFY + 2 * 5, 2, 5); // padding past the notify region
    mmio_write(NOTIFY + 2 * 7, 2, 7);
    notify(RX);                        // exists, disabled
    notify(TX);
    // queue_enable 0 and 2 are ignored (only 1 enables).
    mmio_write(QUEUE_SELECT, 2, TX);
    mmio_write(QUEUE_ENABLE, 2, 2);
    if (mmio_read(QUEUE_ENABLE, 2) != 0) test::fail("queue_enable 2 enabled the queue");
    ok("queue 5 registers read 0 and ignore writes; notify of queue 5 and of disabled queues ignored");
}

// Bad rings, killed when enabled.
void enable_with(u32 size, u32 desc, u32 avail, u32 used, u32 desc_hi = 0)
{
    map_bar();
    negotiate(0, F_VERSION_1_HI);
    Ring r = ring_setup(TX);
    mmio_write(QUEUE_SIZE, 2, size);
    mmio_write(QUEUE_DESC, 4, desc ? desc : r.desc);
    mmio_write(QUEUE_DESC + 4, 4, desc_hi);
    mmio_write(QUEUE_DRIVER, 4, avail ? avail : r.avail);
    mmio_write(QUEUE_DEVICE, 4, used ? used : r.used);
    rung::flush();
    mmio_write(QUEUE_ENABLE, 2, 1);
}
void vq_size0() { enable_with(0, 0, 0, 0); }
void vq_size3() { enable_with(3, 0, 0, 0); }
void vq_size128() { enable_with(128, 0, 0, 0); }
void vq_desc_out() { enable_with(64, mem() - 0x200, 0, 0); }
void vq_desc_high() { enable_with(64, 0x1000, 0, 0, 1); }
void vq_desc_align() { enable_with(64, 0x100008, 0, 0); }
void vq_avail_out() { enable_with(64, 0, mem() - 2, 0); }
void vq_avail_align() { enable_with(64, 0, 0x100001, 0); }
void vq_used_out() { enable_with(64, 0, 0, 0xFFFFFF00); }
void vq_used_align() { enable_with(64, 0, 0, 0x100002); }

// Registers written while enabled are ignored until the next enable.
void vq_live_regs()
{
    Ring r = tx_ready();
    mmio_write(QUEUE_SELECT, 2, TX);
    mmio_write(QUEUE_SIZE, 2, 3);
    mmio_write(QUEUE_DESC, 4, 0xFFFFFFF0);
    u32 size = mmio_read(QUEUE_SIZE, 2), desc = mmio_read(QUEUE_DESC, 4);
    if (size != 64 || desc != r.desc) test::fail("live queue size %u desc %x changed", size, desc);
    mmio_write(QUEUE_ENABLE, 2, 1); // enabled already: ignored, no check of anything
    if (transmit_text("ring registers unchanged\n")) ok("queue registers ignored while enabled");
}

// ============================================================================
// Chains on the transmit queue.
// ============================================================================
Ring live_tx;
bool live = false;

// Sends `text` as one chain (a readable segment per 8 bytes, up to 4) and
// checks the used ring; true when all is well.
bool transmit_text(const char* text)
{
    if (!live) {
        live_tx = tx_ready();
        live = true;
    }
    const Ring& r = live_tx;
    u32 n = strlen(text), used_before = r.used16()[1];
    memcpy(text_buffer, text, n);
    u32 segs = 0;
    for (u32 at = 0; at < n; segs++) {
        u32 len = n - at > 8 && segs < 3 ? 8 : n - at;
        set_desc(r, segs, buffer_gpa() + at, len, NEXT, static_cast<u16>(segs + 1));
        at += len;
    }
    // A writable segment after the readable ones: allowed, ignored.
    set_desc(r, segs, buffer_gpa() + 200, 16, WRITE, 0);
    r.d()[segs - 1].flags = NEXT;
    rung::flush();
    publish(r, 0);
    notify(TX);
    u32 used_idx = r.used16()[1], id = r.used32()[1 + 2 * (used_before % r.size)],
        len = r.used32()[2 + 2 * (used_before % r.size)];
    if (used_idx != ((used_before + 1) & 0xFFFF) || id != 0 || len != 0) {
        test::fail("used idx %u (was %u), element %u length %u", used_idx, used_before, id, len);
        return false;
    }
    return true;
}

void vq_tx_good()
{
    if (!transmit_text("hello from the device\n")) return;
    ok("one chain of 3 readable segments and a writable one, used with length 0");
    // The interrupt: IRQ 1 at vector 33, ISR bit 0 (cleared by the read),
    // Interrupt Status in the PCI status register until then.
    u32 status = cfg_read(CONSOLE, 6, 2);
    for (u32 i = 0; i < 1000 && !irq_count; i++) rung::hypercall(hcall::SEND_INTERRUPTS);
    u32 isr = mmio_read(ISR, 1), isr2 = mmio_read(ISR, 1), status2 = cfg_read(CONSOLE, 6, 2);
    if (irq_count == 1 && (status & 8) && isr == 1 && isr2 == 0 && !(status2 & 8))
        ok("IRQ 1 once, ISR 1 then 0, PCI status bit 3 until the ISR read");
    else test::fail("irqs %u, pci status %x then %x, isr %x then %x", irq_count, status, status2, isr, isr2);
    // NO_INTERRUPT: no further interrupt.
    live_tx.avail16()[0] = 1;
    if (!transmit_text("hello again, quietly\n")) return;
    for (u32 i = 0; i < 100; i++) rung::hypercall(hcall::SEND_INTERRUPTS);
    if (irq_count == 1 && mmio_read(ISR, 1) == 0) ok("no interrupt with VRING_AVAIL_F_NO_INTERRUPT");
    else test::fail("irqs %u after NO_INTERRUPT", irq_count);
    // A reset drops the queue: a notify afterwards is ignored.
    mmio_write(DEVICE_STATUS, 1, 0);
    publish(live_tx, 0);
    notify(TX);
    if (mmio_read(QUEUE_ENABLE, 2) == 0 && mmio_read(DEVICE_STATUS, 1) == 0) ok("notify after a reset ignored");
}

// Each builds a bad chain; tx_attack() notifies.
void vq_desc_outside()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, mem() - 0x100, 0x200);
        publish(r, 0);
    });
}
void vq_desc_wrap()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, 0xFFFFF000, 0x2000);
        publish(r, 0);
    });
}
void vq_desc_huge()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, 0x1000, 0xFFFFFFFF);
        publish(r, 0);
    });
}
void vq_chain_long()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, 0x100000, 0x10000, NEXT, 1);
        set_desc(r, 1, 0x110000, 1);
        publish(r, 0);
    });
}
void vq_loop()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, buffer_gpa(), 1, NEXT, 1);
        set_desc(r, 1, buffer_gpa(), 1, NEXT, 0);
        publish(r, 0);
    });
}
void vq_indirect()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, buffer_gpa(), 16, INDIRECT);
        publish(r, 0);
    });
}
void vq_rw_order()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, buffer_gpa(), 4, WRITE | NEXT, 1);
        set_desc(r, 1, buffer_gpa() + 4, 4);
        publish(r, 0);
    });
}
void vq_len0()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, buffer_gpa(), 0);
        publish(r, 0);
    });
}
void vq_next_big()
{
    tx_attack([](const Ring& r) {
        set_desc(r, 0, buffer_gpa(), 4, NEXT, 64);
        publish(r, 0);
    });
}
void vq_head_big()
{
    tx_attack([](const Ring& r) { publish(r, 100); });
}
void vq_idx_jump()
{
    tx_attack([](const Ring& r) { r.avail16()[1] = 65; });
}
void vq_segments()
{
    tx_attack([](const Ring& r) {
        for (u32 i = 0; i < 9; i++) set_desc(r, i, buffer_gpa() + i, 1, i < 8 ? NEXT : 0, static_cast<u16>(i + 1));
        publish(r, 0);
    });
}
// DRIVER_OK drains the queue too: the bad chain is found then.
void vq_bad_at_ok()
{
    map_bar();
    negotiate(0, F_VERSION_1_HI);
    Ring r = ring_setup(TX);
    ring_enable(r);
    set_desc(r, 0, buffer_gpa(), 4, INDIRECT);
    publish(r, 0);
    rung::flush();
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
}

// The transmit queue writes nothing but the used ring: rings over the
// guest's own page tables are the guest's problem, not the host's.  A used
// ring on top of the descriptor table: the guest's own chain is overwritten
// after its use; the host survives and so does the guest.
void vq_overlap()
{
    map_bar();
    negotiate(0, F_VERSION_1_HI);
    u32 frame = paging::alloc_frame();
    Ring r{TX, 64, frame, frame + 0x800, frame};
    mmio_write(QUEUE_SELECT, 2, TX);
    mmio_write(QUEUE_DESC, 4, r.desc);
    mmio_write(QUEUE_DRIVER, 4, r.avail);
    mmio_write(QUEUE_DEVICE, 4, r.used);
    ring_enable(r);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    memcpy(text_buffer, "overlapping rings\n", 18);
    set_desc(r, 2, buffer_gpa(), 18); // descriptor 2: bytes 32-47, clear of used[0]
    rung::flush();
    publish(r, 2);
    notify(TX);
    if (r.used16()[1] == 1) ok("used ring over the descriptor table: one chain used");
    else test::fail("used idx %u", r.used16()[1]);
}

// 64 chains of 1 KiB (16 lines each) in one notify: more than the guest's
// share of the host's console, so the transmit queue holds a chain; then a
// reset in the middle of it (the held chain is the old driver's), and a new
// driver's line must still come out.
void vq_flood()
{
    Ring r = tx_ready();
    u32 frame = paging::alloc_frame();
    char* text = reinterpret_cast<char*>(frame);
    for (u32 i = 0; i < 1024; i++) text[i] = (i % 64) == 63 ? '\n' : static_cast<char>('a' + (i / 64));
    for (u32 i = 0; i < QUEUE_MAX; i++) {
        set_desc(r, i, frame, 1024);
        publish(r, static_cast<u16>(i));
    }
    rung::flush();
    notify(TX);
    u32 used_then = r.used16()[1];
    mmio_write(DEVICE_STATUS, 1, 0);
    live = false;
    rung::print("attack %s: %u of 64 chains used before the reset\n", attack, used_then);
    if (transmit_text("after the flood\n")) ok("a new driver transmits after a reset that dropped a held chain");
}

// The receive queue: buffers posted (readable ones too) and notified; the
// host has no input for this guest, so nothing is used and nothing dies.
void vq_rx_idle()
{
    map_bar();
    negotiate(0, F_VERSION_1_HI);
    Ring r = ring_setup(RX);
    ring_enable(r);
    mmio_write(DEVICE_STATUS, 1, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    set_desc(r, 0, buffer_gpa(), 64); // readable: a guest error once input comes
    publish(r, 0);
    notify(RX);
    for (u32 i = 0; i < 20; i++) rung::hypercall(hcall::SEND_INTERRUPTS);
    if (r.used16()[1] == 0 && irq_count == 0) ok("receive buffers posted and notified with no input: nothing used");
    else test::fail("used idx %u, %u interrupts", r.used16()[1], irq_count);
}

// ============================================================================
// The table.
// ============================================================================
enum class Ends { kill, verdict };
struct Attack {
    const char* name;
    Ends ends;
    void (*run)();
};

const Attack attacks[] = {
    {"probe_bus", Ends::verdict, probe_bus},
    {"probe_ports", Ends::verdict, probe_ports},
    {"nopci_io", Ends::verdict, nopci_io},
    {"cfg_bridge", Ends::verdict, cfg_bridge},
    {"cfg_console", Ends::verdict, cfg_console},
    {"cfg_window", Ends::verdict, cfg_window},
    {"cfg_window_bad", Ends::kill, cfg_window_bad},
    {"bar_sweep", Ends::verdict, bar_sweep},
    {"bar_perms", Ends::verdict, bar_perms},
    {"bar_field_part", Ends::kill, bar_field_part},
    {"bar_field_wide", Ends::kill, bar_field_wide},
    {"bar_field_half", Ends::kill, bar_field_half},
    {"bar_common_end", Ends::kill, bar_common_end},
    {"bar_isr_word", Ends::kill, bar_isr_word},
    {"bar_notify_byte", Ends::kill, bar_notify_byte},
    {"bar_notify_odd", Ends::kill, bar_notify_odd},
    {"bar_notify_4", Ends::kill, bar_notify_4},
    {"bar_notify_end", Ends::kill, bar_notify_end},
    {"bar_dev_end", Ends::kill, bar_dev_end},
    {"bar_pad_into", Ends::kill, bar_pad_into},
    {"bar_page_end", Ends::kill, bar_page_end},
    {"bar_from_ram", Ends::kill, bar_from_ram},
    {"bar_add", Ends::kill, bar_add},
    {"bar_movsb", Ends::kill, bar_movsb},
    {"bar_push", Ends::kill, bar_push},
    {"bar_xchg", Ends::kill, bar_xchg},
    {"bar_exec", Ends::kill, bar_exec},
    {"bar_movsx", Ends::kill, bar_movsx},
    {"vq_features", Ends::verdict, vq_features},
    {"vq_noqueue", Ends::verdict, vq_noqueue},
    {"vq_size0", Ends::kill, vq_size0},
    {"vq_size3", Ends::kill, vq_size3},
    {"vq_size128", Ends::kill, vq_size128},
    {"vq_desc_out", Ends::kill, vq_desc_out},
    {"vq_desc_high", Ends::kill, vq_desc_high},
    {"vq_desc_align", Ends::kill, vq_desc_align},
    {"vq_avail_out", Ends::kill, vq_avail_out},
    {"vq_avail_align", Ends::kill, vq_avail_align},
    {"vq_used_out", Ends::kill, vq_used_out},
    {"vq_used_align", Ends::kill, vq_used_align},
    {"vq_live_regs", Ends::verdict, vq_live_regs},
    {"vq_tx_good", Ends::verdict, vq_tx_good},
    {"vq_overlap", Ends::verdict, vq_overlap},
    {"vq_desc_outside", Ends::kill, vq_desc_outside},
    {"vq_desc_wrap", Ends::kill, vq_desc_wrap},
    {"vq_desc_huge", Ends::kill, vq_desc_huge},
    {"vq_chain_long", Ends::kill, vq_chain_long},
    {"vq_loop", Ends::kill, vq_loop},
    {"vq_indirect", Ends::kill, vq_indirect},
    {"vq_rw_order", Ends::kill, vq_rw_order},
    {"vq_len0", Ends::kill, vq_len0},
    {"vq_next_big", Ends::kill, vq_next_big},
    {"vq_head_big", Ends::kill, vq_head_big},
    {"vq_idx_jump", Ends::kill, vq_idx_jump},
    {"vq_segments", Ends::kill, vq_segments},
    {"vq_bad_at_ok", Ends::kill, vq_bad_at_ok},
    {"vq_flood", Ends::verdict, vq_flood},
    {"vq_rx_idle", Ends::verdict, vq_rx_idle},
};

} // namespace

void guest_main()
{
    attack = rung::name();
    const Attack* found = nullptr;
    for (const Attack& a : attacks)
        if (strcmp(a.name, attack) == 0) found = &a;
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::probe_gates(rung::INTERRUPT_GATE);
    rung::set_trap_handler(33, on_console_irq); // the console's IRQ 1
    rung::irq_enable();
    if (!found) {
        test::error("no attack named %s", attack);
    } else {
        found->run();
        if (found->ends == Ends::kill) {
            rung::print("attack %s: survived\n", attack);
            test::fail("the attack was not stopped");
        }
    }
    test::finish();
}
