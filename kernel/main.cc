// kernel/main.cc: rung's boot, in the order it happens.
//
//   1. the console, so everything after can speak;
//   2. the Multiboot magic and the kernel command line;
//   3. the CPU's features, then our own GDT, TSS and IDT, and the PICs;
//   4. physical memory: the firmware map becomes a frame allocator;
//   5. paging: the host identity-mapped, slot 1023 kept for the switcher;
//   6. the clock: RTC, TSC calibration, the PIT tick; interrupts on;
//   7. the switcher, then one guest per Multiboot module, run to the end.
#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/features.h"
#include "arch/fpu.h"
#include "arch/gdt.h"
#include "arch/pic.h"
#include "boot/command_line.h"
#include "boot/multiboot.h"
#include "boot/physical_memory.h"
#include "console/log.h"
#include "lib/panic.h"
#include "mm/paging.h"
#include "native_bench.h"
#include "power.h"
#include "selftest.h"
#include "vmm/host.h"

namespace {

void print_cpu()
{
    const CpuFeatures& f = features::cpu();
    if (!f.cpuid) {
        console::info("cpu: i%u86 class, no CPUID: assuming no PSE, TSC, PGE or APIC", f.family);
        return;
    }
    console::info("cpu: %s family %u model %u stepping %u, features:%s%s%s%s%s%s%s%s%s", f.vendor,
                  f.family, f.model, f.stepping, f.fpu ? " fpu" : "", f.pse ? " pse" : "",
                  f.tsc ? " tsc" : "", f.msr ? " msr" : "", f.pge ? " pge" : "",
                  f.apic ? " apic" : "", f.sep ? " sep" : "", f.fxsr ? " fxsr" : "",
                  f.sse ? " sse" : "");
}

void print_memory()
{
    const MemoryMap& map = physical_memory::map();
    u32 kib = static_cast<u32>(map.usable_bytes / 1024);
    console::info("memory: %u KiB (%u MiB) usable below 4 GiB in %u ranges, top %x", kib,
                  kib / 1024, map.count, static_cast<u32>(map.top() - 1) + 1);
    if (map.ignored_above_4g)
        console::info("memory: %u MiB above 4 GiB ignored (rung does not use PAE)",
                      static_cast<u32>(map.ignored_above_4g >> 20));
    if (map.dropped_entries)
        console::info("memory: %u firmware map entries beyond the first %u ignored", map.dropped_entries,
                      MemoryMap::MAX_RANGES);
    const FrameAllocator& frames = physical_memory::frames();
    console::info("memory: %u free frames (%u KiB) after the kernel and modules, paging %s pages",
                  frames.free_frames(), frames.free_frames() * 4, features::cpu().pse ? "4 MiB" : "4 KiB");
}

void print_clock()
{
    u64 now = clock::wall_seconds();
    u32 days = static_cast<u32>(now / 86400), seconds = static_cast<u32>(now % 86400);
    if (clock::tsc_khz())
        console::info("clock: TSC %u kHz, tick %u Hz, wall clock day %u of the epoch %02u:%02u:%02u UTC",
                      clock::tsc_khz(), clock::TICK_HZ, days, seconds / 3600, seconds / 60 % 60, seconds % 60);
    else
        console::info("clock: no TSC, tick %u Hz, wall clock day %u of the epoch %02u:%02u:%02u UTC",
                      clock::TICK_HZ, days, seconds / 3600, seconds / 60 % 60, seconds % 60);
    console::info("clock: guest timers on the %s timer", clock::alarm_source());
}

} // namespace

extern "C" [[noreturn]] void kernel_main(u32 magic, const multiboot::Info* info)
{
    // Our own tables first: until the IDT is ours, an NMI would find the
    // loader's (or none) and reset the machine.
    host_tables::install();
    console::init();
    if (magic != multiboot::LOADER_MAGIC) {
        console::print("rung: not started by a Multiboot loader (magic %x, expected %x): halting\n",
                       magic, multiboot::LOADER_MAGIC);
        power::finish(false);
    }

    KernelOptions options;
    if (info->flags & multiboot::INFO_CMDLINE)
        parse_kernel_command_line(reinterpret_cast<const char*>(info->cmdline), options);
    console::set_quiet(options.quiet);
    power::set_policy(options.on_exit);
    console::info("rung 1.0, a microhypervisor for 32-bit x86%s%s",
                  (info->flags & multiboot::INFO_LOADER_NAME) ? ", loaded by " : "",
                  (info->flags & multiboot::INFO_LOADER_NAME)
                      ? reinterpret_cast<const char*>(info->boot_loader_name) : "");
    if (options.unknown[0]) console::stable("unknown kernel options ignored: %s", options.unknown);

    features::detect();
    print_cpu();
    if (features::cpu().family < 4) {
        console::stable("a 386 cannot run rung: it needs CR0.WP and invlpg (i486 or later)");
        power::finish(false);
    }
    pic::init();

    physical_memory::init(*info);
    paging::init(physical_memory::highest_address(), physical_memory::frames());
    print_memory();

    clock::init();
    pic::unmask(0);
    fpu::init();
    cpu::enable_interrupts();
    print_clock();

    if (options.selftest && !selftest::run()) power::finish(false);
    if (options.bench) native_bench::run();

    const auto* modules = reinterpret_cast<const multiboot::Module*>(info->mods_addr);
    u32 module_count = (info->flags & multiboot::INFO_MODULES) ? info->mods_count : 0;
    bool success = host::run(modules, module_count, options);
    power::finish(success);
}
