// kernel/vmm/loader.cc: a guest's memory is one contiguous run of host
// frames, zeroed before each life so nothing of an earlier owner shows
// through.  Above the image the host lays out, in guest memory:
//
//   image_end   boot stack (16 KiB)
//   +16K        struct rung_boot_info, then the module's string
//   +4K         the initial page directory
//   +4K         page tables mapping all guest memory (at 0, and at the offset)
//   free_start
#include "vmm/loader.h"
#include "arch/clock.h"
#include "arch/selectors.h"
#include "boot/physical_memory.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/page_table.h"
#include "switcher/switcher.h"
#include "vmm/elf.h"
#include "vmm/guest_idt.h"
#include "vmm/lazy_fpu.h"
#include "vmm/segments.h"

namespace loader {
namespace {

void free_page(u32 address)
{
    if (address) physical_memory::frames().free(address / FRAME_SIZE);
}

} // namespace

bool create(Guest& g, u32 id, const u8* image, u32 size, const char* module_string, char* error,
            usize error_size)
{
    g = Guest{};
    g.id = id;
    g.image = image;
    g.image_size = size;
    g.module_string = module_string ? module_string : "";
    if (!parse_guest_options(module_string, id, g.options, error, error_size)) return false;
    ElfImage elf;
    if (!parse_elf(image, size, g.options.mem_bytes, elf, error, error_size)) return false;

    FrameAllocator& frames = physical_memory::frames();
    u32 pages = g.options.mem_bytes / PAGE_SIZE;
    u32 first = frames.alloc_contiguous(pages);
    if (first == NO_FRAME) {
        snformat(error, error_size, "not enough host memory for mem=%uK (%u KiB free)",
                 g.options.mem_bytes / 1024, frames.free_frames() * 4);
        return false;
    }
    g.memory_base = first * FRAME_SIZE;
    g.memory_size = g.options.mem_bytes;

    using physical_memory::zeroed_frame;
    u32 regs = zeroed_frame(), state = zeroed_frame(), slot = zeroed_frame();
    g.regs_page = reinterpret_cast<RegsPage*>(regs);
    g.state_page = reinterpret_cast<StatePage*>(state);
    g.slot_table = reinterpret_cast<u32*>(slot);
    if (!regs || !state || !slot || !g.mmu.init(slot)) {
        destroy(g);
        snformat(error, error_size, "not enough host memory for the guest's pages");
        return false;
    }
    switcher::fill_guest_slot(g.slot_table, regs, state);
    return boot(g, error, error_size);
}

bool boot(Guest& g, char* error, usize error_size)
{
    ElfImage elf;
    if (!parse_elf(g.image, g.image_size, g.memory_size, elf, error, error_size)) return false;

    u8* memory = g.host_address(0);
    memset(memory + g.zeroed, 0, g.memory_size - g.zeroed);
    g.zeroed = 0; // for the next life
    for (u32 i = 0; i < elf.count; i++) {
        const ElfSegment& s = elf.segments[i];
        memcpy(memory + s.address, g.image + s.file_offset, s.file_size);
    }

    u32 stack_base = page_round_up(elf.load_end);
    u32 stack_top = stack_base + BOOT_STACK_BYTES;
    u32 info_gpa = stack_top;
    u32 directory = info_gpa + PAGE_SIZE;
    u32 tables = directory + PAGE_SIZE;
    u32 table_count = (g.memory_size + LARGE_PAGE_SIZE - 1) / LARGE_PAGE_SIZE;
    u32 free_start = tables + table_count * PAGE_SIZE;
    if (stack_base < elf.load_end || free_start > g.memory_size || free_start < tables) {
        snformat(error, error_size, "mem=%uK is too small for the image and its boot data",
                 g.memory_size / 1024);
        return false;
    }

    // Page tables: every guest page, present, writable, supervisor.
    auto* table_entries = reinterpret_cast<u32*>(memory + tables);
    for (u32 page = 0; page < g.memory_size / PAGE_SIZE; page++)
        table_entries[page] = page * PAGE_SIZE | pte::WRITABLE | pte::PRESENT;
    auto* dir = reinterpret_cast<u32*>(memory + directory);
    for (u32 i = 0; i < table_count; i++) {
        u32 entry = (tables + i * PAGE_SIZE) | pte::WRITABLE | pte::PRESENT;
        dir[i] = entry;
        if (elf.offset) dir[directory_index(elf.offset) + i] = entry;
    }

    // The boot information, and the module's string after it.
    BootInfo info{};
    info.magic = RUNG_MAGIC;
    info.version = BOOT_INFO_VERSION;
    info.mem_bytes = g.memory_size;
    info.pgdir = directory;
    info.cmdline = info_gpa + sizeof(BootInfo);
    info.free_start = free_start;
    info.guest_id = g.id;
    info.tsc_khz = clock::tsc_khz();
    info.boot_count = g.boot_count;
    memcpy(memory + info_gpa, &info, sizeof info);
    usize string_length = strlen(g.module_string);
    usize room = PAGE_SIZE - sizeof(BootInfo) - 1;
    memcpy(memory + info.cmdline, g.module_string, string_length < room ? string_length : room);

    // A fresh life: no ABI state, shadow tables and switcher pages anew.
    g.initialized = false;
    g.lguest_data = 0;
    g.async_next = 0;
    g.pending_irqs = 0;
    g.timer_deadline = 0;
    g.console.reset();
    g.call_waited = false;
    g.console_done = 0;
    g.mmu.flush_all();
    g.mmu.set_kernel_address(0);
    if (!g.mmu.switch_to(directory)) {
        snformat(error, error_size, "not enough host memory for the guest's shadow page tables");
        return false;
    }
    switcher::init_state_page(*g.state_page, g.mmu.directory());
    for (Descriptor& gate : g.idt) gate = Descriptor{};
    guest_idt::sync_all(g);
    segments::refresh(g);
    lazy_fpu::forget(g);
    memset(g.regs_page, 0, sizeof *g.regs_page);

    TrapFrame& r = g.regs();
    r.eip = elf.entry;
    r.cs = SEL_GUEST_CODE;
    r.ds = r.es = r.fs = r.gs = r.ss = SEL_GUEST_DATA;
    r.esp = stack_top;
    r.eax = RUNG_MAGIC;
    r.ebx = info_gpa;
    r.eflags = cpu::EFLAGS_IF | 0x2; // bit 1 is always set
    g.state = GuestState::runnable;
    g.powered_off = g.killed = false;
    return true;
}

bool zero_step(Guest& g)
{
    constexpr u32 STEP = 256u << 10; // a few milliseconds even on an i486
    u32 n = g.memory_size - g.zeroed < STEP ? g.memory_size - g.zeroed : STEP;
    memset(g.host_address(g.zeroed), 0, n);
    g.zeroed += n;
    return g.zeroed == g.memory_size;
}

void destroy(Guest& g)
{
    lazy_fpu::forget(g);
    g.mmu.release();
    free_page(reinterpret_cast<u32>(g.regs_page));
    free_page(reinterpret_cast<u32>(g.state_page));
    free_page(reinterpret_cast<u32>(g.slot_table));
    g.regs_page = nullptr;
    g.state_page = nullptr;
    g.slot_table = nullptr;
    if (g.memory_size)
        physical_memory::frames().free_range(g.memory_base / FRAME_SIZE, g.memory_size / FRAME_SIZE);
    g.memory_size = 0;
}

} // namespace loader
