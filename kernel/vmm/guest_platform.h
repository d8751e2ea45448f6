// kernel/vmm/guest_platform.h: where a guest meets its devices (Linux
// addendum, section 3).  A guest with pci=on (every Linux guest) has a PCI
// bus with a host bridge and a virtio console whose BAR lies just above its
// memory.  Its `in`/`out` raise #GP in ring 1 and come here to be decoded
// and emulated; so does every access through a PTE that names its BAR,
// which the shadow never maps.  The devices themselves are kernel/devices/.
#pragma once
#include "vmm/guest.h"

namespace platform {

// At the start of each life of a guest with pci=on: its devices anew, and
// its device window (guest.devices).
void start(Guest& guest);

// #GP from a guest with pci=on: `in` and `out` emulated, a bare `cli`
// skipped (some early boot code is not paravirtualized), anything else
// reflected to the guest as the CPU's #GP.
Outcome general_protection(Guest& guest);

// An access at `address` through a PTE into the device window, to
// guest-physical `gpa`: the `mov` emulated; any other instruction kills.
Outcome device_access(Guest& guest, u32 address, u32 gpa);

// Before the guest runs: console output held back for want of room goes on.
Outcome before_run(Guest& guest);

// Once a turn of the scheduler: the console's focus (Ctrl-T moves it among
// the guests with devices, and a line says where input now goes), typed
// bytes into the focused guest's receive queue, and each such guest's
// partial line (a shell prompt) shown once it has been quiet a while.
void service_console(Guest* guests, u32 count);

} // namespace platform
