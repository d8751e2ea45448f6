// kernel/vmm/bzimage.cc: a bzImage's setup header is read only where its
// protocol version says the field exists, every length is checked against the
// file before it is used, and sizes are summed in 64 bits.
#include "vmm/bzimage.h"
#include "lib/format.h"
#include "lib/string.h"

namespace {

using namespace linux_boot;

// struct boot_params, the zero page (Linux's arch/x86/include/uapi/asm/bootparam.h).
// Offsets are from the page's start; the setup header is the same bytes at the
// same offsets in the image's second sector.
namespace zero_page {
constexpr u32 SIZE = 4096;
constexpr u32 E820_ENTRIES = 0x1E8;  // u8: how many entries the table holds
constexpr u32 SETUP_HEADER = 0x1F1;  // struct setup_header starts here ...
constexpr u32 HEADER_ROOM_END = 0x290; // ... and may grow up to here
constexpr u32 E820_TABLE = 0x2D0;    // struct e820entry[128]
constexpr u32 E820_MAX_ENTRIES = 128;
} // namespace zero_page

// struct setup_header, at its offsets in the image and in the zero page.
namespace header {
constexpr u32 SETUP_SECTS = 0x1F1;       // u8; 0 means 4
constexpr u32 BOOT_FLAG = 0x1FE;         // u16 0xAA55
constexpr u32 JUMP = 0x200;              // a short jmp over the header ...
constexpr u32 JUMP_OFFSET = 0x201;       // ... whose displacement gives its end
constexpr u32 MAGIC = 0x202;             // "HdrS"
constexpr u32 VERSION = 0x206;           // u16
constexpr u32 TYPE_OF_LOADER = 0x210;    // u8
constexpr u32 LOADFLAGS = 0x211;         // u8
constexpr u32 CODE32_START = 0x214;      // u32
constexpr u32 RAMDISK_IMAGE = 0x218;     // u32
constexpr u32 RAMDISK_SIZE = 0x21C;      // u32
constexpr u32 CMD_LINE_PTR = 0x228;      // u32, 2.02+
constexpr u32 KERNEL_ALIGNMENT = 0x230;  // u32, 2.05+
constexpr u32 RELOCATABLE_KERNEL = 0x234; // u8, 2.05+
constexpr u32 CMDLINE_SIZE = 0x238;      // u32, 2.06+
constexpr u32 HARDWARE_SUBARCH = 0x23C;  // u32, 2.07+
constexpr u32 PREF_ADDRESS = 0x258;      // u64, 2.10+
constexpr u32 INIT_SIZE = 0x260;         // u32, 2.10+
// The shortest header rung accepts: through hardware_subarch for 2.07, and
// through init_size for 2.10 and later.
constexpr u32 END_2_07 = HARDWARE_SUBARCH + 4;
constexpr u32 END_2_10 = INIT_SIZE + 4;
} // namespace header

static_assert(header::SETUP_SECTS == zero_page::SETUP_HEADER);
static_assert(header::END_2_07 <= header::END_2_10 && header::END_2_10 <= zero_page::HEADER_ROOM_END);
static_assert(header::JUMP_OFFSET + 1 + 0xFF <= 512 * 2, "any header end lies inside the first two sectors");
static_assert(zero_page::E820_ENTRIES < zero_page::SETUP_HEADER);
static_assert(zero_page::HEADER_ROOM_END <= zero_page::E820_TABLE);

constexpr u8 LOADED_HIGH = 1 << 0;    // the payload runs at 0x100000
constexpr u8 KEEP_SEGMENTS = 1 << 6;  // startup_32 keeps the loader's segments (no lgdt)
constexpr u8 LOADER_UNDEFINED = 0xFF; // type_of_loader for a loader with no assigned id
constexpr u32 SUBARCH_LGUEST = 1;
constexpr u32 E820_RAM = 1;
constexpr u32 PAGE = 4096;
constexpr u64 MiB = 1u << 20;

// One e820 entry: 64-bit address and size, 32-bit type, 20 bytes, unaligned.
struct E820Entry {
    u32 address_low, address_high;
    u32 size_low, size_high;
    u32 type;
};
static_assert(sizeof(E820Entry) == 20);
static_assert(zero_page::E820_TABLE + zero_page::E820_MAX_ENTRIES * sizeof(E820Entry) <= zero_page::SIZE);

u16 read16(const u8* p)
{
    u16 v;
    memcpy(&v, p, 2);
    return v;
}

u64 page_round_up(u64 n) { return (n + PAGE - 1) & ~static_cast<u64>(PAGE - 1); }
u32 saturate(u64 n) { return n > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<u32>(n); }

bool fail(char* error, usize size, const char* reason)
{
    snformat(error, size, "%s", reason);
    return false;
}

// "2.13" for 0x020D: the minor number is decimal, as Linux writes it.
void format_protocol(char* text, usize size, u16 version)
{
    snformat(text, size, "%u.%02u", static_cast<u32>(version >> 8), static_cast<u32>(version & 0xFF));
}

} // namespace

