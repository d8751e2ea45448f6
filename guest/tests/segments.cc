// guest/tests/segments.cc: the guest's GDT (ABI section 6).  The real GDT
// is readable where sgdt says (the state page), so each rule is checked
// twice: in the descriptor the CPU uses, and by using it.
//   - System descriptors (call gate, LDT, TSS, task gate, interrupt gate)
//     are stored not present: a far call or jump through them faults in the
//     guest (#NP, or #GP for types no far transfer accepts), the host goes on.
//   - DPL 0 becomes DPL 1 (lar shows it; DS and CS load it in ring 1); the
//     accessed bit is set.
//   - Writes to entries 10, 11, 16 and 31 change nothing.
//   - LOAD_TLS sets entries 6-8; they are flat: %gs:-4 reaches below the base.
//   - Code and data segments of the guest's own, with base offsets, work in
//     ring 1 and in ring 3; a reflected trap on a stack segment with a base
//     lands at base + ESP.
// The guest named gdt32 writes entry 32 and must be killed.
#include "arch/descriptor.h"
#include "lib/string.h"
#include "probe.h"
#include "test.h"

extern "C" {
// Far call target: returns CS in EAX.
void segments_far_code();
// A trap handler that needs no flat stack: notes its ESP and the frame's
// EIP (read through SS), then irets.
void segments_raw_handler();
// Written by the asm, by name.
u32 segments_through_ds, segments_cs_in_far_code, segments_tls_read[8], segments_own_read[4];
u32 segments_raw_eip, segments_raw_esp, segments_saved_esp, segments_next_eip, segments_offset_esp;
}
asm(".text\n"
    "segments_far_code:\n\t"
    "movl %cs, %eax\n\t"
    "lret\n"
    "segments_raw_handler:\n\t"
    "pushl %eax\n\t"
    "movl %esp, segments_raw_esp\n\t"
    "movl %ss:4(%esp), %eax\n\t"
    "movl %eax, segments_raw_eip\n\t"
    "popl %eax\n\t"
    "iret");

