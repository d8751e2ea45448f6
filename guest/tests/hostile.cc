// guest/tests/hostile.cc: hostile guests, XTF style.  One image, one attack
// per guest, chosen by the guest's name (docs/hostile.md lists them all with
// the outcome each one must get).  Every attack expects exactly one outcome:
//   - a kill: the host ends the guest with `rung: guest NAME killed: REASON`
//     (the case file names the exact reason); if the attack comes back, the
//     guest says "attack NAME: survived" and ends with FAILURE;
//   - a fault the guest sees (#GP, #NP, #PF with an exact error code, caught
//     by the probe library): the guest prints "attack NAME: WHAT: got #GP
//     (error E) as expected" and ends with SUCCESS;
//   - something harmless the guest can check (an ignored write, a zero-byte
//     console write): "attack NAME: ... as expected", SUCCESS.
// The attacks run next to a witness guest (tests/boot/hostile_*.case) that
// checks its own memory all along.
#include "cpu_features.h"
#include "arch/descriptor.h"
#include "attack.h"
#include "lib/string.h"
#include "paging.h"
#include "probe.h"
#include "test.h"
#include "traps.h"

extern "C" {
// Far-call target: returns CS in EAX.
void hostile_far_code();
// Written by the asm, by name.
u32 hostile_cs_seen, hostile_ds_after, hostile_stub;
u64 fpu_result_copy; // an IEEE double, written by fstpl
}
asm(".text\n"
    "hostile_far_code:\n\t"
    "movl %cs, %eax\n\t"
    "lret\n");

namespace {

using descriptor::gate;
using descriptor::segment;
using descriptor::system;
using paging::P;
using paging::PAGE;
using paging::W;

constexpr u32 SW_TEXT = 0xFFC00000, SW_TEXT2 = 0xFFC01000, SW_REGS = 0xFFC02000, SW_STATE = 0xFFC03000,
              SW_END = 0xFFC04000;
constexpr u32 V = 0x40000000; // an address nothing maps at boot

u32 scratch[4];
u32 hostile_cs()
{
    u32 cs;
    asm volatile("movl %%cs, %0" : "=r"(cs));
    return cs & 0xFFFF;
}

u32 mem() { return rung::boot_info->mem_bytes; }
u32 dir() { return paging::boot_directory(); }

using rung::attack;
using rung::expect_fault;
using rung::ok;

void load_gdt(u32 index, Descriptor d) { rung::hypercall(hcall::LOAD_GDT_ENTRY, index, d.low, d.high); }

struct __attribute__((packed)) TableRegister {
    u16 limit;
    u32 base;
};

// The tables the CPU uses, read-only to the guest (the state page).
const volatile Descriptor* real_gdt()
{
    TableRegister r;
    asm volatile("sgdt %0" : "=m"(r));
    return reinterpret_cast<const volatile Descriptor*>(r.base);
}

const volatile Descriptor* real_idt()
{
    TableRegister r;
    asm volatile("sidt %0" : "=m"(r));
    return reinterpret_cast<const volatile Descriptor*>(r.base);
}

Descriptor gdt_entry(u32 index)
{
    const volatile Descriptor* g = real_gdt();
    return Descriptor{g[index].low, g[index].high};
}

Descriptor idt_entry(u32 vector)
{
    const volatile Descriptor* t = real_idt();
    return Descriptor{t[vector].low, t[vector].high};
}

// The entry as the host must store a system descriptor: kept, not present.
void check_stored_not_present(u32 index, Descriptor asked)
{
    Descriptor want = asked;
    want.set_present(false);
    Descriptor got = gdt_entry(index);
    if (got != want)
        test::fail("GDT entry %u is %08x %08x, expected %08x %08x (not present)", index, got.high, got.low,
                   want.high, want.low);
}

// ============================================================================
// Guest-physical addresses (ABI section 3: every GPA range must lie inside
// guest memory; LGUEST_INIT and NEW_PGTABLE need alignment).
// ============================================================================
void init_out() { rung::hypercall(hcall::LGUEST_INIT, mem() - 100); }
void init_wrap() { rung::hypercall(hcall::LGUEST_INIT, 0xFFFFF000); }
void init_unalign() { rung::hypercall(hcall::LGUEST_INIT, 0x100002); }
void shut_out() { rung::hypercall(hcall::SHUTDOWN, mem(), hcall::SHUTDOWN_POWEROFF); }
void shut_wrap() { rung::hypercall(hcall::SHUTDOWN, 0xFFFFFFFF, hcall::SHUTDOWN_POWEROFF); }
// The message's last possible byte, with no NUL after it: the host reads
// one byte, never past the end.
void shut_edge()
{
    *reinterpret_cast<volatile char*>(mem() - 1) = 'Z';
    rung::hypercall(hcall::SHUTDOWN, mem() - 1, hcall::SHUTDOWN_POWEROFF);
}
void write_wrap() { rung::hypercall(hcall::CONSOLE_WRITE, 0xFFFFF800, 0x1000); }
void write_over() { rung::hypercall(hcall::CONSOLE_WRITE, mem() - 0x800, 0x1000); }
void write_long() { rung::hypercall(hcall::CONSOLE_WRITE, 0x100000, 4097); }
void write_huge() { rung::hypercall(hcall::CONSOLE_WRITE, 0x1000, 0xFFFFFFFF); }
void write_zero()
{
    static const char text[] = "never shown";
    u32 got = rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(text), 0);
    if (got != 0) test::fail("CONSOLE_WRITE of 0 bytes returned %u", got);
    got = rung::hypercall(hcall::CONSOLE_WRITE, 0, 0);
    if (got != 0) test::fail("CONSOLE_WRITE of 0 bytes at 0 returned %u", got);
    else ok("CONSOLE_WRITE of 0 bytes returned 0");
}
void write_zero_end() { rung::hypercall(hcall::CONSOLE_WRITE, mem(), 0); }
void tls_out() { rung::hypercall(hcall::LOAD_TLS, mem() - 16); }
void tls_wrap() { rung::hypercall(hcall::LOAD_TLS, 0xFFFFFFF8); }
void pgtable_0() { rung::hypercall(hcall::NEW_PGTABLE, 0); }
void pgtable_end() { rung::hypercall(hcall::NEW_PGTABLE, mem()); }
void pgtable_wrap() { rung::hypercall(hcall::NEW_PGTABLE, 0xFFFFF000); }
void pgtable_unal() { rung::hypercall(hcall::NEW_PGTABLE, 0x100800); }
void setpte_out() { rung::hypercall(hcall::SET_PTE, mem(), V, 0); }
void setpte_wrap() { rung::hypercall(hcall::SET_PTE, 0xFFFFF000, V, 0); }
void setpte_unal() { rung::hypercall(hcall::SET_PTE, 0x100004, V, 0); }
void setpgd_out() { rung::hypercall(hcall::SET_PGD, mem(), 0); }
void setpgd_wrap() { rung::hypercall(hcall::SET_PGD, 0xFFFFF000, 0); }

// ============================================================================
// The hypercall protocol.
// ============================================================================
void early_idt() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 3, 0, 0); }
void early_tls() { rung::hypercall(hcall::LOAD_TLS, 0x100000); }
void early_trap() { asm volatile("ud2"); }
void init_twice()
{
    rung::init();
    rung::init();
}
void bad_number() { rung::hypercall(0xFFFFFFFF); }
void bad_gap() { rung::hypercall(3); }

// int $0x1f from ring 3: the gate has DPL 1, so #GP(0x1F*8+2), and no
// hypercall (EAX holds 99: as a hypercall it would kill).
void hc_ring3()
{
    rung::call_user([] { RUNG_PROBE("movl $99, %%eax", "int $0x1f", ""); });
    expect_fault("int $0x1f from ring 3", 13, 0x1F * 8 + 2);
}

void halt_off()
{
    rung::irq_disable();
    rung::hypercall(hcall::HALT);
}

void ring_badnum()
{
    rung::queue_async(99);
    rung::hypercall(hcall::FLUSH_ASYNC);
}

void ring_badgpa()
{
    rung::queue_async(hcall::CONSOLE_WRITE, 0xFFFFF800, 0x1000);
    rung::hypercall(hcall::FLUSH_ASYNC);
}

void ring_init()
{
    rung::queue_async(hcall::LGUEST_INIT, rung::address_of(&rung::lguest_data));
    rung::hypercall(hcall::FLUSH_ASYNC);
}

// Every slot of the ring queued at once, each a CONSOLE_WRITE of one status
// byte of the ring itself: slot i writes the status of slot i+1, which is
// still 0 (queued) while i runs, and the last writes slot 0's, 0xFF (done)
// by then.  The drain must run each once, in order, one lap, and stop.
void ring_refill()
{
    rung::flush();
    for (u32 i = 0; i < ASYNC_SLOTS; i++)
        rung::queue_async(hcall::CONSOLE_WRITE,
                          rung::address_of(&rung::lguest_data.hcall_status[(i + 1) % ASYNC_SLOTS]), 1);
    rung::hypercall(hcall::FLUSH_ASYNC);
    rung::print("\n"); // ends the line the 64 bytes made
    u32 queued = 0;
    for (u32 i = 0; i < ASYNC_SLOTS; i++)
        if (rung::lguest_data.hcall_status[i] != ASYNC_FREE) queued++;
    if (queued) test::fail("%u slots still queued after the drain", queued);
    rung::hypercall(hcall::FLUSH_ASYNC); // nothing more: no byte follows
    if (!queued) ok("64 queued calls ran once each, one lap");
}

// ============================================================================
// The GDT (ABI section 6).
// ============================================================================
alignas(16) u8 fake_ldt[16];

void gdt_callgate()
{
    Descriptor d = gate(0x50, 0x00101000, 0xC, 3); // a call gate to the host's code segment
    load_gdt(20, d);
    check_stored_not_present(20, d);
    RUNG_PROBE("", "lcall $0xA3, $0", "");
    expect_fault("far call through a call gate to selector 0x50", 11, 0xA0);
    rung::call_user([] { RUNG_PROBE("", "lcall $0xA3, $0", ""); });
    expect_fault("the same from ring 3", 11, 0xA0);
}

