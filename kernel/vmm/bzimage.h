// kernel/vmm/bzimage.h: checking a Linux bzImage before a byte of it is
// copied, sizing the memory it needs, and filling its zero page (Linux-guest
// addendum, sections 1 and 2).  Pure: unit-tested.
//
// A bzImage is a real-mode setup part ((setup_sects + 1) * 512 bytes, whose
// second sector holds the "setup header") followed by the protected-mode
// payload, which rung copies to LOAD_ADDRESS and enters at code32_start,
// skipping the real-mode part entirely (the 32-bit boot protocol).  The
// payload decompresses the kernel to its runtime start and needs init_size
// bytes there before it looks at the memory map.
#pragma once
#include "lib/types.h"

namespace linux_boot {

constexpr u32 LOAD_ADDRESS = 0x100000;    // where the payload goes (and code32_start must point)
constexpr u32 ZERO_PAGE_GPA = 0;          // struct boot_params; ESI at entry
constexpr u32 COMMAND_LINE_GPA = 0x1000;  // just after the zero page
constexpr u32 MAX_COMMAND_LINE = 2047;    // bytes, without the NUL
constexpr u16 MIN_PROTOCOL = 0x0207;      // the first with hardware_subarch
// Before protocol 2.10 a kernel does not say how much memory it needs: rung
// then assumes it runs at LOAD_ADDRESS and needs this many times its payload.
constexpr u32 UNKNOWN_INIT_SIZE_FACTOR = 4;

static_assert(COMMAND_LINE_GPA + MAX_COMMAND_LINE + 1 <= LOAD_ADDRESS);

} // namespace linux_boot

struct BzImageInfo {
    u16 protocol = 0;          // 0x0213 for 2.13
    u32 setup_sects = 0;       // as used: a 0 in the header reads as 4
    u8 loadflags = 0;          // as in the image
    u32 code32_start = 0;
    u32 kernel_alignment = 0;
    bool relocatable = false;
    u32 cmdline_size = 0;      // the longest command line the kernel reads
    u32 header_end = 0;        // 0x202 + the byte at 0x201
    u32 pref_address = 0;      // 2.10+; 0 before
    bool init_size_known = false; // 2.10+: init_size is the kernel's own
    u32 init_size = 0;         // before 2.10: payload_size * UNKNOWN_INIT_SIZE_FACTOR
    u32 runtime_start = 0;     // where the kernel decompresses itself to
    u32 payload_offset = 0;    // (setup_sects + 1) * 512
    u32 payload_size = 0;      // from payload_offset to the end of the file
};

// True when the image has the boot sector signature 55 AA at 510 and "HdrS"
// at 0x202: a Linux x86 kernel image of boot protocol 2.00 or later.
bool looks_like_bzimage(const u8* image, u32 size);

// True when `image` is a bzImage rung can boot (protocol 2.07 or later,
// loaded high, entered at 0x100000); otherwise false with a short reason in
// `error`.  Says nothing about guest memory: see check_guest_memory.
bool parse_bzimage(const u8* image, u32 size, BzImageInfo& out, char* error, usize error_size);

// The guest memory, in bytes, the kernel needs: the payload at LOAD_ADDRESS,
// init_size bytes from its runtime start, then the initrd (page aligned) at the
// top.  The zero page and the command line sit below LOAD_ADDRESS and add
// nothing.  Saturates at 0xFFFFFFFF.
u32 memory_needed(const BzImageInfo& info, u32 initrd_size);

// True when `mem_bytes` covers memory_needed; otherwise false with
// "mem=NK is too small: needs at least N MiB" in `error`.
bool check_guest_memory(const BzImageInfo& info, u32 initrd_size, u32 mem_bytes, char* error, usize error_size);

// Where the initrd goes: the highest page-aligned address with room for it.
// Only meaningful once check_guest_memory has passed.
u32 initrd_address(u32 mem_bytes, u32 initrd_size);

// Fills the 4 KiB zero page (struct boot_params): zeroed, the image's setup
// header copied in (0x1F1 up to header_end, at most up to 0x290 where the
// header's room ends), then one e820 entry {0, mem_bytes, RAM}, the command
// line's and initrd's addresses (both initrd fields 0 when initrd_size is 0),
// type_of_loader 0xFF, hardware_subarch 1 (lguest) and loadflags with
// KEEP_SEGMENTS.  `image` must be the one `info` came from.
void build_zero_page(u8* page4096, const BzImageInfo& info, const u8* image, u32 mem_bytes, u32 cmdline_gpa,
                     u32 initrd_gpa, u32 initrd_size);

// A module string `[PATH] [OPTION ...] [-- LINUX COMMAND LINE]`, split at the
// first word that is exactly "--".  Nothing is copied: both parts point into
// the string.
struct ModuleStringParts {
    const char* options = nullptr;      // the string's start
    usize options_length = 0;           // up to the "--" word (or the whole string)
    bool has_command_line = false;      // a lone "--" was found
    const char* command_line = nullptr; // from the first word after "--" ...
    usize command_line_length = 0;      // ... to the end of the last word (blanks between kept)
};

// Splits `text` (NULL reads as ""); false with a reason when the Linux
// command line is longer than linux_boot::MAX_COMMAND_LINE bytes.
bool split_module_string(const char* text, ModuleStringParts& out, char* error, usize error_size);