namespace {

using descriptor::gate;
using descriptor::segment;
using descriptor::system;

constexpr u32 P = 1u << 15;

void load_gdt(u32 index, Descriptor d) { rung::hypercall(hcall::LOAD_GDT_ENTRY, index, d.low, d.high); }

// The GDT the CPU uses, read-only to us.
const volatile Descriptor* real_gdt()
{
    struct __attribute__((packed)) {
        u16 limit;
        u32 base;
    } gdtr;
    asm volatile("sgdt %0" : "=m"(gdtr));
    test::check(gdtr.limit == 32 * 8 - 1, "sgdt: a 32-entry GDT");
    return reinterpret_cast<const volatile Descriptor*>(gdtr.base);
}

Descriptor entry(u32 index)
{
    const volatile Descriptor* gdt = real_gdt();
    return Descriptor{gdt[index].low, gdt[index].high};
}

// lar and lsl: the access rights and limit, or false (ZF clear).
bool lar(u32 selector, u32& rights)
{
    u8 ok;
    asm volatile("lar %[s], %[r]; setz %[ok]" : [r] "=r"(rights), [ok] "=q"(ok) : [s] "r"(selector), "[r]"(0u) : "cc");
    return ok;
}

bool lsl(u32 selector, u32& limit)
{
    u8 ok;
    asm volatile("lsl %[s], %[r]; setz %[ok]" : [r] "=r"(limit), [ok] "=q"(ok) : [s] "r"(selector), "[r]"(0u) : "cc");
    return ok;
}

void check_entry(const char* what, u32 index, Descriptor want)
{
    Descriptor got = entry(index);
    if (got == want) return;
    test::fail("%s: GDT entry %u is %08x %08x, expected %08x %08x", what, index, got.high, got.low, want.high,
               want.low);
}

// ---- system descriptors ----------------------------------------------------
alignas(16) u8 fake_tss[104];
alignas(16) u8 fake_ldt[16];

void system_descriptors()
{
    rung::probe_gates(rung::INTERRUPT_GATE);
    struct Sys {
        const char* name;
        u32 index;
        Descriptor d;
        bool lar_valid;         // a type lar reports
    } sys[] = {
        {"call gate", 20, gate(0x61, reinterpret_cast<u32>(segments_far_code), 0xC, 3), true},
        {"LDT", 21, system(reinterpret_cast<u32>(fake_ldt), sizeof fake_ldt - 1, 0x2, 3), true},
        {"TSS", 22, system(reinterpret_cast<u32>(fake_tss), sizeof fake_tss - 1, 0x9, 3), true},
        {"task gate", 23, gate(22 * 8, 0, 0x5, 3), true},
        {"interrupt gate", 24, gate(0x61, reinterpret_cast<u32>(segments_far_code), 0xE, 3), false},
    };
    for (const Sys& s : sys) {
        load_gdt(s.index, s.d);
        Descriptor want = s.d;
        want.set_present(false);
        check_entry(s.name, s.index, want);
        u32 rights = 0;
        bool valid = lar(s.index * 8 + 3, rights);
        if (valid != s.lar_valid || (valid && (rights & 0xFF00) != (s.d.high & 0xFF00 & ~P)))
            test::fail("%s: lar says %s, rights %x", s.name, valid ? "valid" : "invalid", rights);
    }
    // Far transfers through them.  A not-present call gate, TSS or task gate
    // is #NP (its selector); an LDT or an interrupt gate is no target at all: #GP.
    RUNG_PROBE("", "lcall $0xA3, $0", "");
    rung::check_probe("far call through the call gate", {.vector = 11, .error = 0xA0});
    RUNG_PROBE("", "ljmp $0xAB, $0", "");
    rung::check_probe("far jump to the LDT", {.vector = 13, .error = 0xA8});
    RUNG_PROBE("", "ljmp $0xB3, $0", "");
    rung::check_probe("far jump to the TSS", {.vector = 11, .error = 0xB0});
    RUNG_PROBE("", "lcall $0xB3, $0", "");
    rung::check_probe("far call to the TSS", {.vector = 11, .error = 0xB0});
    RUNG_PROBE("", "ljmp $0xBB, $0", "");
    rung::check_probe("far jump through the task gate", {.vector = 11, .error = 0xB8});
    RUNG_PROBE("", "lcall $0xC3, $0", "");
    rung::check_probe("far call through an interrupt gate in the GDT", {.vector = 13, .error = 0xC0});
    // And from ring 3, where each has DPL 3.
    rung::call_user([] { RUNG_PROBE("", "lcall $0xA3, $0", ""); });
    rung::check_probe("far call through the call gate from ring 3", {.vector = 11, .error = 0xA0});
    rung::call_user([] { RUNG_PROBE("", "ljmp $0xBB, $0", ""); });
    rung::check_probe("far jump through the task gate from ring 3", {.vector = 11, .error = 0xB8});
    // Loading them for real is privileged anyway.
    RUNG_PROBE("movl $0xA8, %%eax", "lldt %%ax", "");
    rung::check_probe("lldt", {.vector = 13});
    RUNG_PROBE("movl $0xB0, %%eax", "ltr %%ax", "");
    rung::check_probe("ltr", {.vector = 13});
    rung::print("call gate, LDT, TSS, task gate and interrupt gate stored not present, unusable\n");
}

// ---- DPL 0 becomes 1 ---------------------------------------------------------
u32 window[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};

void dpl0()
{
    Descriptor data = segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 0);
    Descriptor code = segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX, 0);
    load_gdt(17, data);
    load_gdt(18, code);
    Descriptor* made[] = {&data, &code};
    for (Descriptor* d : made) {
        d->set_dpl(1);
        d->high |= descriptor::TYPE_ACCESSED << 8;
    }
    check_entry("DPL 0 data", 17, data);
    check_entry("DPL 0 code", 18, code);
    u32 rights = 0;
    test::check(lar(0x89, rights) && ((rights >> 13) & 3) == 1 && (rights & 0x100),
                "lar: the DPL 0 data segment has DPL 1, accessed");
    test::check(lar(0x91, rights) && ((rights >> 13) & 3) == 1, "lar: the DPL 0 code segment has DPL 1");
    // Usable in ring 1 (with DPL 0 they would be #GP).
    rung::probe_gates(rung::INTERRUPT_GATE);
    RUNG_PROBE("movl %%ds, %%ecx; movl $0x89, %%eax; movl %%eax, %%ds", "movl (%[w]), %%eax",
               "movl %%ecx, %%ds; movl %%eax, segments_through_ds", [w] "r"(&window[2]));
    rung::check_no_trap("data segment from DPL 0, in DS");
    test::check(segments_through_ds == window[2], "read through the DPL 0 (now 1) data segment in DS");
    RUNG_PROBE("", "lcall $0x91, $segments_far_code", "movl %%eax, segments_cs_in_far_code");
    rung::check_no_trap("far call to the code segment from DPL 0");
    test::check(segments_cs_in_far_code == 0x91, "ran in the DPL 0 (now 1) code segment");
    rung::print("DPL 0 data and code segments became DPL 1, accessed\n");
}