void gdt_tss()
{
    // A second descriptor for the host's own TSS (entry 16's base).
    Descriptor host_tss = gdt_entry(16);
    Descriptor d = system(host_tss.base(), 103, descriptor::TYPE_TSS32_AVAILABLE, 3);
    load_gdt(22, d);
    check_stored_not_present(22, d);
    RUNG_PROBE("", "ljmp $0xB3, $0", "");
    expect_fault("far jump to a TSS aliasing the host's", 11, 0xB0);
    RUNG_PROBE("", "lcall $0xB3, $0", "");
    expect_fault("far call to it", 11, 0xB0);
    RUNG_PROBE("movl $0xB0, %%eax", "ltr %%ax", "");
    expect_fault("ltr of it", 13, 0);
}

void gdt_ldt()
{
    Descriptor d = system(reinterpret_cast<u32>(fake_ldt), sizeof fake_ldt - 1, 0x2, 3);
    load_gdt(21, d);
    check_stored_not_present(21, d);
    RUNG_PROBE("", "ljmp $0xAB, $0", "");
    expect_fault("far jump to an LDT descriptor", 13, 0xA8);
    RUNG_PROBE("movl $0xA8, %%eax", "lldt %%ax", "");
    expect_fault("lldt of it", 13, 0);
}

void gdt_taskgate()
{
    Descriptor d = gate(0x80, 0, descriptor::TYPE_TASK_GATE, 3); // to the host's TSS selector
    load_gdt(23, d);
    check_stored_not_present(23, d);
    RUNG_PROBE("", "ljmp $0xBB, $0", "");
    expect_fault("far jump through a task gate to selector 0x80", 11, 0xB8);
    rung::call_user([] { RUNG_PROBE("", "lcall $0xBB, $0", ""); });
    expect_fault("far call through it from ring 3", 11, 0xB8);
}

// DPL 0 code segments, non-conforming and conforming: stored as DPL 1, so a
// far call into them runs in ring 1 (CS & 3 == 1), never in ring 0.
void gdt_dpl0code()
{
    load_gdt(18, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 0));
    load_gdt(19, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX | 0x4, 0)); // conforming
    const u32 made[] = {18, 19};
    for (u32 index : made)
        if (gdt_entry(index).dpl() != 1) test::fail("entry %u stored with DPL %u", index, gdt_entry(index).dpl());
    RUNG_PROBE("", "lcall $0x90, $hostile_far_code", "movl %%eax, hostile_cs_seen");
    rung::check_no_trap("far call to the DPL 0 code segment, selector 0x90");
    u32 first = hostile_cs_seen;
    RUNG_PROBE("", "lcall $0x98, $hostile_far_code", "movl %%eax, hostile_cs_seen");
    rung::check_no_trap("far call to the conforming DPL 0 code segment, selector 0x98");
    u32 second = hostile_cs_seen;
    RUNG_PROBE("", "ljmp $0x90, $4f\n4:", "movl %%cs, %%eax; movl %%eax, hostile_cs_seen; ljmp $0x61, $5f\n5:");
    rung::check_no_trap("far jump to the DPL 0 code segment");
    u32 third = hostile_cs_seen;
    if ((first & 0xFFFF) != 0x91 || (second & 0xFFFF) != 0x99 || (third & 0xFFFF) != 0x91)
        test::fail("CS in the DPL 0 segments: %x, %x, %x (want 91, 99, 91)", first, second, third);
    else rung::print("attack %s: far call and jump into DPL 0 code ran with CS 91, 99, 91 (ring 1) as expected\n", attack);
}

// Writes to the host's entries: accepted, ignored.
void gdt_host()
{
    const u32 host[] = {10, 11, 16, 31};
    Descriptor before[4];
    for (u32 i = 0; i < 4; i++) before[i] = gdt_entry(host[i]);
    for (u32 index : host) load_gdt(index, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 3));
    for (u32 index : host) load_gdt(index, gate(0x61, 0x00101000, 0xC, 3));
    for (u32 index : host) load_gdt(index, Descriptor{});
    u32 changed = 0;
    for (u32 i = 0; i < 4; i++)
        if (gdt_entry(host[i]) != before[i]) {
            changed++;
            test::fail("GDT entry %u changed", host[i]);
        }
    if (!changed) ok("writes to GDT entries 10, 11, 16 and 31 changed nothing");
}

void gdt_32() { load_gdt(32, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1)); }
void gdt_neg() { load_gdt(0xFFFFFFFF, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1)); }
void gdt_cs() { load_gdt(12, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1)); }
void gdt_ss() { load_gdt(13, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 1)); }

// DS names entry 17; entry 17 becomes not present: DS must come back null.
void gdt_ds_null()
{
    load_gdt(17, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
    asm volatile("movl $0x89, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %[call], %%eax\n\t"
                 "movl $17, %%ebx\n\t"
                 "xorl %%ecx, %%ecx\n\t"
                 "xorl %%edx, %%edx\n\t"
                 "int $0x1f\n\t"
                 "movl %%ds, %%ecx\n\t"
                 "movl $0x69, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%ecx, hostile_ds_after"
                 :
                 : [call] "i"(hcall::LOAD_GDT_ENTRY)
                 : "eax", "ebx", "ecx", "edx", "memory");
    if ((hostile_ds_after & 0xFFFF) != 0) test::fail("DS is %x after its descriptor went away", hostile_ds_after);
    else ok("DS became null when its descriptor was made not present");
}

// LOAD_TLS with a call gate to the host's code, a TSS and a DPL 0 code segment.
Descriptor tls[3];
void tls_kinds()
{
    tls[0] = gate(0x50, 0x00101000, 0xC, 3);
    tls[1] = system(gdt_entry(16).base(), 103, descriptor::TYPE_TSS32_AVAILABLE, 3);
    tls[2] = segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 0);
    rung::hypercall(hcall::LOAD_TLS, rung::address_of(tls));
    check_stored_not_present(6, tls[0]);
    check_stored_not_present(7, tls[1]);
    if (gdt_entry(8).dpl() != 1) test::fail("TLS entry 8 stored with DPL %u", gdt_entry(8).dpl());
    RUNG_PROBE("", "lcall $0x33, $0", "");
    expect_fault("far call through the TLS call gate", 11, 0x30);
    RUNG_PROBE("", "ljmp $0x3B, $0", "");
    expect_fault("far jump to the TLS TSS", 11, 0x38);
    RUNG_PROBE("movl $0x33, %%eax", "movl %%eax, %%gs", "movl $0x69, %%eax; movl %%eax, %%gs");
    expect_fault("GS loaded with the TLS call gate", 13, 0x30);
    RUNG_PROBE("", "lcall $0x40, $hostile_far_code", "movl %%eax, hostile_cs_seen");
    rung::check_no_trap("far call into the TLS DPL 0 code segment");
    if ((hostile_cs_seen & 0xFFFF) != 0x41) test::fail("TLS code segment ran with CS %x", hostile_cs_seen);
    else ok("far call into the TLS DPL 0 code segment ran with CS 41 (ring 1)");
}

// And an LDT, a task gate and a DPL 0 data segment.
void tls_kinds2()
{
    tls[0] = system(reinterpret_cast<u32>(fake_ldt), sizeof fake_ldt - 1, 0x2, 3);
    tls[1] = gate(0x80, 0, descriptor::TYPE_TASK_GATE, 3);
    tls[2] = segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 0);
    rung::hypercall(hcall::LOAD_TLS, rung::address_of(tls));
    check_stored_not_present(6, tls[0]);
    check_stored_not_present(7, tls[1]);
    if (gdt_entry(8).dpl() != 1) test::fail("TLS entry 8 stored with DPL %u", gdt_entry(8).dpl());
    RUNG_PROBE("", "ljmp $0x33, $0", "");
    expect_fault("far jump to the TLS LDT descriptor", 13, 0x30);
    RUNG_PROBE("", "ljmp $0x3B, $0", "");
    expect_fault("far jump through the TLS task gate", 11, 0x38);
    RUNG_PROBE("movl $0x40, %%eax", "movl %%eax, %%ds", "movl %%ds, %%eax; movl %%eax, hostile_ds_after; movl $0x69, %%eax; movl %%eax, %%ds");
    rung::check_no_trap("DS loaded with the TLS DPL 0 data segment");
    if ((hostile_ds_after & 0xFFFF) != 0x40) test::fail("DS read back %x", hostile_ds_after);
    else ok("DS loaded with the TLS DPL 0 (now 1) data segment in ring 1");
}

// The host's own selectors, from ring 1.
void seg_hostsel()
{
    RUNG_PROBE("movl $0x58, %%eax", "movl %%eax, %%ds", "movl $0x69, %%eax; movl %%eax, %%ds");
    expect_fault("DS loaded with the host's data selector 0x58", 13, 0x58);
    RUNG_PROBE("movl $0x58, %%eax", "movl %%eax, %%ss", "");
    expect_fault("SS loaded with 0x58", 13, 0x58);
    RUNG_PROBE("movl $0x80, %%eax", "movl %%eax, %%es", "movl $0x69, %%eax; movl %%eax, %%es");
    expect_fault("ES loaded with the TSS selector 0x80", 13, 0x80);
    RUNG_PROBE("", "ljmp $0x50, $0", "");
    expect_fault("far jump to the host's code selector 0x50", 13, 0x50);
    RUNG_PROBE("", "lcall $0x50, $0", "");
    expect_fault("far call to 0x50", 13, 0x50);
    RUNG_PROBE("", "ljmp $0x80, $0", "");
    expect_fault("far jump to the host's TSS", 13, 0x80);
}

