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
#include "vmm/bzimage.h"
#include "vmm/elf.h"
#include "vmm/guest_idt.h"
#include "vmm/guest_platform.h"
#include "vmm/lazy_fpu.h"
#include "vmm/segments.h"

namespace loader {
namespace {

constexpr u32 LINUX_DEFAULT_MEMORY = 64u << 20;

void free_page(u32 address)
{
    if (address) physical_memory::frames().free(address / FRAME_SIZE);
}

// The bytes of page tables that map `size` bytes of memory: a directory and
// a table per 4 MiB.
u32 boot_tables_bytes(u32 size) { return (1 + (size + LARGE_PAGE_SIZE - 1) / LARGE_PAGE_SIZE) * PAGE_SIZE; }

// Boot page tables in guest memory: every guest page at its own address (and
// at `offset` too, if not 0), present, writable, supervisor; the directory
// at `directory`, its tables from `tables` on.
void map_all_memory(u8* memory, u32 size, u32 directory, u32 tables, u32 offset)
{
    auto* table_entries = reinterpret_cast<u32*>(memory + tables);
    for (u32 page = 0; page < size / PAGE_SIZE; page++) table_entries[page] = page * PAGE_SIZE | pte::WRITABLE | pte::PRESENT;
    auto* dir = reinterpret_cast<u32*>(memory + directory);
    for (u32 i = 0; i < (size + LARGE_PAGE_SIZE - 1) / LARGE_PAGE_SIZE; i++) {
        u32 entry = (tables + i * PAGE_SIZE) | pte::WRITABLE | pte::PRESENT;
        dir[i] = entry;
        if (offset) dir[directory_index(offset) + i] = entry;
    }
}


// A Linux guest's checks, all before any memory is taken: the image, its
// command line, and memory enough for the kernel and its initrd.
bool check_linux(Guest& g, char* error, usize error_size)
{
    g.linux_guest = true;
    if (!g.options.mem_given) g.options.mem_bytes = LINUX_DEFAULT_MEMORY;
    if (!parse_bzimage(g.image, g.image_size, g.bzimage, error, error_size)) return false;
    ModuleStringParts parts;
    if (!split_module_string(g.module_string, parts, error, error_size)) return false;
    g.command_line = parts.has_command_line ? parts.command_line : "";
    g.command_line_length = static_cast<u32>(parts.has_command_line ? parts.command_line_length : 0);
    if (g.bzimage.cmdline_size && g.command_line_length > g.bzimage.cmdline_size) {
        snformat(error, error_size, "linux command line of %u bytes is longer than the kernel's %u",
                 g.command_line_length, g.bzimage.cmdline_size);
        return false;
    }
    // The initrd and the boot page tables below it share the top of memory.
    return check_guest_memory(g.bzimage, g.initrd_size + boot_tables_bytes(g.options.mem_bytes),
                              g.options.mem_bytes, error, error_size);
}

} // namespace

bool create(Guest& g, u32 slot, u32 id, const u8* image, u32 size, const char* module_string,
            const u8* initrd, u32 initrd_size, char* error, usize error_size)
{
    g = Guest{};
    g.slot = slot;
    g.console.set_owner(slot);
    g.id = id;
    g.image = image;
    g.image_size = size;
    g.initrd = initrd;
    g.initrd_size = initrd_size;
    g.module_string = module_string ? module_string : "";
    if (!parse_guest_options(module_string, id, g.options, error, error_size)) return false;
    if (looks_like_bzimage(image, size)) {
        if (!check_linux(g, error, error_size)) return false;
    } else {
        ElfImage elf;
        if (!parse_elf(image, size, g.options.mem_bytes, elf, error, error_size)) return false;
    }
    g.pci = g.options.pci == Pci::unset ? g.linux_guest : g.options.pci == Pci::on;

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
    u32 regs = zeroed_frame(), state = zeroed_frame(), slot_table = zeroed_frame();
    g.regs_page = reinterpret_cast<RegsPage*>(regs);
    g.state_page = reinterpret_cast<StatePage*>(state);
    g.slot_table = reinterpret_cast<u32*>(slot_table);
    if (!regs || !state || !slot_table || !g.mmu.init(slot_table)) {
        destroy(g);
        snformat(error, error_size, "not enough host memory for the guest's pages");
        return false;
    }
    switcher::fill_guest_slot(g.slot_table, regs, state);
    return boot(g, error, error_size);
}

namespace {

// An ELF guest (guest ABI, section 2): its segments, a boot stack, the boot
// information and page tables mapping all its memory; the entry state in `r`.
bool load_elf(Guest& g, u8* memory, TrapFrame& r, u32* directory_gpa, char* error, usize error_size)
{
    ElfImage elf;
    if (!parse_elf(g.image, g.image_size, g.memory_size, elf, error, error_size)) return false;
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

    map_all_memory(memory, g.memory_size, directory, tables, elf.offset);

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

    r.eip = elf.entry;
    r.cs = SEL_GUEST_CODE;
    r.ds = r.es = r.fs = r.gs = r.ss = SEL_GUEST_DATA;
    r.esp = stack_top;
    r.eax = RUNG_MAGIC;
    r.ebx = info_gpa;
    *directory_gpa = directory;
    return true;
}

// A Linux guest (Linux addendum, section 2), as lguest's launcher did it:
// the protected-mode payload at 1 MiB, the zero page at 0 and the
// command line after it, the initrd at the top and, just below it, page
// tables that map all its memory at its own addresses: the linear map it
// runs on until its first NEW_PGTABLE.  Entered at code32_start with ESI
// at the zero page.
void load_linux(Guest& g, u8* memory, TrapFrame& r, u32* directory_gpa)
{
    using namespace linux_boot;
    const BzImageInfo& bz = g.bzimage;
    memcpy(memory + LOAD_ADDRESS, g.image + bz.payload_offset, bz.payload_size);
    // The module's command line, then " rung.boot=N" (its boot_count, as an
    // ELF guest finds it in its boot info) when the kernel's limit allows.
    char* line = reinterpret_cast<char*>(memory + COMMAND_LINE_GPA);
    memcpy(line, g.command_line, g.command_line_length); // its NUL: zeroed memory
    u32 limit = bz.cmdline_size && bz.cmdline_size < MAX_COMMAND_LINE ? bz.cmdline_size : MAX_COMMAND_LINE;
    char boot[24];
    u32 extra = static_cast<u32>(snformat(boot, sizeof boot, "%srung.boot=%u", g.command_line_length ? " " : "",
                                          g.boot_count));
    if (g.command_line_length + extra <= limit) memcpy(line + g.command_line_length, boot, extra);
    u32 initrd_gpa = g.initrd_size ? initrd_address(g.memory_size, g.initrd_size) : 0;
    memcpy(memory + initrd_gpa, g.initrd, g.initrd_size);
    build_zero_page(memory + ZERO_PAGE_GPA, bz, g.image, g.memory_size, COMMAND_LINE_GPA, initrd_gpa,
                    g.initrd_size);
    u32 top = g.initrd_size ? initrd_gpa : g.memory_size;
    u32 directory = (top - boot_tables_bytes(g.memory_size)) & ~(PAGE_SIZE - 1); // room checked at creation
    map_all_memory(memory, g.memory_size, directory, directory + PAGE_SIZE, 0);
    *directory_gpa = directory;
    r.eip = bz.code32_start;
    r.cs = SEL_GUEST_CODE;
    r.ds = r.es = r.ss = SEL_GUEST_DATA;
    r.fs = r.gs = 0;
    r.esi = ZERO_PAGE_GPA;
}

} // namespace

bool boot(Guest& g, char* error, usize error_size)
{
    u8* memory = g.host_address(0);
    memset(memory + g.zeroed, 0, g.memory_size - g.zeroed);
    g.zeroed = 0; // for the next life
    TrapFrame entry{};
    u32 directory = 0;
    if (g.linux_guest) load_linux(g, memory, entry, &directory);
    else if (!load_elf(g, memory, entry, &directory, error, error_size)) return false;
    entry.eflags = cpu::EFLAGS_IF | 0x2; // bit 1 is always set

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
    g.regs() = entry;
    platform::start(g);
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