// ---- the host's entries ------------------------------------------------------
void host_entries()
{
    const u32 host[] = {10, 11, 16, 31};
    Descriptor before[4];
    bool lar_before[4], lsl_before[4];
    u32 rights[4], limits[4];
    for (u32 i = 0; i < 4; i++) {
        before[i] = entry(host[i]);
        lar_before[i] = lar(host[i] * 8 + 1, rights[i]);
        lsl_before[i] = lsl(host[i] * 8 + 1, limits[i]);
    }
    // A flat DPL 3 data segment: visible to lar and lsl from any ring, were
    // it stored.
    Descriptor flat3 = segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 3);
    for (u32 index : host) load_gdt(index, flat3);
    for (u32 i = 0; i < 4; i++) {
        check_entry("a write to a host entry", host[i], before[i]);
        u32 r = 0, l = 0;
        bool lar_after = lar(host[i] * 8 + 1, r), lsl_after = lsl(host[i] * 8 + 1, l);
        if (lar_after != lar_before[i] || lsl_after != lsl_before[i] || (lar_after && r != rights[i]) ||
            (lsl_after && l != limits[i]))
            test::fail("entry %u: lar/lsl changed after the write", host[i]);
    }
    // The host still switches worlds on its entries: this line is a hypercall.
    rung::print("writes to entries 10, 11, 16 and 31 ignored\n");
}

// ---- LOAD_TLS ----------------------------------------------------------------
u32 tls_data[16] = {0xAAAA0000, 0xAAAA0001, 0xAAAA0002, 0xAAAA0003, 0xBBBB0000, 0xBBBB0001, 0xBBBB0002,
                    0xBBBB0003, 0xCCCC0000, 0xCCCC0001, 0xCCCC0002, 0xCCCC0003};
Descriptor tls[3];

void read_tls_ring3()
{
    asm volatile("movl $0x33, %%eax; movl %%eax, %%gs\n\t"
                 "movl %%gs:0, %%eax; movl %%eax, segments_tls_read+16\n\t"
                 "movl %%gs:-4, %%eax; movl %%eax, segments_tls_read+20\n\t"
                 "movl $0x43, %%eax; movl %%eax, %%fs\n\t"
                 "movl %%fs:4, %%eax; movl %%eax, segments_tls_read+24\n\t"
                 "xorl %%eax, %%eax; movl %%eax, %%fs; movl %%eax, %%gs" ::: "eax", "memory");
}

