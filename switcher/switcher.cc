// switcher/switcher.cc
#include "switcher/switcher.h"
#include "arch/gdt.h"
#include "arch/trap_stub_size.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/paging.h"

extern "C" char switcher_image_start[], switcher_enter[], switcher_stubs[], switcher_load_gs[],
    switcher_load_fs[], switcher_load_es[], switcher_load_ds[], switcher_iret[];

namespace switcher {

void (*entry)() = nullptr;

namespace {

u32* host_slot_table = nullptr; // the host's page table for directory slot 1023

u32 text_offset(const char* symbol)
{
    return static_cast<u32>(symbol - switcher_image_start);
}

} // namespace

void init(FrameAllocator& frames)
{
    u32 frame = frames.alloc();
    if (frame == NO_FRAME) panic("no frame for the switcher's page table");
    host_slot_table = reinterpret_cast<u32*>(frame * FRAME_SIZE);
    memset(host_slot_table, 0, PAGE_SIZE);
    u32 text = reinterpret_cast<u32>(switcher_image_start);
    for (u32 i = 0; i < SWITCHER_TEXT_PAGES; i++)
        host_slot_table[i] = (text + i * PAGE_SIZE) | pte::PRESENT; // read-only, even to us
    paging::directory_entries()[1023] = frame * FRAME_SIZE | pte::WRITABLE | pte::PRESENT;
    for (u32 i = 0; i < SWITCHER_TEXT_PAGES; i++) cpu::invlpg(SWITCHER_BASE + i * PAGE_SIZE);
    entry = reinterpret_cast<void (*)()>(SWITCHER_BASE + text_offset(switcher_enter));
}

u32 stub_address(u32 vector)
{
    return SWITCHER_BASE + text_offset(switcher_stubs) + TRAP_STUB_SIZE * vector;
}

void init_state_page(StatePage& s, u32 shadow_directory)
{
    using namespace descriptor;
    memset(&s, 0, sizeof s);
    // The host's entries: the switcher runs on them inside the guest's GDT.
    s.gdt[GDT_HOST_CODE] = host_tables::gdt[GDT_HOST_CODE];
    s.gdt[GDT_HOST_DATA] = host_tables::gdt[GDT_HOST_DATA];
    // The ABI's boot segments; the accessed bit is preset, since the CPU
    // could not set it in a read-only GDT.
    s.gdt[GDT_KERNEL_CODE] = segment(0, 0xFFFFFFFF, TYPE_CODE_RX | TYPE_ACCESSED, 1);
    s.gdt[GDT_KERNEL_DATA] = segment(0, 0xFFFFFFFF, TYPE_DATA_RW | TYPE_ACCESSED, 1);
    s.gdt[GDT_USER_CODE] = segment(0, 0xFFFFFFFF, TYPE_CODE_RX | TYPE_ACCESSED, 3);
    s.gdt[GDT_USER_DATA] = segment(0, 0xFFFFFFFF, TYPE_DATA_RW | TYPE_ACCESSED, 3);
    u32 tss_address = SWITCHER_STATE_PAGE + __builtin_offsetof(StatePage, tss);
    s.gdt[GDT_TSS] = system(tss_address, TSS_LIMIT, TYPE_TSS32_AVAILABLE, 0);

    // Every vector leads back to the host until the guest says otherwise.
    // Only the hypercall gate may be used by software, and only from ring 1.
    for (u32 v = 0; v < 256; v++)
        s.idt[v] = gate(SEL_HOST_CODE, stub_address(v), TYPE_INTERRUPT_GATE, v == HYPERCALL_VECTOR ? 1 : 0);

    s.tss.ss0 = SEL_HOST_DATA;
    s.tss.esp0 = SWITCHER_REGS_PAGE + PAGE_SIZE;
    s.tss.iomap_base = TSS_NO_IOMAP;

    s.guest_gdt = {0, sizeof s.gdt - 1, SWITCHER_STATE_PAGE + static_cast<u32>(__builtin_offsetof(StatePage, gdt))};
    s.guest_idt = {0, sizeof s.idt - 1, SWITCHER_STATE_PAGE + static_cast<u32>(__builtin_offsetof(StatePage, idt))};
    s.guest_cr3 = shadow_directory;
    s.host_gdt = {0, host_tables::gdt_pointer.limit, host_tables::gdt_pointer.base};
    s.host_idt = {0, host_tables::idt_pointer.limit, host_tables::idt_pointer.base};
    s.host_cr3 = paging::directory();
}

void fill_guest_slot(u32* table, u32 regs_page, u32 state_page)
{
    memset(table, 0, PAGE_SIZE);
    u32 text = reinterpret_cast<u32>(switcher_image_start);
    for (u32 i = 0; i < SWITCHER_TEXT_PAGES; i++) table[i] = (text + i * PAGE_SIZE) | pte::PRESENT;
    table[SWITCHER_TEXT_PAGES] = regs_page | pte::WRITABLE | pte::PRESENT;
    table[SWITCHER_TEXT_PAGES + 1] = state_page | pte::PRESENT;
}

void make_current(u32 regs_page, u32 state_page)
{
    u32 index = SWITCHER_TEXT_PAGES;
    if ((host_slot_table[index] & pte::FRAME_MASK) == regs_page) return;
    host_slot_table[index] = regs_page | pte::WRITABLE | pte::PRESENT;
    host_slot_table[index + 1] = state_page | pte::WRITABLE | pte::PRESENT;
    cpu::invlpg(SWITCHER_REGS_PAGE);
    cpu::invlpg(SWITCHER_STATE_PAGE);
}

const char* reload_at(u32 eip)
{
    const struct {
        const char* symbol;
        const char* name;
    } reloads[] = {{switcher_load_gs, "GS"},
                   {switcher_load_fs, "FS"},
                   {switcher_load_es, "ES"},
                   {switcher_load_ds, "DS"},
                   {switcher_iret, "iret"}};
    for (const auto& r : reloads)
        if (eip == SWITCHER_BASE + text_offset(r.symbol)) return r.name;
    return nullptr;
}

RegsPage& regs() { return *reinterpret_cast<RegsPage*>(SWITCHER_REGS_PAGE); }
StatePage& state() { return *reinterpret_cast<StatePage*>(SWITCHER_STATE_PAGE); }

} // namespace switcher