// ============================================================================
// The IDT (ABI section 5).
// ============================================================================
void idt_task() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 0x40, 0x00800000, 0x0000E500); }
void idt_16int() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 0x41, 0x00611000, 0x0010C600); }
void idt_16trap() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 0x42, 0x00611000, 0x0010E700); }
void idt_segment() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 0x43, 0x0000FFFF, 0x00CFBA00); }
void idt_256() { rung::hypercall(hcall::LOAD_IDT_ENTRY, 256, rung::gate_low(3), rung::gate_high(3, 0xE, 0)); }
void idt_nmi_task()
{
    Descriptor before = idt_entry(2), before8 = idt_entry(8);
    rung::hypercall(hcall::LOAD_IDT_ENTRY, 2, 0x00800000, 0x0000E500);
    rung::hypercall(hcall::LOAD_IDT_ENTRY, 8, 0x00F80000, 0x00008500); // Linux's #DF task gate
    if (idt_entry(2) != before || idt_entry(8) != before8) test::fail("a task gate for vector 2 or 8 changed the IDT");
    else ok("task gates for vectors 2 and 8 ignored, as every gate there");
}

volatile u32 handled = 0, handler_ring = 0;
void counting_handler(rung::GuestFrame&)
{
    handled = handled + 1;
    handler_ring = rung::current_ring();
}

// Gates for the host's vectors 2, 8, 15 and 0x1F are ignored: int $0x1f is
// still a hypercall (and still #GP from ring 3), int $2/$8/$15 hit the
// host's DPL 0 gates (#GP), and no handler of ours ever runs.
void idt_ignored()
{
    const u32 ignored[] = {2, 8, 15, 0x1F};
    for (u32 v : ignored) rung::set_trap_handler(v, counting_handler, rung::TRAP_GATE, 3);
    Descriptor hc = idt_entry(0x1F);
    if (descriptor::gate_selector(hc) != 0x50 || hc.dpl() != 1) test::fail("the real gate 0x1F changed");
    static const char text[] = "still a hypercall";
    u32 n = rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(text), sizeof text - 1);
    rung::print("\n");
    if (n != sizeof text - 1) test::fail("int $0x1f returned %u", n);
    rung::call_user([] { RUNG_PROBE("movl $99, %%eax", "int $0x1f", ""); });
    expect_fault("int $0x1f from ring 3 after a DPL 3 gate for 0x1f", 13, 0x1F * 8 + 2);
    RUNG_PROBE("", "int $2", "");
    expect_fault("int $2 after a DPL 3 gate for 2", 13, 2 * 8 + 2);
    RUNG_PROBE("", "int $8", "");
    expect_fault("int $8 after a DPL 3 gate for 8", 13, 8 * 8 + 2);
    RUNG_PROBE("", "int $15", "");
    expect_fault("int $15 after a DPL 3 gate for 15", 13, 15 * 8 + 2);
    if (handled) test::fail("a handler for an ignored vector ran %u times", handled);
    else ok("gates for vectors 2, 8, 15 and 0x1f were ignored");
}

// A DPL 3 trap gate for the NMI vector, then 500 ms of spinning while the
// harness injects NMIs (tests/boot/hostile_nmi.case): the host takes them
// all; the guest's gate was never installed, its handler never runs.
void nmi_gate()
{
    rung::set_trap_handler(2, counting_handler, rung::TRAP_GATE, 3);
    u32 khz = rung::boot_info->tsc_khz;
    u64 start = rung::rdtsc();
    u32 spins = 0;
    while (khz ? rung::rdtsc() - start < static_cast<u64>(khz) * 500 : spins < 100000000) {
        spins++;
        asm volatile("" ::: "memory");
    }
    if (handled) test::fail("the NMI gate's handler ran %u times", handled);
    else ok("500 ms under injected NMIs, the guest's NMI gate never used");
}

// A direct trap gate naming the host's code selector 0x50: the host forces
// the guest's own 0x61, and the handler runs in ring 1.
void idt_hostsel()
{
    rung::set_trap_handler(3, counting_handler, rung::TRAP_GATE, 3);
    u32 low = (0x50u << 16) | (rung::gate_low(3) & 0xFFFF);
    rung::hypercall(hcall::LOAD_IDT_ENTRY, 3, low, rung::gate_high(3, rung::TRAP_GATE, 3));
    Descriptor real = idt_entry(3);
    if (descriptor::gate_selector(real) != 0x61)
        test::fail("the real gate 3 has selector %x", descriptor::gate_selector(real));
    asm volatile("int3" ::: "memory");
    if (handled != 1 || handler_ring != 1) test::fail("int3: %u handler runs, in ring %u", handled, handler_ring);
    else ok("gate selector 0x50 became 0x61, the handler ran in ring 1");
}

template <u32 VECTOR> void int_probe() { RUNG_PROBE("", "int %[v]", "", [v] "i"(VECTOR)); }
#define INT_PROBE(v) {v, int_probe<v>}
struct IntProbe {
    u32 vector;
    void (*run)();
};

// int to the host's interrupt vectors (the PIC's 0x20-0x2F, the APIC timer
// 0x30, spurious 0xFF), even after the guest gave them DPL 3 gates and made
// 0x30 its syscall_vec: #GP(v*8+2) from ring 1 and ring 3.
void int_hostvec()
{
    static const IntProbe probes[] = {
        INT_PROBE(0x20), INT_PROBE(0x21), INT_PROBE(0x22), INT_PROBE(0x23), INT_PROBE(0x24), INT_PROBE(0x25),
        INT_PROBE(0x26), INT_PROBE(0x27), INT_PROBE(0x28), INT_PROBE(0x29), INT_PROBE(0x2A), INT_PROBE(0x2B),
        INT_PROBE(0x2C), INT_PROBE(0x2D), INT_PROBE(0x2E), INT_PROBE(0x2F), INT_PROBE(0x30), INT_PROBE(0xFF),
    };
    rung::lguest_data.syscall_vec = 0x30;
    for (const IntProbe& p : probes)
        rung::set_trap_handler(p.vector, rung::probe_handler, p.vector == 0x30 ? rung::TRAP_GATE : rung::INTERRUPT_GATE, 3);
    u32 good = 0;
    for (const IntProbe& p : probes) {
        p.run();
        if (rung::check_probe("int to a host vector from ring 1", {.vector = 13, .error = p.vector * 8 + 2})) good++;
        rung::call_user(p.run);
        if (rung::check_probe("int to a host vector from ring 3", {.vector = 13, .error = p.vector * 8 + 2})) good++;
    }
    rung::print("attack %s: int $0x20-$0x2f, $0x30, $0xff from rings 1 and 3: %u of %u got #GP (error v*8+2) as expected\n",
                attack, good, 2 * static_cast<u32>(sizeof probes / sizeof probes[0]));
}

// Vectors with a CPU error code, given DPL 3 interrupt gates: `int` must
// never reach their stubs (the frame would lack the error code): #GP(v*8+2).
void int_errvec()
{
    static const IntProbe probes[] = {INT_PROBE(10), INT_PROBE(11), INT_PROBE(12),
                                      INT_PROBE(13), INT_PROBE(14), INT_PROBE(17)};
    for (const IntProbe& p : probes) rung::set_trap_handler(p.vector, rung::probe_handler, rung::INTERRUPT_GATE, 3);
    u32 good = 0;
    for (const IntProbe& p : probes) {
        p.run();
        if (rung::check_probe("int to an error-code vector from ring 1", {.vector = 13, .error = p.vector * 8 + 2}))
            good++;
        rung::call_user(p.run);
        if (rung::check_probe("int to an error-code vector from ring 3", {.vector = 13, .error = p.vector * 8 + 2}))
            good++;
    }
    rung::print("attack %s: int $10-$14, $17 through DPL 3 gates: %u of %u got #GP (error v*8+2) as expected\n", attack,
                good, 2 * static_cast<u32>(sizeof probes / sizeof probes[0]));
}

// ============================================================================
// SET_STACK (ABI section 3) and the frames reflected traps are built in.
// ============================================================================
alignas(4096) u8 own_stack[4096];
u32 own_top() { return reinterpret_cast<u32>(own_stack + sizeof own_stack); }