void load_tls()
{
    // Flat (4 GiB) segments at three bases; entry 7 asks for DPL 0.
    tls[0] = segment(reinterpret_cast<u32>(&tls_data[1]), 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 3);
    tls[1] = segment(reinterpret_cast<u32>(&tls_data[4]), 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 0);
    tls[2] = segment(reinterpret_cast<u32>(&tls_data[8]), 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 3);
    rung::hypercall(hcall::LOAD_TLS, rung::address_of(tls));
    for (u32 i = 0; i < 3; i++) {
        Descriptor want = tls[i];
        if (want.dpl() == 0) want.set_dpl(1);
        want.high |= descriptor::TYPE_ACCESSED << 8;
        check_entry("LOAD_TLS", 6 + i, want);
    }
    asm volatile("movl %%gs, %%ecx\n\t"
                 "movl $0x33, %%eax; movl %%eax, %%gs\n\t"
                 "movl %%gs:0, %%eax; movl %%eax, segments_tls_read\n\t"
                 "movl %%gs:-4, %%eax; movl %%eax, segments_tls_read+4\n\t"
                 "movl $0x39, %%eax; movl %%eax, %%gs\n\t"
                 "movl %%gs:8, %%eax; movl %%eax, segments_tls_read+8\n\t"
                 "movl %%ecx, %%gs" ::: "eax", "ecx", "memory");
    test::check(segments_tls_read[0] == 0xAAAA0001, "%gs:0 through TLS entry 6 reads at its base");
    test::check(segments_tls_read[1] == 0xAAAA0000, "%gs:-4 through TLS entry 6 reads below its base (flat)");
    test::check(segments_tls_read[2] == 0xBBBB0002, "%gs:8 through TLS entry 7 (DPL 0 made 1) in ring 1");
    rung::call_user(read_tls_ring3);
    test::check(segments_tls_read[4] == 0xAAAA0001 && segments_tls_read[5] == 0xAAAA0000, "TLS entry 6 from ring 3");
    test::check(segments_tls_read[6] == 0xCCCC0001, "TLS entry 8 from ring 3");
    u32 rights = 0, limit = 0;
    test::check(lar(0x39, rights) && ((rights >> 13) & 3) == 1, "lar: TLS entry 7 has DPL 1");
    test::check(lsl(0x33, limit) && limit == 0xFFFFFFFF, "lsl: TLS entry 6 is 4 GiB");
    rung::print("LOAD_TLS: entries 6-8 loaded, flat, readable through %%gs and %%fs\n");
}

// ---- segments of our own with base offsets -----------------------------------
constexpr u32 CODE_BASE = 0x1000;

void own_segments_ring3()
{
    asm volatile("movl %%es, %%ecx\n\t"
                 "movl $0xDB, %%eax; movl %%eax, %%es\n\t"
                 "movl %%es:4, %%eax; movl %%eax, segments_own_read+8\n\t"
                 "movl %%ecx, %%es\n\t"
                 "lcall $0xE3, $segments_far_code - %c[base]\n\t"
                 "movl %%eax, segments_own_read+12"
                 :
                 : [base] "i"(CODE_BASE)
                 : "eax", "ecx", "memory");
}

void own_segments()
{
    // 25, 26: data and code for ring 1; 27, 28: for ring 3.  Data at
    // `window`, code at CODE_BASE: offsets there are linear minus the base.
    load_gdt(25, segment(reinterpret_cast<u32>(window), 0xFFF, descriptor::TYPE_DATA_RW, 1));
    load_gdt(26, segment(CODE_BASE, 0xFFFFFFFF - CODE_BASE, descriptor::TYPE_CODE_RX, 1));
    load_gdt(27, segment(reinterpret_cast<u32>(window), 0xFFF, descriptor::TYPE_DATA_RW, 3));
    load_gdt(28, segment(CODE_BASE, 0xFFFFFFFF - CODE_BASE, descriptor::TYPE_CODE_RX, 3));
    asm volatile("movl %%es, %%ecx\n\t"
                 "movl $0xC9, %%eax; movl %%eax, %%es\n\t"
                 "movl %%es:8, %%eax; movl %%eax, segments_own_read\n\t"
                 "movl %%ecx, %%es\n\t"
                 "lcall $0xD1, $segments_far_code - %c[base]\n\t"
                 "movl %%eax, segments_own_read+4"
                 :
                 : [base] "i"(CODE_BASE)
                 : "eax", "ecx", "memory");
    test::check(segments_own_read[0] == window[2], "ring 1 reads through a data segment based at the window");
    test::check(segments_own_read[1] == 0xD1, "ring 1 far call into a code segment based at 4 KiB");
    rung::call_user(own_segments_ring3);
    test::check(segments_own_read[2] == window[1], "ring 3 reads through a data segment based at the window");
    test::check(segments_own_read[3] == 0xE3, "ring 3 far call into a code segment based at 4 KiB");
    rung::print("own code and data segments with base offsets in rings 1 and 3\n");
}