bool looks_like_bzimage(const u8* image, u32 size)
{
    if (!image || size < header::MAGIC + 4) return false;
    return read16(image + header::BOOT_FLAG) == 0xAA55 && memcmp(image + header::MAGIC, "HdrS", 4) == 0;
}

bool parse_bzimage(const u8* image, u32 size, BzImageInfo& out, char* error, usize error_size)
{
    out = BzImageInfo{};
    if (!looks_like_bzimage(image, size)) return fail(error, error_size, "not a Linux bzImage");
    if (size < header::VERSION + 2) return fail(error, error_size, "truncated setup header");
    char version[8];
    u16 protocol = read16(image + header::VERSION);
    format_protocol(version, sizeof version, protocol);
    if (protocol < MIN_PROTOCOL) {
        snformat(error, error_size, "boot protocol %s is older than 2.07", version);
        return false;
    }
    u32 header_end = header::MAGIC + image[header::JUMP_OFFSET];
    if (header_end > size) return fail(error, error_size, "truncated setup header");
    if (header_end < (protocol >= 0x020A ? header::END_2_10 : header::END_2_07)) {
        snformat(error, error_size, "setup header too short for boot protocol %s", version);
        return false;
    }
    u32 setup_sects = image[header::SETUP_SECTS] ? image[header::SETUP_SECTS] : 4;
    u32 payload_offset = (setup_sects + 1) * 512;
    if (payload_offset > size) {
        snformat(error, error_size, "truncated image: setup is %u bytes, the file %u", payload_offset, size);
        return false;
    }
    if (payload_offset == size) return fail(error, error_size, "truncated image: no protected-mode payload");
    u8 loadflags = image[header::LOADFLAGS];
    if (!(loadflags & LOADED_HIGH)) return fail(error, error_size, "kernel is not loaded high (a zImage)");
    // rung copies the payload to 0x100000 and enters it at code32_start: any
    // other value is a loader hook or a kernel rung would enter in the wrong place.
    u32 code32_start = load32(image + header::CODE32_START);
    if (code32_start != LOAD_ADDRESS) {
        snformat(error, error_size, "code32_start 0x%x is not 0x100000", code32_start);
        return false;
    }
    bool relocatable = image[header::RELOCATABLE_KERNEL] != 0;
    u32 alignment = load32(image + header::KERNEL_ALIGNMENT);
    if (relocatable && (alignment == 0 || (alignment & (alignment - 1)))) {
        snformat(error, error_size, "bad kernel_alignment 0x%x", alignment);
        return false;
    }

    out.protocol = protocol;
    out.setup_sects = setup_sects;
    out.loadflags = loadflags;
    out.code32_start = code32_start;
    out.kernel_alignment = alignment;
    out.relocatable = relocatable;
    out.cmdline_size = load32(image + header::CMDLINE_SIZE);
    out.header_end = header_end;
    out.payload_offset = payload_offset;
    out.payload_size = size - payload_offset;

    // Where the kernel decompresses itself to.  A relocatable one rounds its
    // load address up to kernel_alignment, and from 2.10 on never goes below
    // pref_address (its link address); a fixed one runs at pref_address, or
    // before 2.10 (no pref_address yet) is assumed to run where it is loaded.
    u64 start = relocatable ? (LOAD_ADDRESS + static_cast<u64>(alignment) - 1) & ~static_cast<u64>(alignment - 1)
                            : LOAD_ADDRESS;
    if (protocol >= 0x020A) {
        if (load32(image + header::PREF_ADDRESS + 4)) return fail(error, error_size, "pref_address above 4 GiB");
        out.pref_address = load32(image + header::PREF_ADDRESS);
        out.init_size = load32(image + header::INIT_SIZE);
        if (out.init_size == 0) return fail(error, error_size, "init_size is 0");
        out.init_size_known = true;
        if (!relocatable || out.pref_address > start) start = out.pref_address;
    } else {
        out.init_size = saturate(static_cast<u64>(out.payload_size) * UNKNOWN_INIT_SIZE_FACTOR);
    }
    out.runtime_start = static_cast<u32>(start); // at most 2^31 when aligned, else a u32 read
    return true;
}

