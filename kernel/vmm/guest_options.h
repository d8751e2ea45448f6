// kernel/vmm/guest_options.h: a module's string, `[PATH] [OPTION ...]
// [-- LINUX COMMAND LINE]` (guest ABI, section 1; Linux addendum, section 1).
// Pure: unit-tested on the build machine.
#pragma once
#include "lib/types.h"

enum class OnKill { stop, restart };
enum class Pci { unset, on, off }; // unset: on for a Linux guest, off for an ELF guest

struct GuestOptions {
    char name[16] = {};
    u32 mem_bytes = 16u << 20;
    bool mem_given = false; // a Linux guest's default is 64M, an ELF guest's 16M
    OnKill on_kill = OnKill::stop;
    Pci pci = Pci::unset;
    char initrd_for[16] = {}; // this module is the initrd of that Linux guest, not a guest
    char path[128] = {};
};

constexpr u32 MIN_GUEST_MEMORY = 1u << 20;
// rung never hands a guest more than this: the host keeps the rest of the 4
// GiB space for itself and the switcher (and no PC gives one guest 3 GiB).
constexpr u32 MAX_GUEST_MEMORY = 3u << 30;

// Parses `text` for guest number `id`.  On error returns false with a
// reason (one short phrase) in `error`; the name is filled as far as known.
bool parse_guest_options(const char* text, u32 id, GuestOptions& options, char* error, usize error_size);