void stack_rpl0() { rung::hypercall(hcall::SET_STACK, 0x68, own_top(), 1); }
void stack_rpl3() { rung::hypercall(hcall::SET_STACK, 0x7B, own_top(), 1); }
void stack_code() { rung::hypercall(hcall::SET_STACK, 0x61, own_top(), 1); }
void stack_ro()
{
    paging::map(dir(), V, paging::alloc_frame(), P);
    rung::hypercall(hcall::SET_STACK, 0x69, V + PAGE, 1);
}
void stack_unmapped() { rung::hypercall(hcall::SET_STACK, 0x69, 0x50001000, 1); }
void stack_high() { rung::hypercall(hcall::SET_STACK, 0x69, SW_STATE, 1); }
void stack_at_top() { rung::hypercall(hcall::SET_STACK, 0x69, SW_TEXT, 1); }
void stack_pages0() { rung::hypercall(hcall::SET_STACK, 0x69, own_top(), 0); }
void stack_pages3() { rung::hypercall(hcall::SET_STACK, 0x69, own_top(), 3); }
void stack_wrap() { rung::hypercall(hcall::SET_STACK, 0x69, 0x800, 1); }
// A ring-1 stack segment whose base puts SS:ESP into the switcher's pages:
// base 0x3000 + ESP 0xFFC00000 - 4096 is the register page.
void stack_segregs()
{
    load_gdt(20, segment(0x3000, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
    rung::hypercall(hcall::SET_STACK, 0xA1, 0xFFC00000, 1);
}
// The stack right below the switcher: allowed, and a trap from ring 3 lands
// there, its first word the user's SS.
void stack_top_ok()
{
    paging::map(dir(), SW_TEXT - 2 * PAGE, paging::alloc_frame(), P | W);
    paging::map(dir(), SW_TEXT - PAGE, paging::alloc_frame(), P | W);
    rung::hypercall(hcall::SET_STACK, 0x69, SW_TEXT, 2);
    rung::call_user([] { RUNG_PROBE("", "ud2", ""); });
    expect_fault("ud2 in ring 3, frame on a stack ending at 0xffc00000", 6, 0);
    u32 ss = *reinterpret_cast<volatile u32*>(SW_TEXT - 4);
    if (ss != 0x7B) test::fail("the word below 0xffc00000 is %x, not the user's SS", ss);
}

void frame_ring1() { asm volatile("movl $0x40000000, %%esp\n\tud2" ::: "memory"); }
void frame_direct()
{
    rung::set_trap_handler(6, rung::probe_handler, rung::TRAP_GATE, 0); // a direct trap: the CPU pushes
    asm volatile("movl $0x40000000, %%esp\n\tud2" ::: "memory");
}
// A frame across a page boundary: its low words in a mapped page, the rest
// in one that is not.
void frame_split()
{
    paging::map(dir(), V, paging::alloc_frame(), P | W);
    asm volatile("movl $0x40001008, %%esp\n\tint3" ::: "memory");
}
// The kernel data segment itself (entry 13, the SS in use) rebased at
// 0xffc00000: still a usable ring-1 stack, so allowed; then ESP 0x2f00 puts
// SS:ESP in the register page, and a reflected trap's frame would go there.
void ss13_regs()
{
    Descriptor d = segment(SW_TEXT, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1);
    asm volatile("int $0x1f\n\t"
                 "movl $0x2F00, %%esp\n\t"
                 "int3"
                 :
                 : "a"(hcall::LOAD_GDT_ENTRY), "b"(13), "c"(d.low), "d"(d.high)
                 : "memory");
}
void frame_regs() { asm volatile("movl $0xFFC02F00, %%esp\n\tint3" ::: "memory"); }
void frame_state() { asm volatile("movl $0xFFC03100, %%esp\n\tpushl %%eax" ::: "memory"); }

// SET_STACK on a good page, which is then unmapped (SET_PTE): the next trap
// from ring 3 has nowhere to go.
void unmapped_ring1_stack()
{
    paging::map(dir(), V, paging::alloc_frame(), P | W);
    rung::hypercall(hcall::SET_STACK, 0x69, V + PAGE, 1);
    paging::unmap(dir(), V);
}
void frame_ring3()
{
    unmapped_ring1_stack();
    rung::call_user([] { asm volatile("ud2"); });
}
void frame_r3_direct()
{
    rung::set_trap_handler(0x80, counting_handler, rung::TRAP_GATE, 3); // a direct trap from ring 3
    unmapped_ring1_stack();
    rung::call_user([] { asm volatile("int $0x80"); });
}

// ============================================================================
// Page tables (ABI section 7).
// ============================================================================
void pte_switcher()
{
    paging::table(dir(), V);
    paging::raw_pte(dir(), V) = SW_TEXT2 | P | W;
    rung::hypercall(hcall::SET_PTE, dir(), V, SW_TEXT2 | P | W);
}
void pte_other()
{
    paging::table(dir(), V);
    paging::raw_pte(dir(), V) = 0x03000000 | P | W;
    rung::hypercall(hcall::SET_PTE, dir(), V, 0x03000000 | P | W);
}
void say_read(u32 va)
{
    paging::catch_page_faults();
    paging::Access a = paging::read(va);
    rung::print("read %x: %s %x\n", va, a.faulted ? "#PF error" : "value", a.faulted ? a.error : a.value);
}
void pte_fault_big()
{
    paging::table(dir(), V);
    paging::raw_pte(dir(), V) = 0xFFFFF000 | P | W; // not present before: nothing to tell
    say_read(V);
}
void pde_set_big()
{
    paging::raw_pde(dir(), V) = 0x80000000 | P | W;
    rung::hypercall(hcall::SET_PGD, dir(), paging::slot(V));
}
void pde_fault_big()
{
    paging::raw_pde(dir(), V) = SW_TEXT | P | W;
    say_read(V);
}
void large_set()
{
    paging::raw_pde(dir(), V) = 0 | paging::PS | P | W; // 4 MiB at guest-physical 0: inside memory, still forbidden
    rung::hypercall(hcall::SET_PGD, dir(), paging::slot(V));
}
void large_fault()
{
    paging::raw_pde(dir(), V) = 0 | paging::PS | P | W;
    say_read(V);
}
void pgd_1023() { rung::hypercall(hcall::SET_PGD, dir(), 1023); }
void pgtable_1023()
{
    u32 d = paging::new_directory();
    paging::at(d)[1023] = paging::alloc_frame() | P | W;
    rung::hypercall(hcall::NEW_PGTABLE, d);
}
void pte_1023() { rung::hypercall(hcall::SET_PTE, dir(), SW_REGS, paging::alloc_frame() | P | W); }
// The guest's own directory entry 1023, written behind the host's back
// (never told), pointing at a table that maps its own frames over the
// switcher's pages: the CPU never sees it.
void raw_1023()
{
    u32 before = *reinterpret_cast<volatile u32*>(SW_TEXT);
    u32 table = paging::alloc_frame();
    u32 frame = paging::alloc_frame();
    paging::fill(frame, 0xBAD00000);
    for (u32 i = 0; i < 8; i++) paging::at(table)[i] = frame | P | W | paging::U;
    paging::raw_pde(dir(), SW_TEXT) = table | P | W | paging::U;
    paging::flush_tlb(true);
    u32 after = *reinterpret_cast<volatile u32*>(SW_TEXT);
    RUNG_PROBE("movl $0x12345678, %%eax", "movl %%eax, (%[a])", "", [a] "r"(SW_TEXT));
    bool fault = expect_fault("write to the switcher text after a raw entry 1023", 14, 3, SW_TEXT);
    rung::call_user([] { RUNG_PROBE("", "movl (%[a]), %%eax", "", [a] "r"(SW_TEXT)); });
    fault = expect_fault("ring 3 read of it", 14, 5, SW_TEXT) && fault;
    if (after != before) test::fail("the switcher text reads %x, was %x", after, before);
    else if (fault) ok("a raw directory entry 1023 changed nothing");
}

// ============================================================================
// The switcher's pages: ring-1 writes through every segment register, ring-3
// access, running its code.
// ============================================================================
void sw_ds()
{
    RUNG_PROBE("", "movl %%eax, (%[a])", "", [a] "r"(SW_TEXT));
    expect_fault("write to the switcher text through DS", 14, 3, SW_TEXT);
    RUNG_PROBE("", "movl %%eax, (%[a])", "", [a] "r"(SW_STATE + 0x10));
    expect_fault("write to the state page through DS", 14, 3, SW_STATE + 0x10);
}
void sw_es()
{
    RUNG_PROBE("movl $0x69, %%eax; movl %%eax, %%es", "movl %%eax, %%es:(%[a])", "", [a] "r"(SW_STATE + 0x100));
    expect_fault("write to the state page through ES", 14, 3, SW_STATE + 0x100);
}
void sw_fs()
{
    RUNG_PROBE("movl $0x69, %%eax; movl %%eax, %%fs", "movl %%eax, %%fs:(%[a])", "", [a] "r"(SW_STATE + 0x800));
    expect_fault("write to the state page (the IDT) through FS", 14, 3, SW_STATE + 0x800);
}
void sw_gs()
{
    RUNG_PROBE("movl $0x69, %%eax; movl %%eax, %%gs", "movl %%eax, %%gs:(%[a])", "", [a] "r"(SW_TEXT2 + 0x20));
    expect_fault("write to the switcher text's second page through GS", 14, 3, SW_TEXT2 + 0x20);
}
void sw_ss()
{
    RUNG_PROBE("", "movl %%eax, %%ss:(%[a])", "", [a] "r"(SW_STATE + 0xFFC));
    expect_fault("write to the state page through SS", 14, 3, SW_STATE + 0xFFC);
}
// A data segment based at 0xFFFFF000: offset 0xFFC01000 wraps around 4 GiB
// to linear 0xFFC00000.
void sw_wrap()
{
    load_gdt(20, segment(0xFFFFF000, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
    RUNG_PROBE("movl $0xA1, %%eax; movl %%eax, %%es", "movl %%eax, %%es:(%[a])", "movl $0x69, %%eax; movl %%eax, %%es",
               [a] "r"(0xFFC01000));
    expect_fault("write through ES based at 0xfffff000, wrapping to 0xffc00000", 14, 3, SW_TEXT);
    RUNG_PROBE("movl $0xA1, %%eax; movl %%eax, %%fs", "movl %%eax, %%fs:(%[a])", "movl $0x69, %%eax; movl %%eax, %%fs",
               [a] "r"(0xFFC04000));
    expect_fault("write through FS based at 0xfffff000, wrapping to the state page", 14, 3, SW_STATE);
}
// A data segment based at the switcher itself.
void sw_base()
{
    load_gdt(21, segment(SW_TEXT, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
    RUNG_PROBE("movl $0xA9, %%eax; movl %%eax, %%gs", "movl %%eax, %%gs:0x3040", "movl $0x69, %%eax; movl %%eax, %%gs");
    expect_fault("write through GS based at 0xffc00000 to the state page", 14, 3, SW_STATE + 0x40);
    RUNG_PROBE("movl $0xA9, %%eax; movl %%eax, %%es", "movl %%eax, %%es:0", "movl $0x69, %%eax; movl %%eax, %%es");
    expect_fault("write through ES based at 0xffc00000 to the text", 14, 3, SW_TEXT);
}
u32 r3_target;
struct Target {
    u32 address;
    const char* what;
};
void sw_r3_read()
{
    const Target targets[] = {{SW_TEXT, "ring 3 read of the switcher text"},
                              {SW_REGS, "ring 3 read of the register page"},
                              {SW_STATE, "ring 3 read of the state page"}};
    for (const Target& t : targets) {
        r3_target = t.address;
        rung::call_user([] { RUNG_PROBE("", "movl (%[a]), %%eax", "", [a] "r"(r3_target)); });
        expect_fault(t.what, 14, 5, t.address);
    }
    r3_target = SW_END;
    rung::call_user([] { RUNG_PROBE("", "movl (%[a]), %%eax", "", [a] "r"(r3_target)); });
    expect_fault("ring 3 read past the switcher pages", 14, 4, SW_END);
}
void sw_r3_write()
{
    const Target targets[] = {{SW_TEXT, "ring 3 write to the switcher text"},
                              {SW_REGS + 0x800, "ring 3 write to the register page"},
                              {SW_STATE, "ring 3 write to the state page"}};
    for (const Target& t : targets) {
        r3_target = t.address;
        rung::call_user([] { RUNG_PROBE("", "movl %%eax, (%[a])", "", [a] "r"(r3_target)); });
        expect_fault(t.what, 14, 7, t.address);
    }
}
// Running the switcher's code in ring 1: switcher_enter (the start of the
// text) saves the host's stack pointer in the state page: #PF, error 3.
void sw_exec()
{
    RUNG_PROBE("movl %[t], %%eax", "call *%%eax", "movl rung_probe_esp, %%esp", [t] "i"(SW_TEXT));
    const rung::ProbeResult p = rung::probe;
    if (p.traps == 1 && p.vector == 14 && p.error == 3 && p.eip >= SW_TEXT && p.eip < SW_REGS && p.cs == 0x61 &&
        p.cr2 >= SW_STATE && p.cr2 < SW_END)
        rung::print("attack %s: switcher_enter run in ring 1: got #PF (error 3) writing the state page as expected\n",
                    attack);
    else
        test::fail("switcher code in ring 1: %u traps, vector %u error %x eip %x cs %x cr2 %x", p.traps, p.vector,
                   p.error, p.eip, p.cs, p.cr2);
}
// A switcher stub (the real IDT's gate for 0x80) run in ring 1: it pushes
// the frame and loads the host's data segment 0x58: #GP(0x58).
void sw_stub()
{
    hostile_stub = descriptor::gate_offset(idt_entry(0x80));
    RUNG_PROBE("movl hostile_stub, %%eax", "jmp *%%eax", "movl rung_probe_esp, %%esp");
    const rung::ProbeResult p = rung::probe;
    if (p.traps == 1 && p.vector == 13 && p.error == 0x58 && p.eip >= SW_TEXT && p.eip < SW_REGS && p.cs == 0x61)
        rung::print("attack %s: switcher stub run in ring 1: got #GP (error 58) as expected\n", attack);
    else
        test::fail("switcher stub in ring 1 (at %x): %u traps, vector %u error %x eip %x cs %x", hostile_stub, p.traps,
                   p.vector, p.error, p.eip, p.cs);
}

// The register page, writable in ring 1: the CPU and the switcher rewrite
// the whole TrapFrame at every exit, so scribbling over it changes nothing
// the host uses.  sw_regs leaves the first word alone; sw_regs_nmi writes
// it too (it once held the host's "NMI during a switch" note, which a guest
// could forge: the note now lives in the state page, read-only to guests,
// and the case checks that no NMI is counted).
void scribble_register_page(bool first_word)
{
    volatile u32* regs = reinterpret_cast<volatile u32*>(SW_REGS);
    u64 until = rung::rdtsc() + static_cast<u64>(rung::boot_info->tsc_khz ? rung::boot_info->tsc_khz : 1000000) * 50;
    u32 rounds = 0;
    do {
        for (u32 i = first_word ? 0 : 1; i < 1024; i++) regs[i] = 0xDEAD0000 + i;
        rounds++;
    } while (rung::rdtsc() < until);
    u32 a = 0x11111111, b = 0x22222222, c = 0x33333333, d = 0x44444444;
    u32 call = hcall::SEND_INTERRUPTS;
    asm volatile("int $0x1f" : "+a"(call), "+b"(a), "+c"(b), "+d"(c), "+S"(d) : : "memory");
    if (a != 0x11111111 || b != 0x22222222 || c != 0x33333333 || d != 0x44444444)
        test::fail("registers changed across a hypercall: %x %x %x %x", a, b, c, d);
    // The frame at the end of the page is the last exit's: CS 0x61, SS 0x69.
    if ((regs[1020] & 0xFFFF) != 0x61 || (regs[1023] & 0xFFFF) != 0x69)
        test::fail("the register page's frame: cs %x ss %x", regs[1020], regs[1023]);
    rung::print("attack %s: register page rewritten %u times%s: registers intact as expected\n", attack, rounds,
                first_word ? " (first word too)" : "");
}
void sw_regs() { scribble_register_page(false); }
void sw_regs_nmi() { scribble_register_page(true); }

// ============================================================================
// Privileged instructions: #GP(0) in ring 1 and in ring 3.
// ============================================================================
struct Privileged {
    const char* name;
    void (*run)();
};
const Privileged privileged[] = {
    {"priv_lidt", [] { RUNG_PROBE("", "lidt %[m]", "", [m] "m"(scratch)); }},
    {"priv_lgdt", [] { RUNG_PROBE("", "lgdt %[m]", "", [m] "m"(scratch)); }},
    {"priv_ltr", [] { RUNG_PROBE("movl $0x80, %%eax", "ltr %%ax", ""); }},
    {"priv_lldt", [] { RUNG_PROBE("xorl %%eax, %%eax", "lldt %%ax", ""); }},
    {"priv_cr0", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%cr0", ""); }},
    {"priv_cr3", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%cr3", ""); }},
    {"priv_cr4", [] { RUNG_PROBE("xorl %%eax, %%eax", "movl %%eax, %%cr4", ""); }},
    {"priv_in", [] { RUNG_PROBE("movl $0x40, %%edx", "inb %%dx, %%al", ""); }},
    {"priv_out", [] { RUNG_PROBE("movl $0xF4, %%edx; xorl %%eax, %%eax", "outl %%eax, %%dx", ""); }},
    {"priv_cli", [] { RUNG_PROBE("", "cli", ""); }},
    {"priv_sti", [] { RUNG_PROBE("", "sti", ""); }},
    {"priv_hlt", [] { RUNG_PROBE("", "hlt", ""); }},
    {"priv_sysenter", [] { RUNG_PROBE("", "sysenter", ""); }},
    {"priv_wrmsr", [] { RUNG_PROBE("movl $0x174, %%ecx; movl $0x61, %%eax; xorl %%edx, %%edx", "wrmsr", ""); }},
    {"priv_rdmsr", [] { RUNG_PROBE("movl $0x1B, %%ecx", "rdmsr", ""); }},
    {"priv_invlpg", [] { RUNG_PROBE("", "invlpg %[m]", "", [m] "m"(scratch)); }},
};

bool run_privileged()
{
    for (const Privileged& p : privileged) {
        if (strcmp(p.name, attack) != 0) continue;
        p.run();
        expect_fault("in ring 1", 13, 0);
        rung::call_user(p.run);
        expect_fault("in ring 3", 13, 0);
        return true;
    }
    return false;
}

// ============================================================================
// Interrupt storm: IRQ 0 re-armed with 1 ns from its own handler, pending
// interrupts sent as soon as they wait; ends after STORM_TICKS.
// ============================================================================
constexpr u32 STORM_TICKS = 3000;
volatile u32 storm_ticks = 0;
void storm_tick(rung::GuestFrame&)
{
    storm_ticks = storm_ticks + 1;
    if (storm_ticks < STORM_TICKS) rung::hypercall(hcall::SET_CLOCKEVENT, 1);
}
void storm()
{
    rung::set_trap_handler(32, storm_tick);
    rung::hypercall(hcall::SET_CLOCKEVENT, 1);
    u64 start = rung::rdtsc();
    u32 sends = 0;
    while (storm_ticks < STORM_TICKS) {
        if (rung::lguest_data.irq_pending && rung::irq_enabled()) {
            rung::hypercall(hcall::SEND_INTERRUPTS);
            sends++;
        }
        if (rung::boot_info->tsc_khz && rung::rdtsc() - start > static_cast<u64>(rung::boot_info->tsc_khz) * 20000) {
            test::fail("only %u timer interrupts in 20 s", storm_ticks);
            return;
        }
    }
    rung::print("attack %s: %u timer interrupts at 1 ns, then stopped, as expected\n", attack, storm_ticks);
}

// ============================================================================
// Odds and ends.
// ============================================================================
// GDT entry 0 written: a null selector stays null, unusable: SS and CS
// cannot load it, lar calls it invalid.
void gdt_0()
{
    load_gdt(0, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 1));
    RUNG_PROBE("movl $1, %%eax", "movl %%eax, %%ss", "");
    expect_fault("SS loaded with selector 1 after writing GDT entry 0", 13, 0);
    RUNG_PROBE("", "lcall $1, $hostile_far_code", "");
    expect_fault("far call to selector 1", 13, 0);
    u32 rights = 0;
    u8 valid;
    asm volatile("lar %[s], %[r]; setz %[ok]" : [r] "=r"(rights), [ok] "=q"(valid) : [s] "r"(1u), "[r]"(0u) : "cc");
    if (valid) test::fail("lar says selector 1 is valid (rights %x)", rights);
    else ok("lar: selector 1 is invalid");
}

// The kernel code segment (entry 12, selector 0x61, where the host sends
// every trap) made not present while the guest runs on a code segment of its
// own (entry 18): allowed, but then a direct trap (#DE through a trap gate)
// meets a not-present CS: #NP while delivering #DE, a double fault, which is
// the host's vector: killed.  And a reflected one: killed at once.
void leave_kernel_code()
{
    load_gdt(18, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 1));
    asm volatile("ljmp $0x91, $1f\n1:" ::: "memory");
    Descriptor gone = segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 1);
    gone.set_present(false);
    load_gdt(12, gone);
}
void double_fault()
{
    rung::set_trap_handler(0, rung::probe_handler, rung::TRAP_GATE, 0); // #DE: direct
    leave_kernel_code();
    asm volatile("xorl %%edx, %%edx\n\t"
                 "xorl %%ecx, %%ecx\n\t"
                 "movl $1, %%eax\n\t"
                 "divl %%ecx" ::: "eax", "ecx", "edx", "memory");
}
void code_gone()
{
    leave_kernel_code();
    rung::print("running on CS %x\n", hostile_cs());
    asm volatile("ud2");
}

// x87 exception state across guests: fpu_poison leaves an unmasked divide
// by zero pending in its FPU state and sleeps; fpu_victim uses the FPU
// meanwhile (never fninit) and must see no #MF; the poison's own fwait then
// gets its #MF.
volatile u32 ticks = 0;
void on_tick(rung::GuestFrame&) { ticks = ticks + 1; }
void sleep_ms(u32 ms)
{
    u32 before = ticks;
    rung::hypercall(hcall::SET_CLOCKEVENT, ms * 1000000);
    while (ticks == before) rung::hypercall(hcall::HALT);
}
void fpu_poison()
{
    rung::set_trap_handler(32, on_tick);
    u16 control = 0x037B; // every exception masked but divide by zero
    asm volatile("fninit\n\t"
                 "fldcw %0\n\t"
                 "fldz\n\t"
                 "fld1\n\t"
                 "fdiv %%st(1), %%st" ::"m"(control));
    for (u32 i = 0; i < 10; i++) sleep_ms(5);
    RUNG_PROBE("", "fwait", "");
    expect_fault("fwait after its own pending divide by zero", 16, 0);
    asm volatile("fninit");
}
void fpu_victim()
{
    rung::set_trap_handler(32, on_tick);
    u32 good = 0;
    for (u32 i = 0; i < 25; i++) {
        RUNG_PROBE("", "fld1; fld1; faddp; fstpl fpu_result_copy; fwait", "");
        bool clean = rung::check_no_trap("FPU use while another guest has an exception pending");
        if (fpu_result_copy != 0x4000000000000000ull) test::fail("1 + 1 = %llx (as a double)", fpu_result_copy);
        else if (clean) good++;
        sleep_ms(2);
    }
    if (good == 25) ok("25 rounds of FPU use, no #MF from the other guest's state");
}

// ============================================================================
// The LDT (issue: a guest could load segment registers from a descriptor it
// planted in its own memory, through the CPU's reset LDTR, and make the
// switcher fault on the way back in).  The host's LDTR is null, so each load
// of an LDT selector raises #GP with the selector, its RPL bits cleared.
// ============================================================================
constexpr u32 LDT_SELECTOR = 0x80DD; // index 0x101B, TI, RPL 1: a descriptor at linear 0x80D8
void plant_ldt_descriptor()
{
    Descriptor d = segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW | descriptor::TYPE_ACCESSED, 1);
    auto* slot = reinterpret_cast<volatile u32*>((LDT_SELECTOR & ~7u));
    slot[0] = d.low;
    slot[1] = d.high;
}
void ldt_ds()
{
    plant_ldt_descriptor();
    RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%ds", "movl $0x69, %%eax; movl %%eax, %%ds", [s] "i"(LDT_SELECTOR));
    expect_fault("DS loaded with LDT selector 0x80dd over a planted descriptor", 13, LDT_SELECTOR & ~3u);
}
void ldt_es()
{
    plant_ldt_descriptor();
    RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%es", "movl $0x69, %%eax; movl %%eax, %%es", [s] "i"(LDT_SELECTOR));
    expect_fault("ES loaded with LDT selector 0x80dd over a planted descriptor", 13, LDT_SELECTOR & ~3u);
}
void ldt_fs()
{
    plant_ldt_descriptor();
    RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%fs", "xorl %%eax, %%eax; movl %%eax, %%fs", [s] "i"(LDT_SELECTOR));
    expect_fault("FS loaded with LDT selector 0x80dd over a planted descriptor", 13, LDT_SELECTOR & ~3u);
}
void ldt_gs()
{
    plant_ldt_descriptor();
    RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%gs", "xorl %%eax, %%eax; movl %%eax, %%gs", [s] "i"(LDT_SELECTOR));
    expect_fault("GS loaded with LDT selector 0x80dd over a planted descriptor", 13, LDT_SELECTOR & ~3u);
    // The sequence: a FLUSH_TLB right after (the switcher's pop of GS
    // faulted on the planted page once it was no longer mapped).
    rung::hypercall(hcall::FLUSH_TLB, 1);
    ok("FLUSH_TLB after the refused load came back");
}
void ldt_ss()
{
    plant_ldt_descriptor();
    RUNG_PROBE("movl %[s], %%eax", "movl %%eax, %%ss", "", [s] "i"(LDT_SELECTOR));
    expect_fault("SS loaded with LDT selector 0x80dd over a planted descriptor", 13, LDT_SELECTOR & ~3u);
}

// ============================================================================
// Traps into an unusable kernel code segment, and from ring 2 (issue: both
// made the switcher's iret fault, and the host replayed the last exit
// forever with its interrupts off).
// ============================================================================
// Entry 12 not present, the guest running on another ring-1 code segment,
// and the #UD gate's handler at offset 0: the host must refuse the frame
// before its iret to 0x61, even though offset 0 is within any limit.
void gate_offset0()
{
    leave_kernel_code();
    rung::hypercall(hcall::LOAD_IDT_ENTRY, 6, 0x61u << 16, 0x0000AE00); // present, DPL 1, interrupt, offset 0
    asm volatile("ud2");
}

// Ring 2: DPL 2 code (0x92) and data (0x9A); a #UD there goes through an
// interrupt gate to ring 1, on the SET_STACK stack, with the ring-2 SS:ESP
// on the frame, exactly as the CPU delivers it.
extern "C" {
void hostile_call_ring2(u32 stack_top);
extern char hostile_ring2_ud[];
}
asm(".text\n"
    "hostile_call_ring2:\n\t"
    "pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n\t"
    "movl %ds, %eax; pushl %eax; movl %es, %eax; pushl %eax\n\t"
    "movl %fs, %eax; pushl %eax; movl %gs, %eax; pushl %eax\n\t"
    "movl %esp, rung_user_saved_esp\n\t"
    "movl 36(%esp), %edx\n\t"
    "pushl $0x9A; pushl %edx; pushl $0x202; pushl $0x92; pushl $1f\n\t"
    "iret\n"
    "1:\tmovl $0x9A, %eax; movl %eax, %ds; movl %eax, %es\n"
    "hostile_ring2_ud:\n\t"
    "ud2\n");
extern "C" char rung_user_resume[];
alignas(4096) u8 ring2_stack[4096];
rung::GuestFrame ring2_seen;
u32 ring2_handler_frame;
void on_ring2_ud(rung::GuestFrame& f)
{
    ring2_seen = f;
    ring2_handler_frame = reinterpret_cast<u32>(&f);
    f.eip = reinterpret_cast<u32>(rung_user_resume); // back to ring 1, as call_user comes back
    f.cs = 0x61;
}
void ring2_trap()
{
    load_gdt(18, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 2));
    load_gdt(19, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 2));
    rung::set_trap_handler(6, on_ring2_ud);
    u32 top = reinterpret_cast<u32>(ring2_stack + sizeof ring2_stack);
    hostile_call_ring2(top);
    const rung::GuestFrame& f = ring2_seen;
    u32 stack = reinterpret_cast<u32>(ring2_stack);
    if ((f.cs & 0xFFFF) != 0x92 || (f.ss & 0xFFFF) != 0x9A || f.esp != top || f.eip != reinterpret_cast<u32>(hostile_ring2_ud))
        test::fail("ring-2 #UD frame: CS %x SS %x ESP %x EIP %x", f.cs, f.ss, f.esp, f.eip);
    else if (ring2_handler_frame >= stack && ring2_handler_frame < top)
        test::fail("the ring-1 handler ran on the ring-2 stack (frame at %x)", ring2_handler_frame);
    else
        ok("#UD from ring 2 came to ring 1 on the SET_STACK stack with the ring-2 SS:ESP");
}

// ============================================================================
// FPU state of another guest (issue: fninit clears neither the x87 data
// registers nor XMM0-7, so a guest whose first FPU instruction was fxsave
// read another's).  fpu_secret fills them and sleeps; fpu_snoop's first FPU
// instruction saves the whole state and finds nothing but zeros.
// ============================================================================
alignas(16) u8 fpu_image[512];
void fpu_secret()
{
    rung::set_trap_handler(32, on_tick);
    for (u32 i = 0; i < 512; i++) fpu_image[i] = 0xA5;
    asm volatile("fninit; fldpi; fldpi; fldpi; fldpi; fldpi; fldpi; fldpi; fldpi" ::: "memory");
    if (rung::has_sse())
        asm volatile("movups (%0), %%xmm0; movups (%0), %%xmm1; movups (%0), %%xmm2; movups (%0), %%xmm3\n\t"
                     "movups (%0), %%xmm4; movups (%0), %%xmm5; movups (%0), %%xmm6; movups (%0), %%xmm7"
                     ::"r"(fpu_image) : "memory");
    for (u32 i = 0; i < 40; i++) sleep_ms(5); // the snooper looks meanwhile
    ok("FPU registers filled while another guest looked");
}
void fpu_snoop()
{
    rung::set_trap_handler(32, on_tick);
    sleep_ms(40); // after the secret's guest has filled its registers
    for (u32 i = 0; i < 512; i++) fpu_image[i] = 0xEE;
    bool fx = rung::has_sse();
    // The first FPU instruction of this guest's life.
    if (fx) asm volatile("fxsave %0" : "=m"(fpu_image));
    else asm volatile("fnsave %0" : "=m"(fpu_image));
    // The x87 registers: 8 of 10 bytes, at 32 in slots of 16 (fxsave) or
    // packed at 28 (fnsave); XMM0-7: 8 of 16 bytes at 160.  The fill byte
    // shows what the instruction did not write (fxsave's reserved bytes).
    for (u32 r = 0; r < 8; r++)
        for (u32 i = 0; i < (fx ? 26u : 10u); i++) {
            u32 at = fx ? (i < 10 ? 32 + 16 * r + i : 160 + 16 * r + (i - 10)) : 28 + 10 * r + i;
            if (fpu_image[at] != 0) {
                test::fail("a new FPU user's %s image has %02x at byte %u: another guest's state",
                           fx ? "fxsave" : "fnsave", fpu_image[at], at);
                return;
            }
        }
    ok(fx ? "the first fxsave of a life shows empty x87 and XMM registers"
          : "the first fnsave of a life shows empty x87 registers");
}

// A console flood in one exit (issue: 1 MiB of console text written inside
// one FLUSH_ASYNC kept every other guest off the CPU for seconds): 64
// CONSOLE_WRITEs of 4096 bytes of 0xFF on the ring, one FLUSH_ASYNC.  The
// host takes what fits in this guest's share of its output queue and makes
// the call wait for the rest; the witness runs meanwhile, and the host's
// longest slice stays within a few ticks (the case checks it).
alignas(4096) u8 flood_bytes[4096];
void flood_ring()
{
    for (u8& b : flood_bytes) b = 0xFF;
    for (u32 i = 0; i < ASYNC_SLOTS; i++) rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(flood_bytes), 4096);
    rung::hypercall(hcall::FLUSH_ASYNC);
    u32 done = 0;
    for (u32 i = 0; i < ASYNC_SLOTS; i++) done += rung::lguest_data.hcall_status[i] == ASYNC_FREE;
    rung::print("\n");
    if (done != ASYNC_SLOTS) test::fail("%u of %u queued writes done after FLUSH_ASYNC", done, ASYNC_SLOTS);
    else ok("64 queued writes of 4096 bytes done by one FLUSH_ASYNC");
}

// The switcher's last line of defence, with the host's help (kernel option
// inject_switch_faults, vmm/fault_injection.h): at this guest's LGUEST_INIT
// the host broke the saved register its name ends with, and the switcher's
// reload of it must have faulted and ended the guest before it gets here.
void inject() { rung::hypercall(hcall::SEND_INTERRUPTS); }

// Console and SHUTDOWN text cannot forge host lines: every console line gets
// the guest's prefix, control bytes are escaped.
void forge_line()
{
    static const char text[] = "x\nrung: guest witness killed: forged\n\rrung: all guests finished: 99 powered off, "
                               "0 killed, 0 rejected\n\x1b[2Kfake\n";
    rung::write(text, sizeof text - 1);
    ok("host lines forged on the console");
}
void forge_shut() { rung::shutdown("bye\nrung: guest witness killed: forged"); }
void forge_long()
{
    static char text[201];
    for (u32 i = 0; i < 200; i++) text[i] = static_cast<char>('A' + i / 128);
    rung::shutdown(text);
}

// A guest that never lets go: interrupts off, no hypercall, 300 ms of work.
void hog()
{
    rung::irq_disable();
    u32 khz = rung::boot_info->tsc_khz;
    u64 start = rung::rdtsc();
    u32 spins = 0;
    while (khz ? rung::rdtsc() - start < static_cast<u64>(khz) * 300 : spins < 100000000) {
        spins++;
        asm volatile("" ::: "memory");
    }
    rung::irq_enable();
    ok("300 ms with interrupts off and no hypercall");
}

// ============================================================================
// Host memory.  Shadow page tables come from one pool of host frames that
// every guest draws on (up to 1024 tables each), with nothing set aside per
// guest.  pool_hog drains that pool to exactly zero, and holds it there:
//   1. it points directory slots 1-1022 at one page table of its own and
//      touches one slot after another: each costs the host a shadow table,
//      until the pool runs dry and the host drops all of this guest's shadow
//      tables to carry on (its own flush, seen as the sentinel slot's PDE
//      accessed bit coming back);
//   2. after that flush it holds three tables (slot 0, the sentinel, the
//      slot being touched) and the pool holds the rest, P frames: it touches
//      fresh slots until the next flush, which tells P;
//   3. after that second flush it is back at the same three tables and the
//      same P, and touches exactly P fresh slots: the pool is empty, and no
//      flush comes.
// Then it sleeps, holding them.  pool_victim, an innocent guest, creates a
// second address space meanwhile (NEW_PGTABLE of a new directory), which
// needs one host frame.  It must survive: what another guest does with its
// own tables must not kill it.
// ============================================================================
constexpr u32 SENTINEL = 1;
u32 slot_va(u32 slot) { return slot << 22; }
void touch(u32 slot) { (void)*reinterpret_cast<volatile u32*>(slot_va(slot)); }
bool was_flushed()
{
    touch(SENTINEL);
    volatile u32& pde = paging::raw_pde(dir(), slot_va(SENTINEL));
    bool flushed = pde & paging::A;
    pde = pde & ~paging::A; // the host sets it again only if it refills the slot
    return flushed;
}
volatile u32 naps = 0;
void on_nap(rung::GuestFrame&) { naps = naps + 1; }
void nap_ms(u32 ms)
{
    while (ms) {
        u32 chunk = ms < 1000 ? ms : 1000; // SET_CLOCKEVENT takes 32-bit nanoseconds
        u32 before = naps;
        rung::hypercall(hcall::SET_CLOCKEVENT, chunk * 1000000);
        while (naps == before) rung::hypercall(hcall::HALT);
        ms -= chunk;
    }
}

// The time (us) of a fixed piece of work: how fast this CPU runs guest
// code, so that the two pool guests can agree on "later" under QEMU (guest
// time is real time) as under Bochs (guest time is instructions).  The best
// of three, so that a preemption does not count.
u32 work_us()
{
    u32 khz = rung::boot_info->tsc_khz ? rung::boot_info->tsc_khz : 1000000;
    u64 best = ~0ull;
    for (u32 round = 0; round < 3; round++) {
        u64 start = rung::rdtsc();
        for (u32 i = 0; i < 50000; i++) asm volatile("" ::: "memory");
        u64 took = rung::rdtsc() - start;
        if (took < best) best = took;
    }
    return static_cast<u32>(best * 1000 / khz);
}

// How long pool_victim waits for pool_hog to drain the pool: 500 ms under
// QEMU (the drain takes about 150 ms there); under Bochs, where guest time
// counts instructions, 100 times the work above (the drain takes about 35).
u32 victim_wait_ms()
{
    u32 scaled = 100 * work_us() / 1000;
    return scaled > 500 ? scaled : 500;
}

void pool_hog()
{
    rung::set_trap_handler(32, on_nap);
    u32 table = paging::alloc_frame();
    paging::at(table)[0] = paging::alloc_frame() | P | W;
    for (u32 slot = 1; slot < 1023; slot++) paging::raw_pde(dir(), slot_va(slot)) = table | P | W; // not present before
    was_flushed(); // the sentinel's first fill, and its A bit cleared
    u32 first = 0;
    for (u32 slot = 2; slot < 1023 && !first; slot++) {
        touch(slot);
        if (was_flushed()) first = slot;
    }
    if (!first) {
        test::skip("the host's frame pool outlasted 1021 shadow tables (give the case less memory)");
        return;
    }
    // Fresh slots: any but the sentinel and the one the flush came at.
    u32 count = 0, second = 0;
    for (u32 slot = 2; slot < 1023 && !second; slot++) {
        if (slot == first) continue;
        touch(slot);
        count++;
        if (was_flushed()) second = slot;
    }
    if (!second) {
        test::error("no second flush after %u fresh slots", count);
        return;
    }
    u32 pool = count - 1;
    u32 done = 0;
    for (u32 slot = 2; slot < 1023 && done < pool; slot++) {
        if (slot == second) continue;
        touch(slot);
        done++;
    }
    if (was_flushed() || done != pool) {
        test::error("the pool was not %u frames (%u touched)", pool, done);
        return;
    }
    rung::print("attack %s: host frame pool drained to 0 (%u frames after its own tables), holding\n", attack, pool);
    nap_ms(2 * victim_wait_ms() + 500); // well past the victim's NEW_PGTABLE
    if (was_flushed()) test::error("flushed while holding");
    ok("kept its shadow tables until the victim was done");
}

void pool_victim()
{
    rung::set_trap_handler(32, on_nap);
    nap_ms(victim_wait_ms()); // the hog drains the pool meanwhile
    u32 d = paging::new_directory();
    paging::switch_to(d); // one host frame for its shadow
    paging::switch_to(paging::boot_directory());
    ok("a second address space created while another guest hogs host memory");
}

// pool_stall, another innocent guest, maps a page in a new 4 MiB slot while
// the pool is empty and reads it (code in slot 0, data in slot 5): the host
// finds no frame for slot 5's shadow table, drops this guest's shadow tables
// (slot 0's) to make room, maps slot 5, and the instruction fetch in slot 0
// then needs a table again, and so on.  The read must complete at once.
void pool_stall()
{
    rung::set_trap_handler(32, on_nap);
    paging::map(dir(), 5u << 22, paging::alloc_frame(), P | W);
    nap_ms(victim_wait_ms());
    u32 khz = rung::boot_info->tsc_khz ? rung::boot_info->tsc_khz : 1000000;
    u64 start = rung::rdtsc();
    touch(5);
    u32 took = static_cast<u32>((rung::rdtsc() - start) / khz);
    if (took > 100) test::fail("one read in a new slot took %u ms", took);
    else ok("a read in a new 4 MiB slot while another guest hogs host memory");
}

// ============================================================================
// The table.
// ============================================================================
enum class Setup {
    raw,  // nothing: not even LGUEST_INIT
    init, // LGUEST_INIT only
    full, // LGUEST_INIT, traps, ring 3, probe handlers on every exception, interrupts on
};
enum class Ends { kill, verdict };

struct Attack {
    const char* name;
    Setup setup;
    Ends ends;
    void (*run)();
};

const Attack attacks[] = {
    // Guest-physical addresses.
    {"init_out", Setup::raw, Ends::kill, init_out},
    {"init_wrap", Setup::raw, Ends::kill, init_wrap},
    {"init_unalign", Setup::raw, Ends::kill, init_unalign},
    {"shut_out", Setup::raw, Ends::kill, shut_out},
    {"shut_wrap", Setup::raw, Ends::kill, shut_wrap},
    {"shut_edge", Setup::raw, Ends::kill, shut_edge}, // powers off: never comes back either
    {"write_wrap", Setup::raw, Ends::kill, write_wrap},
    {"write_over", Setup::raw, Ends::kill, write_over},
    {"write_long", Setup::raw, Ends::kill, write_long},
    {"write_huge", Setup::raw, Ends::kill, write_huge},
    {"write_zero", Setup::raw, Ends::verdict, write_zero},
    {"write_zero_end", Setup::raw, Ends::kill, write_zero_end},
    {"tls_out", Setup::init, Ends::kill, tls_out},
    {"tls_wrap", Setup::init, Ends::kill, tls_wrap},
    {"pgtable_0", Setup::init, Ends::kill, pgtable_0},
    {"pgtable_end", Setup::init, Ends::kill, pgtable_end},
    {"pgtable_wrap", Setup::init, Ends::kill, pgtable_wrap},
    {"pgtable_unal", Setup::init, Ends::kill, pgtable_unal},
    {"setpte_out", Setup::init, Ends::kill, setpte_out},
    {"setpte_wrap", Setup::init, Ends::kill, setpte_wrap},
    {"setpte_unal", Setup::init, Ends::kill, setpte_unal},
    {"setpgd_out", Setup::init, Ends::kill, setpgd_out},
    {"setpgd_wrap", Setup::init, Ends::kill, setpgd_wrap},
    // The hypercall protocol.
    {"early_idt", Setup::raw, Ends::kill, early_idt},
    {"early_tls", Setup::raw, Ends::kill, early_tls},
    {"early_trap", Setup::raw, Ends::kill, early_trap},
    {"init_twice", Setup::raw, Ends::kill, init_twice},
    {"bad_number", Setup::init, Ends::kill, bad_number},
    {"bad_gap", Setup::init, Ends::kill, bad_gap},
    {"hc_ring3", Setup::full, Ends::verdict, hc_ring3},
    {"halt_off", Setup::full, Ends::kill, halt_off},
    {"ring_badnum", Setup::init, Ends::kill, ring_badnum},
    {"ring_badgpa", Setup::init, Ends::kill, ring_badgpa},
    {"ring_init", Setup::init, Ends::kill, ring_init},
    {"ring_refill", Setup::init, Ends::verdict, ring_refill},
    // The GDT.
    {"gdt_callgate", Setup::full, Ends::verdict, gdt_callgate},
    {"gdt_tss", Setup::full, Ends::verdict, gdt_tss},
    {"gdt_ldt", Setup::full, Ends::verdict, gdt_ldt},
    {"gdt_taskgate", Setup::full, Ends::verdict, gdt_taskgate},
    {"gdt_dpl0code", Setup::full, Ends::verdict, gdt_dpl0code},
    {"gdt_host", Setup::full, Ends::verdict, gdt_host},
    {"gdt_32", Setup::init, Ends::kill, gdt_32},
    {"gdt_neg", Setup::init, Ends::kill, gdt_neg},
    {"gdt_cs", Setup::init, Ends::kill, gdt_cs},
    {"gdt_ss", Setup::init, Ends::kill, gdt_ss},
    {"gdt_ds_null", Setup::full, Ends::verdict, gdt_ds_null},
    {"tls_kinds", Setup::full, Ends::verdict, tls_kinds},
    {"tls_kinds2", Setup::full, Ends::verdict, tls_kinds2},
    {"seg_hostsel", Setup::full, Ends::verdict, seg_hostsel},
    // The IDT.
    {"idt_task", Setup::init, Ends::kill, idt_task},
    {"idt_16int", Setup::init, Ends::kill, idt_16int},
    {"idt_16trap", Setup::init, Ends::kill, idt_16trap},
    {"idt_segment", Setup::init, Ends::kill, idt_segment},
    {"idt_256", Setup::init, Ends::kill, idt_256},
    {"idt_nmi_task", Setup::init, Ends::verdict, idt_nmi_task},
    {"idt_ignored", Setup::full, Ends::verdict, idt_ignored},
    {"idt_hostsel", Setup::full, Ends::verdict, idt_hostsel},
    {"nmi_gate", Setup::full, Ends::verdict, nmi_gate},
    {"int_hostvec", Setup::full, Ends::verdict, int_hostvec},
    {"int_errvec", Setup::full, Ends::verdict, int_errvec},
    // SET_STACK and trap frames.
    {"stack_rpl0", Setup::full, Ends::kill, stack_rpl0},
    {"stack_rpl3", Setup::full, Ends::kill, stack_rpl3},
    {"stack_code", Setup::full, Ends::kill, stack_code},
    {"stack_ro", Setup::full, Ends::kill, stack_ro},
    {"stack_unmapped", Setup::full, Ends::kill, stack_unmapped},
    {"stack_high", Setup::full, Ends::kill, stack_high},
    {"stack_at_top", Setup::full, Ends::kill, stack_at_top},
    {"stack_pages0", Setup::full, Ends::kill, stack_pages0},
    {"stack_pages3", Setup::full, Ends::kill, stack_pages3},
    {"stack_wrap", Setup::full, Ends::kill, stack_wrap},
    {"stack_segregs", Setup::full, Ends::kill, stack_segregs},
    {"stack_top_ok", Setup::full, Ends::verdict, stack_top_ok},
    {"frame_ring1", Setup::full, Ends::kill, frame_ring1},
    {"frame_direct", Setup::full, Ends::kill, frame_direct},
    {"frame_split", Setup::full, Ends::kill, frame_split},
    {"frame_regs", Setup::full, Ends::kill, frame_regs},
    {"ss13_regs", Setup::full, Ends::kill, ss13_regs},
    {"frame_state", Setup::full, Ends::kill, frame_state},
    {"frame_ring3", Setup::full, Ends::kill, frame_ring3},
    {"frame_r3_direct", Setup::full, Ends::kill, frame_r3_direct},
    // Page tables.
    {"pte_switcher", Setup::full, Ends::kill, pte_switcher},
    {"pte_other", Setup::full, Ends::kill, pte_other},
    {"pte_fault_big", Setup::full, Ends::kill, pte_fault_big},
    {"pde_set_big", Setup::full, Ends::kill, pde_set_big},
    {"pde_fault_big", Setup::full, Ends::kill, pde_fault_big},
    {"large_set", Setup::full, Ends::kill, large_set},
    {"large_fault", Setup::full, Ends::kill, large_fault},
    {"pgd_1023", Setup::full, Ends::kill, pgd_1023},
    {"pgtable_1023", Setup::full, Ends::kill, pgtable_1023},
    {"pte_1023", Setup::full, Ends::kill, pte_1023},
    {"raw_1023", Setup::full, Ends::verdict, raw_1023},
    // The switcher's pages.
    {"sw_ds", Setup::full, Ends::verdict, sw_ds},
    {"sw_es", Setup::full, Ends::verdict, sw_es},
    {"sw_fs", Setup::full, Ends::verdict, sw_fs},
    {"sw_gs", Setup::full, Ends::verdict, sw_gs},
    {"sw_ss", Setup::full, Ends::verdict, sw_ss},
    {"sw_wrap", Setup::full, Ends::verdict, sw_wrap},
    {"sw_base", Setup::full, Ends::verdict, sw_base},
    {"sw_r3_read", Setup::full, Ends::verdict, sw_r3_read},
    {"sw_r3_write", Setup::full, Ends::verdict, sw_r3_write},
    {"sw_exec", Setup::full, Ends::verdict, sw_exec},
    {"sw_stub", Setup::full, Ends::verdict, sw_stub},
    {"sw_regs", Setup::full, Ends::verdict, sw_regs},
    {"sw_regs_nmi", Setup::full, Ends::verdict, sw_regs_nmi},
    // Interrupts.
    {"storm", Setup::full, Ends::verdict, storm},
    {"hog", Setup::full, Ends::verdict, hog},
    // Odds and ends.
    {"gdt_0", Setup::full, Ends::verdict, gdt_0},
    {"double_fault", Setup::full, Ends::kill, double_fault},
    {"code_gone", Setup::full, Ends::kill, code_gone},
    {"fpu_poison", Setup::full, Ends::verdict, fpu_poison},
    {"fpu_victim", Setup::full, Ends::verdict, fpu_victim},
    {"ldt_ds", Setup::full, Ends::verdict, ldt_ds},
    {"ldt_es", Setup::full, Ends::verdict, ldt_es},
    {"ldt_fs", Setup::full, Ends::verdict, ldt_fs},
    {"ldt_gs", Setup::full, Ends::verdict, ldt_gs},
    {"ldt_ss", Setup::full, Ends::verdict, ldt_ss},
    {"gate_offset0", Setup::full, Ends::kill, gate_offset0},
    {"ring2_trap", Setup::full, Ends::verdict, ring2_trap},
    {"fpu_secret", Setup::full, Ends::verdict, fpu_secret},
    {"fpu_snoop", Setup::full, Ends::verdict, fpu_snoop},
    {"flood_ring", Setup::init, Ends::verdict, flood_ring},
    {"inject_gs", Setup::full, Ends::kill, inject},
    {"inject_fs", Setup::full, Ends::kill, inject},
    {"inject_es", Setup::full, Ends::kill, inject},
    {"inject_ds", Setup::full, Ends::kill, inject},
    {"inject_cs", Setup::full, Ends::kill, inject},
    {"inject_ss", Setup::full, Ends::kill, inject},
    {"forge_line", Setup::init, Ends::verdict, forge_line},
    {"forge_shut", Setup::init, Ends::kill, forge_shut},
    {"forge_long", Setup::init, Ends::kill, forge_long},
    // Host memory.
    {"pool_hog", Setup::full, Ends::verdict, pool_hog},
    {"pool_victim", Setup::full, Ends::verdict, pool_victim},
    {"pool_stall", Setup::full, Ends::verdict, pool_stall},
};

} // namespace

void guest_main()
{
    attack = rung::name();
    const Attack* found = nullptr;
    for (const Attack& a : attacks)
        if (strcmp(a.name, attack) == 0) found = &a;
    bool privileged_attack = memcmp(attack, "priv_", 5) == 0;
    Setup setup = found ? found->setup : Setup::full;
    if (setup != Setup::raw) rung::init();
    if (setup == Setup::full) {
        rung::init_traps();
        rung::init_user();
        rung::probe_gates(rung::INTERRUPT_GATE);
        rung::irq_enable();
    }
    if (found) {
        found->run();
        if (found->ends == Ends::kill) {
            rung::print("attack %s: survived\n", attack);
            test::fail("the attack was not stopped");
        }
    } else if (privileged_attack) {
        if (!run_privileged()) test::error("no attack named %s", attack);
    } else {
        test::error("no attack named %s", attack);
    }
    test::finish();
}