u32 memory_needed(const BzImageInfo& info, u32 initrd_size)
{
    u64 payload_end = static_cast<u64>(LOAD_ADDRESS) + info.payload_size;
    u64 kernel_end = static_cast<u64>(info.runtime_start) + info.init_size;
    u64 end = page_round_up(payload_end > kernel_end ? payload_end : kernel_end);
    return saturate(end + page_round_up(initrd_size));
}

bool check_guest_memory(const BzImageInfo& info, u32 initrd_size, u32 mem_bytes, char* error, usize error_size)
{
    u32 needed = memory_needed(info, initrd_size);
    if (mem_bytes >= needed) return true;
    u32 mib = static_cast<u32>((needed + MiB - 1) / MiB);
    snformat(error, error_size, "mem=%uK is too small: needs at least %u MiB", mem_bytes / 1024, mib);
    return false;
}

u32 initrd_address(u32 mem_bytes, u32 initrd_size) { return (mem_bytes - initrd_size) & ~(PAGE - 1); }

void build_zero_page(u8* page, const BzImageInfo& info, const u8* image, u32 mem_bytes, u32 cmdline_gpa,
                     u32 initrd_gpa, u32 initrd_size)
{
    memset(page, 0, zero_page::SIZE);
    u32 end = info.header_end < zero_page::HEADER_ROOM_END ? info.header_end : zero_page::HEADER_ROOM_END;
    memcpy(page + zero_page::SETUP_HEADER, image + zero_page::SETUP_HEADER, end - zero_page::SETUP_HEADER);

    page[zero_page::E820_ENTRIES] = 1;
    const E820Entry ram = {0, 0, mem_bytes, 0, E820_RAM};
    memcpy(page + zero_page::E820_TABLE, &ram, sizeof ram);

    store32(page + header::CMD_LINE_PTR, cmdline_gpa);
    store32(page + header::RAMDISK_IMAGE, initrd_size ? initrd_gpa : 0);
    store32(page + header::RAMDISK_SIZE, initrd_size);
    page[header::TYPE_OF_LOADER] = LOADER_UNDEFINED;
    store32(page + header::HARDWARE_SUBARCH, SUBARCH_LGUEST);
    page[header::LOADFLAGS] = static_cast<u8>(page[header::LOADFLAGS] | KEEP_SEGMENTS);
}

bool split_module_string(const char* text, ModuleStringParts& out, char* error, usize error_size)
{
    out = ModuleStringParts{};
    if (!text) text = "";
    out.options = text;
    const char* cursor = text;
    const char* word;
    usize length;
    const char* separator = nullptr;
    while (next_word(cursor, &word, &length))
        if (word_equals(word, length, "--")) {
            separator = word;
            break;
        }
    if (!separator) {
        out.options_length = static_cast<usize>(cursor - text);
        return true;
    }
    out.options_length = static_cast<usize>(separator - text);
    out.has_command_line = true;
    out.command_line = cursor; // no words after "--": an empty command line
    const char* end = cursor;
    bool first = true;
    while (next_word(cursor, &word, &length)) {
        if (first) out.command_line = word;
        first = false;
        end = cursor;
    }
    out.command_line_length = first ? 0 : static_cast<usize>(end - out.command_line);
    if (out.command_line_length > MAX_COMMAND_LINE) {
        snformat(error, error_size, "linux command line too long (%u bytes, at most %u)",
                 static_cast<u32>(out.command_line_length), MAX_COMMAND_LINE);
        return false;
    }
    return true;
}