// ---- a stack segment of our own -------------------------------------------------
// The host builds a reflected frame at the stack segment's base + ESP, as
// the CPU would: with SS based at 64 KiB, ESP is 64 KiB less than the
// linear address.
constexpr u32 STACK_BASE = 0x10000;

void own_stack()
{
    load_gdt(29, segment(STACK_BASE, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
    u32 stub = reinterpret_cast<u32>(segments_raw_handler);
    // int3 through an interrupt gate: always reflected by the host.
    rung::hypercall(hcall::LOAD_IDT_ENTRY, 3, (0x61u << 16) | (stub & 0xFFFF),
                    (stub & 0xFFFF0000) | P | (1u << 13) | (rung::INTERRUPT_GATE << 8));
    asm volatile("movl %%esp, segments_saved_esp\n\t"
                 "movl %%esp, %%ecx\n\t"
                 "subl %[base], %%ecx\n\t"
                 "movl %%ecx, segments_offset_esp\n\t"
                 "movl %[ss], %%eax\n\t"
                 "movl %%eax, %%ss\n\t"      // no interrupt between these two
                 "movl %%ecx, %%esp\n\t"
                 "int3\n"
                 "1:\n\t"
                 "movl $1b, segments_next_eip\n\t"
                 "movl $0x69, %%eax\n\t"
                 "movl %%eax, %%ss\n\t"
                 "movl segments_saved_esp, %%esp"
                 :
                 : [base] "i"(STACK_BASE), [ss] "i"(29 * 8 + 1)
                 : "eax", "ecx", "memory");
    rung::irq_enable(); // the raw handler's iret did not restore it
    test::check(segments_raw_eip == segments_next_eip, "the frame's EIP, read through SS");
    test::check(segments_raw_esp + 16 == segments_offset_esp, "the handler's ESP is an offset in the stack segment");
    u32 linear = STACK_BASE + segments_raw_esp + 4;
    test::check(*reinterpret_cast<volatile u32*>(linear) == segments_next_eip,
                "the frame lies at the segment's base + ESP");
    rung::print("a reflected trap on a stack segment based at 64 KiB\n");
}

} // namespace

void guest_main()
{
    rung::init();
    rung::init_traps();
    rung::init_user();
    rung::irq_enable();
    if (strcmp(rung::name(), "gdt32") == 0) {
        load_gdt(32, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW, 1));
        test::fail("LOAD_GDT_ENTRY 32 came back");
        test::finish();
    }
    // The boot segments, as the ABI lays them out.
    check_entry("kernel code", 12, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX | descriptor::TYPE_ACCESSED, 1));
    check_entry("kernel data", 13, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW | descriptor::TYPE_ACCESSED, 1));
    check_entry("user code", 14, segment(0, 0xFFFFFFFF, descriptor::TYPE_CODE_RX | descriptor::TYPE_ACCESSED, 3));
    check_entry("user data", 15, segment(0, 0xFFFFFFFF, descriptor::TYPE_DATA_RW | descriptor::TYPE_ACCESSED, 3));
    system_descriptors();
    dpl0();
    host_entries();
    load_tls();
    own_segments();
    own_stack();
    test::finish();
}
