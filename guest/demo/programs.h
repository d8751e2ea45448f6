// guest/demo/programs.h: the user programs, and how the kernel finds them.
//
// They live in the kernel image, in section .user (demo.ld puts it on pages
// of its own: user_image_start to user_image_end), which every process maps
// read-only at layout::USER_IMAGE.  Code there runs at that address, not at
// the one it was linked at: calls are relative, and every pointer to its
// constant data goes through user_address() (programs.cc keeps the rules).
#pragma once
#include "rung.h"

namespace demo {

extern "C" char user_image_start[], user_image_end[];

struct Program {
    const char* name;
    u32 entry; // user address
    u32 arg;
};

namespace programs {
// The programs this copy of the kernel runs (the guest id varies their work).
u32 list(u32 guest_id, Program* out, u32 max);
u32 exit_stub(); // user address of the return address every program starts with
} // namespace programs

} // namespace demo
