// guest/demo/syscalls.h: the system calls (int $0x80, numbers in layout.h)
// and the exceptions of ring 3: demand paging, and the end of a process that
// faults.
#pragma once

namespace demo {

namespace syscalls {
void init(); // the int $0x80 gate: a trap gate of DPL 3, entered without the host
}
namespace faults {
void init(); // page faults, general protection and the other exceptions
}

} // namespace demo
